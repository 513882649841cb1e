/**
 * The framework-independent core of `mandate/http`: credentials from the headers, the action
 * from the route table, the request URL from the configured public origin, one `verify`, one
 * audit record, and a Decision or a ready-made denial response.
 */
import type { Action } from '../../core/types.js';
import type { Verifier } from '../../verify/verifier.js';
import type { Allowed, Denied } from '../../verify/decision.js';
import { toAuditor, type AuditOption } from '../audit.js';
import { denialResponse, type DenialResponse } from './challenge.js';
import { readCredentials, type HeaderValue } from './credentials.js';
import {
  compileRoutes,
  matchRoute,
  resolveAction,
  type RouteContext,
  type RouteTable,
} from './routes.js';

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
  /** The request target as received (origin-form `/path?q`, or absolute-form). */
  readonly target: string;
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

/** Path and query of a request target; never its authority (absolute-form is reduced). */
export function pathOf(target: string): { path: string; search: string } {
  // Prefix a fixed authority so `//evil.example/x` stays a path, not a host.
  const url = target.startsWith('/') ? new URL(`http://h${target}`) : new URL(target);
  return { path: url.pathname, search: url.search };
}

function deniedBy(code: Denied['code'], check: Denied['check'], reason: string): Denied {
  return { allowed: false, code, hop: 0, check, reason, detail: {} };
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
      let where;
      try {
        where = pathOf(input.target);
      } catch {
        where = undefined;
      }
      const url = `${origin}${where?.path ?? '/'}`;
      const { token, proof } = readCredentials(input.authorization, input.dpop);
      const credentialsPresented = token !== undefined;
      const deny = async (decision: Denied, action: Action | undefined) => {
        if (auditor !== undefined) {
          await auditor.record(decision, action ?? { resource: '', action: '' }, {
            transport: 'http',
            target: `${method} ${url}`,
          });
        }
        return {
          kind: 'denied' as const,
          decision,
          response: denialResponse(decision, { ...challenge, credentialsPresented }),
        };
      };
      if (where === undefined) {
        return deny(
          deniedBy('MANDATE_MALFORMED', 'limits', 'unparseable request target'),
          undefined,
        );
      }
      let bodyRead = false;
      let body: unknown;
      const context: RouteContext = {
        method,
        path: where.path,
        params: {},
        query: new URLSearchParams(where.search),
        async json() {
          if (!bodyRead) {
            body = await input.json(maxBodyBytes);
            bodyRead = true;
          }
          return body;
        },
      };
      let action: Action | undefined;
      try {
        const matched = matchRoute(routes, method, where.path);
        if (matched !== undefined) {
          action = await resolveAction(matched.action, { ...context, params: matched.params });
        } else if (options.action !== undefined) {
          action = await options.action(context);
        }
      } catch (error) {
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
