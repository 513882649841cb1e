/**
 * Mapping a request to the `action` it asks for: a route table (`'POST /invoices/:id/pay'`)
 * or a callback. The action must describe the request being served; it is derived from the
 * request here, never from anything the caller claims about itself.
 */
import type { Action, Json } from '../../core/types.js';

/** What a route's action function sees. */
export interface RouteContext {
  readonly method: string;
  /** The path, still percent-encoded, without the query. */
  readonly path: string;
  /** `:name` segments of the matched route, percent-decoded (never containing `/`). */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The JSON body (read once, bounded by `maxBodyBytes`); undefined when there is none. */
  json(): Promise<unknown>;
}

/**
 * A route's action: a function of the request, or a template whose `resource` may name
 * params (`'billing:invoices/:id'`) and whose `args` picks what feeds the constraints.
 */
export type RouteAction =
  | ((context: RouteContext) => Action | Promise<Action>)
  | {
      readonly resource: string;
      readonly action: string;
      readonly args?: (
        context: RouteContext,
      ) => Record<string, Json> | Promise<Record<string, Json>>;
    };

/** `{ 'POST /invoices/:id/pay': ... }`; the method may be `*`. */
export type RouteTable = Readonly<Record<string, RouteAction>>;

interface CompiledRoute {
  readonly method: string;
  readonly segments: readonly string[];
  readonly action: RouteAction;
}

/** Validate and compile a route table once (misuse throws TypeError at construction). */
export function compileRoutes(table: RouteTable): readonly CompiledRoute[] {
  if (typeof table !== 'object' || table === null) throw new TypeError('routes must be an object');
  return Object.entries(table).map(([key, action]) => {
    const match = /^([A-Z]+|\*) (\/\S*)$/.exec(key);
    if (match === null) throw new TypeError(`route "${key}" must look like "POST /path/:param"`);
    if (typeof action !== 'function' && (typeof action !== 'object' || action === null)) {
      throw new TypeError(`route "${key}" needs an action`);
    }
    const segments = (match[2] ?? '/').split('/').slice(1);
    for (const segment of segments) {
      if (segment.startsWith(':') && !/^:[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) {
        throw new TypeError(`route "${key}": bad parameter ${segment}`);
      }
    }
    return { method: match[1] ?? '*', segments, action };
  });
}

function decodeParam(raw: string): string | undefined {
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  // A param becomes part of a resource name: it must stay one segment.
  if (value === '' || value.includes('/') || /[\p{Cc}]/u.test(value)) return undefined;
  return value;
}

/** The route matching a request, with its params; undefined when none does. */
export function matchRoute(
  routes: readonly CompiledRoute[],
  method: string,
  path: string,
): { action: RouteAction; params: Record<string, string> } | undefined {
  const parts = path.split('/').slice(1);
  outer: for (const route of routes) {
    if (route.method !== '*' && route.method !== method) continue;
    if (route.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    for (const [i, segment] of route.segments.entries()) {
      const part = parts[i] ?? '';
      if (segment.startsWith(':')) {
        const value = decodeParam(part);
        if (value === undefined) continue outer;
        params[segment.slice(1)] = value;
      } else if (segment !== part) {
        continue outer;
      }
    }
    return { action: route.action, params };
  }
  return undefined;
}

/** Turn a matched route's action into the `Action` to verify. */
export async function resolveAction(action: RouteAction, context: RouteContext): Promise<Action> {
  if (typeof action === 'function') return action(context);
  // Only `:name` right after a `/` is a param: the scheme's `:` (`billing:`) is not.
  const resource = action.resource.replace(/\/:([A-Za-z_][A-Za-z0-9_]*)/g, (whole, name: string) =>
    name in context.params ? `/${context.params[name]}` : whole,
  );
  const args = action.args === undefined ? undefined : await action.args(context);
  return { resource, action: action.action, ...(args === undefined ? {} : { args }) };
}
