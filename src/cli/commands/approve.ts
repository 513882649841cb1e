/**
 * `mandate approve`: a human approves one call. Reads the call (from a
 * `MANDATE_APPROVAL_REQUIRED` denial's detail, an HTTP denial body, or the call itself), shows
 * it in plain words, asks for confirmation (`--yes` in scripts), signs it with the approver's
 * key and prints the approval (the `Mandate-Approval` header value).
 */
import { createInterface } from 'node:readline/promises';
import { approve as approveCall, describeCall, type ApprovalCall } from '../../proof/approval.js';
import type { Json } from '../../core/types.js';
import { UsageError, type Command } from '../command.js';
import { jsonInput, privateKeyInput, wholeInput } from '../inputs.js';
import { NOW } from '../options.js';

const CALL_FIELDS = ['mandate', 'holder', 'audience', 'resource', 'action'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The call in `value`: a denial's `detail.call`, an HTTP body's `approval.call`, a detail's
 * `call`, or a call itself. Anything else is a usage error naming what is missing.
 */
export function callFrom(value: unknown): {
  readonly call: ApprovalCall;
  readonly context: Readonly<Record<string, unknown>>;
} {
  let context: Record<string, unknown> = {};
  let call: unknown = value;
  for (const key of ['detail', 'approval'] as const) {
    if (isObject(call) && isObject(call[key])) call = call[key];
  }
  if (isObject(call) && isObject(call['call'])) {
    context = call;
    call = call['call'];
  }
  if (!isObject(call)) throw new UsageError('--call must be a JSON object (a call or a denial)');
  const missing = CALL_FIELDS.filter((f) => typeof call[f] !== 'string');
  if (missing.length > 0 || (call['args'] !== undefined && !isObject(call['args']))) {
    throw new UsageError(
      `--call is not a call: ${missing.length > 0 ? `missing ${missing.join(', ')}` : 'args must be an object'}`,
    );
  }
  const args = (call['args'] ?? {}) as Readonly<Record<string, Json>>;
  const fields = Object.fromEntries(CALL_FIELDS.map((f) => [f, call[f] as string]));
  return { call: { ...(fields as Omit<ApprovalCall, 'args'>), args }, context };
}

/** What the human is asked, besides the call: the requirement, when the denial says it. */
function requirementLines(context: Readonly<Record<string, unknown>>): string[] {
  const missing = context['missing'];
  const threshold = context['threshold'];
  const approvers = context['approvers'];
  if (typeof missing !== 'number' || typeof threshold !== 'number' || !Array.isArray(approvers)) {
    return [];
  }
  return [
    `needs ${threshold} of ${approvers.length} approver(s); ${missing} more approval(s) missing`,
  ];
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export const approve: Command = {
  name: 'approve',
  summary: 'Approve one call as a human approver: show it, ask, sign it.',
  synopsis: '--call JSON --key KEY [--yes] [--expires-in SECONDS] [--now SECONDS]',
  options: {
    call: {
      type: 'string',
      value: 'JSON',
      required: true,
      help: 'the call: a MANDATE_APPROVAL_REQUIRED denial (or its detail, or an HTTP denial body) or the call itself; the value, @file or -',
    },
    key: {
      type: 'string',
      value: 'KEY',
      required: true,
      help: "the approver's private JWK: the value, @file or - (stdin)",
    },
    yes: { type: 'boolean', help: 'approve without asking (for scripts)' },
    'expires-in': {
      type: 'string',
      value: 'SECONDS',
      help: 'how long the approval stays valid (default 300)',
    },
    now: NOW,
  },
  description:
    'Shows the call on stderr — the action, the resource, every argument, the service, the\n' +
    'holder and the mandate — and asks "approve? [y/N]" (reading the answer from stdin), unless\n' +
    '--yes. Prints the approval (a compact JWS) on stdout; send it with the retried call (the\n' +
    'Mandate-Approval header over HTTP). Exit code 1 when not approved. The approval is worth\n' +
    'nothing for any other call, holder, service or mandate, nor after it expires, nor twice.',
  example:
    'mandate verify ... > denial.json   # exit 3: "code": "MANDATE_APPROVAL_REQUIRED"\n' +
    'mandate approve --call @denial.json --key @alice.jwk > approval.jwt\n' +
    'mandate verify ... --approval @approval.jwt --user-key @alice.pub.jwk',
  async run(args) {
    const key = await privateKeyInput(args.string('key') ?? '', '--key');
    const { call, context } = callFrom(
      await jsonInput(args.string('call') ?? '', '--call', 'a call or a denial'),
    );
    const now = wholeInput(args.string('now'), '--now');
    const expiresIn = wholeInput(args.string('expires-in'), '--expires-in');
    const shown = [
      'approve this call?',
      ...describeCall(call)
        .split('\n')
        .map((line) => `  ${line}`),
      ...requirementLines(context).map((line) => `  ${line}`),
      `  signing as ${key.id}`,
    ];
    process.stderr.write(`${shown.join('\n')}\n`);
    if (!args.flag('yes')) {
      if (args.string('call') === '-' || args.string('key') === '-') {
        throw new UsageError('stdin carries the input: pass --yes to approve without asking');
      }
      if (!(await confirm('approve? [y/N] '))) {
        process.stderr.write('not approved\n');
        return 1;
      }
    }
    const approval = await approveCall(call, key, {
      ...(now === undefined ? {} : { now }),
      ...(expiresIn === undefined ? {} : { expiresIn }),
    });
    process.stdout.write(`${approval}\n`);
    return 0;
  },
};
