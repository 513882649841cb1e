/** `mandate prove`: a proof of possession by the last holder, bound to one request. */
import { prove as proveMandate } from '../../proof/prove.js';
import type { Command } from '../command.js';
import {
  missingRequest,
  privateKeyInput,
  requestInput,
  tokenInput,
  wholeInput,
} from '../inputs.js';
import { ARGS, MANDATE, METHOD, NONCE, NOW, SIGNER, TOOL, URL } from '../options.js';

export const prove: Command = {
  name: 'prove',
  summary: 'Prove possession of a mandate for one request (a DPoP proof, or an AAT PoP).',
  synopsis:
    '--mandate TOKEN --signer KEY (--method M --url U | --tool T --args JSON)\n' +
    '       [--nonce N] [--audience A] [--now SECONDS]',
  options: {
    mandate: MANDATE,
    signer: { ...SIGNER, help: "the last holder's private JWK: the value, @file or - (stdin)" },
    method: METHOD,
    url: URL,
    tool: TOOL,
    args: ARGS,
    nonce: NONCE,
    audience: {
      type: 'string',
      value: 'A',
      help: 'the service a tool-call proof is for (aud / aat_aud; needed when the mandate names several)',
    },
    now: NOW,
  },
  missing: missingRequest,
  description:
    'Prints the proof (for HTTP, the DPoP header value). An AAT chain is proven with an\n' +
    'aat-pop+jwt for a tool call.',
  example:
    'mandate prove --mandate @child.token --signer @worker.jwk \\\n' +
    '  --method POST --url https://billing.example/invoices/42/pay > proof.jwt',
  async run(args) {
    const nonce = args.string('nonce');
    const audience = args.string('audience');
    const now = wholeInput(args.string('now'), '--now');
    const proof = await proveMandate(await tokenInput(args.string('mandate') ?? '', '--mandate'), {
      signer: await privateKeyInput(args.string('signer') ?? '', '--signer'),
      request: await requestInput(args),
      ...(nonce === undefined ? {} : { nonce }),
      ...(audience === undefined ? {} : { audience }),
      ...(now === undefined ? {} : { now }),
    });
    process.stdout.write(`${proof}\n`);
    return 0;
  },
};
