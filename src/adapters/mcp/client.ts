/** The MCP client side: send a tool call with a mandate and an invocation proof in `_meta`. */
import { tokenOf } from '../../core/token-of.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Json, KeyPair, MandateLike } from '../../core/types.js';
import { prove } from '../../proof/prove.js';
import type { DeputyTarget } from '../../proof/deputy.js';
import { MANDATE_DENIED, META_MANDATE, META_PROOF, type MandateDenialData } from './guard.js';

type CallResult = Awaited<ReturnType<Client['callTool']>>;

/**
 * Call a tool presenting `mandate` (whose last holder is `signer`) with a fresh invocation
 * proof bound to the tool name and these exact arguments. Prefer `deputy.call(mcpTarget(...))`,
 * which first narrows the mandate to this one call; this raw form sends the mandate as is.
 */
export async function callToolWithMandate(
  client: Client,
  call: { readonly name: string; readonly arguments: Readonly<Record<string, Json>> },
  credentials: {
    readonly mandate: MandateLike;
    readonly signer: KeyPair;
    /** The tool server's identity; needed when the mandate's audience names several. */
    readonly audience?: string;
  },
): Promise<CallResult> {
  const token = tokenOf(credentials.mandate, 'callToolWithMandate');
  const proof = await prove(token, {
    signer: credentials.signer,
    request: { tool: call.name, args: call.arguments },
    ...(credentials.audience === undefined ? {} : { audience: credentials.audience }),
  });
  return client.callTool({
    name: call.name,
    arguments: call.arguments,
    _meta: { [META_MANDATE]: token, [META_PROOF]: proof },
  });
}

/** Options of `mcpTarget`. */
export interface McpTargetOptions {
  readonly client: Client;
  readonly tool: string;
  /** The tool server's identity (its verifier's `audience`). */
  readonly audience: string;
}

/** An MCP tool as a deputy target: `deputy.call(mcpTarget(...), action, args)`. */
export function mcpTarget(options: McpTargetOptions): DeputyTarget<CallResult> {
  return {
    audience: options.audience,
    send: (call) =>
      callToolWithMandate(options.client, { name: options.tool, arguments: call.args }, call),
  };
}

/** The Mandate denial carried by an MCP error, or undefined if it is not one. */
export function mandateDenial(error: unknown): MandateDenialData | undefined {
  const e = error as { code?: unknown; data?: unknown } | null;
  if (typeof e !== 'object' || e === null || e.code !== MANDATE_DENIED) return undefined;
  const data = e.data as Partial<MandateDenialData> | undefined;
  if (typeof data?.code !== 'string' || typeof data.hop !== 'number') return undefined;
  return data as MandateDenialData;
}
