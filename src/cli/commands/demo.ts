/** `mandate demo`: the whole handshake and every attack, on loopback. */
import { UsageError, type Command } from '../command.js';
import { formatInput } from '../inputs.js';
import { REDIS } from '../options.js';

export const demo: Command = {
  name: 'demo',
  summary: 'Run the handshake and every attack on loopback; exit 1 if any scenario surprises.',
  synopsis:
    '[--format jws|biscuit] | --framework ai|langchain|openai-agents | --processes [--redis URL]',
  options: {
    format: { type: 'string', value: 'F', help: 'jws or biscuit (default: both)' },
    processes: {
      type: 'boolean',
      help: 'each party in its own process (A2A orchestrator and billing agent, MCP tool, a thief)',
    },
    redis: { ...REDIS, help: 'with --processes: the Redis the verifiers share' },
    framework: {
      type: 'string',
      value: 'NAME',
      help: "ai, langchain or openai-agents: the agent scenarios through that framework's tool loop",
    },
  },
  description:
    'alice -> orchestrator -> billing agent -> payment tool, with an authorization server on\n' +
    'loopback; each scenario prints what was expected and what happened. --processes needs the\n' +
    'optional peers @a2a-js/sdk, @modelcontextprotocol/sdk and express; --framework needs that\n' +
    'framework installed (ai, @langchain/core with @langchain/langgraph, or @openai/agents-core).',
  example: 'mandate demo --format biscuit\nmandate demo --framework ai\nmandate demo --processes',
  async run(args) {
    const format = formatInput(args.string('format'));
    const framework = args.string('framework');
    if (framework !== undefined) {
      if (format !== undefined || args.flag('processes') || args.has('redis'))
        throw new UsageError('--framework runs alone: drop --format, --processes and --redis');
      // Loaded only here: each framework is an optional peer.
      const { isFramework, runFrameworkDemo } = await import('../framework-demo/index.js');
      if (!isFramework(framework))
        throw new UsageError('--framework takes ai, langchain or openai-agents');
      return runFrameworkDemo(framework);
    }
    if (args.flag('processes')) {
      if (format !== undefined) throw new UsageError('--processes runs jws only: drop --format');
      // Loaded only here: the process demo needs the optional A2A / MCP peers.
      const { printProcessDemo } = await import('../processes/run.js');
      const redisUrl = args.string('redis');
      return printProcessDemo(redisUrl === undefined ? {} : { redisUrl });
    }
    if (args.has('redis')) throw new UsageError('--redis goes with --processes');
    if (format === 'aat') throw new UsageError('--format is aat; demo runs jws or biscuit');
    const { runDemo } = await import('../demo.js');
    return runDemo(format === undefined ? ['jws', 'biscuit'] : [format]);
  },
};
