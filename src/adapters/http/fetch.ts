/**
 * `mandate/http` for Fetch-API handlers (`(Request) => Response`): Hono, Bun, Deno, Cloudflare
 * Workers, Next.js route handlers and any other Web-standard framework.
 */
import { readFetchJson } from './body.js';
import { createHttpGuard, type GuardResult, type HttpGuardOptions } from './guard.js';
import type { MandateContext } from './node.js';

function checkRequest(
  guard: ReturnType<typeof createHttpGuard>,
  request: Request,
): Promise<GuardResult> {
  const url = new URL(request.url);
  return guard.check({
    method: request.method,
    // Only path and query are used; the URL's host came from the Host header.
    target: `${url.pathname}${url.search}`,
    authorization: request.headers.get('authorization'),
    dpop: request.headers.get('dpop'),
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
  readonly req: { readonly raw: Request };
  set(key: 'mandate', value: MandateContext): void;
}

/**
 * Hono middleware: `app.use('/api/*', mandateHono(options))`; the handler reads
 * `c.get('mandate')` (declare `Variables: { mandate: MandateContext }` on the app).
 */
export function mandateHono(
  options: HttpGuardOptions,
): (c: HonoLikeContext, next: () => Promise<void>) => Promise<Response | undefined> {
  const guard = createHttpGuard(options);
  return async (c, next) => {
    const result = await checkRequest(guard, c.req.raw);
    if (result.kind === 'denied') return denialOf(result);
    if (result.kind === 'allowed')
      c.set('mandate', { decision: result.decision, action: result.action });
    await next();
    return undefined;
  };
}
