/**
 * Human approval as a LangGraph interrupt (docs/guides/approvals.md): a guarded tool (with
 * `guardTools(..., { humanApproval: { interrupt } })`) or a remote `mandate/mcp` call
 * (`callMcpToolWithApproval`) denied with `MANDATE_APPROVAL_REQUIRED` calls LangGraph's
 * `interrupt(request)`: the graph pauses (its checkpointer keeps the run), the application
 * shows `request.description` to the human, who signs the call with their own key
 * (`approve(request.call, key)`), and the graph resumes with
 * `new Command({ resume: [approval, ...] })` (or `{ refused: true }`). The node runs again,
 * `interrupt` returns the answer, which is read fail-closed and checked to cover the call
 * (`retryWithApprovals`, at most one retry per requirement), and the call is verified again
 * with the approvals: the tool runs only when the verifier allows it.
 *
 * `interrupt` is passed in (from `@langchain/langgraph`) so that this module loads no
 * LangChain. As with any LangGraph interrupt, what the node did before it runs again on
 * resume: a guarded tool's body runs only after the approval, once.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { isMandateError } from '../../core/errors.js';
import { retryWithApprovals, type AskHuman, type HumanApprovalRequest } from '../human-approval.js';
import { readHumanAnswer } from '../human-answer.js';
import { callMcpTool } from '../remote-call.js';
import { denial, ToolDeniedError, type ApprovalLoop } from '../tool-guard.js';

/** How a guarded LangChain tool asks a human: LangGraph's `interrupt`. */
export interface LangGraphApprovalOptions {
  /**
   * LangGraph's `interrupt` (`import { interrupt } from '@langchain/langgraph'`): called with
   * the `HumanApprovalRequest`; the graph's resume value is the human's answer, a list of
   * signed approvals or `{ refused: true }`. Needs a checkpointer on the graph.
   */
  readonly interrupt: (request: HumanApprovalRequest) => unknown;
  /** Seconds since the epoch (default: the wall clock), for checking the answers. */
  readonly now?: number;
}

/** The `AskHuman` of a graph: interrupt, and read the resume value fail-closed. */
function askByInterrupt(options: LangGraphApprovalOptions | undefined): AskHuman {
  if (typeof options?.interrupt !== 'function') {
    throw new TypeError("humanApproval needs { interrupt } from '@langchain/langgraph'");
  }
  const { interrupt } = options;
  return (request) => readHumanAnswer(interrupt(request), request.needed);
}

/** The approval step of `guardTools`' tools, from its `humanApproval` option. */
export function interruptLoop(options: LangGraphApprovalOptions): ApprovalLoop {
  const ask = askByInterrupt(options);
  const check = options.now === undefined ? {} : { now: options.now };
  return (attempt) => retryWithApprovals(attempt, ask, check);
}

type CallResult = Awaited<ReturnType<Client['callTool']>>;

/** Options of {@link callMcpToolWithApproval}. */
export interface McpApprovalCallOptions extends LangGraphApprovalOptions {
  /** The server's identity (its verifier's audience). Default: the mandate's one audience. */
  readonly audience?: string;
}

/**
 * `callMcpTool` from a tool's body, with the human in the loop: when the server denies the
 * call with `MANDATE_APPROVAL_REQUIRED`, the graph is interrupted with what the server asked
 * for, and the call is sent again with the human's signed approvals in `_meta`.
 *
 * @throws ToolDeniedError on a refusal (`MANDATE_APPROVAL_REFUSED`), an answer that cannot
 * cover the call, or any other denial: the server never ran the tool.
 */
export async function callMcpToolWithApproval(
  client: Client,
  name: string,
  input: unknown,
  context: unknown,
  options: McpApprovalCallOptions,
): Promise<CallResult> {
  const ask = askByInterrupt(options);
  try {
    return await retryWithApprovals(
      (approvals) =>
        callMcpTool(
          client,
          name,
          input,
          context,
          options.audience,
          approvals.length === 0 ? undefined : approvals,
        ),
      ask,
      options.now === undefined ? {} : { now: options.now },
    );
  } catch (error) {
    if (!isMandateError(error) || error instanceof ToolDeniedError) throw error;
    throw new ToolDeniedError(
      denial(error.code, error.check, error.message, { tool: name, args: {}, context }, error.hop),
    );
  }
}

/** The approval requests among the interrupts of a paused graph, each with its interrupt id. */
export function approvalInterrupts(
  /** `graph.invoke(...)`'s result (its `__interrupt__`), or the interrupts list itself. */
  paused: unknown,
): { readonly id?: string; readonly request: HumanApprovalRequest }[] {
  const list: unknown = Array.isArray(paused)
    ? paused
    : (paused as { __interrupt__?: unknown } | null)?.__interrupt__;
  if (!Array.isArray(list)) return [];
  const out: { readonly id?: string; readonly request: HumanApprovalRequest }[] = [];
  for (const entry of list as { id?: unknown; value?: unknown }[]) {
    const value = entry?.value as Partial<HumanApprovalRequest> | undefined;
    if (
      typeof value !== 'object' ||
      value === null ||
      typeof value.call !== 'object' ||
      typeof value.description !== 'string' ||
      typeof value.needed !== 'object'
    ) {
      continue;
    }
    out.push({
      ...(typeof entry.id === 'string' ? { id: entry.id } : {}),
      request: value as HumanApprovalRequest,
    });
  }
  return out;
}
