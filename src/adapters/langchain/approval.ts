/**
 * Human approval as a LangGraph interrupt (docs/guides/approvals.md): a guarded tool (with
 * `guardTools(..., { humanApproval: { interrupt } })`) or a remote `mandate/mcp` call
 * (`callMcpToolWithApproval`) denied with `MANDATE_APPROVAL_REQUIRED` calls LangGraph's
 * `interrupt(request)`: the graph pauses (its checkpointer keeps the run), the application
 * shows `request.description` to the human, who signs the call with their own key
 * (`approve(request.call, key)`), and the graph resumes with
 * `new Command({ resume: { approvals: [approval] } })` (or `{ refused: true }`). The node
 * re-runs, `interrupt` returns the answer, and the call is verified again with the approvals:
 * the tool runs only when the verifier allows it.
 *
 * `interrupt` is passed in (from `@langchain/langgraph`) so that this module loads no
 * LangChain. As with any LangGraph interrupt, what a node did before it runs again on resume:
 * a guarded tool's body runs only after the approval, once.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  isToolDenial,
  untilApproved,
  type ApprovalRequest,
  type ApprovalRounds,
} from '../approval-step.js';
import { callMcpTool } from '../remote-call.js';
import { ToolDeniedError, type ToolDenial } from '../tool-guard.js';

/** How a guarded LangChain tool asks a human: LangGraph's `interrupt`, at most `maxRounds` times. */
export interface LangGraphApprovalOptions extends ApprovalRounds {
  /**
   * LangGraph's `interrupt` (`import { interrupt } from '@langchain/langgraph'`): called with
   * the `ApprovalRequest`; the graph's resume value is the human's answer,
   * `{ approvals: [...] }` or `{ refused: true }`. Needs a checkpointer on the graph.
   */
  readonly interrupt: (request: ApprovalRequest) => unknown;
}

/** Check the options once, where the tools are guarded. */
export function checkApprovalOptions(options: LangGraphApprovalOptions | undefined): void {
  if (options === undefined) return;
  if (typeof options?.interrupt !== 'function') {
    throw new TypeError("humanApproval needs { interrupt } from '@langchain/langgraph'");
  }
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
 * @throws ToolDeniedError on a refusal, a malformed answer, too many rounds, or any other
 * denial (the server never ran the tool).
 */
export async function callMcpToolWithApproval(
  client: Client,
  name: string,
  input: unknown,
  context: unknown,
  options: McpApprovalCallOptions,
): Promise<CallResult> {
  checkApprovalOptions(options);
  const outcome = await untilApproved<CallResult>(
    async (approvals): Promise<CallResult | ToolDenial> => {
      try {
        return await callMcpTool(client, name, input, context, options.audience, approvals);
      } catch (error) {
        if (error instanceof ToolDeniedError) return error.denial;
        throw error;
      }
    },
    options.interrupt,
    options,
  );
  if (isToolDenial(outcome)) throw new ToolDeniedError(outcome);
  return outcome;
}

/** The approval requests among the interrupts of a paused graph, each with its interrupt id. */
export function approvalInterrupts(
  /** `graph.invoke(...)`'s result (its `__interrupt__`), or the interrupts list itself. */
  paused: unknown,
): { readonly id?: string; readonly request: ApprovalRequest }[] {
  const list: unknown = Array.isArray(paused)
    ? paused
    : (paused as { __interrupt__?: unknown } | null)?.__interrupt__;
  if (!Array.isArray(list)) return [];
  const out: { readonly id?: string; readonly request: ApprovalRequest }[] = [];
  for (const entry of list as { id?: unknown; value?: unknown }[]) {
    const value = entry?.value as Partial<ApprovalRequest> | undefined;
    if (
      typeof value !== 'object' ||
      value === null ||
      typeof value.call !== 'object' ||
      typeof value.description !== 'string' ||
      typeof value.argsHash !== 'string'
    ) {
      continue;
    }
    out.push({
      ...(typeof entry.id === 'string' ? { id: entry.id } : {}),
      request: value as ApprovalRequest,
    });
  }
  return out;
}
