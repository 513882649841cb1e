/** `mandate mint`: a root mandate, signed by the issuer for the first holder. */
import { mint as mintMandate } from '../../format/mint.js';
import type { ApprovalRequirementInput } from '../../core/approval-requirement.js';
import { UsageError, type Command } from '../command.js';
import {
  capabilitiesInput,
  formatInput,
  privateKeyInput,
  jsonInput,
  publicKeyInput,
  wholeInput,
} from '../inputs.js';
import { AUDIENCE, CAPS, HOLDER, MAX_DEPTH, NOW, TOOLS } from '../options.js';

export const mint: Command = {
  name: 'mint',
  summary: 'Mint a root mandate: the issuer grants capabilities to a holder, for a user.',
  synopsis:
    '--issuer KEY --holder PUBJWK (--caps JSON | --tools JSON) --subject S [--expires SPAN]\n' +
    '       [--issuer-id ID] [--audience A] [--max-depth N] [--now SECONDS] [--format jws|biscuit|aat]',
  options: {
    issuer: {
      type: 'string',
      value: 'KEY',
      help: "the issuer's private JWK: the value, @file or - (stdin)",
      required: true,
    },
    'issuer-id': {
      type: 'string',
      value: 'ID',
      help: "the issuer's name in the root (default: its key's thumbprint URI)",
    },
    subject: {
      type: 'string',
      value: 'S',
      help: 'the user the mandate acts for (jws, biscuit; an AAT root has none)',
    },
    holder: HOLDER,
    caps: CAPS,
    tools: TOOLS,
    expires: { type: 'string', value: 'SPAN', help: 'lifetime: seconds or e.g. 15m (default 15m)' },
    audience: AUDIENCE,
    'max-depth': MAX_DEPTH,
    now: NOW,
    format: { type: 'string', value: 'F', help: 'jws (the default), biscuit or aat' },
    approvals: {
      type: 'string',
      value: 'JSON',
      help: 'approval requirements: [{resource, actions, when?, approvers, threshold?}] (value, @file or -)',
    },
  },
  missing(args) {
    const missing: string[] = [];
    if (!args.has('caps') && !args.has('tools')) missing.push('--caps JSON (or --tools JSON)');
    const format = args.string('format') ?? 'jws';
    if (!args.has('subject') && (format === 'jws' || format === 'biscuit')) {
      missing.push('--subject S');
    }
    return missing;
  },
  description:
    'Prints the token on stdout. Arguments are closed-world: a capability that constrains any\n' +
    'argument denies calls with an argument it does not name, and calls without a constrained\n' +
    'one (unless it is listed in "optional"). An AAT root (--format aat) has no subject, and\n' +
    'its --issuer-id must be a URI. --approvals makes calls need human approval\n' +
    '(docs/guides/approvals.md; "user" approves as the originating user).',
  example:
    'mandate keygen --out as.jwk --public-out as.pub.jwk\n' +
    'mandate keygen --out agent.jwk --public-out agent.pub.jwk\n' +
    'mandate mint --issuer @as.jwk --issuer-id https://as.example --subject alice \\\n' +
    '  --holder @agent.pub.jwk --audience https://billing.example --expires 15m \\\n' +
    '  --caps \'[{"resource":"billing:invoices/*","actions":["read"]},\n' +
    '          {"resource":"billing:invoices/*","actions":["pay"],"constraints":{"amount":{"max":500}}}]\' \\\n' +
    '  > root.token',
  async run(args) {
    const format = formatInput(args.string('format')) ?? 'jws';
    const capabilities = await capabilitiesInput(args);
    if (capabilities === undefined) throw new UsageError('mint needs --caps or --tools');
    const issuerId = args.string('issuer-id');
    const subject = args.string('subject');
    const audience = args.string('audience');
    const maxDepth = wholeInput(args.string('max-depth'), '--max-depth');
    const now = wholeInput(args.string('now'), '--now');
    const approvalsArg = args.string('approvals');
    const approvals =
      approvalsArg === undefined
        ? undefined
        : await jsonInput(approvalsArg, '--approvals', 'a list of approval requirements');
    if (approvals !== undefined && !Array.isArray(approvals)) {
      throw new UsageError('--approvals must be a JSON list of approval requirements');
    }
    const mandate = await mintMandate({
      issuer: await privateKeyInput(args.string('issuer') ?? '', '--issuer'),
      ...(issuerId === undefined ? {} : { issuerId }),
      ...(subject === undefined ? {} : { subject }),
      holder: await publicKeyInput(args.string('holder') ?? '', '--holder'),
      capabilities,
      ...(approvals === undefined ? {} : { approvals: approvals as ApprovalRequirementInput[] }),
      expiresIn: args.string('expires') ?? '15m',
      ...(audience === undefined ? {} : { audience }),
      ...(maxDepth === undefined ? {} : { maxDepth }),
      ...(now === undefined ? {} : { now }),
      format,
    });
    process.stdout.write(`${mandate.token}\n`);
    return 0;
  },
};
