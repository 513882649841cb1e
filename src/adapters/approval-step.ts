/**
 * The human-in-the-loop step every agent-framework adapter shares (docs/guides/approvals.md):
 * a guarded call denied with `MANDATE_APPROVAL_REQUIRED` becomes an `ApprovalRequest` (the call
 * in plain words, who must approve, how many), the framework pauses its run to show it to a
 * human, and the human's answer comes back as signed approvals of exactly that call (or a
 * refusal), sent with the retried call. Nothing here signs: only a human's key makes an
 * approval, and only the verifier decides whether it counts.
 *
 * Every answer is read fail-closed: anything but `{ approvals: string[] }` (1 to 16 strings) or
 * `{ refused: true }` denies the call with a code, and the asking is bounded (`maxRounds`).
 */
import type { Json } from '../core/types.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { parseMandate } from '../format/parse.js';
import { approvalCall, describeCall, type ApprovalCall } from '../proof/approval.js';
import { argsHash } from '../proof/request.js';
import type { ApprovalNeeded } from '../verify/approval-needed.js';
import { applyingRequirements, MAX_APPROVALS } from '../verify/approval-rule.js';
import type { AgentToolRequirement, RunAuthority } from './run-authority.js';
import { unsealAuthority } from './run-authority.js';
import { denial, ToolDeniedError, type ToolDenial } from './tool-guard.js';

/**
 * What a paused run shows the human: the call as the verifier binds it, in plain words, and
 * which approvals it still needs. Plain JSON, so it survives a framework's checkpoint or
 * serialized run state.
 */
export interface ApprovalRequest {
  /** The tool that was called. */
  readonly tool: string;
  /** The framework's id of the call, when it has one. */
  readonly callId?: string;
  /** The call to show and to `approve(call, approverKey)`: exactly what an approval binds. */
  readonly call: ApprovalCall;
  /** `describeCall(call)`: the call in plain words, for the human. */
  readonly description: string;
  /** base64url SHA-256 of the RFC 8785 form of `call.args` (what an approval signs). */
  readonly argsHash: string;
  /** Who may approve: RFC 9278 thumbprint URIs, or `'user'` (the originating user's key). */
  readonly approvers: readonly string[];
  /** How many distinct approvers must approve in all. */
  readonly threshold: number;
  /** How many more approvals are needed. */
  readonly missing: number;
  /** The first block (0 = root) carrying the requirement. */
  readonly hop: number;
}

/**
 * The human's answer: the signed approvals of the call (`approve(request.call, key)`, made on
 * the human's side), or a refusal. A refused call never runs.
 */
export type ApprovalAnswer =
  { readonly approvals: readonly string[] } | { readonly refused: true; readonly reason?: string };

/** Default most times one call asks a human before it is denied for good. */
export const DEFAULT_APPROVAL_ROUNDS = 3;

/** The request a `MANDATE_APPROVAL_REQUIRED` detail asks for. */
export function requestFrom(
  tool: string,
  needed: ApprovalNeeded,
  callId?: string,
): ApprovalRequest {
  return {
    tool,
    ...(callId === undefined ? {} : { callId }),
    call: needed.call,
    description: describeCall(needed.call),
    argsHash: needed.argsHash,
    approvers: [...needed.approvers],
    threshold: needed.threshold,
    missing: needed.missing,
    hop: needed.hop,
  };
}

/**
 * The approval a call will need, read from the requirements its mandate carries, before the
 * call is made (a framework that must pause before running a tool asks this). The verifier
 * still decides: a call predicted free that needs an approval is denied with
 * `MANDATE_APPROVAL_REQUIRED` and never runs.
 *
 * @returns undefined when no requirement of the chain covers the call.
 * @throws MandateError when the mandate cannot be read or the arguments name no resource.
 */
export async function expectedApproval(
  authority: RunAuthority,
  requirement: AgentToolRequirement,
  tool: string,
  args: Readonly<Record<string, Json>>,
  options: { readonly audience?: string; readonly callId?: string } = {},
): Promise<ApprovalRequest | undefined> {
  const { token } = unsealAuthority(authority);
  const resource =
    typeof requirement.resource === 'function' ? requirement.resource(args) : requirement.resource;
  const action = { resource, action: requirement.action, args };
  const mandate = await parseMandate(token);
  const [first] = applyingRequirements(mandate, { action }, { limits: DEFAULT_LIMITS });
  if (first === undefined) return undefined;
  const call = await approvalCall(token, {
    action,
    ...(options.audience === undefined ? {} : { audience: options.audience }),
  });
  return {
    tool,
    ...(options.callId === undefined ? {} : { callId: options.callId }),
    call,
    description: describeCall(call),
    argsHash: argsHash(call.args),
    approvers: [...first.requirement.approvers],
    threshold: first.requirement.threshold,
    missing: first.requirement.threshold,
    hop: first.hop,
  };
}

/** The denial of a call whose human refused it: the approval it needs is still missing. */
export function refusal(request: ApprovalRequest, reason?: string): ToolDenial {
  const why = typeof reason === 'string' && reason !== '' ? `: ${reason.slice(0, 200)}` : '';
  return denial(
    'MANDATE_APPROVAL_REQUIRED',
    'authorize',
    `the approver refused ${request.call.action} on ${request.call.resource}${why}`,
    { tool: request.tool, args: {}, context: undefined, ...callIdOf(request) },
    request.hop,
  );
}

function callIdOf(request: ApprovalRequest): { readonly callId?: string } {
  return request.callId === undefined ? {} : { callId: request.callId };
}

/**
 * Read a human's answer, fail-closed: `{ approvals: [...] }` (1 to 16 strings) or
 * `{ refused: true }`. The strings are not checked here: the verifier checks each one.
 *
 * @throws ToolDeniedError `MANDATE_APPROVAL_INVALID` (check `authorize`) for anything else.
 */
export function readAnswer(value: unknown, request: ApprovalRequest): ApprovalAnswer {
  const answer = value as { approvals?: unknown; refused?: unknown; reason?: unknown } | null;
  if (typeof answer === 'object' && answer !== null) {
    if (answer.refused === true) {
      return typeof answer.reason === 'string'
        ? { refused: true, reason: answer.reason }
        : { refused: true };
    }
    const approvals = answer.approvals;
    if (
      answer.refused === undefined &&
      Array.isArray(approvals) &&
      approvals.length > 0 &&
      approvals.length <= MAX_APPROVALS &&
      approvals.every((a) => typeof a === 'string')
    ) {
      return { approvals: [...approvals] };
    }
  }
  throw new ToolDeniedError(
    denial(
      'MANDATE_APPROVAL_INVALID',
      'authorize',
      'the answer to the approval request is neither { approvals: [...] } nor { refused: true }',
      { tool: request.tool, args: {}, context: undefined, ...callIdOf(request) },
      request.hop,
    ),
  );
}

/** Options of {@link untilApproved}. */
export interface ApprovalRounds {
  /** Most times to ask (default {@link DEFAULT_APPROVAL_ROUNDS}); then the denial stands. */
  readonly maxRounds?: number;
}

/** Whether an attempt's outcome is a denial. */
export function isToolDenial(value: unknown): value is ToolDenial {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { denied?: unknown }).denied === true &&
    typeof (value as { code?: unknown }).code === 'string'
  );
}

/**
 * Make a call, and while it is denied with `MANDATE_APPROVAL_REQUIRED`, ask a human (`ask`,
 * the framework's pause) and retry it with every approval collected so far, at most
 * `maxRounds` times. A refusal, a malformed answer, any other denial, or running out of rounds
 * ends it with that denial: the call never ran. What `ask` throws (a framework's pause signal)
 * goes through untouched.
 */
export async function untilApproved<Result>(
  attempt: (approvals: readonly string[] | undefined) => Promise<Result | ToolDenial>,
  ask: (request: ApprovalRequest) => unknown,
  options: ApprovalRounds = {},
): Promise<Result | ToolDenial> {
  const maxRounds = options.maxRounds ?? DEFAULT_APPROVAL_ROUNDS;
  if (!Number.isSafeInteger(maxRounds) || maxRounds < 1) {
    throw new TypeError('maxRounds must be a positive integer');
  }
  let collected: string[] | undefined;
  for (let round = 0; ; round++) {
    const outcome = await attempt(collected);
    if (!isToolDenial(outcome)) return outcome;
    const needed = outcome.approval;
    if (outcome.code !== 'MANDATE_APPROVAL_REQUIRED' || needed === undefined) return outcome;
    if (round >= maxRounds) return outcome;
    const request = requestFrom(outcome.tool, needed, outcome.callId);
    let answer: ApprovalAnswer;
    try {
      answer = readAnswer(await ask(request), request);
    } catch (error) {
      if (error instanceof ToolDeniedError) return error.denial;
      throw error;
    }
    if ('refused' in answer) return refusal(request, answer.reason);
    // Each round adds the newly signed approvals; the same one twice counts once anyway.
    collected = [...new Set([...(collected ?? []), ...answer.approvals])].slice(-MAX_APPROVALS);
  }
}
