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
import type { AgentToolRequirement } from '../run-authority.js';
import { denialErrorFunction } from './guard.js';
import { approvalPolicy, takeApprovals } from './approval.js';

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
  /**
   * What the server's tool requires (as its `mandate/mcp` guard declares it). With
   * `humanApproval`, it tells before the call whether the mandate requires a human's approval.
   */
  readonly requirement?: AgentToolRequirement;
  /**
   * Pause the run for a human when the mandate requires approval of the call (needs
   * `requirement`); `approveCall`'s approvals are then sent in `_meta`. The server decides.
   */
  readonly humanApproval?: boolean;
}

/** A function tool that calls `name` on a `mandate/mcp` server as the current run. */
export function mcpTool(options: McpToolOptions): FunctionTool {
  if (typeof options?.client?.callTool !== 'function') throw new TypeError('client required');
  const requirement = options.requirement;
  if (options.humanApproval === true && requirement === undefined) {
    throw new TypeError('humanApproval needs the requirement of the server tool');
  }
  const approving = options.humanApproval === true && requirement !== undefined;
  return tool({
    name: options.name,
    description: options.description,
    parameters: options.parameters,
    errorFunction: denialErrorFunction(),
    ...(approving
      ? { needsApproval: approvalPolicy(options.name, requirement, options.audience, undefined) }
      : {}),
    execute: async (
      input: unknown,
      runContext?: RunContext<unknown>,
      details?: { readonly toolCall?: { readonly callId?: string } },
    ) =>
      resultText(
        await callMcpTool(
          options.client,
          options.name,
          input,
          runContext?.context,
          options.audience,
          approving ? takeApprovals(runContext?.context, details?.toolCall?.callId) : undefined,
        ),
      ),
  } as never);
}
