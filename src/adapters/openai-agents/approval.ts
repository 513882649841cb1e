/**
 * Human approval in the OpenAI Agents SDK's own approval step (docs/guides/approvals.md): a
 * guarded tool (or `mcpTool`) made with `humanApproval: true` declares `needsApproval` from the
 * requirements its mandate carries, so a call that needs a human's approval interrupts the run
 * (`result.interruptions`) instead of being denied. The application shows each
 * `approvalRequests(result.state)` entry's `description` to the human, who signs the call with
 * their own key (`approve(request.call, key)`, on their side); `approveCall` records the signed
 * approvals and approves the interruption, `rejectCall` refuses it, and the resumed run
 * (`run(agent, result.state)`) sends the approvals with the call. The verifier decides: an
 * approval of another call, or none, is denied with its code and the tool never runs.
 *
 * The approval requests and the signed approvals ride in the run's context under
 * `mandateApprovals` (plain JSON), so they survive `state.toString()`; `resumeRunState` puts
 * the run's authority back, which serializes to nothing.
 */
import { RunContext, RunState, type Agent, type RunToolApprovalItem } from '@openai/agents-core';
import type { Json } from '../../core/types.js';
import { MAX_APPROVALS } from '../../verify/approval-rule.js';
import { expectedApproval, refusal, type ApprovalRequest } from '../approval-step.js';
import {
  AUTHORITY_KEY,
  authorityIn,
  type AgentToolRequirement,
  type RunAuthority,
} from '../run-authority.js';
import { describeDenial, snapshotArgs } from '../tool-guard.js';

/** The run-context key of the pending requests and the approvals given. */
export const APPROVALS_KEY = 'mandateApprovals';

/** What the run context holds under {@link APPROVALS_KEY}. */
interface Stash {
  /** The requests of the calls waiting for a human, one per call id. */
  requests: ApprovalRequest[];
  /** The signed approvals given for each call id, sent with its resumed call. */
  given: { readonly callId: string; readonly approvals: readonly string[] }[];
}

/** An approval request of a paused run, with the SDK's interruption it answers. */
export interface PendingApproval extends ApprovalRequest {
  readonly callId: string;
  /** The SDK's interruption (`result.interruptions`) this request belongs to. */
  readonly item: RunToolApprovalItem;
}

function stashIn(context: unknown, create: boolean): Stash | undefined {
  if (typeof context !== 'object' || context === null) return undefined;
  const holder = context as Record<string, unknown>;
  const value = holder[APPROVALS_KEY] as Partial<Stash> | undefined;
  if (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray(value.requests) &&
    Array.isArray(value.given)
  ) {
    return value as Stash;
  }
  if (!create) return undefined;
  const stash: Stash = { requests: [], given: [] };
  holder[APPROVALS_KEY] = stash;
  return stash;
}

/**
 * A tool's `needsApproval`: true when its mandate asks a human to approve this call (the
 * request is kept for `approvalRequests`), or when the tool's own policy says so. A call it
 * cannot read is not held here: the guard then denies it with its code.
 */
export function approvalPolicy(
  tool: string,
  requirement: AgentToolRequirement,
  audience: string | undefined,
  own: unknown,
): (runContext: RunContext<unknown>, input: unknown, callId?: string) => Promise<boolean> {
  return async (runContext, input, callId) => {
    if (own === true) return true;
    if (typeof own === 'function') {
      const policy = own as (c: unknown, i: unknown, id?: string) => Promise<boolean> | boolean;
      if (await policy(runContext, input, callId)) return true;
    }
    const context = runContext.context;
    const authority = authorityIn(context);
    if (authority === undefined || typeof callId !== 'string') return false;
    let request: ApprovalRequest | undefined;
    try {
      const args = snapshotArgs(input);
      request = await expectedApproval(authority, requirement, tool, args, {
        callId,
        ...(audience === undefined ? {} : { audience }),
      });
    } catch {
      // Not readable here: the guard verifies the call and denies it with its code.
      return false;
    }
    if (request === undefined) return false;
    const stash = stashIn(context, true);
    if (stash === undefined) return false;
    stash.requests = [...stash.requests.filter((r) => r.callId !== callId), request];
    return true;
  };
}

/**
 * The signed approvals given for `callId`, taken out of the run context (each is single-use);
 * undefined when none were given.
 */
export function takeApprovals(context: unknown, callId: string | undefined): string[] | undefined {
  const stash = stashIn(context, false);
  if (stash === undefined || callId === undefined) return undefined;
  const given = stash.given.find((g) => g.callId === callId);
  stash.given = stash.given.filter((g) => g.callId !== callId);
  stash.requests = stash.requests.filter((r) => r.callId !== callId);
  return given === undefined ? undefined : [...given.approvals];
}

// Any agent and any run state: the helpers read only what every one has.
/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyAgent = Agent<any, any>;
type AnyRunState = RunState<any, any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The SDK's `RunState`, or anything holding one (`RunResult`, `StreamedRunResult`). */
type StateLike = AnyRunState | { readonly state: AnyRunState };

function stateOf(value: StateLike): AnyRunState {
  const state = value instanceof RunState ? value : (value as { state?: unknown })?.state;
  if (!(state instanceof RunState)) throw new TypeError('pass a RunState or a run result');
  return state;
}

function callIdOfItem(item: RunToolApprovalItem): string | undefined {
  const callId = (item.rawItem as { callId?: unknown }).callId;
  return typeof callId === 'string' ? callId : undefined;
}

/**
 * The approval requests of a paused run: one per interruption of a guarded tool whose mandate
 * asks a human to approve the call. Show each one's `description` (the call in plain words)
 * to the approver; other interruptions (a tool's own `needsApproval`) are not listed.
 */
export function approvalRequests(run: StateLike): PendingApproval[] {
  const state = stateOf(run);
  const stash = stashIn(state._context.context, false);
  if (stash === undefined) return [];
  const out: PendingApproval[] = [];
  for (const item of state.getInterruptions()) {
    const callId = callIdOfItem(item);
    const request = stash.requests.find((r) => r.callId === callId && r.tool === item.name);
    if (callId !== undefined && request !== undefined) out.push({ ...request, callId, item });
  }
  return out;
}

/**
 * Approve a paused call with the approvals the human signed (`approve(request.call, key)`):
 * they are kept in the run context and sent with the call when the run resumes. Nothing is
 * signed here, and the verifier decides whether they count.
 *
 * @throws TypeError when `approvals` is not 1 to 16 strings, or `request` is not this run's.
 */
export function approveCall(
  run: StateLike,
  request: PendingApproval,
  approvals: readonly string[],
): void {
  const state = stateOf(run);
  if (
    !Array.isArray(approvals) ||
    approvals.length === 0 ||
    approvals.length > MAX_APPROVALS ||
    !approvals.every((a) => typeof a === 'string')
  ) {
    throw new TypeError(`approvals must be 1 to ${MAX_APPROVALS} signed approvals (strings)`);
  }
  const stash = stashIn(state._context.context, false);
  if (stash === undefined || !stash.requests.some((r) => r.callId === request?.callId)) {
    throw new TypeError('not an approval request of this run (use approvalRequests)');
  }
  stash.given = [
    ...stash.given.filter((g) => g.callId !== request.callId),
    { callId: request.callId, approvals: [...approvals] },
  ];
  state.approve(request.item);
}

/**
 * Refuse a paused call: it never runs, and the model reads
 * `MANDATE_APPROVAL_REQUIRED @ hop N (authorize): the approver refused ...`.
 */
export function rejectCall(run: StateLike, request: PendingApproval, reason?: string): void {
  const state = stateOf(run);
  const stash = stashIn(state._context.context, false);
  if (stash !== undefined) {
    stash.requests = stash.requests.filter((r) => r.callId !== request.callId);
    stash.given = stash.given.filter((g) => g.callId !== request.callId);
  }
  state.reject(request.item, { message: describeDenial(refusal(request, reason)) });
}

/**
 * A run state saved with `state.toString()` (in another process, say), with the run's
 * authority put back into its context (a `RunAuthority` serializes to nothing): the approval
 * requests and approvals it carried are kept. Resume with `run(agent, state)`.
 */
export async function resumeRunState<TAgent extends AnyAgent>(
  agent: TAgent,
  serialized: string,
  authority: RunAuthority,
): Promise<RunState<unknown, TAgent>> {
  let saved: unknown;
  try {
    saved = (JSON.parse(serialized) as { context?: { context?: unknown } })?.context?.context;
  } catch {
    throw new TypeError('not a serialized run state');
  }
  const restored =
    typeof saved === 'object' && saved !== null && !Array.isArray(saved)
      ? (saved as Record<string, Json>)
      : {};
  const context = new RunContext<unknown>({ ...restored, [AUTHORITY_KEY]: authority });
  return RunState.fromStringWithContext<unknown, TAgent>(agent, serialized, context, {
    contextStrategy: 'merge',
  });
}
