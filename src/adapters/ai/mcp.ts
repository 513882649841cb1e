/**
 * MCP tools obtained through the AI SDK's MCP client (`@ai-sdk/mcp`), calling a `mandate/mcp`
 * guarded server: each call carries the run's mandate and a fresh invocation proof, bound to
 * the tool name and the exact arguments sent, in `params._meta`. The AI SDK's client has no
 * per-call `_meta` option, so two pieces cooperate: `mandateMcpTools` proves each call (with
 * the run's key, from the tool context) and `mandateTransport` adds what was proven to the
 * matching `tools/call` message as it leaves. The two meet through an AsyncLocalStorage scoped
 * to one tool execution, so concurrent runs never exchange credentials.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ToolExecutionOptions, ToolSet } from 'ai';
import { jsonEqual } from '../../core/json.js';
import type { Json } from '../../core/types.js';
import { proveRemoteCall, remoteDenial } from '../remote-call.js';
import type { AgentToolRequirement } from '../run-authority.js';
import { approvalsFor, approvalsMeta, declareApprovalTarget } from './approval.js';

interface Proven {
  readonly name: string;
  readonly args: Readonly<Record<string, Json>>;
  readonly meta: Readonly<Record<string, Json>>;
}

const proven = new AsyncLocalStorage<Proven>();

/** The part of an MCP transport the wrapper needs (`@ai-sdk/mcp`'s `MCPTransport`). */
export interface SendingTransport {
  send(message: unknown, ...rest: never[]): Promise<void>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The message with the proven credentials in `params._meta`, when it is the proven call. */
function withCredentials(message: unknown): unknown {
  const call = proven.getStore();
  if (call === undefined || !isObject(message) || message.method !== 'tools/call') return message;
  const params = isObject(message.params) ? message.params : {};
  // Only the very call that was proven carries the credentials; anything else goes bare (and
  // a guarded server denies it).
  if (params.name !== call.name || !isObject(params.arguments)) return message;
  if (!jsonEqual(params.arguments as Json, call.args)) return message;
  const meta = isObject(params._meta) ? params._meta : {};
  return { ...message, params: { ...params, _meta: { ...meta, ...call.meta } } };
}

/**
 * Make an MCP transport carry each proven call's mandate and proof (wraps `send` in place and
 * returns the transport). Pass the result to `createMCPClient({ transport })`.
 */
export function mandateTransport<T extends SendingTransport>(transport: T): T {
  if (typeof transport?.send !== 'function') throw new TypeError('transport must have send()');
  const send = transport.send.bind(transport) as (
    message: unknown,
    ...rest: unknown[]
  ) => Promise<void>;
  (transport as { send: unknown }).send = (message: unknown, ...rest: unknown[]) =>
    send(withCredentials(message), ...rest);
  return transport;
}

type Execute = (input: unknown, options: ToolExecutionOptions<unknown>) => unknown;

/** Options of `mandateMcpTools`. */
export interface McpToolsOptions {
  /** The server's identity (its verifier's `audience`); default: the mandate's one audience. */
  readonly audience?: string;
  /**
   * Per tool name, the server's requirement for it (as its `mandate/mcp` guard declares it).
   * Optional; a tool listed here pauses for a human's approval before it is called when the
   * run's mandate requires one (`mandateToolApproval`). A tool not listed is called as is, and
   * the server's `MANDATE_APPROVAL_REQUIRED` comes back as a tool error.
   */
  readonly tools?: Readonly<Record<string, AgentToolRequirement>>;
}

/**
 * Wrap the tools of `mcpClient.tools()` so each call proves possession of the run's mandate
 * (from the tool context's `mandate`, as `mandateContext` sets it) for exactly the arguments
 * it sends, for the server `options.audience` (its verifier's; default: the mandate's one
 * audience), with the signed approvals a resumed run carries for it (`_meta`). The client must
 * use a transport made by `mandateTransport`. The server decides; its denial
 * (`MANDATE_DENIED`) comes back to the model as a tool error with the code and hop.
 */
export function mandateMcpTools<TOOLS extends ToolSet>(
  tools: TOOLS,
  options: McpToolsOptions = {},
): TOOLS {
  const out: Record<string, unknown> = {};
  for (const [name, tool] of Object.entries(tools)) {
    const execute = (tool as { execute?: Execute }).execute;
    if (typeof execute !== 'function') {
      out[name] = tool;
      continue;
    }
    const wrapped = {
      ...tool,
      execute: async (input: unknown, execution: ToolExecutionOptions<unknown>) => {
        const proof = await proveRemoteCall(name, input, execution.context, options.audience);
        const { args } = proof;
        const meta = {
          ...proof.meta,
          ...approvalsMeta(approvalsFor(execution.messages, execution.toolCallId)),
        };
        try {
          return await proven.run({ name, args, meta }, () => execute.call(tool, args, execution));
        } catch (error) {
          throw remoteDenial(error, name);
        }
      },
    };
    const requirement = options.tools?.[name];
    declareApprovalTarget(
      wrapped,
      requirement !== undefined && Object.hasOwn(options.tools ?? {}, name)
        ? requirement
        : undefined,
      options.audience,
    );
    out[name] = wrapped;
  }
  return out as TOOLS;
}
