/** `mandate/http` for Express (4 and 5). Express is not imported: the types are structural. */
import { APPROVAL_HEADER } from './credentials.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readNodeJson } from './body.js';
import {
  createHttpGuard,
  type GuardInput,
  type HttpGuard,
  type HttpGuardOptions,
} from './guard.js';
import { setMandate, type MandateContext } from './node.js';
import type { RouteAction } from './routes.js';

/** The part of an Express request the middleware uses. */
export type ExpressLikeRequest = IncomingMessage & {
  originalUrl?: string;
  /** The path a mounting router or app matched (`''` at the top level). */
  baseUrl?: string;
  /** The params Express's router decoded for the route it dispatched to. */
  params?: Readonly<Record<string, unknown>>;
  body?: unknown;
  mandate?: MandateContext;
};

/** The Express middleware `mandateExpress` returns. */
export type ExpressMiddleware = (
  req: ExpressLikeRequest,
  res: ExpressLikeResponse,
  next: (error?: unknown) => void,
) => void;
/** The part of an Express response the middleware uses. */
export type ExpressLikeResponse = ServerResponse & { locals?: Record<string, unknown> };

function splitTarget(target: string): { path: string; search: string } {
  // Under a mount, Express keeps an absolute-form target's `scheme://host` in front of req.url.
  const originForm = target.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/, '');
  const question = originForm.indexOf('?');
  return question === -1
    ? { path: originForm, search: '' }
    : { path: originForm.slice(0, question), search: originForm.slice(question) };
}

/**
 * The full target Express's router dispatches the rest of this request on: `req.url` (as a
 * URL-rewriting middleware may have left it) under the mount path `req.baseUrl`.
 */
function routedTarget(req: ExpressLikeRequest): string {
  const url = req.url ?? '/';
  const base = req.baseUrl ?? '';
  if (base === '') return url;
  const { path, search } = splitTarget(url);
  if (!path.startsWith('/')) return url;
  // Express turns an empty remainder into `/`: `/api` under a mount at `/api` is not `/api/`.
  const bare = path === '/' && !splitTarget(req.originalUrl ?? '').path.endsWith('/');
  return `${base}${bare ? '' : path}${search}`;
}

/**
 * Express middleware. On success the context is on `req.mandate`, `res.locals.mandate` and
 * `mandateOf(req)`. The route table matches the full path the router dispatches on:
 * `req.baseUrl` + `req.url`, so under a mounted router too, and after a URL-rewriting
 * middleware placed before this one; the proof is bound to `req.originalUrl`, the URL the client
 * sent. A rewrite placed after this middleware is not seen: mount it after every rewrite. The
 * table follows Express's own reading: HEAD reaches GET routes, and a request that matches a
 * route only case-insensitively or with a trailing slash is denied (400). A body parsed by an
 * earlier `express.json()` is used as is; otherwise the JSON body is read (bounded) and left on
 * `req.body`.
 */
export function mandateExpress(options: HttpGuardOptions): ExpressMiddleware {
  return guardExpress(createHttpGuard(options), () => undefined);
}

/**
 * Route-level Express middleware: the action comes from Express's own routing result, the
 * route it dispatched to and the params it decoded, never from a table that re-derives it.
 * `app.post('/invoices/:id/pay', mandateExpressRoute(options, { resource: 'billing:invoices/:id',
 * action: 'pay' }), handler)`: the action's `:name` are that route's params (a `*name` wildcard's
 * segments joined with `/`). It runs only when Express runs this route (also for HEAD on a GET
 * route, verified as its action with the proof bound to HEAD), so whatever case or trailing
 * slash Express accepted, the action verified is the one the handler runs. An ambiguous target
 * is still denied (400) first, and a param that is not one segment is denied.
 */
export function mandateExpressRoute(
  options: Omit<HttpGuardOptions, 'routes' | 'action' | 'unmatched'>,
  action: RouteAction,
): ExpressMiddleware {
  // No table: every request this middleware sees is one Express dispatched to its route.
  const guard = createHttpGuard({ ...options, routes: {} });
  return guardExpress(guard, (req) => ({ action, params: req.params ?? {} }));
}

function guardExpress(
  guard: HttpGuard,
  dispatched: (req: ExpressLikeRequest) => GuardInput['dispatched'],
): ExpressMiddleware {
  return (req, res, next) => {
    const route = dispatched(req);
    guard
      .check({
        method: req.method ?? 'GET',
        target: routedTarget(req),
        originalTarget: req.originalUrl ?? req.url ?? '/',
        ...(route === undefined ? {} : { dispatched: route }),
        authorization: req.headers.authorization,
        dpop: req.headers.dpop,
        approval: req.headers[APPROVAL_HEADER],
        async json(maxBytes) {
          if (req.body !== undefined) return req.body;
          const body = await readNodeJson(req, maxBytes);
          req.body = body;
          return body;
        },
      })
      .then((result) => {
        if (result.kind === 'denied') {
          res.writeHead(result.response.status, result.response.headers);
          res.end(result.response.body);
          return;
        }
        if (result.kind === 'allowed') {
          const context = { decision: result.decision, action: result.action };
          setMandate(req, context);
          req.mandate = context;
          if (res.locals !== undefined) res.locals.mandate = context;
        }
        next();
      }, next);
  };
}
