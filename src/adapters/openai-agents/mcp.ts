/**
 * A remote `mandate/mcp` tool as an OpenAI Agents function tool: each call carries the run's
 * mandate and a fresh proof, bound to the tool name and the parsed arguments, to the guarded
 * server (official MCP SDK client, any transport); the server decides.
 */
import {
  tool,
  type FunctionTool,
  type RunContext,
  type ToolInputParameters,
} from '@openai/agents-core';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { callMcpTool, resultText } from '../remote-call.js';
import { denialErrorFunction } from './guard.js';

/** Options of `mcpTool`. */
export interface McpToolOptions {
  /** A connected MCP SDK client for the guarded server. */
  readonly client: Client;
  /** The tool's name on the server. */
  readonly name: string;
  readonly description: string;
  readonly parameters: ToolInputParameters;
  /** The server's identity (its verifier's audience). Default: the mandate's one audience. */
  readonly audience?: string;
}

/** A function tool that calls `name` on a `mandate/mcp` server as the current run. */
export function mcpTool(options: McpToolOptions): FunctionTool {
  if (typeof options?.client?.callTool !== 'function') throw new TypeError('client required');
  return tool({
    name: options.name,
    description: options.description,
    parameters: options.parameters,
    errorFunction: denialErrorFunction(),
    execute: async (input: unknown, runContext?: RunContext<unknown>) =>
      resultText(
        await callMcpTool(
          options.client,
          options.name,
          input,
          runContext?.context,
          options.audience,
        ),
      ),
  } as never);
}
