/**
 * `mandate/ai`: Mandate for the Vercel AI SDK (`ai`, an optional peer dependency; this module
 * imports only its types, so loading it loads no SDK).
 *
 * - `guardTools(tools, { verifier, tools: { name: { resource, action } } })`: each execution
 *   verifies the run's mandate and a fresh proof against the input the tool receives after the
 *   SDK's schema parsing; a denial goes back to the model as a tool error with code and hop.
 * - `mandateContext(tools, authority)` (an authority from `createRunAuthority` of
 *   `mandate/agents`): the mandate travels in the tools' context (`toolsContext`), never in
 *   the prompt; `delegateTo` (also `mandate/agents`) narrows it for a sub-agent.
 * - `mandateMcpTools` and `mandateTransport`: MCP tools from `@ai-sdk/mcp` carry the mandate
 *   and a proof to a `mandate/mcp` guarded server.
 * - `mandateToolApproval(tools)` (the run's `toolApproval`), `pendingApprovals`,
 *   `answerApprovals` / `approvalResponse`: a call the mandate says needs a human's approval
 *   pauses in the SDK's own tool approval; the human's signed approvals travel back in the
 *   `tool-approval-response` and with the retried call (docs/guides/approvals.md).
 * - `mandateOf(options)`: the verified call a guarded tool serves.
 *
 * What every framework entry shares (`createRunAuthority`, `delegateTo`, `ToolDeniedError`,
 * the human-approval helpers, …) is exported once, from `mandate/agents`.
 */
export { guardTools, mandateContext, type AiGuardOptions, type ToolsContextOf } from './guard.js';
export {
  mandateMcpTools,
  mandateTransport,
  type McpToolsOptions,
  type SendingTransport,
} from './mcp.js';
export {
  answerApprovals,
  approvalReason,
  approvalResponse,
  mandateToolApproval,
  pendingApprovals,
  type AnswerApprovalsOptions,
  type PendingApproval,
  type PendingApprovalsOptions,
} from './approval.js';
// The verified call a tool serves, by the per-call object this framework passes it.
export { allowedCallOf as mandateOf } from '../tool-guard.js';
