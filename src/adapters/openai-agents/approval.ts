/**
 * Human approval in the OpenAI Agents SDK's own approval step (docs/guides/approvals.md): a
 * guarded tool (or `mcpTool`) made with `humanApproval: true` declares `needsApproval` from the
 * requirements its mandate carries, so a call that needs a human's approval interrupts the run
 * (`result.interruptions`) instead of being denied. The application shows each
 * `pendingApprovals(result)` entry's `request.description` to the human, who signs the call
 * with their own key (`approve(request.call, key)`, on their side); `answerApproval` checks the
 * answer covers the call and approves the interruption with the signed approvals, or rejects
 * it (a refusal, approvals of another call) with the code for the model; the resumed run
 * (`run(agent, result.state)`) sends the approvals with the call. The verifier decides: a call
 * approved in the SDK without a signed approval is still denied, and the tool never runs.
 *
 * The requests and the signed approvals ride in the run's context under `mandateApprovals`
 * (plain JSON), so they survive `state.toString()`; `resumeRunState` puts the run's authority
 * back, which serializes to nothing.
 */
import { RunContext, RunState, type Agent, type RunToolApprovalItem } from '@openai/agents-core';
import { isMandateError, type Check, type MandateErrorCode } from '../../core/errors.js';
import type { Json } from '../../core/types.js';
import {
  approvalNeededFor,
  approvalsFromAnswer,
  humanApprovalRequest,
  type AskHuman,
  type HumanAnswer,
  type HumanApprovalRequest,
} from '../human-approval.js';
import {
  AUTHORITY_KEY,
  authorityIn,
  unsealAuthority,
  type AgentToolRequirement,
  type RunAuthority,
} from '../run-authority.js';
import { describeDenial, snapshotArgs } from '../tool-guard.js';
import { readHumanAnswer } from '../human-answer.js';
/** The run-context key of the pending requests and the approvals given. */
export const APPROVALS_KEY = 'mandateApprovals';

/** A call waiting for a human: which tool call, and what to ask. */
interface Waiting {
  readonly callId: string;
  readonly toolName: string;
  readonly request: HumanApprovalRequest;
}

/** What the run context holds under {@link APPROVALS_KEY}. */
interface Stash {
  /** The calls waiting for a human, one per call id. */
  waiting: Waiting[];
  /** The signed approvals given for each call id, sent with its resumed call. */
  given: { readonly callId: string; readonly approvals: readonly string[] }[];
}

/** A paused call of a guarded tool, with the SDK's interruption it answers. */
export interface PendingApproval {
  readonly callId: string;
  readonly toolName: string;
  /** What to show and sign: the call in plain words and exactly as the verifier binds it. */
  readonly request: HumanApprovalRequest;
  /** The SDK's interruption (`result.interruptions`) this request belongs to. */
  readonly item: RunToolApprovalItem;
}

/** How `answerApproval` answered a paused call. */
export type ApprovalOutcome =
  | { readonly approved: true }
  | {
      readonly approved: false;
      /** Why the call will not run (`MANDATE_APPROVAL_REFUSED`, `..._MISMATCH`, ...). */
      readonly code: MandateErrorCode;
      readonly hop: number;
      readonly check: Check;
      readonly reason: string;
    };

function stashIn(context: unknown, create: boolean): Stash | undefined {
  if (typeof context !== 'object' || context === null) return undefined;
  const holder = context as Record<string, unknown>;
  const value = holder[APPROVALS_KEY] as Partial<Stash> | undefined;
  if (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray(value.waiting) &&
    Array.isArray(value.given)
  ) {
    return value as Stash;
  }
  if (!create) return undefined;
  const stash: Stash = { waiting: [], given: [] };
  holder[APPROVALS_KEY] = stash;
  return stash;
}

function forget(stash: Stash, callId: string): void {
  stash.waiting = stash.waiting.filter((w) => w.callId !== callId);
  stash.given = stash.given.filter((g) => g.callId !== callId);
}

/**
 * A tool's `needsApproval`: true when its mandate asks a human to approve this call (what to
 * ask is kept for `pendingApprovals`), or when the tool's own policy says so. A call it cannot
 * read is not held here: the guard (or the server) then denies it with its code.
 */
export function approvalPolicy(
  toolName: string,
  requirement: AgentToolRequirement,
  audience: string | undefined,
  own: unknown,
): (runContext: RunContext<unknown>, input: unknown, callId?: string) => Promise<boolean> {
  const ownPolicy = async (runContext: RunContext<unknown>, input: unknown, callId?: string) => {
    if (typeof own !== 'function') return own === true;
    const policy = own as (c: unknown, i: unknown, id?: string) => Promise<boolean> | boolean;
    return (await policy(runContext, input, callId)) === true;
  };
  return async (runContext, input, callId) => {
    // The mandate's requirement first, so that its request is kept even when the tool's own
    // policy would pause the call too.
    if (await mandateAsks(runContext, input, callId)) return true;
    return ownPolicy(runContext, input, callId);
  };

  async function mandateAsks(
    runContext: RunContext<unknown>,
    input: unknown,
    callId: string | undefined,
  ): Promise<boolean> {
    const context = runContext.context;
    const authority = authorityIn(context);
    if (authority === undefined || typeof callId !== 'string') return false;
    let request: HumanApprovalRequest | undefined;
    try {
      const args = snapshotArgs(input);
      const resource =
        typeof requirement.resource === 'function'
          ? requirement.resource(args)
          : requirement.resource;
      if (typeof resource !== 'string') return false;
      const needed = await approvalNeededFor(
        unsealAuthority(authority).token,
        { resource, action: requirement.action, args },
        audience === undefined ? {} : { audience },
      );
      request = needed === undefined ? undefined : humanApprovalRequest(needed);
    } catch (error) {
      // Not readable here: the guard verifies the call and denies it with its code.
      if (isMandateError(error) || error instanceof TypeError) return false;
      throw error;
    }
    if (request === undefined) return false;
    const stash = stashIn(context, true);
    if (stash === undefined) return false;
    // Evaluated again when a restored run resumes: the approvals given are kept.
    stash.waiting = [
      ...stash.waiting.filter((w) => w.callId !== callId),
      { callId, toolName, request },
    ];
    return true;
  }
}

/**
 * The signed approvals given for `callId`, taken out of the run context (each is single-use);
 * undefined when none were given.
 */
export function takeApprovals(context: unknown, callId: string | undefined): string[] | undefined {
  const stash = stashIn(context, false);
  if (stash === undefined || callId === undefined) return undefined;
  const given = stash.given.find((g) => g.callId === callId);
  forget(stash, callId);
  return given === undefined ? undefined : [...given.approvals];
}

// Any agent and any run state: the helpers read only what every one has.
/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyAgent = Agent<any, any>;
type AnyRunState = RunState<any, any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The SDK's `RunState`, or anything holding one (`RunResult`, `StreamedRunResult`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RunStateLike = RunState<any, any> | { readonly state: RunState<any, any> };

function stateOf(value: RunStateLike): AnyRunState {
  const state = value instanceof RunState ? value : (value as { state?: unknown })?.state;
  if (!(state instanceof RunState)) throw new TypeError('pass a RunState or a run result');
  return state;
}

function callIdOfItem(item: RunToolApprovalItem): string | undefined {
  const callId = (item.rawItem as { callId?: unknown }).callId;
  return typeof callId === 'string' ? callId : undefined;
}

/**
 * The paused calls of a run that a guarded tool's mandate asks a human to approve, one per
 * interruption. Show each one's `request.description` (the call in plain words) to the
 * approver; other interruptions (a tool's own `needsApproval`) are not listed.
 */
export function pendingApprovals(run: RunStateLike): PendingApproval[] {
  const state = stateOf(run);
  const stash = stashIn(state._context.context, false);
  if (stash === undefined) return [];
  const out: PendingApproval[] = [];
  for (const item of state.getInterruptions()) {
    const callId = callIdOfItem(item);
    const waiting = stash.waiting.find((w) => w.callId === callId && w.toolName === item.name);
    if (waiting !== undefined) out.push({ ...waiting, item });
  }
  return out;
}

/**
 * Answer a paused call with the human's answer: the approvals they signed
 * (`approve(request.call, key)`), or a refusal (`{ refused: true }`, or no approval). Approvals
 * that cover the call (`assertApprovalsCover`) approve the interruption and are sent with the
 * call when the run resumes; a refusal, an answer that is not one, or approvals that cannot
 * cover the call (another call, too few, expired, forged) reject it, and the model reads the
 * code (`MANDATE_APPROVAL_REFUSED @ hop 0 (authorize): ...`). Nothing is signed here, and the
 * service's verifier still decides.
 *
 * @throws TypeError when `pending` is not a paused call of this run.
 */
export function answerApproval(
  run: RunStateLike,
  pending: PendingApproval,
  answer: HumanAnswer,
  options: { readonly now?: number } = {},
): Promise<ApprovalOutcome> {
  // Asynchronous like `approve` (a check may one day ask a remote key registry); misuse rejects.
  return Promise.resolve().then(() => answerNow(run, pending, answer, options));
}

function answerNow(
  run: RunStateLike,
  pending: PendingApproval,
  answer: HumanAnswer,
  options: { readonly now?: number },
): ApprovalOutcome {
  const state = stateOf(run);
  const stash = stashIn(state._context.context, false);
  const waiting = stash?.waiting.find((w) => w.callId === pending?.callId);
  if (stash === undefined || waiting === undefined) {
    throw new TypeError('not a paused call of this run (use pendingApprovals)');
  }
  const { needed } = waiting.request;
  let approvals: readonly string[];
  try {
    approvals = approvalsFromAnswer(needed, readHumanAnswer(answer, needed), options);
  } catch (error) {
    if (!isMandateError(error)) throw error;
    const denied = {
      approved: false as const,
      code: error.code,
      hop: error.hop ?? needed.hop,
      check: error.check,
      reason: error.message,
    };
    forget(stash, waiting.callId);
    state.reject(pending.item, { message: describeDenial(denied) });
    return denied;
  }
  stash.given = [
    ...stash.given.filter((g) => g.callId !== waiting.callId),
    { callId: waiting.callId, approvals: [...approvals] },
  ];
  state.approve(pending.item);
  return { approved: true };
}

/**
 * Ask the human about every paused call of the run (`askHuman` shows `request.description`
 * and resolves their signed approvals or a refusal), and answer each (`answerApproval`).
 * Resume the run afterwards: `run(agent, result.state)`.
 */
export async function answerApprovals(
  run: RunStateLike,
  askHuman: AskHuman,
  options: { readonly now?: number } = {},
): Promise<ApprovalOutcome[]> {
  if (typeof askHuman !== 'function') throw new TypeError('askHuman must be a function');
  const out: ApprovalOutcome[] = [];
  for (const pending of pendingApprovals(run)) {
    out.push(await answerApproval(run, pending, await askHuman(pending.request), options));
  }
  return out;
}

/**
 * A run state saved with `state.toString()` (in another process, say), with the run's
 * authority put back into its context (a `RunAuthority` serializes to nothing): the paused
 * calls and the approvals it carried are kept. Resume with `run(agent, state)`.
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
