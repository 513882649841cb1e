/**
 * `mandate/langchain`: Mandate for LangChain.js tools and LangGraph.js (`@langchain/core`, an
 * optional peer dependency; this module imports only its types, so loading it loads no
 * LangChain; LangGraph nodes are plain functions).
 *
 * - `guardTools(tools, { verifier, tools: { name: { resource, action } } })`: each call
 *   verifies the run's mandate and a fresh proof against the input after schema parsing.
 * - `withMandate(config, authority)` (an authority from `createRunAuthority` of
 *   `mandate/agents`): the mandate travels in the run's `configurable`, never in a message.
 * - `delegatingNode(subgraph, { tools, narrow })`: a LangGraph node handing a sub-graph or a
 *   tool node a mandate narrowed to its tools, signed by this run's key.
 * - `humanApproval: { interrupt }` (on `guardTools`) and `callMcpToolWithApproval`: a call
 *   that needs a human's approval interrupts the graph with a `HumanApprovalRequest`
 *   (`approvalInterrupts(result)`); resume with `new Command({ resume: approvals })`.
 * - `mandateOf(config)`: the verified call a guarded tool serves.
 *
 * What every framework entry shares (`createRunAuthority`, `delegateTo`, `ToolDeniedError`,
 * `callMcpTool`, the human-approval helpers, …) is exported once, from `mandate/agents`.
 */
export { guardTools, mandateOf, withMandate, type LangChainGuardOptions } from './guard.js';
export { delegatingNode, type DelegatingNodeOptions, type Invocable } from './graph.js';
export {
  approvalInterrupts,
  callMcpToolWithApproval,
  type LangGraphApprovalOptions,
  type McpApprovalCallOptions,
} from './approval.js';
