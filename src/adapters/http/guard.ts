/**
 * The framework-independent core of `mandate/http`: credentials from the headers, the action
 * from the route table, the request URL from the configured public origin, one `verify`, one
 * audit record, and a Decision or a ready-made denial response.
 */
import type { Action } from '../../core/types.js';
import type { Verifier } from '../../verify/verifier.js';
import { deniedFrom, type Allowed, type Denied } from '../../verify/decision.js';
import { isMandateError } from '../../core/errors.js';
import { toAuditor, type AuditOption } from '../../verify/audit.js';
import {
  AMBIGUOUS_TARGET,
  denialResponse,
  type DenialResponse,
  type HttpDenial,
} from './challenge.js';
import { readCredentials, type HeaderValue } from './credentials.js';
import {
  compileRoutes,
  matchRoute,
  resolveAction,
  routerParams,
  type RouteAction,
  type RouteContext,
  type RouteMatch,
  type RouteTable,
} from './routes.js';
import { readRequestTarget, type RequestTarget } from './request-target.js';
import { AmbiguousQueryError, routeQuery } from './query.js';

/** Options of every `mandate/http` server adapter. */
export interface HttpGuardOptions {
  /** The verifier (its `audience` is this service's identity). */
  readonly verifier: Verifier;
  /**
   * This service's public origin as clients address it, e.g. `'https://payments.example'`:
   * the URL a DPoP proof must be bound to is this origin plus the request's path. It comes
   * from configuration, never from the `Host` header (which a client or a proxy controls).
   */
  readonly publicOrigin: string;
  /** The route table: `'METHOD /path/:param'` -> action. Tried before `action`. */
  readonly routes?: RouteTable;
  /** A callback mapping a request to its action; return undefined for "no action". */
  readonly action?: (context: RouteContext) => Action | undefined | Promise<Action | undefined>;
  /**
   * What to do with a request no route maps to an action. Default `'deny'` (403). The
   * weaker `'pass-unauthenticated'` lets it through with no Decision: use it only for
   * routes that need no authority at all.
   */
  readonly unmatched?: 'deny' | 'pass-unauthenticated';
  /** Audit every decision (`createAuditor`, or a logger function). */
  readonly audit?: AuditOption;
  /** JWS algorithms advertised in challenges. Default `['Ed25519', 'ES256']`. */
  readonly algorithms?: readonly string[];
  /** RFC 9728 metadata URL advertised in challenges (`resource_metadata`). */
  readonly resourceMetadata?: string;
  /** Largest JSON body `json()` reads, in bytes. Default 1 MiB. */
  readonly maxBodyBytes?: number;
}

/** One request as an adapter hands it to the guard. */
export interface GuardInput {
  readonly method: string;
  /**
   * The target the framework's router dispatches on (origin-form `/path?q`, or absolute-form),
   * raw: the action is mapped from it. After a URL-rewriting middleware this is the rewritten
   * target (Express: `req.baseUrl` + `req.url`).
   */
  readonly target: string;
  /**
   * The target as the client sent it, when it differs from `target` (Express:
   * `req.originalUrl`): the URL a proof is bound to. Default `target`.
   */
  readonly originalTarget?: string;
  /**
   * The path the framework's router matches, percent-decoded, when the framework exposes it
   * (Hono: `c.req.path`). A request whose router path is not its target's path, decoded, is
   * denied as ambiguous: the router would dispatch on something the guard did not read.
   */
  readonly routerPath?: string;
  /**
   * The framework's own routing result, when the guard runs inside the route it dispatched
   * to (Express route-level middleware): the route's action and the params the framework
   * decoded (a wildcard's as an array of segments). The action comes from it; the table and
   * `unmatched` are not consulted.
   */
  readonly dispatched?: {
    readonly action: RouteAction;
    readonly params: Readonly<Record<string, unknown>>;
  };
  readonly authorization: HeaderValue;
  readonly dpop: HeaderValue;
  /** Reads the JSON body, bounded; undefined when there is none. */
  readonly json: (maxBytes: number) => Promise<unknown>;
}

/** The guard's answer. */
export type GuardResult =
  | { readonly kind: 'allowed'; readonly decision: Allowed; readonly action: Action }
  | { readonly kind: 'denied'; readonly decision: Denied; readonly response: DenialResponse }
  | { readonly kind: 'unmatched' };

/** A configured guard. */
export interface HttpGuard {
  check(input: GuardInput): Promise<GuardResult>;
}

function normalizeOrigin(origin: string): string {
  let url: URL;
  try {
    url = new URL(origin);
  } catch (cause) {
    throw new TypeError('publicOrigin must be an absolute http(s) origin', { cause });
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin === 'null') {
    throw new TypeError('publicOrigin must be an absolute http(s) origin');
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '') {
    throw new TypeError('publicOrigin must be an origin only (no path, query or credentials)');
  }
  return url.origin;
}

function deniedBy(code: Denied['code'], check: Denied['check'], reason: string): Denied {
  return { allowed: false, code, hop: 0, check, reason, detail: {} };
}

function ambiguous(reason: string, message: string, detail: Record<string, string> = {}): Denied {
  return {
    ...deniedBy('MANDATE_MALFORMED', 'limits', `ambiguous request target: ${message}`),
    detail: { reason, ...detail },
  };
}

/**
 * Both spellings of a request, read raw: the one the router dispatches on (`path`, `search`)
 * and the one the proof binds (`sent`); a denial when either is ambiguous or the framework's
 * router reads another path.
 */
function readTargets(input: GuardInput): (RequestTarget & { sent: RequestTarget }) | Denied {
  let where: RequestTarget;
  let sent: RequestTarget;
  try {
    where = readRequestTarget(input.target);
    sent = input.originalTarget === undefined ? where : readRequestTarget(input.originalTarget);
  } catch (error) {
    return isMandateError(error)
      ? deniedFrom(error)
      : ambiguous('unreadable', 'the target could not be read');
  }
  // A canonical path is valid UTF-8 without `%25`: decodeURI reads it as Hono does.
  if (input.routerPath !== undefined && input.routerPath !== decodeURI(where.path)) {
    return ambiguous('router-path', "the framework's router reads another path");
  }
  return { ...where, sent };
}

/** The framework's routing result as a route match; its params checked as the table's are. */
function dispatchedRoute(
  dispatched: NonNullable<GuardInput['dispatched']>,
): RouteMatch | { readonly kind: 'bad-params' } {
  const params = routerParams(dispatched.params);
  return params === undefined
    ? { kind: 'bad-params' }
    : { kind: 'matched', route: 'dispatched', action: dispatched.action, params };
}

/** Create the guard the node:http, Fetch-API and Express adapters share. */
export function createHttpGuard(options: HttpGuardOptions): HttpGuard {
  if (typeof options !== 'object' || options === null) throw new TypeError('options required');
  if (typeof options.verifier?.verify !== 'function') {
    throw new TypeError('verifier must be a verifier (createVerifier)');
  }
  const origin = normalizeOrigin(options.publicOrigin);
  if (options.routes === undefined && options.action === undefined) {
    throw new TypeError('give routes or an action callback: every request needs an action');
  }
  const routes = options.routes === undefined ? [] : compileRoutes(options.routes);
  const unmatched = options.unmatched ?? 'deny';
  if (unmatched !== 'deny' && unmatched !== 'pass-unauthenticated') {
    throw new TypeError("unmatched must be 'deny' or 'pass-unauthenticated'");
  }
  const auditor = toAuditor(options.audit);
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const challenge = {
    algorithms: options.algorithms ?? ['Ed25519', 'ES256'],
    ...(options.resourceMetadata === undefined
      ? {}
      : { resourceMetadata: options.resourceMetadata }),
  };

  return {
    async check(input) {
      const method = input.method.toUpperCase();
      const targets = readTargets(input);
      const sent = 'allowed' in targets ? undefined : targets.sent;
      const url = `${origin}${sent?.path ?? '/'}`;
      const { token, proof } = readCredentials(input.authorization, input.dpop);
      const credentialsPresented = token !== undefined;
      const deny = async (decision: Denied, action: Action | undefined, mapping?: HttpDenial) => {
        if (auditor !== undefined) {
          await auditor.record(decision, action ?? { resource: '', action: '' }, {
            transport: 'http',
            target: `${method} ${url}`,
          });
        }
        return {
          kind: 'denied' as const,
          decision,
          response: denialResponse(decision, { ...challenge, credentialsPresented }, mapping),
        };
      };
      if ('allowed' in targets) return deny(targets, undefined, AMBIGUOUS_TARGET);
      const where = targets;
      let bodyRead = false;
      let body: unknown;
      const context: RouteContext = {
        method,
        path: where.path,
        params: {},
        query: routeQuery(where.search),
        async json() {
          if (!bodyRead) {
            body = await input.json(maxBodyBytes);
            bodyRead = true;
          }
          return body;
        },
      };
      const matched =
        input.dispatched === undefined
          ? matchRoute(routes, method, where.path)
          : dispatchedRoute(input.dispatched);
      if (matched.kind === 'bad-params') {
        return deny(
          ambiguous('router-params', 'a param of the dispatched route is not one segment'),
          undefined,
          AMBIGUOUS_TARGET,
        );
      }
      if (matched.kind === 'ambiguous') {
        // A lenient router (Express) would run this route's handler; a strict one would not.
        // Neither passing it unauthenticated nor verifying a guess is safe.
        const message = `it reaches route "${matched.route}" only when case or a trailing slash is ignored`;
        return deny(
          ambiguous('route-spelling', message, { route: matched.route }),
          undefined,
          AMBIGUOUS_TARGET,
        );
      }
      let action: Action | undefined;
      try {
        if (matched.kind === 'matched') {
          action = await resolveAction(matched.action, { ...context, params: matched.params });
        } else if (options.action !== undefined) {
          action = await options.action(context);
        }
      } catch (error) {
        // A query name frameworks read differently: refused like any ambiguous target.
        if (error instanceof AmbiguousQueryError) {
          return deny(deniedFrom(error), undefined, AMBIGUOUS_TARGET);
        }
        // An unreadable body or a throwing mapper: the request names no action it may do.
        return deny(
          deniedBy(
            'MANDATE_MALFORMED',
            'authorize',
            error instanceof Error
              ? `the request could not be mapped: ${error.message}`
              : 'the request could not be mapped',
          ),
          undefined,
        );
      }
      if (action === undefined) {
        if (unmatched === 'pass-unauthenticated') return { kind: 'unmatched' };
        if (!credentialsPresented) {
          return deny(
            deniedBy('MANDATE_MALFORMED', 'limits', 'no mandate (Authorization: DPoP)'),
            undefined,
          );
        }
        return deny(
          deniedBy('MANDATE_FORBIDDEN', 'authorize', 'no route maps this request to an action'),
          undefined,
        );
      }
      if (!credentialsPresented) {
        return deny(
          deniedBy(
            'MANDATE_MALFORMED',
            'limits',
            'no mandate (expected Authorization: DPoP <mandate>)',
          ),
          action,
        );
      }
      let decision;
      try {
        decision = await options.verifier.verify(token, {
          action,
          ...(proof === undefined ? {} : { proof }),
          request: { method, url },
        });
      } catch {
        // Misuse (a route mapping to a malformed action): the server's fault, fail closed.
        return deny(
          deniedBy('MANDATE_INTERNAL', 'internal', 'the request could not be verified'),
          action,
        );
      }
      if (!decision.allowed) return deny(decision, action);
      await auditor?.record(decision, action, { transport: 'http', target: `${method} ${url}` });
      return { kind: 'allowed', decision, action };
    },
  };
}
