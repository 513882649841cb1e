/**
 * `mandate/openai-agents`: Mandate for the OpenAI Agents SDK (`@openai/agents-core`, which
 * `@openai/agents` re-exports; an optional peer dependency, loaded only when this sub-path is
 * imported).
 *
 * - `createAgentsToolGuard({ verifier }).tool({ ..., requirement })`: function tools whose
 *   every call verifies the run's mandate and a fresh proof against the parsed input.
 * - `createRunAuthority({ mandate, signer })`: put it in the run's context as
 *   `run(agent, input, { context: { mandate } })`; never in the prompt.
 * - `delegatingHandoff(agent)` and `delegatingAgentTool(agent, asToolOptions)`: handoffs and
 *   agents-as-tools that hand the receiving agent a mandate narrowed to its tools, signed by
 *   the handing-off run's key.
 * - `mcpTool({ client, name, ... })`: a remote `mandate/mcp` tool as a function tool.
 * - `humanApproval: true` (on the guard, or `mcpTool`): a call whose mandate requires a human's
 *   approval interrupts the run; `pendingApprovals(result)` says what to show,
 *   `answerApproval(result, pending, approvals | { refused: true })` (or `answerApprovals`
 *   with an `askHuman`) answers it, and `resumeRunState(agent, saved, authority)` restores a
 *   serialized run (docs/guides/approvals.md).
 */
export {
  createAgentsToolGuard,
  denialErrorFunction,
  type AgentsToolGuard,
  type AgentsToolGuardOptions,
  type GuardedToolOptions,
} from './guard.js';
export {
  APPROVALS_KEY,
  answerApproval,
  answerApprovals,
  pendingApprovals,
  resumeRunState,
  type ApprovalOutcome,
  type PendingApproval,
  type RunStateLike,
} from './approval.js';
export {
  assertApprovalsCover,
  type ApprovalCheckOptions,
  type AskHuman,
  type HumanAnswer,
  type HumanApprovalRequest,
  type HumanRefusal,
} from '../human-approval.js';
export { delegatingAgentTool, delegatingHandoff, type AgentDelegationOptions } from './delegate.js';
export { mcpTool, type McpToolOptions } from './mcp.js';
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
