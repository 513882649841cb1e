/**
 * Asking a human for the approvals a sensitive call needs (docs/guides/approvals.md), for any
 * agent framework: what to ask (`approvalNeededFor`, or the `MANDATE_APPROVAL_REQUIRED`
 * denial's detail), asking once and checking the answer (`askForApprovals`,
 * `assertApprovalsCover`), and the bounded retry (`retryWithApprovals`). Each framework
 * adapter turns these into its own human-in-the-loop step (AI SDK tool approval, OpenAI Agents
 * interruptions, LangGraph `interrupt`) and sends the approvals with the retried call.
 *
 * Nothing here signs: the approvals come from the human's side (`approve` with the approver's
 * key, `mandate approve`), never from the agent, which holds no approver key. The checks here
 * are a courtesy before the retry (a refusal, or an answer that cannot cover the call, fails
 * closed without sending anything); the service's verifier (rule 9) remains the one that
 * decides, and a call it still refuses is never retried in a loop.
 *
 * Not checked here, and left to the verifier: whether a key is the user's registered key
 * (`'user'` approvers: only the service's `userKeys` knows), the replay store, and the
 * service's own clock and lifetime cap.
 */
import { APPROVER_USER, type ApprovalRequirement } from '../core/approval-requirement.js';
import { MandateError, type MandateErrorCode } from '../core/errors.js';
import { jsonKey } from '../core/json.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { systemClock } from '../core/time.js';
import type { Action, Json, MandateLike } from '../core/types.js';
import type { ChainBlock } from '../format/codec.js';
import { decodeChain } from '../format/parse.js';
import { importPublicJwk } from '../identity/jwk.js';
import {
  approvalCallIn,
  approvalSignatureValid,
  describeCall,
  readApproval,
  type ApprovalCall,
} from '../proof/approval.js';
import { argsHash } from '../proof/request.js';
import { approvalNeeded, type ApprovalNeeded } from '../verify/approval-needed.js';
import { applyingRequirements, MAX_APPROVALS } from '../verify/approval-rule.js';

/** What a human is shown and asked to approve. */
export interface HumanApprovalRequest {
  /** The call in plain words (`describeCall`): show this to the human. */
  readonly description: string;
  /** The call to sign, exactly as the verifier binds it: `approve(call, approverKey)`. */
  readonly call: ApprovalCall;
  /** Who must approve and how many more, for every requirement not yet met. */
  readonly needed: ApprovalNeeded;
}

/** A human's refusal to approve. */
export interface HumanRefusal {
  readonly refused: true;
  /** Why, in the human's words (reported in the denial; never a secret). */
  readonly reason?: string;
}

/**
 * A human's answer: the signed approvals (compact JWS made by `approve` or `mandate approve`
 * with the approvers' own keys), or a refusal. An empty list is a refusal too.
 */
export type HumanAnswer = readonly string[] | HumanRefusal;

/** Ask a human (or several) to approve one call; resolve their answer. */
export type AskHuman = (request: HumanApprovalRequest) => HumanAnswer | Promise<HumanAnswer>;

/** Options of the checks made on a human's answer. */
export interface ApprovalCheckOptions {
  /** Seconds since the epoch (default: the wall clock). */
  readonly now?: number;
}

/** A coded failure of the human step (check `authorize`, at the requirement's block). */
function fail(
  code: MandateErrorCode,
  needed: ApprovalNeeded,
  message: string,
  detail: Record<string, unknown> = {},
): never {
  throw new MandateError(code, message, { check: 'authorize', hop: needed.hop, detail });
}

/** The request to show a human for a need. */
export function humanApprovalRequest(needed: ApprovalNeeded): HumanApprovalRequest {
  return { description: describeCall(needed.call), call: needed.call, needed };
}

/** Whether an answer is a refusal (an object saying so, or no approval at all). */
function isRefusal(answer: unknown): answer is HumanRefusal | readonly [] {
  if (Array.isArray(answer)) return answer.length === 0;
  return typeof answer === 'object' && answer !== null && (answer as HumanRefusal).refused === true;
}

/** Every requirement a need names (a detail without the list names its first). */
function unmetOf(needed: ApprovalNeeded): ApprovalNeeded['unmet'] {
  // A detail from another process is data: anything but a list names only its first.
  const unmet: unknown = needed.unmet;
  return Array.isArray(unmet) && unmet.length > 0 ? needed.unmet : [needed];
}

/** The identity of a requirement at its block (what "the same requirement again" means). */
function requirementKey(hop: number, requirement: ApprovalRequirement): string {
  return `${hop}:${jsonKey(requirement as unknown as Json)}`;
}

/**
 * Check, before a retry, that `approvals` can cover the call `needed` describes: each is a
 * well-formed approval whose signature holds under its own key, unexpired, of exactly this
 * call (mandate, holder, service, resource, action, arguments), signed by an approver some
 * unmet requirement names, and together they meet every unmet requirement's threshold
 * (distinct approvers). Returns the approvals as a list; throws a coded `MandateError`
 * (check `authorize`, hop = the requirement's block) otherwise:
 * `MANDATE_APPROVAL_INVALID`, `MANDATE_APPROVAL_EXPIRED`, `MANDATE_APPROVAL_MISMATCH`,
 * `MANDATE_APPROVAL_REQUIRED` (not enough), `MANDATE_LIMIT_EXCEEDED` (more than 16).
 *
 * A courtesy, not the decision: a `'user'` approver's key is accepted here unchecked (only
 * the service knows its users' keys), and the verifier checks everything again.
 */
export function assertApprovalsCover(
  needed: ApprovalNeeded,
  approvals: readonly unknown[],
  options: ApprovalCheckOptions = {},
): readonly string[] {
  if (!Array.isArray(approvals)) throw new TypeError('approvals must be a list');
  if (approvals.length > MAX_APPROVALS) {
    throw new MandateError(
      'MANDATE_LIMIT_EXCEEDED',
      `a request carries at most ${MAX_APPROVALS} approvals`,
      { check: 'limits', hop: needed.hop, detail: { path: 'approvals', limit: MAX_APPROVALS } },
    );
  }
  const { call } = needed;
  const now = options.now ?? systemClock();
  const unmet = unmetOf(needed);
  const anyUser = unmet.some(({ requirement }) => requirement.approvers.includes(APPROVER_USER));
  const named = new Set(unmet.flatMap(({ requirement }) => requirement.approvers));
  const digest = argsHash(call.args);
  const signers = new Set<string>();
  for (const [index, value] of approvals.entries()) {
    const read = readApproval(value, index, { hop: needed.hop, algorithms: ['Ed25519', 'ES256'] });
    const at = `approvals.${index}`;
    if (!approvalSignatureValid(read, importPublicJwk(read.approverKey))) {
      fail('MANDATE_APPROVAL_INVALID', needed, `approval ${index}: signature verification failed`, {
        path: `${at}.signature`,
      });
    }
    if (!anyUser && !named.has(read.approver)) {
      fail(
        'MANDATE_APPROVAL_INVALID',
        needed,
        `approval ${index}: signed by a key that is not an approver of this call`,
        { path: `${at}.header.jwk` },
      );
    }
    const { claims } = read;
    if (claims.exp <= now) {
      fail('MANDATE_APPROVAL_EXPIRED', needed, `approval ${index}: has expired`, {
        path: `${at}.exp`,
      });
    }
    const bindings: [keyof typeof claims, string][] = [
      ['aud', call.audience],
      ['mandate', call.mandate],
      ['holder', call.holder],
      ['resource', call.resource],
      ['action', call.action],
      ['args_hash', digest],
    ];
    for (const [claim, expected] of bindings) {
      if (claims[claim] !== expected) {
        fail('MANDATE_APPROVAL_MISMATCH', needed, `approval ${index}: is for another call`, {
          path: `${at}.${claim}`,
        });
      }
    }
    signers.add(read.approver);
  }
  for (const entry of unmet) {
    const { requirement } = entry;
    const accepts = (id: string) =>
      requirement.approvers.includes(id) || requirement.approvers.includes(APPROVER_USER);
    const counted = new Set([...entry.approvedBy, ...[...signers].filter(accepts)]);
    const missing = requirement.threshold - counted.size;
    if (missing > 0) {
      fail(
        'MANDATE_APPROVAL_REQUIRED',
        { ...needed, hop: entry.hop },
        `the approvals do not meet block ${entry.hop}'s requirement: ${missing} more needed`,
        { missing },
      );
    }
  }
  return approvals as readonly string[];
}

/**
 * The approvals a human's answer gives for `needed`, checked (`assertApprovalsCover`): what a
 * framework that collects the answer itself (a UI, another process, an interrupt resumed
 * later) calls before the retry.
 *
 * @throws MandateError `MANDATE_APPROVAL_REFUSED` (check `authorize`) when the answer is a
 * refusal (or holds no approval), or the codes of `assertApprovalsCover`; TypeError when it
 * is neither a list nor a refusal.
 */
export function approvalsFromAnswer(
  needed: ApprovalNeeded,
  answer: HumanAnswer,
  options: ApprovalCheckOptions = {},
): readonly string[] {
  if (isRefusal(answer)) {
    const reason = Array.isArray(answer) ? undefined : (answer as HumanRefusal).reason;
    fail(
      'MANDATE_APPROVAL_REFUSED',
      needed,
      typeof reason === 'string' && reason !== ''
        ? `the approver refused: ${reason.slice(0, 200)}`
        : 'the approver refused',
    );
  }
  if (!Array.isArray(answer)) {
    throw new TypeError('a human answer is a list of approvals or { refused: true }');
  }
  return assertApprovalsCover(needed, answer, options);
}

/**
 * Ask the human once for the approvals `needed` describes, and check the answer covers the
 * call (`approvalsFromAnswer`). Resolves the approvals to send with the retried call.
 *
 * @throws MandateError `MANDATE_APPROVAL_REFUSED` (check `authorize`) when the human refuses
 * (or answers with no approval), or the codes of `assertApprovalsCover`.
 */
export async function askForApprovals(
  needed: ApprovalNeeded,
  askHuman: AskHuman,
  options: ApprovalCheckOptions = {},
): Promise<readonly string[]> {
  if (typeof askHuman !== 'function') throw new TypeError('askHuman must be a function');
  return approvalsFromAnswer(needed, await askHuman(humanApprovalRequest(needed)), options);
}

/**
 * What a `MANDATE_APPROVAL_REQUIRED` outcome asks for: a Decision, a `MandateError`, a
 * framework's denial carrying `approval` (an HTTP denial body, MCP denial data, a
 * `ToolDenial`), or an error carrying such a denial (`ToolDeniedError`).
 */
export function approvalNeededOf(outcome: unknown): ApprovalNeeded | undefined {
  if (typeof outcome !== 'object' || outcome === null) return undefined;
  const denial = (outcome as { denial?: unknown }).denial;
  const source = typeof denial === 'object' && denial !== null ? denial : outcome;
  return approvalNeeded(source);
}

/**
 * Make a call that may need a human's approval, asking at most once per requirement:
 * `attempt([])` first; while its outcome (resolved or thrown) is `MANDATE_APPROVAL_REQUIRED`,
 * ask the human (`askForApprovals`) for what it names and `attempt` again with the approvals
 * gathered so far. A requirement still unmet after its approvals were sent fails closed
 * (`MANDATE_APPROVAL_REQUIRED`) instead of asking again, so the loop ends after at most one
 * retry per requirement. Any other outcome is returned (or rethrown) as it is.
 *
 * @throws MandateError `MANDATE_APPROVAL_REFUSED` when the human refuses, and the codes of
 * `assertApprovalsCover` when the answer cannot cover the call (nothing is retried then).
 */
export async function retryWithApprovals<T>(
  attempt: (approvals: readonly string[]) => Promise<T>,
  askHuman: AskHuman,
  options: ApprovalCheckOptions = {},
): Promise<T> {
  if (typeof attempt !== 'function') throw new TypeError('attempt must be a function');
  let approvals: readonly string[] = [];
  const asked = new Set<string>();
  for (;;) {
    let outcome: { readonly value: T } | { readonly error: unknown };
    try {
      outcome = { value: await attempt(approvals) };
    } catch (error) {
      outcome = { error };
    }
    const needed = approvalNeededOf('value' in outcome ? outcome.value : outcome.error);
    if (needed === undefined) {
      if ('value' in outcome) return outcome.value;
      throw outcome.error;
    }
    const unmet = unmetOf(needed);
    const again = unmet.find((entry) => asked.has(requirementKey(entry.hop, entry.requirement)));
    if (again !== undefined) {
      fail(
        'MANDATE_APPROVAL_REQUIRED',
        { ...needed, hop: again.hop },
        `block ${again.hop}'s requirement is still unmet after its approvals were sent: not asking again`,
        { missing: again.missing },
      );
    }
    for (const entry of unmet) asked.add(requirementKey(entry.hop, entry.requirement));
    const given = await askForApprovals(needed, askHuman, options);
    approvals = [...new Set([...approvals, ...given])];
  }
}

/** Options of `approvalNeededFor`. */
export interface ApprovalNeededForOptions {
  /** The service the call is for (its verifier's audience); default: the mandate's one. */
  readonly audience?: string;
}

/**
 * The approvals a call would need under `mandate`, read from the mandate's own requirements
 * (every hop's, each once), before anything is sent: what a framework asks the human for
 * when it can pause before a tool runs (AI SDK `toolApproval`, OpenAI Agents `needsApproval`).
 * `undefined` when no requirement covers the call. Shaped like the verifier's
 * `MANDATE_APPROVAL_REQUIRED` detail, with nothing approved yet.
 *
 * A prediction from the unverified mandate, to ask early: the service's verifier still
 * decides, and a call it refuses for want of approval is reported with its own detail.
 *
 * @throws MandateError when the mandate does not decode; TypeError on misuse (no audience to
 * bind when the mandate names several or none).
 */
export async function approvalNeededFor(
  mandate: MandateLike,
  action: Action,
  options: ApprovalNeededForOptions = {},
): Promise<ApprovalNeeded | undefined> {
  return approvalNeededIn(await decodeChain(mandate), action, options);
}

/**
 * {@link approvalNeededFor} on a chain already decoded (`decodeChain`): the same answer, for
 * callers that ask about many calls under one mandate and decode it once (an agent run's
 * pre-send check, `approvalNeededForToolCall`).
 */
export function approvalNeededIn(
  blocks: readonly ChainBlock[],
  action: Action,
  options: ApprovalNeededForOptions = {},
): ApprovalNeeded | undefined {
  const unmet = applyingRequirements({ blocks }, { action }, { limits: DEFAULT_LIMITS }).map(
    ({ hop, requirement }) => ({
      hop,
      requirement,
      approvedBy: [],
      missing: requirement.threshold,
    }),
  );
  const first = unmet[0];
  if (first === undefined) return undefined;
  const call = approvalCallIn(blocks, {
    action,
    ...(options.audience === undefined ? {} : { audience: options.audience }),
  });
  return {
    ...first,
    call,
    argsHash: argsHash(call.args),
    approvers: first.requirement.approvers,
    threshold: first.requirement.threshold,
    unmet,
  };
}
