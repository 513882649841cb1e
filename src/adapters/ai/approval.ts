/**
 * Human approval of Mandate-guarded AI SDK tools, through the SDK's own tool approval
 * (docs/guides/approvals.md, "Vercel AI SDK"). A mandate whose approval requirement covers a
 * call makes the SDK pause before the tool runs (`toolApproval`: the call gets a
 * `tool-approval-request` whose `reason` is the call in plain words); the human's side signs
 * the exact call (`approve`, `mandate approve`) and answers with a `tool-approval-response`
 * whose `reason` carries the signed approvals; the resumed run sends them with the call (to
 * the local guard's verifier, or in the MCP call's `_meta`), where the verifier decides.
 *
 * A plain SDK approval (`approved: true` with no signed approval, a UI button an injected
 * agent could click through) is not an approval: the verifier still denies the call with
 * `MANDATE_APPROVAL_REQUIRED`. The approvals travel in the approved response's `reason`,
 * which the SDK keeps in the message history but never sends to the model (so it works across
 * requests, as `useChat`'s `addToolApprovalResponse` sends it). Nothing here signs.
 */
import type { ModelMessage, ToolApprovalConfiguration, ToolApprovalResponse, ToolSet } from 'ai';
import { isMandateError } from '../../core/errors.js';
import type { Json } from '../../core/types.js';
import { META_APPROVALS } from '../approval-transport.js';
import {
  approvalNeededFor,
  approvalsFromAnswer,
  humanApprovalRequest,
  type AskHuman,
  type HumanAnswer,
  type HumanApprovalRequest,
} from '../human-approval.js';
import { authorityIn, unsealAuthority, type AgentToolRequirement } from '../run-authority.js';
import { snapshotArgs } from '../tool-guard.js';
import { MAX_APPROVALS } from '../../verify/approval-rule.js';
import { MAX_APPROVAL_LENGTH } from '../../proof/approval.js';
import type { ApprovalNeeded } from '../../verify/approval-needed.js';

/** What a guarded tool's calls are checked as: its requirement and its service. */
interface ApprovalTarget {
  readonly requirement: AgentToolRequirement;
  readonly audience: string | undefined;
}

const targets = new WeakMap<object, ApprovalTarget>();

/** Record what a wrapped tool is guarded as (`guardTools`, `mandateMcpTools` call it). */
export function declareApprovalTarget(
  tool: object,
  requirement: AgentToolRequirement | undefined,
  audience: string | undefined,
): void {
  if (requirement !== undefined) targets.set(tool, { requirement, audience });
}

/**
 * The approvals the call `tool(input)` needs under the run's mandate (from the tool context),
 * or undefined. Undefined too when it cannot be told here (no authority in the context,
 * arguments that are not JSON, a resource the arguments do not name, an ambiguous audience):
 * the guard's verifier then decides the call and denies what these would deny, so asking a
 * human first would only show them a call that is refused anyway.
 */
async function neededFor(
  tool: unknown,
  input: unknown,
  toolContext: unknown,
): Promise<ApprovalNeeded | undefined> {
  const target = typeof tool === 'object' && tool !== null ? targets.get(tool) : undefined;
  const authority = authorityIn(toolContext);
  if (target === undefined || authority === undefined) return undefined;
  const { requirement, audience } = target;
  try {
    const args = snapshotArgs(input);
    const resource =
      typeof requirement.resource === 'function'
        ? requirement.resource(args)
        : requirement.resource;
    if (typeof resource !== 'string') return undefined;
    return await approvalNeededFor(
      unsealAuthority(authority).token,
      { resource, action: requirement.action, args },
      audience === undefined ? {} : { audience },
    );
  } catch (error) {
    if (isMandateError(error) || error instanceof TypeError) return undefined;
    throw error;
  }
}

/**
 * The `toolApproval` for `generateText` / `streamText` / `ToolLoopAgent`: every call of a
 * guarded tool (`guardTools`, or `mandateMcpTools` given the server's `tools`) that an approval
 * requirement of the run's mandate covers pauses for the user (`'user-approval'`, with the call
 * in plain words as the request's `reason`); other calls are `'not-applicable'`. A per-tool
 * map: spread your own statuses for other tools into it.
 */
export function mandateToolApproval<TOOLS extends ToolSet>(
  tools: TOOLS,
): ToolApprovalConfiguration<TOOLS, unknown> {
  if (typeof tools !== 'object' || tools === null) throw new TypeError('tools must be a tool set');
  const out: Record<string, unknown> = {};
  for (const [name, tool] of Object.entries(tools)) {
    if (!targets.has(tool)) continue;
    out[name] = async (input: unknown, options: { readonly toolContext: unknown }) => {
      const needed = await neededFor(tool, input, options.toolContext);
      return needed === undefined
        ? undefined
        : { type: 'user-approval' as const, reason: humanApprovalRequest(needed).description };
    };
  }
  return out as ToolApprovalConfiguration<TOOLS, unknown>;
}

/** A paused call of a guarded tool, and what to ask the human about it. */
export interface PendingApproval {
  /** The SDK's approval id (answer with `approvalResponse`). */
  readonly approvalId: string;
  readonly toolCallId: string;
  readonly toolName: string;
  /** What to show and sign: the call in plain words and exactly as the verifier binds it. */
  readonly request: HumanApprovalRequest;
}

/** A generation's output parts, as `generateText` returns them (`result.content`). */
type OutputPart = { readonly type: string } & Record<string, unknown>;

/** Options of `pendingApprovals` and `answerApprovals`. */
export interface PendingApprovalsOptions {
  /** The tool set the run used. */
  readonly tools: ToolSet;
  /** The run's `toolsContext` (from `mandateContext`). */
  readonly toolsContext: Readonly<Record<string, unknown>>;
}

/**
 * The `tool-approval-request` parts among `parts` (`result.content`, or the content of
 * `result.responseMessages`) that are calls of guarded tools needing a Mandate approval,
 * with what to ask the human. Other approval requests (your own tools') are left to you.
 */
export async function pendingApprovals(
  parts: Iterable<unknown>,
  options: PendingApprovalsOptions,
): Promise<PendingApproval[]> {
  if (typeof options?.tools !== 'object' || options.tools === null) {
    throw new TypeError('pendingApprovals needs { tools, toolsContext }');
  }
  const calls = new Map<string, { toolName: string; input: unknown }>();
  const list = [...parts] as OutputPart[];
  for (const part of list) {
    if (part?.type === 'tool-call') {
      calls.set(String(part['toolCallId']), {
        toolName: String(part['toolName']),
        input: part['input'],
      });
    }
  }
  const out: PendingApproval[] = [];
  for (const part of list) {
    if (part?.type !== 'tool-approval-request') continue;
    // `result.content` nests the call in the request; a message's content lists it beside.
    const nested = part['toolCall'] as { toolCallId?: unknown } | undefined;
    const toolCallId = String(nested?.toolCallId ?? part['toolCallId']);
    const call =
      nested === undefined
        ? calls.get(toolCallId)
        : (nested as { toolName: string; input: unknown });
    if (call === undefined || !Object.hasOwn(options.tools, call.toolName)) continue;
    const needed = await neededFor(
      options.tools[call.toolName],
      call.input,
      options.toolsContext?.[call.toolName],
    );
    if (needed === undefined) continue;
    out.push({
      approvalId: String(part['approvalId']),
      toolCallId,
      toolName: call.toolName,
      request: humanApprovalRequest(needed),
    });
  }
  return out;
}

/** The prefix of an approved response's `reason` that carries signed approvals. */
const REASON_PREFIX = `${META_APPROVALS} `;

/**
 * The `reason` of an approved `tool-approval-response` carrying signed approvals, for
 * flows that build the response themselves (`useChat`'s `addToolApprovalResponse({ id,
 * approved: true, reason: approvalReason(approvals) })`).
 */
export function approvalReason(approvals: readonly string[]): string {
  if (!Array.isArray(approvals) || approvals.some((a) => typeof a !== 'string' || /\s/.test(a))) {
    throw new TypeError('approvals must be compact JWS strings');
  }
  return REASON_PREFIX + approvals.join(' ');
}

/**
 * The `tool-approval-response` answering `pending` with the human's answer: approved, with the
 * approvals in its `reason`, when they cover the call; otherwise (a refusal, approvals of
 * another call, too few, expired, forged) not approved, with the code and why as its reason,
 * which the SDK hands the model as the call's `execution-denied` output. The tool never runs
 * then.
 */
export function approvalResponse(
  pending: PendingApproval,
  answer: HumanAnswer,
  options: { readonly now?: number } = {},
): ToolApprovalResponse {
  let approvals: readonly string[];
  try {
    approvals = approvalsFromAnswer(pending.request.needed, answer, options);
  } catch (error) {
    if (!isMandateError(error)) throw error;
    return {
      type: 'tool-approval-response',
      approvalId: pending.approvalId,
      approved: false,
      reason: `${error.code}: ${error.message}`,
    };
  }
  return {
    type: 'tool-approval-response',
    approvalId: pending.approvalId,
    approved: true,
    reason: approvalReason(approvals),
  };
}

/** Options of `answerApprovals`. */
export interface AnswerApprovalsOptions extends PendingApprovalsOptions {
  /** Ask the human: show `request.description`, resolve their signed approvals or a refusal. */
  readonly askHuman: AskHuman;
  /** Seconds since the epoch (default: the wall clock), for checking the answers. */
  readonly now?: number;
}

/**
 * Ask the human about every paused guarded call among `parts` (one question per call) and
 * resolve the `tool-approval-response` parts to send back, in a tool message, to resume the
 * run: `messages: [...messages, ...result.responseMessages, { role: 'tool', content }]`.
 * A refusal, or an answer that does not cover its call, is a response that does not approve
 * (see `approvalResponse`).
 */
export async function answerApprovals(
  parts: Iterable<unknown>,
  options: AnswerApprovalsOptions,
): Promise<ToolApprovalResponse[]> {
  if (typeof options?.askHuman !== 'function') throw new TypeError('askHuman must be a function');
  const out: ToolApprovalResponse[] = [];
  for (const pending of await pendingApprovals(parts, options)) {
    const answer = await options.askHuman(pending.request);
    out.push(approvalResponse(pending, answer, options));
  }
  return out;
}

/**
 * The signed approvals the run's history carries for the tool call `toolCallId`: the
 * approved `tool-approval-response` to its `tool-approval-request`, latest first. None when
 * there is no such response or it carries none (a plain SDK approval): the verifier then
 * denies a call that needs approval.
 */
export function approvalsFor(
  messages: readonly ModelMessage[] | undefined,
  toolCallId: string,
): readonly string[] {
  if (messages === undefined) return [];
  const ids = new Set<string>();
  for (const message of messages) {
    if (message.role !== 'assistant' || typeof message.content === 'string') continue;
    for (const part of message.content) {
      if (part.type === 'tool-approval-request' && part.toolCallId === toolCallId) {
        ids.add(part.approvalId);
      }
    }
  }
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role !== 'tool') continue;
    for (const part of message.content) {
      if (part.type !== 'tool-approval-response' || !ids.has(part.approvalId)) continue;
      const reason = part.approved ? part.reason : undefined;
      if (typeof reason !== 'string' || !reason.startsWith(REASON_PREFIX)) return [];
      // At most one more than the verifier takes: it denies the excess with its own code.
      const limit = (MAX_APPROVALS + 1) * (MAX_APPROVAL_LENGTH + 1);
      return reason
        .slice(REASON_PREFIX.length, REASON_PREFIX.length + limit)
        .split(' ')
        .filter((jws) => jws !== '')
        .slice(0, MAX_APPROVALS + 1);
    }
  }
  return [];
}

/** The MCP `_meta` entry for approvals, when there are any. */
export function approvalsMeta(
  approvals: readonly string[],
): Readonly<Record<string, readonly Json[]>> {
  return approvals.length === 0 ? {} : { [META_APPROVALS]: [...approvals] };
}
