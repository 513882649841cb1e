/** `mandate/http` for Express (4 and 5). Express is not imported: the types are structural. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readNodeJson } from './body.js';
import { createHttpGuard, type HttpGuardOptions } from './guard.js';
import { setMandate, type MandateContext } from './node.js';

/** The part of an Express request the middleware uses. */
export type ExpressLikeRequest = IncomingMessage & {
  originalUrl?: string;
  body?: unknown;
  mandate?: MandateContext;
};
/** The part of an Express response the middleware uses. */
export type ExpressLikeResponse = ServerResponse & { locals?: Record<string, unknown> };

/**
 * Express middleware. On success the context is on `req.mandate`, `res.locals.mandate` and
 * `mandateOf(req)`. The route table matches `req.originalUrl` (the full path, also under a
 * mounted router). A body parsed by an earlier `express.json()` is used as is; otherwise the
 * JSON body is read (bounded) and left on `req.body`.
 */
export function mandateExpress(
  options: HttpGuardOptions,
): (req: ExpressLikeRequest, res: ExpressLikeResponse, next: (error?: unknown) => void) => void {
  const guard = createHttpGuard(options);
  return (req, res, next) => {
    guard
      .check({
        method: req.method ?? 'GET',
        target: req.originalUrl ?? req.url ?? '/',
        authorization: req.headers.authorization,
        dpop: req.headers.dpop,
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
