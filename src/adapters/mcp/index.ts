/**
 * `mandate/mcp`: Mandate for the Model Context Protocol (on @modelcontextprotocol/sdk, an
 * optional peer dependency; this module imports only its types, so loading it loads no SDK).
 *
 * How a mandate travels: in the `tools/call` request's `params._meta`, under
 * `dev.mandate/mandate` (the chain) and `dev.mandate/proof` (an invocation proof binding the
 * tool name and the arguments). That works on every MCP transport (Streamable HTTP, stdio),
 * and the proof is bound to exactly the JSON-RPC call that carries it.
 */
export {
  guardTools,
  mandateOf,
  META_MANDATE,
  META_PROOF,
  MANDATE_DENIED,
  type McpGuardOptions,
  type MandateDenialData,
  type ToolRequirement,
} from './guard.js';
export { callToolWithMandate, mcpTarget, mandateDenial, type McpTargetOptions } from './client.js';
export {
  protectedResourceMetadata,
  protectedResourceMetadataUrl,
  PROTECTED_RESOURCE_METADATA_PATH,
  type ProtectedResourceMetadataOptions,
} from '../http/metadata.js';
// Types that the signatures above use.
export type { ToolArgs } from './guard.js';
