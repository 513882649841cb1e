/**
 * `mandate/openai-agents`: Mandate for the OpenAI Agents SDK (`@openai/agents-core`, which
 * `@openai/agents` re-exports; an optional peer dependency, loaded only when this sub-path is
 * imported).
 *
 * - `createAgentsToolGuard({ verifier }).tool({ ..., requirement })`: function tools whose
 *   every call verifies the run's mandate and a fresh proof against the parsed input.
 * - Put the run's authority (`createRunAuthority` of `mandate/agents`) in the run's context
 *   as `run(agent, input, { context: { mandate } })`; never in the prompt.
 * - `delegatingHandoff(agent)` and `delegatingAgentTool(agent, asToolOptions)`: handoffs and
 *   agents-as-tools that hand the receiving agent a mandate narrowed to its tools, signed by
 *   the handing-off run's key.
 * - `mcpTool({ client, name, ... })`: a remote `mandate/mcp` tool as a function tool.
 * - `humanApproval: true` (on the guard, or `mcpTool`): a call whose mandate requires a human's
 *   approval interrupts the run; `pendingApprovals(result)` says what to show,
 *   `answerApproval(result, pending, approvals | { refused: true })` (or `answerApprovals`
 *   with an `askHuman`) answers it, and `resumeRunState(agent, saved, authority)` restores a
 *   serialized run (docs/guides/approvals.md).
 * - `mandateOf(details)`: the verified call a guarded tool serves.
 *
 * What every framework entry shares (`createRunAuthority`, `delegateTo`, `ToolDeniedError`,
 * the human-approval helpers, …) is exported once, from `mandate/agents`.
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
export { delegatingAgentTool, delegatingHandoff, type AgentDelegationOptions } from './delegate.js';
export { mcpTool, type McpToolOptions } from './mcp.js';
// The verified call a tool serves, by the per-call object this framework passes it.
export { allowedCallOf as mandateOf } from '../tool-guard.js';
