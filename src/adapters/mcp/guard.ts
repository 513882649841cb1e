/**
 * The MCP tool guard: every `tools/call` is verified before the tool runs. A tool declares the
 * capability it needs (resource, action, which arguments feed the constraints); the call
 * carries the mandate and an invocation proof (binding the tool name and its arguments) in
 * `params._meta`; a denial is a JSON-RPC error (`MANDATE_DENIED`) whose `data` holds the code.
 *
 * Not checked here, and left to the caller: that the tool does what its declaration says (a
 * tool declared `read` that pays defeats the check). The handler sees the Decision, never
 * the token: a tool calling onward delegates a narrower mandate of its own (token passthrough
 * would fail anyway: the next service wants a proof by the caller's key and its own audience).
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Action, Json } from '../../core/types.js';
import type { Allowed, Denied } from '../../verify/decision.js';
import type { Verifier } from '../../verify/verifier.js';
import { toAuditor, type AuditOption } from '../audit.js';

/** `params._meta` key of the mandate. */
export const META_MANDATE = 'dev.mandate/mandate';
/** `params._meta` key of the invocation proof. */
export const META_PROOF = 'dev.mandate/proof';
/** JSON-RPC error code of a denial (server-defined range). `data` is `MandateDenialData`. */
export const MANDATE_DENIED = -32003;

/** The `data` of a denial error. */
export interface MandateDenialData {
  readonly code: Denied['code'];
  readonly hop: number;
  readonly check: Denied['check'];
  readonly reason: string;
}

type ToolArgs = Readonly<Record<string, Json>>;

/**
 * What a tool needs: the resource it acts on and the action. Every argument of the call feeds
 * the constraints, exactly as sent and proven: the verifier authorizes a tool call on the
 * arguments its invocation proof binds (DESIGN.md rule 8), never on a projection of them. So a
 * capability for a tool names each argument it lets through (`{ constraint_type: 'wildcard' }`
 * for "any value", e.g. an argument that only picks the resource) or constrains none.
 */
export interface ToolRequirement {
  /** The resource acted on: fixed, or from the arguments (`(args) => \`billing:invoices/${args.invoice}\``). */
  readonly resource: string | ((args: ToolArgs) => string);
  readonly action: string;
}

/** Options of `guardTools`. */
export interface McpGuardOptions {
  readonly verifier: Verifier;
  /** Per tool name, the capability it needs. A tool not listed is denied (unless public). */
  readonly tools: Readonly<Record<string, ToolRequirement>>;
  /** Tools that need no authority at all (weakens the guard: listed by name only). */
  readonly publicTools?: readonly string[];
  readonly audit?: AuditOption;
}

/** Thrown to the SDK, which turns it into the JSON-RPC error response. */
class DenialError extends Error {
  readonly code = MANDATE_DENIED;
  readonly data: MandateDenialData;
  constructor(denied: Denied) {
    super(`${denied.code}: ${denied.reason}`);
    this.data = { code: denied.code, hop: denied.hop, check: denied.check, reason: denied.reason };
  }
}

const decisions = new WeakMap<object, { decision: Allowed; action: Action }>();

/** The Decision of the call a tool handler is serving (`extra` is the handler's second argument). */
export function mandateOf(extra: object): { decision: Allowed; action: Action } | undefined {
  return decisions.get(extra);
}

type RawHandler = (
  request: { method: string; params?: Record<string, unknown> },
  extra: object,
) => Promise<unknown>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function denied(code: Denied['code'], check: Denied['check'], reason: string): Denied {
  return { allowed: false, code, hop: 0, check, reason, detail: {} };
}

/**
 * Guard every `tools/call` of an `McpServer`. Call it after the tools are registered. The
 * SDK's own `tools/call` handler (which validates the input and runs the tool) runs only
 * after the call is allowed; the proof is checked against the arguments exactly as sent.
 */
export function guardTools(server: McpServer, options: McpGuardOptions): void {
  if (typeof options?.verifier?.verify !== 'function') throw new TypeError('verifier required');
  if (typeof options.tools !== 'object' || options.tools === null)
    throw new TypeError('tools required');
  for (const [name, requirement] of Object.entries(options.tools)) {
    if (
      (typeof requirement?.resource !== 'string' && typeof requirement?.resource !== 'function') ||
      typeof requirement.action !== 'string'
    ) {
      throw new TypeError(`tools.${name} needs { resource, action }`);
    }
  }
  const publicTools = new Set(options.publicTools ?? []);
  const auditor = toAuditor(options.audit);
  // The SDK keeps its handlers in a Map on the low-level Server (`Protocol`); we wrap the one
  // McpServer installed for tools/call so that nothing runs before the verifier has decided.
  const handlers = (server.server as unknown as { _requestHandlers?: unknown })._requestHandlers;
  if (!(handlers instanceof Map))
    throw new TypeError('unsupported MCP SDK: no request handler map');
  const original = handlers.get('tools/call') as RawHandler | undefined;
  if (typeof original !== 'function') {
    throw new TypeError('register the tools before guarding them (no tools/call handler yet)');
  }
  const guarded: RawHandler = async (request, extra) => {
    const params = isPlainObject(request.params) ? request.params : {};
    const name = params.name;
    const args = params.arguments ?? {};
    const meta = isPlainObject(params._meta) ? params._meta : {};
    const fail = async (denial: Denied, action: Action) => {
      await auditor?.record(denial, action, { transport: 'mcp', target: String(name) });
      throw new DenialError(denial);
    };
    const nothing = { resource: '', action: '' };
    if (typeof name !== 'string') {
      // Fail closed: a call that names no tool is never handed on unverified.
      return fail(denied('MANDATE_MALFORMED', 'limits', 'the call names no tool'), nothing);
    }
    const requirement = options.tools[name];
    if (requirement === undefined) {
      if (publicTools.has(name)) return original(request, extra);
      return fail(
        denied('MANDATE_FORBIDDEN', 'authorize', `tool ${name} declares no capability`),
        nothing,
      );
    }
    if (!isPlainObject(args)) {
      return fail(
        denied('MANDATE_MALFORMED', 'limits', 'tool arguments must be an object'),
        nothing,
      );
    }
    const toolArgs = args as ToolArgs;
    let action: Action;
    try {
      const resource =
        typeof requirement.resource === 'function'
          ? requirement.resource(toolArgs)
          : requirement.resource;
      if (typeof resource !== 'string') throw new TypeError('resource must be a string');
      action = { resource, action: requirement.action, args: toolArgs };
    } catch {
      return fail(
        denied('MANDATE_MALFORMED', 'authorize', `the arguments of ${name} name no resource`),
        nothing,
      );
    }
    const token = meta[META_MANDATE];
    const proof = meta[META_PROOF];
    if (typeof token !== 'string' || token.length === 0) {
      return fail(
        denied('MANDATE_MALFORMED', 'limits', `no mandate in _meta["${META_MANDATE}"]`),
        action,
      );
    }
    let decision;
    try {
      decision = await options.verifier.verify(token, {
        action,
        ...(typeof proof === 'string' ? { proof } : {}),
        request: { tool: name, args: toolArgs },
      });
    } catch {
      return fail(denied('MANDATE_INTERNAL', 'internal', 'the call could not be verified'), action);
    }
    if (!decision.allowed) return fail(decision, action);
    await auditor?.record(decision, action, { transport: 'mcp', target: name });
    decisions.set(extra, { decision, action });
    return original(request, extra);
  };
  handlers.set('tools/call', guarded);
}
