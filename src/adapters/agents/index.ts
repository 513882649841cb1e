/**
 * `mandate/agents`: what the agent-framework entries share, exported once, here. Each framework
 * entry (`mandate/ai`, `mandate/langchain`, `mandate/openai-agents`) keeps only its own API
 * (guarding that framework's tools, carrying the authority in its context, reading the verified
 * call from its per-call object); this entry is framework-neutral and loads no framework.
 *
 * - `createRunAuthority({ mandate, signer })`: a run's sealed authority (the mandate and the
 *   key that proves it), carried in a framework's context, never in the prompt.
 * - `delegateTo(context, subAgentTools, { narrow })`: a sub-agent's narrowed authority,
 *   derived from the tools it declares (`declaredRequirements`), signed by this run's key.
 * - `ToolDeniedError` and `describeDenial`: how a guarded tool's refusal reads (code, hop,
 *   check), whichever framework reports it.
 * - `callMcpTool(client, name, input, context)`: call a tool on a `mandate/mcp` guarded
 *   server with the run's mandate and a fresh proof (`resultText` reads its text).
 * - Human approval, whichever framework pauses: `HumanApprovalRequest` (what to show the
 *   human), `AskHuman` / `HumanAnswer` / `HumanRefusal`, `assertApprovalsCover` and
 *   `approvalsFromAnswer` (an answer must cover the call), `askForApprovals` and
 *   `retryWithApprovals` (one retry per requirement, never a loop).
 */
export {
  createRunAuthority,
  isRunAuthority,
  type AgentToolRequirement,
  type RunAuthority,
  type RunAuthorityOptions,
} from '../run-authority.js';
export {
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
export { callMcpTool, resultText } from '../remote-call.js';
export {
  approvalsFromAnswer,
  askForApprovals,
  assertApprovalsCover,
  retryWithApprovals,
  type ApprovalCheckOptions,
  type AskHuman,
  type HumanAnswer,
  type HumanApprovalRequest,
  type HumanRefusal,
} from '../human-approval.js';
