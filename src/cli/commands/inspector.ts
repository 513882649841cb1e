/** `mandate inspector`: the local web page that explains a mandate. */
import { UsageError, type Command } from '../command.js';
import { wholeInput } from '../inputs.js';

export const inspector: Command = {
  name: 'inspector',
  summary: 'Serve the Inspector page on 127.0.0.1: paste a mandate, see who delegated what.',
  synopsis: '[--port N]',
  options: {
    port: { type: 'string', value: 'N', help: 'the port (0, the default, picks a free one)' },
  },
  description:
    'Binds loopback only and prints its URL. The page decodes the mandate and says why a\n' +
    'request would be denied; keys stay on this machine.',
  example: 'mandate inspector --port 8080   # then open http://127.0.0.1:8080/',
  async run(args) {
    const port = wholeInput(args.string('port'), '--port');
    if (port !== undefined && port > 65535) {
      throw new UsageError(`--port is ${port}; expected 0 to 65535`);
    }
    // Loaded only here: no other command needs the HTTP server or the page.
    const { runInspector } = await import('../inspector/server.js');
    return runInspector(port);
  },
};
