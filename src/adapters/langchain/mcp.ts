/**
 * A remote `mandate/mcp` tool as a LangChain tool: the call carries the run's mandate and a
 * fresh proof, bound to the tool name and the parsed arguments, to the guarded server (on the
 * official MCP SDK client, any transport); the server decides.
 */
import { DynamicStructuredTool } from '@langchain/core/tools';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { callMcpTool, resultText } from '../remote-call.js';

/** Options of `mcpTool`. */
export interface McpToolOptions {
  /** A connected MCP SDK client for the guarded server. */
  readonly client: Client;
  /** The tool's name on the server. */
  readonly name: string;
  readonly description: string;
  /** The input schema (a zod object or JSON schema), as for `tool()`. */
  readonly schema: unknown;
}

/** A LangChain tool that calls `name` on a `mandate/mcp` server as the current run. */
export function mcpTool(options: McpToolOptions): DynamicStructuredTool {
  if (typeof options?.client?.callTool !== 'function') throw new TypeError('client required');
  return new DynamicStructuredTool({
    name: options.name,
    description: options.description,
    schema: options.schema as never,
    func: async (parsed: unknown, _runManager: unknown, config?: { configurable?: unknown }) =>
      resultText(await callMcpTool(options.client, options.name, parsed, config?.configurable)),
  } as never);
}
