/**
 * `mandate/langchain`: Mandate for LangChain.js tools and LangGraph.js (`@langchain/core`, an
 * optional peer dependency, loaded only when this sub-path is imported; LangGraph itself is
 * not imported: its nodes are plain functions).
 *
 * - `guardTools(tools, { verifier, tools: { name: { resource, action } } })`: each call
 *   verifies the run's mandate and a fresh proof against the input after schema parsing.
 * - `createRunAuthority({ mandate, signer })` and `withMandate(config, authority)`: the
 *   mandate travels in the run's `configurable`, never in a message.
 * - `delegatingNode(subgraph, { tools, narrow })`: a LangGraph node handing a sub-graph or a
 *   tool node a mandate narrowed to its tools, signed by this run's key.
 * - `mcpTool({ client, name, ... })`: a remote `mandate/mcp` tool as a LangChain tool.
 */
export { guardTools, mandateOf, withMandate, type LangChainGuardOptions } from './guard.js';
export { delegatingNode, type DelegatingNodeOptions, type Invocable } from './graph.js';
export { mcpTool, type McpToolOptions } from './mcp.js';
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
