/** `mandate delegate`: a narrower block for the next holder, signed by the current one. */
import { delegate as delegateMandate } from '../../format/delegate.js';
import type { Command } from '../command.js';
import {
  capabilitiesInput,
  privateKeyInput,
  publicKeyInput,
  tokenInput,
  wholeInput,
} from '../inputs.js';
import { AUDIENCE, CAPS, HOLDER, MANDATE, MAX_DEPTH, NOW, SIGNER, TOOLS } from '../options.js';

export const delegate: Command = {
  name: 'delegate',
  summary: 'Delegate a mandate: append a block that narrows it, for the next holder.',
  synopsis:
    '--mandate TOKEN --signer KEY --holder PUBJWK [--caps JSON | --tools JSON]\n' +
    '       [--expires SPAN] [--audience A] [--max-depth N] [--now SECONDS]',
  options: {
    mandate: MANDATE,
    signer: SIGNER,
    holder: HOLDER,
    caps: { ...CAPS, help: `${CAPS.help} (default: the parent's)` },
    tools: TOOLS,
    expires: { type: 'string', value: 'SPAN', help: "lifetime (default: the parent's expiry)" },
    audience: AUDIENCE,
    'max-depth': MAX_DEPTH,
    now: NOW,
  },
  description:
    "The new block keeps the mandate's format. Anything wider than the parent (capabilities,\n" +
    'expiry, audience, depth) is refused with MANDATE_WIDENED, naming what widened. With\n' +
    'closed-world arguments, a narrower capability must still constrain every argument the\n' +
    "parent's constrains.",
  example:
    'mandate delegate --mandate @root.token --signer @agent.jwk --holder @worker.pub.jwk \\\n' +
    '  --caps \'[{"resource":"billing:invoices/*","actions":["pay"],"constraints":{"amount":{"max":200}}}]\' \\\n' +
    '  > child.token',
  async run(args) {
    const capabilities = await capabilitiesInput(args);
    const expires = args.string('expires');
    const audience = args.string('audience');
    const maxDepth = wholeInput(args.string('max-depth'), '--max-depth');
    const now = wholeInput(args.string('now'), '--now');
    const mandate = await delegateMandate(
      await tokenInput(args.string('mandate') ?? '', '--mandate'),
      {
        signer: await privateKeyInput(args.string('signer') ?? '', '--signer'),
        holder: await publicKeyInput(args.string('holder') ?? '', '--holder'),
        ...(capabilities === undefined ? {} : { capabilities }),
        ...(expires === undefined ? {} : { expiresIn: expires }),
        ...(audience === undefined ? {} : { audience }),
        ...(maxDepth === undefined ? {} : { maxDepth }),
        ...(now === undefined ? {} : { now }),
      },
    );
    process.stdout.write(`${mandate.token}\n`);
    return 0;
  },
};
