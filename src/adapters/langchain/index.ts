/**
 * `mandate/langchain`: Mandate for LangChain.js tools and LangGraph.js (`@langchain/core`, an
 * optional peer dependency; this module imports only its types, so loading it loads no
 * LangChain; LangGraph nodes are plain functions).
 *
 * - `guardTools(tools, { verifier, tools: { name: { resource, action } } })`: each call
 *   verifies the run's mandate and a fresh proof against the input after schema parsing.
 * - `createRunAuthority({ mandate, signer })` and `withMandate(config, authority)`: the
 *   mandate travels in the run's `configurable`, never in a message.
 * - `delegatingNode(subgraph, { tools, narrow })`: a LangGraph node handing a sub-graph or a
 *   tool node a mandate narrowed to its tools, signed by this run's key.
 * - `callMcpTool(client, name, input, config.configurable)`: call a remote `mandate/mcp` tool
 *   as the current run (from a tool's body).
 * - `humanApproval: { interrupt }` (on `guardTools`) and `callMcpToolWithApproval`: a call
 *   that needs a human's approval interrupts the graph with a `HumanApprovalRequest`
 *   (`approvalInterrupts(result)`); resume with `new Command({ resume: approvals })`.
 */
export { guardTools, mandateOf, withMandate, type LangChainGuardOptions } from './guard.js';
export { delegatingNode, type DelegatingNodeOptions, type Invocable } from './graph.js';
export { callMcpTool, resultText } from '../remote-call.js';
export {
  approvalInterrupts,
  callMcpToolWithApproval,
  type LangGraphApprovalOptions,
  type McpApprovalCallOptions,
} from './approval.js';
export {
  assertApprovalsCover,
  type ApprovalCheckOptions,
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
