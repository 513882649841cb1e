/**
 * Real apps with real routers for the route-confusion tests: Express 5 (with a mounted Router
 * and a wildcard route), Hono on @hono/node-server (with a mounted sub-app and a wildcard) and
 * node:http with a hand-written lenient router. Each has protected routes (in the guard's table)
 * and an unprotected one, and every handler records that it ran, with the params its own
 * framework gave it and the action the guard verified.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Hono, type Context } from 'hono';
import { getRequestListener } from '@hono/node-server';
import { expect } from 'vitest';
import { prove, type Action, type Verifier } from '../../../src/index.js';
import { serviceGrant } from '../../helpers/billing.js';
import {
  mandateExpress,
  mandateExpressRoute,
  mandateHono,
  mandateOf,
  withMandateNode,
  type HttpGuardOptions,
  type MandateContext,
  type RouteTable,
} from '../../../src/adapters/http/index.js';

/** `express-route`: Express with `mandateExpressRoute` on each protected route, no table. */
export type Framework = 'node' | 'hono' | 'express' | 'express-route';
export const FRAMEWORKS: readonly Framework[] = ['express', 'hono', 'node'];

/** The guard's table: the protected routes, as the apps below define them. */
export const PROTECTED: RouteTable = {
  'POST /invoices/:id/pay': { resource: 'billing:invoices/:id', action: 'pay' },
  'GET /export/:id': { resource: 'billing:exports/:id', action: 'read' },
  'POST /admin/:op': { resource: 'billing:admin/:op', action: 'admin' },
  'GET /files/*path': { resource: 'billing:files/:path', action: 'read' },
  'POST /api/orders/:id/cancel': { resource: 'billing:orders/:id', action: 'cancel' },
};

/** An authorization server and one holder, for the routed apps. */
export interface Holder {
  /** A verifier trusting the authorization server, for this service. */
  verifier(): Verifier;
  /**
   * `Authorization` and a fresh `DPoP` proof for `target`, bound to the URL a client would sign
   * for it (`sentAs`, default the target's path).
   */
  credentials(
    origin: string,
    method: string,
    target: string,
    sentAs?: string,
  ): Promise<Record<string, string>>;
}

/** A holder that may pay invoice 1, read export 7 and any file, cancel order 1: never admin. */
export async function createHolder(): Promise<Holder> {
  const { agent, mandate, verifier } = await serviceGrant({
    capabilities: [
      { resource: 'billing:invoices/1', actions: ['pay'] },
      { resource: 'billing:exports/7', actions: ['read'] },
      { resource: 'billing:files/**', actions: ['read'] },
      { resource: 'billing:orders/1', actions: ['cancel'] },
    ],
  });
  return {
    verifier: () => verifier(),
    async credentials(origin, method, target, sentAs) {
      const path = sentAs ?? target.replace(/^https?:\/\/[^/]*/, '');
      return {
        authorization: `DPoP ${mandate.token}`,
        dpop: await prove(mandate.token, {
          signer: agent,
          request: { method, url: `${origin}${path}` },
        }),
      };
    },
  };
}

export type Handler = 'pay' | 'export' | 'admin' | 'files' | 'cancel' | 'public';

/** One handler run, as the handler itself saw it. */
export interface Run {
  readonly handler: Handler;
  /** The framework's own params (Express gives a `*name` wildcard as an array). */
  readonly params: Readonly<Record<string, string | readonly string[]>>;
  /** What the guard verified for this request (undefined: it passed unauthenticated). */
  readonly verified: Action | undefined;
}

/**
 * The action a protected handler performs, derived from its framework's own params: the guard
 * must have verified exactly this one.
 */
export function performed(run: Run): Action | undefined {
  const one = (name: string): string => {
    const value = run.params[name];
    return Array.isArray(value) ? value.join('/') : String(value);
  };
  switch (run.handler) {
    case 'pay':
      return { resource: `billing:invoices/${one('id')}`, action: 'pay' };
    case 'export':
      return { resource: `billing:exports/${one('id')}`, action: 'read' };
    case 'admin':
      return { resource: `billing:admin/${one('op')}`, action: 'admin' };
    case 'files':
      return { resource: `billing:files/${one('path')}`, action: 'read' };
    case 'cancel':
      return { resource: `billing:orders/${one('id')}`, action: 'cancel' };
    case 'public':
      return undefined;
  }
}

/**
 * The law: every handler that ran for this request is the public one, or a protected one that
 * runs exactly the action the guard verified, computed from its own framework's params.
 */
export function expectVerifiedOrNothing(runs: readonly Run[], what: string): void {
  expect(runs.length, what).toBeLessThanOrEqual(1);
  for (const run of runs) {
    if (run.handler === 'public') continue;
    expect(run.verified, `${what}: ${run.handler} ran without a Decision`).toBeDefined();
    expect(run.verified, `${what}: ${run.handler} ran another action`).toEqual(performed(run));
  }
}

export interface RoutedApp {
  readonly origin: string;
  /** Every handler run since the last `runs.length = 0`. */
  readonly runs: Run[];
  close(): Promise<void>;
}

type Options = Omit<HttpGuardOptions, 'publicOrigin'>;

function verifiedOf(context: MandateContext | undefined): Action | undefined {
  return context?.action;
}

/**
 * Express 5: guarded by `mandateExpress` and the table (`table`), or by `mandateExpressRoute`
 * on each protected route with no table (`route`).
 */
function expressApp(
  options: HttpGuardOptions,
  runs: Run[],
  guarding: 'table' | 'route',
): RequestListener {
  const app = express();
  const { verifier, publicOrigin } = options;
  const pass = (_req: Request, _res: Response, next: NextFunction) => next();
  const guard = (resource: string, action: string) =>
    guarding === 'route'
      ? mandateExpressRoute({ verifier, publicOrigin }, { resource, action })
      : pass;
  const record =
    (handler: Handler) =>
    (req: Request, res: Response): void => {
      runs.push({
        handler,
        params: { ...(req.params as Record<string, string | string[]>) },
        verified: verifiedOf(mandateOf(req)),
      });
      res.json({ ran: handler });
    };
  if (guarding === 'table') app.use(mandateExpress(options));
  app.post('/invoices/:id/pay', guard('billing:invoices/:id', 'pay'), record('pay'));
  app.get('/export/:id', guard('billing:exports/:id', 'read'), record('export'));
  app.post('/admin/:op', guard('billing:admin/:op', 'admin'), record('admin'));
  app.get('/files/*path', guard('billing:files/:path', 'read'), record('files'));
  const api = express.Router();
  api.post('/orders/:id/cancel', guard('billing:orders/:id', 'cancel'), record('cancel'));
  app.use('/api', api);
  app.get('/public', record('public'));
  return answerUnrouted(app);
}

/**
 * `app`, answering what no route takes (404) and Express's own errors (a param it cannot
 * decode) without running a handler.
 */
export function answerUnrouted(app: express.Express): express.Express {
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ ran: null });
  });
  app.use((error: { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(error.status ?? 500).json({ ran: null });
  });
  return app;
}

function honoApp(options: HttpGuardOptions, runs: Run[]): RequestListener {
  type Env = { Variables: { mandate: MandateContext } };
  const app = new Hono<Env>();
  const record = (handler: Handler) => (c: Context<Env>) => {
    runs.push({ handler, params: c.req.param(), verified: verifiedOf(c.get('mandate')) });
    return c.json({ ran: handler });
  };
  app.use('*', mandateHono(options));
  app.post('/invoices/:id/pay', record('pay'));
  app.get('/export/:id', record('export'));
  app.post('/admin/:op', record('admin'));
  app.get('/files/:path{.+}', record('files'));
  const api = new Hono<Env>();
  api.post('/orders/:id/cancel', record('cancel'));
  app.route('/api', api);
  app.get('/public', record('public'));
  app.notFound((c) => c.json({ ran: null }, 404));
  const listener = getRequestListener(app.fetch);
  return (req, res) => {
    void listener(req, res);
  };
}

/**
 * A hand-written router as node:http apps have them, as lenient as it gets: it parses the
 * target with WHATWG `URL` (resolving `\`, `..` and `%2e`), ignores case and a trailing slash,
 * and serves HEAD from GET handlers.
 */
const NODE_ROUTES: readonly [string, RegExp, Handler, readonly string[]][] = [
  ['POST', /^\/invoices\/([^/]+)\/pay\/?$/i, 'pay', ['id']],
  ['GET', /^\/export\/([^/]+)\/?$/i, 'export', ['id']],
  ['POST', /^\/admin\/([^/]+)\/?$/i, 'admin', ['op']],
  ['GET', /^\/files\/(.+?)\/?$/i, 'files', ['path']],
  ['POST', /^\/api\/orders\/([^/]+)\/cancel\/?$/i, 'cancel', ['id']],
  ['GET', /^\/public\/?$/i, 'public', []],
];

function nodeApp(options: HttpGuardOptions, runs: Run[]): RequestListener {
  return withMandateNode(options, (req: IncomingMessage, res, context) => {
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const path = new URL(req.url ?? '/', 'http://h').pathname;
    for (const [routeMethod, pattern, handler, names] of NODE_ROUTES) {
      const match = routeMethod === method ? pattern.exec(path) : null;
      if (match === null) continue;
      const params = Object.fromEntries(
        names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]),
      );
      runs.push({ handler, params, verified: verifiedOf(context) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ran: handler }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ran: null }));
  });
}

/** A running loopback server. */
export interface Served {
  readonly origin: string;
  readonly close: () => Promise<void>;
}

/**
 * Listen on 127.0.0.1 (a free port), then build the app with the origin it got: the guard's
 * `publicOrigin` is the loopback origin clients sign proofs for.
 */
export async function serve(build: (origin: string) => RequestListener): Promise<Served> {
  const state: { handler?: RequestListener } = {};
  const server: Server = createServer((req, res) => state.handler?.(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.handler = build(origin);
  return {
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Start `framework`'s app on 127.0.0.1 with the guard configured by `options`. */
export async function startRouted(framework: Framework, options: Options): Promise<RoutedApp> {
  const runs: Run[] = [];
  const served = await serve((origin) => {
    const guarded = { ...options, publicOrigin: origin };
    switch (framework) {
      case 'express':
        return expressApp(guarded, runs, 'table');
      case 'express-route':
        return expressApp(guarded, runs, 'route');
      case 'hono':
        return honoApp(guarded, runs);
      case 'node':
        return nodeApp(guarded, runs);
    }
  });
  return { origin: served.origin, runs, close: () => served.close() };
}
