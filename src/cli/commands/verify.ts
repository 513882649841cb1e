/** `mandate verify`: the verifier's nine rules on one mandate and request; prints the Decision. */
import type { Action } from '../../core/types.js';
import { createVerifier } from '../../verify/verifier.js';
import { UsageError, type Command } from '../command.js';
import {
  jsonInput,
  missingRequest,
  publicKeyInput,
  requestInput,
  tokenInput,
  wholeInput,
} from '../inputs.js';
import {
  ARGS,
  MANDATE,
  MAX_DEPTH,
  METHOD,
  NONCE,
  NOW,
  PREFIX,
  REDIS,
  TOOL,
  URL,
} from '../options.js';
import { openVerifierStores } from '../stores.js';

/** `--anchor ID=PUBJWK`: a trust anchor (its key as a value, @file or -). */
async function anchorOf(entry: string): Promise<{ id: string; publicJwk: never }> {
  const at = entry.indexOf('=');
  if (at < 1) {
    throw new UsageError(
      `--anchor is ${JSON.stringify(entry.slice(0, 40))}; expected ID=PUBJWK (e.g. https://as.example=@as.pub.jwk)`,
    );
  }
  const id = entry.slice(0, at);
  return { id, publicJwk: (await publicKeyInput(entry.slice(at + 1), `--anchor ${id}`)) as never };
}

const SPAN = (help: string) => ({ type: 'string', value: 'SPAN', help }) as const;

export const verify: Command = {
  name: 'verify',
  summary: 'Verify a mandate for one request: exit 0 when allowed, 3 when denied.',
  synopsis:
    '--mandate TOKEN --anchor ID=PUBJWK --audience A (--action JSON | --tool T --args JSON)\n' +
    '       [--proof P (--method M --url U | --tool T --args JSON)] [--no-proof]\n' +
    '       [--redis URL [--prefix P]] [--clock-tolerance SPAN] [--proof-window SPAN] [--nonce N]\n' +
    '       [--now SECONDS] [--no-require-audience] [--require-pop-audience]\n' +
    '       [--max-depth N] [--max-iat-skew SPAN] [--max-lifetime SPAN]',
  options: {
    mandate: MANDATE,
    anchor: {
      type: 'string',
      value: 'ID=PUBJWK',
      multiple: true,
      required: true,
      help: 'a trust anchor: its id and public JWK (the value, @file or -)',
    },
    audience: { type: 'string', value: 'A', required: true, help: "this verifier's own identity" },
    action: {
      type: 'string',
      value: 'JSON',
      help: 'what is asked: { "resource", "action", "args"? } (a tool call derives it)',
    },
    proof: {
      type: 'string',
      value: 'P',
      help: 'the proof of possession: the value, @file or - (stdin)',
    },
    method: METHOD,
    url: URL,
    tool: TOOL,
    args: ARGS,
    'no-proof': { type: 'boolean', help: 'check the mandate alone (rule 8 is skipped)' },
    approval: {
      type: 'string',
      value: 'A',
      multiple: true,
      help: 'a signed approval of this call (mandate approve): the value or @file',
    },
    'user-key': {
      type: 'string',
      value: 'PUBJWK',
      multiple: true,
      help: "a public key of the originating user (approves as 'user'): the value or @file",
    },
    redis: { ...REDIS, help: 'consult revocations in this Redis (or MANDATE_REDIS_URL)' },
    prefix: PREFIX,
    nonce: NONCE,
    now: NOW,
    'clock-tolerance': SPAN('clock skew tolerated on validity windows'),
    'proof-window': SPAN('how old a proof may be'),
    'no-require-audience': { type: 'boolean', help: 'accept blocks without an audience' },
    'require-pop-audience': { type: 'boolean', help: 'an AAT proof must name this audience' },
    'max-depth': { ...MAX_DEPTH, help: 'the longest chain accepted (AAT)' },
    'max-iat-skew': SPAN('how far in the future an issued-at may be (AAT)'),
    'max-lifetime': SPAN('the longest block lifetime accepted (AAT)'),
  },
  missing(args) {
    const missing: string[] = [];
    if (!args.has('action') && !args.has('tool')) missing.push('--action JSON (or --tool T)');
    if (args.has('proof')) missing.push(...missingRequest(args));
    return missing;
  },
  description:
    'The format (jws, biscuit, aat) is read from the token. The Decision is printed as JSON,\n' +
    'with "stores": which store answered for revocations and proof ids. A denial names the\n' +
    'code, the hop and the rule (check); a constraint denial names the argument, its value and\n' +
    'the limit.',
  example:
    'mandate verify --mandate @child.token --anchor https://as.example=@as.pub.jwk \\\n' +
    '  --audience https://billing.example --proof @proof.jwt \\\n' +
    '  --method POST --url https://billing.example/invoices/42/pay \\\n' +
    '  --action \'{"resource":"billing:invoices/42","action":"pay","args":{"amount":120}}\' \\\n' +
    '  --redis redis://127.0.0.1:6379',
  async run(args) {
    const anchors = await Promise.all(args.strings('anchor').map(anchorOf));
    const nonce = args.string('nonce');
    const now = wholeInput(args.string('now'), '--now');
    const maxDepth = wholeInput(args.string('max-depth'), '--max-depth');
    const clockTolerance = args.string('clock-tolerance');
    const proofWindow = args.string('proof-window');
    const maxIatSkew = args.string('max-iat-skew');
    const maxLifetime = args.string('max-lifetime');
    const proofArg = args.string('proof');
    if (proofArg !== undefined && args.flag('no-proof')) {
      throw new UsageError('give --proof or --no-proof, not both');
    }
    const token = await tokenInput(args.string('mandate') ?? '', '--mandate');
    const proof = proofArg === undefined ? undefined : await tokenInput(proofArg, '--proof');
    const actionArg = args.string('action');
    const action =
      actionArg === undefined
        ? undefined
        : ((await jsonInput(
            actionArg,
            '--action',
            'an object { resource, action, args? }',
          )) as Action);
    // A tool call's action may be left out: the verifier derives it from the call.
    const request = proof !== undefined || args.has('tool') ? await requestInput(args) : undefined;
    const approvals = await Promise.all(
      args.strings('approval').map((a) => tokenInput(a, '--approval')),
    );
    const userKeys = await Promise.all(
      args.strings('user-key').map((k) => publicKeyInput(k, '--user-key')),
    );
    const stores = await openVerifierStores(args);
    try {
      const verifier = createVerifier({
        trustAnchors: anchors,
        audience: args.string('audience') ?? '',
        requireProof: !args.flag('no-proof'),
        requireAudience: !args.flag('no-require-audience'),
        requirePopAudience: args.flag('require-pop-audience'),
        ...(stores.revocation === undefined ? {} : { revocation: stores.revocation }),
        ...(stores.replay === undefined ? {} : { replay: stores.replay }),
        ...(clockTolerance === undefined ? {} : { clockTolerance }),
        ...(proofWindow === undefined ? {} : { proofWindow }),
        ...(nonce === undefined ? {} : { nonce }),
        ...(maxDepth === undefined ? {} : { maxDelegationDepth: maxDepth }),
        ...(maxIatSkew === undefined ? {} : { maxIatSkew }),
        ...(maxLifetime === undefined ? {} : { maxTokenLifetime: maxLifetime }),
        ...(now === undefined ? {} : { clock: () => now }),
        ...(userKeys.length === 0 ? {} : { userKeys: () => userKeys }),
      });
      const decision = await verifier.verify(token, {
        ...(action === undefined ? {} : { action }),
        ...(proof === undefined ? {} : { proof }),
        ...(request === undefined ? {} : { request }),
        ...(approvals.length === 0 ? {} : { approvals }),
      });
      process.stdout.write(`${JSON.stringify({ ...decision, stores: stores.used }, null, 2)}\n`);
      return decision.allowed ? 0 : 3;
    } finally {
      await stores.close();
    }
  },
};
