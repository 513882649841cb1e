/**
 * `mandate/ai`: Mandate for the Vercel AI SDK (`ai`, an optional peer dependency; this module
 * imports only its types, so loading it loads no SDK).
 *
 * - `guardTools(tools, { verifier, tools: { name: { resource, action } } })`: each execution
 *   verifies the run's mandate and a fresh proof against the input the tool receives after the
 *   SDK's schema parsing; a denial goes back to the model as a tool error with code and hop.
 * - `createRunAuthority({ mandate, signer })` and `mandateContext(tools, authority)`: the
 *   mandate travels in the tools' context (`toolsContext`), never in the prompt.
 * - `delegateTo(context, subAgentTools, { narrow })`: a sub-agent's narrowed authority,
 *   derived from the tools it declares, signed by this run's key.
 * - `mandateMcpTools` and `mandateTransport`: MCP tools from `@ai-sdk/mcp` carry the mandate
 *   and a proof to a `mandate/mcp` guarded server.
 * - `mandateToolApproval(tools)` (the run's `toolApproval`), `pendingApprovals`,
 *   `answerApprovals` / `approvalResponse`: a call the mandate says needs a human's approval
 *   pauses in the SDK's own tool approval; the human's signed approvals travel back in the
 *   `tool-approval-response` and with the retried call (docs/guides/approvals.md).
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
export {
  approvalsFromAnswer,
  askForApprovals,
  retryWithApprovals,
  type ApprovalCheckOptions,
  type AskHuman,
  type HumanAnswer,
  type HumanApprovalRequest,
  type HumanRefusal,
} from '../human-approval.js';
export {
  createRunAuthority,
  isRunAuthority,
  type AgentToolRequirement,
  type RunAuthority,
  type RunAuthorityOptions,
} from '../run-authority.js';
export {
  allowedCallOf as mandateOf,
  delegateTo,
  declaredRequirements,
  describeDenial,
  ToolDeniedError,
  type AllowedCall,
  type DelegateToOptions,
  type OnDenied,
  type ToolDenial,
  type ToolGuardOptions,
} from '../tool-guard.js';
