/**
 * Issue 11, findings 1 and 2, as they were reproduced (on Express, and on Hono and node:http
 * too), and the cases where the URL the router dispatches on is not the one the client sent: a
 * rewriting middleware, a guard inside a mounted Router, a Hono `getPath`.
 */
import express, { type Request, type Response } from 'express';
import { Hono } from 'hono';
import { getPath } from 'hono/utils/url';
import { getRequestListener } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  mandateExpress,
  mandateHono,
  mandateOf,
  type MandateContext,
} from '../../../src/adapters/http/index.js';
import {
  FRAMEWORKS,
  PROTECTED,
  createHolder,
  serve,
  startRouted,
  type Holder,
  type RoutedApp,
} from './routed-apps.js';
import { sendRaw, type RawReply } from './raw-request.js';

let holder: Holder;

beforeAll(async () => {
  holder = await createHolder();
});

const verifier = () => holder.verifier();

async function signed(origin: string, method: string, target: string, sentAs?: string) {
  return sendRaw(origin, method, target, await holder.credentials(origin, method, target, sentAs));
}

function expectAmbiguous(reply: RawReply): void {
  expect(reply.status).toBe(400);
  expect(reply.body).toMatchObject({
    error: 'invalid_request',
    code: 'MANDATE_MALFORMED',
    hop: 0,
    check: 'limits',
  });
}

describe.each(FRAMEWORKS)('issue 11 on %s, unmatched: pass-unauthenticated', (framework) => {
  let app: RoutedApp;
  beforeAll(async () => {
    app = await startRouted(framework, {
      verifier: verifier(),
      routes: PROTECTED,
      unmatched: 'pass-unauthenticated',
    });
  });
  afterAll(() => app.close());

  // @hono/node-server refuses a `\` in the path itself (400, before Hono and the guard run).
  const refusedBefore = framework === 'hono';

  it('finding 1: backslash dot-segment reaches /admin/:op', async () => {
    app.runs.length = 0;
    const reply = await signed(app.origin, 'POST', '/admin/purge\\..\\..\\invoices\\1\\pay');
    expect(app.runs).toEqual([]);
    if (refusedBefore) expect(reply.status).toBe(400);
    else expectAmbiguous(reply);
  });

  it('finding 1: a backslash param runs the pay handler with id 2\\..\\1', async () => {
    app.runs.length = 0;
    const reply = await signed(app.origin, 'POST', '/invoices/2\\..\\1/pay');
    expect(app.runs).toEqual([]);
    if (refusedBefore) expect(reply.status).toBe(400);
    else expectAmbiguous(reply);
  });

  it('finding 1: a wildcard route receives .. through %2e%2e', async () => {
    app.runs.length = 0;
    const reply = await signed(app.origin, 'GET', '/files/public/%2e%2e/admin/keys');
    if (framework === 'hono') {
      // WHATWG resolved the segments before Hono and the guard read the URL: both see
      // /files/admin/keys, and the wildcard runs with exactly the path that was verified.
      expect(reply.status).toBe(200);
      expect(app.runs).toEqual([
        {
          handler: 'files',
          params: { path: 'admin/keys' },
          verified: { resource: 'billing:files/admin/keys', action: 'read' },
        },
      ]);
      return;
    }
    expect(app.runs).toEqual([]);
    expectAmbiguous(reply);
  });

  it('finding 1: a mounted Router is reached the same way', async () => {
    for (const target of ['/api/orders/2\\..\\1/cancel', '/api/orders/2%2f..%2f1/cancel']) {
      app.runs.length = 0;
      const reply = await signed(app.origin, 'POST', target);
      expect(app.runs, target).toEqual([]);
      if (refusedBefore && target.includes('\\')) expect(reply.status).toBe(400);
      else expectAmbiguous(reply);
    }
  });

  it('finding 2: POST /INVOICES/2/pay reaches the pay handler with no credentials', async () => {
    app.runs.length = 0;
    expectAmbiguous(await sendRaw(app.origin, 'POST', '/INVOICES/2/pay'));
    expect(app.runs).toEqual([]);
  });

  it('finding 2: POST /invoices/2/pay/ (trailing slash) reaches it with no credentials', async () => {
    app.runs.length = 0;
    expectAmbiguous(await sendRaw(app.origin, 'POST', '/invoices/2/pay/'));
    expect(app.runs).toEqual([]);
  });

  it('finding 2: HEAD /export/7 reaches the GET handler with no credentials', async () => {
    app.runs.length = 0;
    const anonymous = await sendRaw(app.origin, 'HEAD', '/export/7');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('DPoP algs="Ed25519 ES256"');
    expect(app.runs).toEqual([]);
    // With a mandate, HEAD is verified as the GET route's action (the proof binds HEAD).
    const allowed = await signed(app.origin, 'HEAD', '/export/7');
    expect(allowed.status).toBe(200);
    expect(app.runs).toEqual([
      {
        handler: 'export',
        params: { id: '7' },
        verified: { resource: 'billing:exports/7', action: 'read' },
      },
    ]);
  });
});

describe('issue 11 on Express with mandateExpressRoute (the action from its own routing)', () => {
  let app: RoutedApp;
  beforeAll(async () => {
    app = await startRouted('express-route', { verifier: verifier(), routes: {} });
  });
  afterAll(() => app.close());

  it.each([
    [
      'finding 1: backslash dot-segment reaches /admin/:op',
      '/admin/purge\\..\\..\\invoices\\1\\pay',
    ],
    [
      'finding 1: a backslash param runs the pay handler with id 2\\..\\1',
      '/invoices/2\\..\\1/pay',
    ],
  ])('%s', async (_name, target) => {
    app.runs.length = 0;
    // Express dispatches these to the route; its guard refuses the spelling before verifying.
    expectAmbiguous(await signed(app.origin, 'POST', target));
    expect(app.runs).toEqual([]);
  });

  it('finding 2: HEAD /export/7 is verified as the GET route it runs', async () => {
    app.runs.length = 0;
    expect((await sendRaw(app.origin, 'HEAD', '/export/7')).status).toBe(401);
    expect(app.runs).toEqual([]);
    expect((await signed(app.origin, 'HEAD', '/export/7')).status).toBe(200);
    expect(app.runs).toEqual([
      {
        handler: 'export',
        params: { id: '7' },
        verified: { resource: 'billing:exports/7', action: 'read' },
      },
    ]);
  });
});

describe('the guard reads the URL the router dispatches on', () => {
  it('Express: after a rewriting middleware it verifies the rewritten path; the proof binds the URL sent', async () => {
    const ran: { id: string; verified: unknown }[] = [];
    const { origin, close } = await serve((publicOrigin) => {
      const app = express();
      // A legacy alias and a version prefix, rewritten before the guard.
      app.use((req: Request, _res: Response, next: () => void) => {
        if (req.url === '/legacy/pay') req.url = '/invoices/2/pay';
        else if (req.url.startsWith('/v1/')) req.url = req.url.slice(3);
        next();
      });
      app.use(
        mandateExpress({
          verifier: verifier(),
          routes: PROTECTED,
          unmatched: 'pass-unauthenticated',
          publicOrigin,
        }),
      );
      app.post('/invoices/:id/pay', (req: Request, res: Response) => {
        ran.push({ id: String(req.params.id), verified: mandateOf(req)?.action });
        res.json({ ok: true });
      });
      return app;
    });
    try {
      // The guard once read req.originalUrl: /legacy/pay matched no route and passed.
      const anonymous = await sendRaw(origin, 'POST', '/legacy/pay');
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toMatchObject({ code: 'MANDATE_MALFORMED', check: 'limits' });
      const forbidden = await signed(origin, 'POST', '/legacy/pay');
      expect(forbidden.status).toBe(403);
      expect(forbidden.body).toMatchObject({ code: 'MANDATE_FORBIDDEN', check: 'authorize' });
      expect(ran).toEqual([]);
      // The proof binds /v1/invoices/1/pay (what the client sent); the action is invoice 1.
      const ok = await signed(origin, 'POST', '/v1/invoices/1/pay');
      expect(ok.status).toBe(200);
      expect(ran).toEqual([
        { id: '1', verified: { resource: 'billing:invoices/1', action: 'pay' } },
      ]);
      // A proof for the rewritten URL is not the URL the client sent.
      const wrongUrl = await signed(origin, 'POST', '/v1/invoices/1/pay', '/invoices/1/pay');
      expect(wrongUrl.body).toMatchObject({ code: 'MANDATE_PROOF_INVALID', check: 'possession' });
    } finally {
      await close();
    }
  });

  it('Express: a guard inside a mounted Router matches the full path (baseUrl + url)', async () => {
    const ran: unknown[] = [];
    const { origin, close } = await serve((publicOrigin) => {
      const app = express();
      const api = express.Router();
      api.use(
        mandateExpress({
          verifier: verifier(),
          routes: { ...PROTECTED, 'GET /api': { resource: 'billing:api', action: 'read' } },
          publicOrigin,
        }),
      );
      api.post('/orders/:id/cancel', (req: Request, res: Response) => {
        ran.push(mandateOf(req)?.action);
        res.json({ ok: true });
      });
      app.use('/api', api);
      return app;
    });
    try {
      expect((await signed(origin, 'POST', '/api/orders/1/cancel')).status).toBe(200);
      expect(ran).toEqual([{ resource: 'billing:orders/1', action: 'cancel' }]);
      expectAmbiguous(await signed(origin, 'POST', '/API/orders/1/cancel'));
      const other = await signed(origin, 'POST', '/api/orders/2/cancel');
      expect(other.body).toMatchObject({ code: 'MANDATE_FORBIDDEN', hop: 0, check: 'authorize' });
      expect(ran).toHaveLength(1);
      // Express hands the mounted router `/` for both `/api` and `/api/`: the guard tells
      // them apart (the first is the table's route, the second is spelled differently).
      const bare = await signed(origin, 'GET', '/api');
      expect(bare.body).toMatchObject({ code: 'MANDATE_FORBIDDEN', check: 'authorize' });
      expectAmbiguous(await signed(origin, 'GET', '/api/'));
    } finally {
      await close();
    }
  });

  it('Hono: a getPath that reads another path than the request is denied, not guessed', async () => {
    type Env = { Variables: { mandate: MandateContext } };
    const ran: unknown[] = [];
    const { origin, close } = await serve((publicOrigin) => {
      // A version prefix stripped by the router's own getPath: the guard would see /v1/...
      const app = new Hono<Env>({
        getPath: (request) => {
          const path = getPath(request);
          return path.startsWith('/v1/') ? path.slice(3) : path;
        },
      });
      app.use(
        '*',
        mandateHono({
          verifier: verifier(),
          routes: PROTECTED,
          unmatched: 'pass-unauthenticated',
          publicOrigin,
        }),
      );
      app.post('/invoices/:id/pay', (c) => {
        ran.push(c.get('mandate'));
        return c.json({ ok: true });
      });
      const listener = getRequestListener(app.fetch);
      return (req, res) => void listener(req, res);
    });
    try {
      expectAmbiguous(await sendRaw(origin, 'POST', '/v1/invoices/2/pay'));
      expect(ran).toEqual([]);
      expect((await signed(origin, 'POST', '/invoices/1/pay')).status).toBe(200);
      expect(ran).toHaveLength(1);
    } finally {
      await close();
    }
  });
});
