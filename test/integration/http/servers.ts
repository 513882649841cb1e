/** One small payment service on each framework, on loopback, for the `mandate/http` tests. */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Hono } from 'hono';
import { getRequestListener } from '@hono/node-server';
import {
  mandateExpress,
  mandateHono,
  mandateOf,
  withMandateNode,
  type HttpGuardOptions,
  type MandateContext,
  type RouteTable,
} from '../../../src/adapters/http/index.js';

export type Framework = 'node' | 'hono' | 'express';
export const FRAMEWORKS: readonly Framework[] = ['node', 'hono', 'express'];

/** The service's routes: pay an invoice (amount from the JSON body), read one. */
export const ROUTES: RouteTable = {
  'POST /invoices/:id/pay': {
    resource: 'billing:invoices/:id',
    action: 'pay',
    args: async (c) => ({ amount: ((await c.json()) as { amount: number }).amount }),
  },
  'GET /invoices/:id': { resource: 'billing:invoices/:id', action: 'read' },
};

export interface Running {
  readonly origin: string;
  close(): Promise<void>;
}

type Options = Omit<HttpGuardOptions, 'publicOrigin'> & { publicOrigin?: string };

function ok(context: MandateContext | undefined) {
  return {
    paid: true,
    user: context?.decision.subject,
    chain: context?.decision.chain,
    resource: context?.action.resource,
  };
}

function listener(framework: Framework, options: HttpGuardOptions): RequestListener {
  switch (framework) {
    case 'node':
      return withMandateNode(options, (req, res, context) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ...ok(context), body: (req as { body?: unknown }).body }));
      });
    case 'hono': {
      const app = new Hono<{ Variables: { mandate: MandateContext } }>();
      app.use('*', mandateHono(options));
      app.get('/public', (c) => c.json({ public: true }));
      app.all('*', (c) => c.json(ok(c.get('mandate'))));
      const fetchListener = getRequestListener(app.fetch);
      return (req, res) => {
        void fetchListener(req, res);
      };
    }
    case 'express': {
      const app = express();
      app.use(express.json());
      app.use(mandateExpress(options));
      app.use((req, res) => {
        res.json({ ...ok(mandateOf(req)), locals: res.locals.mandate !== undefined });
      });
      return app;
    }
  }
}

/** Start `framework` on 127.0.0.1; `publicOrigin` defaults to the loopback origin. */
export async function start(framework: Framework, options: Options): Promise<Running> {
  const state: { handler?: RequestListener } = {};
  const server: Server = createServer((req, res) => state.handler?.(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.handler = listener(framework, { ...options, publicOrigin: options.publicOrigin ?? origin });
  return {
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
