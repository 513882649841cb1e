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
  /**
   * Params of the matched route, percent-decoded: a `:name` is one segment (never containing
   * `/`); a trailing `*name` is one or more segments, each decoded, joined with `/`.
   */
  readonly params: Readonly<Record<string, string>>;
  /**
   * The query. Reading a name that frameworks read differently denies the request as ambiguous
   * (400, `detail.reason` `repeated-query`): `get` of a repeated name (Express hands the
   * handler an array, others the first or last value), or any read of a name that also occurs
   * as `name[...]` (`qs` brackets), or any read of a query with an invalid `%`-escape or
   * invalid UTF-8 (`bad-query-encoding`). `getAll` of a repeated name is allowed.
   */
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

/**
 * `{ 'POST /invoices/:id/pay': ... }`; the method may be `*`; a last segment `*name` matches
 * one or more segments (Express 5's `*name`). Literal segments are plain RFC 3986 characters
 * (no `%`, `;`, `:` or `*`); write the table in the case and with the trailing slash your
 * routes use: a request that differs only there is denied as ambiguous.
 */
export type RouteTable = Readonly<Record<string, RouteAction>>;

interface CompiledRoute {
  /** The table key, as written (`'POST /invoices/:id/pay'`). */
  readonly key: string;
  readonly method: string;
  readonly segments: readonly string[];
  readonly action: RouteAction;
}

// A literal segment: characters every router reads alike, raw (no `%`, no `;`, no `:` or `*`,
// which path-to-regexp and Hono read as params or wildcards).
const LITERAL = /^[A-Za-z0-9\-._~!$&'()+,=@]*$/;
const NAME = /^[:*][A-Za-z_][A-Za-z0-9_]*$/;

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
    segments.forEach((segment, i) => {
      const last = i === segments.length - 1;
      if (segment.startsWith(':') || segment.startsWith('*')) {
        if (!NAME.test(segment)) throw new TypeError(`route "${key}": bad parameter ${segment}`);
        if (segment.startsWith('*') && !last) {
          throw new TypeError(`route "${key}": a wildcard ${segment} must be the last segment`);
        }
      } else if (
        !LITERAL.test(segment) ||
        segment === '.' ||
        segment === '..' ||
        (segment === '' && !last)
      ) {
        throw new TypeError(`route "${key}": segment "${segment}" is not a plain path segment`);
      }
    });
    return { key, method: match[1] ?? '*', segments, action };
  });
}

/** A decoded param becomes part of a resource name: it must stay one plain segment. */
function isSegment(value: string): boolean {
  return (
    value !== '' &&
    value !== '.' &&
    value !== '..' &&
    !value.includes('/') &&
    !/[\p{Cc}]/u.test(value)
  );
}

function decodeParam(raw: string): string | undefined {
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  return isSegment(value) ? value : undefined;
}

/**
 * Params a framework's router decoded (Express: a string per `:name`, an array of segments per
 * `*name`), checked as the table's are and joined as the table joins a wildcard; undefined when
 * one is not a segment (or a list of segments).
 */
export function routerParams(
  params: Readonly<Record<string, unknown>>,
): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    const segments = Array.isArray(value) ? (value as unknown[]) : [value];
    if (segments.length === 0) return undefined;
    for (const segment of segments) {
      if (typeof segment !== 'string' || !isSegment(segment)) return undefined;
    }
    out[name] = segments.join('/');
  }
  return out;
}

/**
 * How the route's literal segments are compared: `exact`, or `lenient` as the most lenient
 * supported router reads them (Express: ASCII case-insensitive, one trailing slash ignored).
 */
type Reading = 'exact' | 'lenient';

function withoutTrailingSlash(parts: readonly string[]): readonly string[] {
  return parts.length > 1 && parts[parts.length - 1] === '' ? parts.slice(0, -1) : parts;
}

function paramsOf(
  route: CompiledRoute,
  requestParts: readonly string[],
  reading: Reading,
): Record<string, string> | undefined {
  const segments = reading === 'exact' ? route.segments : withoutTrailingSlash(route.segments);
  const parts = reading === 'exact' ? requestParts : withoutTrailingSlash(requestParts);
  const params: Record<string, string> = {};
  for (const [i, segment] of segments.entries()) {
    if (segment.startsWith('*')) {
      // One or more further segments, each decoded on its own (as path-to-regexp's `*name`).
      const rest = parts.slice(i).map(decodeParam);
      if (rest.length === 0 || rest.some((value) => value === undefined)) return undefined;
      params[segment.slice(1)] = rest.join('/');
      return params;
    }
    if (i >= parts.length) return undefined;
    const part = parts[i] ?? '';
    if (segment.startsWith(':')) {
      const value = decodeParam(part);
      if (value === undefined) return undefined;
      params[segment.slice(1)] = value;
    } else if (
      reading === 'exact' ? segment !== part : segment.toLowerCase() !== part.toLowerCase()
    ) {
      return undefined;
    }
  }
  return segments.length === parts.length ? params : undefined;
}

/** What the route table says about a request. */
export type RouteMatch =
  | {
      readonly kind: 'matched';
      readonly route: string;
      readonly action: RouteAction;
      readonly params: Record<string, string>;
    }
  /** A route a lenient router would dispatch to, but spelled differently: deny, never guess. */
  | { readonly kind: 'ambiguous'; readonly route: string }
  | { readonly kind: 'none' };

/**
 * The first route (in table order, as routers try them) that the request could reach. HEAD
 * reaches GET routes, as in Express and Hono. A route reached only when case or one trailing
 * slash is ignored is `ambiguous`: Express would run its handler, Hono would not, and the
 * guard must neither let it pass unauthenticated nor verify a guess. `path` must already be
 * canonical (`readRequestTarget`).
 */
export function matchRoute(
  routes: readonly CompiledRoute[],
  method: string,
  path: string,
): RouteMatch {
  const parts = path.split('/').slice(1);
  for (const route of routes) {
    if (route.method !== '*' && route.method !== method) {
      if (!(method === 'HEAD' && route.method === 'GET')) continue;
    }
    const params = paramsOf(route, parts, 'exact');
    if (params !== undefined) {
      return { kind: 'matched', route: route.key, action: route.action, params };
    }
    if (paramsOf(route, parts, 'lenient') !== undefined) {
      return { kind: 'ambiguous', route: route.key };
    }
  }
  return { kind: 'none' };
}

/** Turn a matched route's action into the `Action` to verify. */
export async function resolveAction(action: RouteAction, context: RouteContext): Promise<Action> {
  if (typeof action === 'function') return action(context);
  // Only `:name` right after a `/` is a param (also for a `*name` route): the scheme's `:`
  // (`billing:`) is not.
  const resource = action.resource.replace(/\/:([A-Za-z_][A-Za-z0-9_]*)/g, (whole, name: string) =>
    name in context.params ? `/${context.params[name]}` : whole,
  );
  const args = action.args === undefined ? undefined : await action.args(context);
  return { resource, action: action.action, ...(args === undefined ? {} : { args }) };
}
