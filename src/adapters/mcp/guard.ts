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
import { toAuditor, type AuditOption } from '../../verify/audit.js';
import { changedArgument, type ChangedArgument } from './hand-off.js';
import { approvalOf, approvalsIn } from '../approval-transport.js';
import type { ApprovalNeeded } from '../../verify/approval-needed.js';

/** `params._meta` key of the mandate. */
export const META_MANDATE = 'dev.mandate/mandate';
export { META_APPROVALS } from '../approval-transport.js';
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
  /** For `MANDATE_APPROVAL_REQUIRED`: the approvals the call needs (docs/guides/approvals.md). */
  readonly approval?: ApprovalNeeded;
}

/** A tool call's arguments. */
export type ToolArgs = Readonly<Record<string, Json>>;

/**
 * What a tool needs: the resource it acts on and the action. Every argument of the call feeds
 * the constraints, exactly as sent and proven: the verifier authorizes a tool call on the
 * arguments its invocation proof binds (rule 8, possession), never on a projection of them. So a
 * capability for a tool names each argument it lets through (`{ constraint_type: 'wildcard' }`
 * for "any value", e.g. an argument that only picks the resource) or constrains none.
 */
export interface ToolRequirement {
  /** The resource acted on: fixed, or from the arguments (`(args) => \`billing:invoices/${args.invoice}\``). */
  readonly resource: string | ((args: ToolArgs) => string);
  readonly action: string;
}

/**
 * The action a call with `args` asks for under `requirement`. Throws where the requirement's
 * resource function throws or returns no string: the caller denies (the arguments name no
 * resource).
 */
export function actionFor(requirement: ToolRequirement, args: ToolArgs): Action {
  const resource =
    typeof requirement.resource === 'function' ? requirement.resource(args) : requirement.resource;
  if (typeof resource !== 'string') throw new TypeError('resource must be a string');
  return { resource, action: requirement.action, args };
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
    this.data = {
      code: denied.code,
      hop: denied.hop,
      check: denied.check,
      reason: denied.reason,
      ...approvalOf(denied),
    };
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

/** The McpServer members the guard hooks (private in the SDK's types; checked at guard time). */
interface McpServerInternals {
  executeToolHandler?: unknown;
  handleAutomaticTaskPolling?: unknown;
  _toolHandlersInitialized?: unknown;
}

type ToolHook = (this: unknown, tool: unknown, args: unknown, extra: object) => Promise<unknown>;

/** A call the guard let through: verified (with what), or a public tool. */
type Passed =
  | {
      readonly kind: 'verified';
      readonly decision: Allowed;
      readonly action: Action;
      readonly name: string;
      readonly args: ToolArgs;
    }
  | { readonly kind: 'public' };

const guardedServers = new WeakSet<object>();

const CHANGE_VERB = { added: 'adds', removed: 'removes', changed: 'changes' } as const;

/** The denial of a call whose arguments the tool's input schema would change. */
function changedByTheSchema(name: string, change: ChangedArgument): Denied {
  const which = change.argument === '' ? 'the arguments' : `argument "${change.argument}"`;
  return {
    ...denied(
      'MANDATE_MALFORMED',
      'authorize',
      `the input schema of ${name} ${CHANGE_VERB[change.change]} ${which}: send the arguments exactly as the tool takes them`,
    ),
    detail: { tool: name, argument: change.argument, change: change.change },
  };
}

/**
 * Guard every `tools/call` of an `McpServer`. Call it after the tools are registered (with
 * `registerTool` or `tool`; tools registered later are denied unless public).
 *
 * Two checks, both fail closed:
 * - before the SDK's own `tools/call` handler runs, the call is verified on the arguments
 *   exactly as sent (the invocation proof binds those);
 * - where the SDK hands the tool its arguments, after the tool's input schema has parsed them,
 *   those must equal the verified ones (RFC 8785 JSON equality; plain JSON only). A schema
 *   that adds a default, coerces, trims, lowercases, transforms, preprocesses, catches or strips
 *   an unknown key changes the call, and the call is denied (`MANDATE_MALFORMED`, check
 *   `authorize`, `detail.argument` naming the argument) before the tool runs.
 *
 * A `tools/call` handler set afterwards with the SDK's low-level `setRequestHandler` (or a
 * `removeRequestHandler('tools/call')`) would bypass both: it throws a `TypeError` and the guard
 * stays. The tool runs only through the hooked hand-off; a path that skips it is denied.
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
  if (guardedServers.has(server)) throw new TypeError('this McpServer is already guarded');
  const publicTools = new Set(options.publicTools ?? []);
  const auditor = toAuditor(options.audit);
  // The SDK keeps its handlers in a Map on the low-level Server (`Protocol`); we wrap the one
  // McpServer installed for tools/call so that nothing runs before the verifier has decided.
  const low = server.server as unknown as {
    _requestHandlers?: unknown;
    setRequestHandler: (...args: unknown[]) => unknown;
    removeRequestHandler: (method: string) => unknown;
  };
  const handlers = low._requestHandlers;
  const internals = server as unknown as McpServerInternals;
  if (
    !(handlers instanceof Map) ||
    typeof internals.executeToolHandler !== 'function' ||
    typeof internals.handleAutomaticTaskPolling !== 'function'
  ) {
    throw new TypeError('unsupported MCP SDK: no request handler map or tool hand-off');
  }
  const original = handlers.get('tools/call') as RawHandler | undefined;
  if (typeof original !== 'function') {
    throw new TypeError('register the tools before guarding them (no tools/call handler yet)');
  }
  if (internals._toolHandlersInitialized !== true) {
    // A tools/call handler McpServer did not install never reaches the hand-off check.
    throw new TypeError(
      'tools/call was set with the low-level setRequestHandler: guard tools registered with registerTool or tool',
    );
  }
  const passed = new WeakMap<object, Passed>();
  const lateDenials = new WeakMap<object, Denied>();
  const refuse = (extra: object, denial: Denied): never => {
    lateDenials.set(extra, denial);
    throw new DenialError(denial);
  };
  const unguarded = (): Denied =>
    denied('MANDATE_INTERNAL', 'internal', 'a tool was reached without passing the guard');

  // The hand-off: the SDK calls this with the arguments its schema parsed, just before the tool.
  const execute = internals.executeToolHandler as ToolHook;
  internals.executeToolHandler = async function handOff(tool, args, extra) {
    const pass = passed.get(extra);
    if (pass === undefined) return refuse(extra, unguarded());
    if (pass.kind === 'verified') {
      // `undefined`: the tool declares no input schema and is called without arguments.
      const change = args === undefined ? undefined : changedArgument(pass.args, args);
      if (change !== undefined) return refuse(extra, changedByTheSchema(pass.name, change));
      await auditor?.record(pass.decision, pass.action, { transport: 'mcp', target: pass.name });
      decisions.set(extra, { decision: pass.decision, action: pass.action });
    }
    return execute.call(server, tool, args, extra);
  } satisfies ToolHook;
  // Task tools with automatic polling call the tool without the hand-off above: only public ones.
  const poll = internals.handleAutomaticTaskPolling as ToolHook;
  internals.handleAutomaticTaskPolling = async function pollTask(tool, request, extra) {
    const pass = passed.get(extra);
    if (pass?.kind !== 'public') {
      return refuse(
        extra,
        pass === undefined
          ? unguarded()
          : denied(
              'MANDATE_MALFORMED',
              'authorize',
              `${pass.name} runs as a polled task, whose arguments the guard cannot see: call it as a task or register it with registerTool`,
            ),
      );
    }
    return poll.call(server, tool, request, extra);
  } satisfies ToolHook;

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
    const requirement = Object.hasOwn(options.tools, name) ? options.tools[name] : undefined;
    if (requirement === undefined) {
      if (publicTools.has(name)) {
        passed.set(extra, { kind: 'public' });
        return original(request, extra);
      }
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
      action = actionFor(requirement, toolArgs);
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
        ...approvalsIn(meta),
      });
    } catch {
      return fail(denied('MANDATE_INTERNAL', 'internal', 'the call could not be verified'), action);
    }
    if (!decision.allowed) return fail(decision, action);
    passed.set(extra, { kind: 'verified', decision, action, name, args: toolArgs });
    let result: unknown;
    try {
      result = await original(request, extra);
    } catch (error) {
      const late = lateDenials.get(extra);
      if (late !== undefined) return fail(late, action);
      throw error;
    }
    // The SDK turns a throw inside its handler into a tool error result; a denial at the
    // hand-off goes back as the JSON-RPC denial every other refusal is.
    const late = lateDenials.get(extra);
    if (late !== undefined) return fail(late, action);
    return result;
  };
  handlers.set('tools/call', guarded);
  guardedServers.add(server);

  // The low-level API replaces handlers silently: refuse anything that would drop the guard.
  const setRequestHandler = low.setRequestHandler;
  low.setRequestHandler = function guardedSetRequestHandler(...args: unknown[]) {
    const out = setRequestHandler.apply(low, args);
    if (handlers.get('tools/call') !== guarded) {
      handlers.set('tools/call', guarded);
      throw new TypeError(
        'tools/call is guarded by mandate/mcp: a handler set now would bypass it',
      );
    }
    return out;
  };
  const removeRequestHandler = low.removeRequestHandler;
  low.removeRequestHandler = function guardedRemoveRequestHandler(method: string) {
    if (method === 'tools/call') {
      throw new TypeError('tools/call is guarded by mandate/mcp: it cannot be removed');
    }
    return removeRequestHandler.call(low, method);
  };
}
