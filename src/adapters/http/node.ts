/** `mandate/http` for node:http: a middleware `(req, res, next)` and a request-listener wrapper. */
import { APPROVAL_HEADER } from './credentials.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Action } from '../../core/types.js';
import type { Allowed } from '../../verify/decision.js';
import { readNodeJson } from './body.js';
import { createHttpGuard, type HttpGuardOptions } from './guard.js';

/** What an allowed request carries to its handler. */
export interface MandateContext {
  readonly decision: Allowed;
  readonly action: Action;
}

const contexts = new WeakMap<object, MandateContext>();

/** The verified Decision of a request that passed a Mandate middleware (undefined if none). */
export function mandateOf(req: object): MandateContext | undefined {
  return contexts.get(req);
}

/** Record a request's context (used by the adapters). */
export function setMandate(req: object, context: MandateContext): void {
  contexts.set(req, context);
}

type BodyCarrier = IncomingMessage & { body?: unknown };

/** The answer when the guard itself failed: 500, and the request goes no further. */
function answerInternal(res: ServerResponse): void {
  if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: 'server_error', code: 'MANDATE_INTERNAL' }));
}

/**
 * node:http middleware. On success it records the Decision (`mandateOf(req)`) and calls
 * `next()`; on a denial (or a failure of the guard itself) it answers (401/403/503/500 with the
 * challenge) and does not call `next`. When a route reads the JSON body, the parsed body is
 * left on `req.body` for the handler.
 */
export function mandateNode(
  options: HttpGuardOptions,
): (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => Promise<void> {
  const guard = createHttpGuard(options);
  return async (req, res, next) => {
    let result;
    try {
      result = await guard.check({
        method: req.method ?? 'GET',
        target: req.url ?? '/',
        authorization: req.headers.authorization,
        dpop: req.headers.dpop,
        approval: req.headers[APPROVAL_HEADER],
        async json(maxBytes) {
          const carrier = req as BodyCarrier;
          if (carrier.body !== undefined) return carrier.body;
          const body = await readNodeJson(req, maxBytes);
          carrier.body = body;
          return body;
        },
      });
    } catch {
      // Fail closed here rather than through next(error): a plain `next` may ignore its argument.
      answerInternal(res);
      return;
    }
    if (result.kind === 'denied') {
      res.writeHead(result.response.status, result.response.headers);
      res.end(result.response.body);
      return;
    }
    if (result.kind === 'allowed')
      setMandate(req, { decision: result.decision, action: result.action });
    next();
  };
}

/** Wrap a node:http request listener: it runs only for allowed requests, with their context. */
export function withMandateNode(
  options: HttpGuardOptions,
  handler: (
    req: IncomingMessage,
    res: ServerResponse,
    context: MandateContext | undefined,
  ) => void | Promise<void>,
): (req: IncomingMessage, res: ServerResponse) => void {
  const middleware = mandateNode(options);
  return (req, res) => {
    void middleware(req, res, () => {
      Promise.resolve(handler(req, res, mandateOf(req))).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  };
}
