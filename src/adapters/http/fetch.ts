/**
 * `mandate/http` for Fetch-API handlers (`(Request) => Response`): Hono, Bun, Deno, Cloudflare
 * Workers, Next.js route handlers and any other Web-standard framework.
 */
import { APPROVAL_HEADER } from './credentials.js';
import { readFetchJson } from './body.js';
import { createHttpGuard, type GuardResult, type HttpGuardOptions } from './guard.js';
import type { MandateContext } from './node.js';

/**
 * The path and query of `request.url`, sliced from the string as Hono's router does (never
 * re-parsed): what the guard reads is what the router reads.
 */
function targetOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('://') + 3);
  // The authority is never used: it came from the Host header.
  return start === -1 ? url : url.slice(start);
}

function checkRequest(
  guard: ReturnType<typeof createHttpGuard>,
  request: Request,
  routerPath?: string,
): Promise<GuardResult> {
  return guard.check({
    method: request.method,
    target: targetOf(request.url),
    ...(routerPath === undefined ? {} : { routerPath }),
    authorization: request.headers.get('authorization'),
    dpop: request.headers.get('dpop'),
    approval: request.headers.get(APPROVAL_HEADER),
    json: (maxBytes) => readFetchJson(request, maxBytes),
  });
}

function denialOf(result: Extract<GuardResult, { kind: 'denied' }>): Response {
  return new Response(result.response.body, {
    status: result.response.status,
    headers: result.response.headers,
  });
}

/**
 * Wrap a Fetch-API handler: it runs only for allowed requests (or unmatched ones, with
 * `unmatched: 'pass-unauthenticated'`, and then `context` is undefined).
 */
export function withMandate<Rest extends unknown[]>(
  options: HttpGuardOptions,
  handler: (
    request: Request,
    context: MandateContext | undefined,
    ...rest: Rest
  ) => Response | Promise<Response>,
): (request: Request, ...rest: Rest) => Promise<Response> {
  const guard = createHttpGuard(options);
  return async (request, ...rest) => {
    const result = await checkRequest(guard, request);
    if (result.kind === 'denied') return denialOf(result);
    return handler(
      request,
      result.kind === 'allowed' ? { decision: result.decision, action: result.action } : undefined,
      ...rest,
    );
  };
}

/** The part of a Hono `Context` the middleware uses (structural: Hono is not imported). */
export interface HonoLikeContext {
  /** `path` is the path Hono's router matched (its `getPath` result). */
  readonly req: { readonly raw: Request; readonly path?: string };
  set(key: 'mandate', value: MandateContext): void;
}

/**
 * Hono middleware: `app.use('/api/*', mandateHono(options))`; the handler reads
 * `c.get('mandate')` (declare `Variables: { mandate: MandateContext }` on the app). The route
 * table is matched on the request's path, and a request whose path Hono's router reads
 * differently (`c.req.path`: a custom `getPath`, `strict: false`) is denied (400).
 */
export function mandateHono(
  options: HttpGuardOptions,
): (c: HonoLikeContext, next: () => Promise<void>) => Promise<Response | undefined> {
  const guard = createHttpGuard(options);
  return async (c, next) => {
    const result = await checkRequest(guard, c.req.raw, c.req.path);
    if (result.kind === 'denied') return denialOf(result);
    if (result.kind === 'allowed')
      c.set('mandate', { decision: result.decision, action: result.action });
    await next();
    return undefined;
  };
}
