/**
 * Calling a remote `mandate/mcp` tool from an agent run: prove possession of the run's mandate
 * for exactly the arguments sent, and turn the server's denial back into a `ToolDeniedError`
 * (code and hop for the model). The server verifies; nothing is decided here.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { isMandateError } from '../core/errors.js';
import type { Json } from '../core/types.js';
import { prove } from '../proof/prove.js';
import { mandateDenial } from './mcp/client.js';
import { META_MANDATE, META_PROOF } from './mcp/guard.js';
import { META_APPROVALS } from './approval-transport.js';
import { authorityIn, unsealAuthority } from './run-authority.js';
import { denial, snapshotArgs, ToolDeniedError, type ToolDenial } from './tool-guard.js';

/** A call proven for a remote tool: the frozen arguments to send and the `_meta` to send with. */
export interface ProvenCall {
  readonly args: Readonly<Record<string, Json>>;
  readonly meta: Readonly<Record<string, string | readonly string[]>>;
}

/**
 * Prove the call `tool(input)` with the authority of the run `context` holds, for the server
 * `audience` (default: the mandate's one audience), with the signed `approvals` of this call
 * when it has them.
 * @throws ToolDeniedError when the run holds no mandate or no key for it, or the arguments are
 * not JSON (nothing is sent then).
 */
export async function proveRemoteCall(
  tool: string,
  input: unknown,
  context: unknown,
  audience?: string,
  approvals?: readonly string[],
): Promise<ProvenCall> {
  const call = { tool, args: input, context };
  let args: Readonly<Record<string, Json>>;
  try {
    args = snapshotArgs(input);
  } catch (error) {
    const reason = isMandateError(error) ? error.message : 'tool arguments are not JSON';
    throw new ToolDeniedError(denial('MANDATE_MALFORMED', 'limits', reason, call));
  }
  const authority = authorityIn(context);
  if (authority === undefined) {
    throw new ToolDeniedError(
      denial('MANDATE_MALFORMED', 'limits', 'no mandate in the run context', call),
    );
  }
  const { token, signer } = unsealAuthority(authority);
  if (signer === undefined) {
    throw new ToolDeniedError(
      denial('MANDATE_PROOF_MISSING', 'possession', 'the run holds no key to prove with', call),
    );
  }
  let proof: string;
  try {
    proof = await prove(token, {
      signer,
      request: { tool, args },
      ...(audience === undefined ? {} : { audience }),
    });
  } catch (error) {
    if (!isMandateError(error)) throw error;
    throw new ToolDeniedError(denial(error.code, error.check, error.message, call, error.hop ?? 0));
  }
  return {
    args,
    meta: {
      [META_MANDATE]: token,
      [META_PROOF]: proof,
      ...(approvals === undefined ? {} : { [META_APPROVALS]: [...approvals] }),
    },
  };
}

/** The server's denial carried by an MCP error, as a `ToolDeniedError`; anything else as is. */
export function remoteDenial(error: unknown, tool: string): unknown {
  const data = mandateDenial(error);
  if (data === undefined) return error;
  const denied: ToolDenial = { denied: true, ...data, tool };
  return new ToolDeniedError(denied);
}

type CallResult = Awaited<ReturnType<Client['callTool']>>;

/**
 * Call `name` on a `mandate/mcp` server through the official MCP SDK client, with the run's
 * mandate and a fresh proof for exactly `input`, made for the server `audience` (its
 * verifier's; default: the mandate's one audience), and the signed `approvals` of this call
 * when a human approved it.
 * @throws ToolDeniedError on a local refusal or the server's denial.
 */
export async function callMcpTool(
  client: Client,
  name: string,
  input: unknown,
  context: unknown,
  audience?: string,
  approvals?: readonly string[],
): Promise<CallResult> {
  const { args, meta } = await proveRemoteCall(name, input, context, audience, approvals);
  try {
    return await client.callTool({ name, arguments: args, _meta: meta });
  } catch (error) {
    throw remoteDenial(error, name);
  }
}

/** The text of an MCP tool result (or its structured content as JSON when it has no text). */
export function resultText(result: object): string {
  const { content, structuredContent } = result as {
    content?: unknown;
    structuredContent?: unknown;
  };
  const parts: unknown[] = Array.isArray(content) ? content : [];
  const texts = parts
    .filter(
      (part): part is { type: 'text'; text: string } =>
        typeof part === 'object' && part !== null && (part as { type?: unknown }).type === 'text',
    )
    .map((part) => part.text);
  return texts.length > 0 ? texts.join('\n') : JSON.stringify(structuredContent ?? null);
}
