/**
 * What is verified is what runs (issue 11, findings 1 and 2): hostile request targets sent over
 * real loopback HTTP, verbatim, to real Express 5, Hono and node:http apps. For every target,
 * with and without credentials, under both `unmatched` modes: either the handler that runs is
 * the one whose action the guard verified (from that framework's own params), or nothing
 * protected runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FRAMEWORKS,
  PROTECTED,
  createHolder,
  expectVerifiedOrNothing,
  startRouted,
  type Framework,
  type Handler,
  type Holder,
  type RoutedApp,
} from './routed-apps.js';
import { sendRaw, type RawReply } from './raw-request.js';

let holder: Holder;

beforeAll(async () => {
  holder = await createHolder();
});

/**
 * Hostile targets. `refused`: denied 400 wherever the raw target reaches the guard (Express and
 * node:http receive it verbatim; @hono/node-server turns the target into a WHATWG URL first,
 * which resolves dot segments and refuses `\` itself): as a spelling no router reads alike
 * (`target`), or as a table route reached only by ignoring case or a trailing slash
 * (`spelling`; a route-level guard verifies what Express dispatched instead).
 */
const HOSTILE: readonly {
  readonly name: string;
  readonly method: string;
  readonly target: string;
  readonly refused: 'target' | 'spelling' | false;
}[] = [
  {
    name: 'backslash dot segments',
    method: 'POST',
    target: '/admin/purge\\..\\..\\invoices\\1\\pay',
    refused: 'target',
  },
  {
    name: 'backslash in a param',
    method: 'POST',
    target: '/invoices/2\\..\\1/pay',
    refused: 'target',
  },
  { name: 'dot-dot segment', method: 'POST', target: '/invoices/2/../1/pay', refused: 'target' },
  { name: 'dot segment', method: 'POST', target: '/invoices/./1/pay', refused: 'target' },
  {
    name: 'dot-dot out of admin',
    method: 'POST',
    target: '/admin/x/../../invoices/1/pay',
    refused: 'target',
  },
  {
    name: '%2e%2e in a wildcard',
    method: 'GET',
    target: '/files/a/%2e%2e/%2e%2e/admin',
    refused: 'target',
  },
  {
    name: '%2E%2E uppercase',
    method: 'POST',
    target: '/invoices/2/%2E%2E/1/pay',
    refused: 'target',
  },
  { name: '%2e inside a segment', method: 'GET', target: '/export/7%2e', refused: 'target' },
  { name: '%2f', method: 'POST', target: '/invoices/2%2f..%2f1/pay', refused: 'target' },
  { name: '%2F', method: 'POST', target: '/invoices/1%2Fpay/pay', refused: 'target' },
  { name: '%5c', method: 'POST', target: '/invoices/2%5c..%5c1/pay', refused: 'target' },
  { name: '%5C', method: 'POST', target: '/admin/x%5C..%5Cpurge', refused: 'target' },
  { name: 'leading //', method: 'POST', target: '//invoices/1/pay', refused: 'target' },
  { name: 'inner //', method: 'POST', target: '/invoices//1/pay', refused: 'target' },
  {
    name: 'mounted router through //',
    method: 'POST',
    target: '/api//orders/1/cancel',
    refused: 'target',
  },
  {
    name: 'mounted router through \\..',
    method: 'POST',
    target: '/api/orders/2\\..\\1/cancel',
    refused: 'target',
  },
  {
    name: 'mounted router through %2e%2e',
    method: 'POST',
    target: '/api/x/%2e%2e/orders/1/cancel',
    refused: 'target',
  },
  { name: 'upper-case literal', method: 'POST', target: '/INVOICES/2/pay', refused: 'spelling' },
  { name: 'mixed-case literal', method: 'POST', target: '/Admin/purge', refused: 'spelling' },
  { name: 'upper-case mount', method: 'POST', target: '/API/orders/2/cancel', refused: 'spelling' },
  { name: 'trailing slash', method: 'POST', target: '/invoices/2/pay/', refused: 'spelling' },
  { name: 'trailing slash on a wildcard', method: 'GET', target: '/files/a/', refused: 'spelling' },
  {
    name: 'trailing slash on a mounted route',
    method: 'POST',
    target: '/api/orders/2/cancel/',
    refused: 'spelling',
  },
  {
    name: '; matrix parameter in a param',
    method: 'POST',
    target: '/invoices/1;x=2/pay',
    refused: 'target',
  },
  {
    name: '; matrix parameter at the end',
    method: 'POST',
    target: '/invoices/1/pay;jsessionid=x',
    refused: 'target',
  },
  { name: '; on a mount', method: 'POST', target: '/api;x/orders/1/cancel', refused: 'target' },
  { name: 'encoded plain letter', method: 'POST', target: '/invoices/1/p%61y', refused: 'target' },
  {
    name: 'double encoding %252e',
    method: 'POST',
    target: '/invoices/%252e%252e/pay',
    refused: 'target',
  },
  {
    name: 'overlong UTF-8 dot %c0%ae',
    method: 'POST',
    target: '/invoices/%c0%ae%c0%ae/pay',
    refused: 'target',
  },
  {
    name: 'overlong UTF-8 slash %c0%af',
    method: 'POST',
    target: '/invoices/1%c0%af..%c0%af2/pay',
    refused: 'target',
  },
  { name: 'invalid UTF-8 %ff', method: 'POST', target: '/invoices/%ff/pay', refused: 'target' },
  { name: 'truncated %-escape', method: 'POST', target: '/invoices/1%2/pay', refused: 'target' },
  { name: 'encoded NUL', method: 'POST', target: '/invoices/1%00/pay', refused: 'target' },
  {
    name: 'fullwidth digit one (NFKC 1)',
    method: 'POST',
    target: '/invoices/%EF%BC%91/pay',
    refused: 'target',
  },
  {
    name: 'fullwidth solidus and full stops',
    method: 'POST',
    target: '/invoices/2%EF%BC%8F%EF%BC%8E%EF%BC%8E%EF%BC%8F1/pay',
    refused: 'target',
  },
  {
    name: 'small roman numeral one for i',
    method: 'POST',
    target: '/%E2%85%B0nvoices/1/pay',
    refused: 'target',
  },
  {
    name: 'zero-width space',
    method: 'POST',
    target: '/invoices/1%E2%80%8B/pay',
    refused: 'target',
  },
  { name: 'bidi override', method: 'POST', target: '/invoices/%E2%80%AE1/pay', refused: 'target' },
  {
    name: 'decomposed e-acute (not NFC)',
    method: 'POST',
    target: '/invoices/e%CC%81/pay',
    refused: 'target',
  },
  {
    name: 'raw UTF-8 bytes',
    method: 'POST',
    target: '/invoices/\u00c3\u00a9/pay',
    refused: 'target',
  },
  {
    name: 'fragment',
    method: 'POST',
    target: '/invoices/2/pay#/invoices/1/pay',
    refused: 'target',
  },
  {
    name: 'absolute form with backslash',
    method: 'POST',
    target: 'http://payments.test/invoices/2\\..\\1/pay',
    refused: 'target',
  },
  { name: 'HEAD on a GET route', method: 'HEAD', target: '/export/7', refused: false },
  { name: 'HEAD on a GET route, other id', method: 'HEAD', target: '/export/8', refused: false },
  {
    name: 'OPTIONS on a protected route',
    method: 'OPTIONS',
    target: '/invoices/1/pay',
    refused: false,
  },
  {
    name: 'OPTIONS on a mounted route',
    method: 'OPTIONS',
    target: '/api/orders/1/cancel',
    refused: false,
  },
  {
    name: 'absolute form',
    method: 'POST',
    target: 'http://evil.example/invoices/1/pay',
    refused: false,
  },
  { name: 'a method no route has', method: 'DELETE', target: '/invoices/1/pay', refused: false },
];

/** Canonical requests the apps must serve: the check above is not vacuous. */
const GENUINE: readonly {
  readonly method: string;
  readonly target: string;
  readonly handler: Handler;
}[] = [
  { method: 'POST', target: '/invoices/1/pay', handler: 'pay' },
  { method: 'GET', target: '/export/7', handler: 'export' },
  { method: 'HEAD', target: '/export/7', handler: 'export' },
  { method: 'GET', target: '/files/a/b.txt', handler: 'files' },
  { method: 'GET', target: '/files/caf%C3%A9%20menu', handler: 'files' },
  { method: 'POST', target: '/api/orders/1/cancel', handler: 'cancel' },
];

function expectAmbiguous(reply: RawReply, what: string): void {
  expect(reply.status, what).toBe(400);
  // Node's own parser may refuse a target before any app sees it: then there is no JSON body.
  if (reply.body !== undefined && reply.body.code !== undefined) {
    expect(reply.body, what).toMatchObject({
      error: 'invalid_request',
      code: 'MANDATE_MALFORMED',
      hop: 0,
      check: 'limits',
    });
    expect(reply.headers['www-authenticate'], what).toBeUndefined();
  }
}

/** `method target` with the holder's mandate and a fresh proof for it. */
async function signedRaw(app: RoutedApp, method: string, target: string): Promise<RawReply> {
  return sendRaw(app.origin, method, target, await holder.credentials(app.origin, method, target));
}

/**
 * Send a hostile target with and without credentials; after each, the law holds, nothing
 * protected ran without credentials, and `check` judges the reply.
 */
async function sendHostile(
  app: RoutedApp,
  method: string,
  target: string,
  check: (reply: RawReply, what: string) => void,
): Promise<void> {
  for (const signed of [true, false]) {
    const what = `${method} ${target} (${signed ? 'with' : 'without'} credentials)`;
    app.runs.length = 0;
    const reply = signed
      ? await signedRaw(app, method, target)
      : await sendRaw(app.origin, method, target);
    expectVerifiedOrNothing(app.runs, what);
    // No credentials: nothing protected may run, whatever the router made of the target.
    if (!signed)
      expect(
        app.runs.filter((r) => r.handler !== 'public'),
        what,
      ).toEqual([]);
    check(reply, what);
  }
}

/** A genuine request runs `handler`, and only it, with the action it performs verified. */
async function expectGenuine(
  app: RoutedApp,
  method: string,
  target: string,
  handler: Handler,
): Promise<void> {
  app.runs.length = 0;
  expect((await signedRaw(app, method, target)).status).toBe(200);
  expect(app.runs.map((r) => r.handler)).toEqual([handler]);
  expectVerifiedOrNothing(app.runs, `${method} ${target}`);
}

describe.each(FRAMEWORKS)('hostile request targets on %s', (framework: Framework) => {
  describe.each(['pass-unauthenticated', 'deny'] as const)('unmatched: %s', (unmatched) => {
    let app: RoutedApp;
    beforeAll(async () => {
      app = await startRouted(framework, {
        verifier: holder.verifier(),
        routes: PROTECTED,
        unmatched,
      });
    });
    afterAll(() => app.close());

    it.each(HOSTILE)('$name: $method $target', ({ method, target, refused }) =>
      sendHostile(app, method, target, (reply, what) => {
        if (refused === false) return;
        if (framework !== 'hono' || reply.status === 400) {
          expectAmbiguous(reply, what);
          return;
        }
        // The WHATWG URL resolved the dot segments before Hono and the guard both read it.
        expect(target, what).toMatch(/\.\.|\/\.\/|%2e%2e|%2E%2E/);
      }),
    );

    it.each(GENUINE)('genuine: $method $target runs $handler', ({ method, target, handler }) =>
      expectGenuine(app, method, target, handler),
    );

    it('the public route needs no credentials only under pass-unauthenticated', async () => {
      app.runs.length = 0;
      const reply = await sendRaw(app.origin, 'GET', '/public');
      if (unmatched === 'pass-unauthenticated') {
        expect(reply.status).toBe(200);
        expect(app.runs).toEqual([{ handler: 'public', params: {}, verified: undefined }]);
      } else {
        expect(reply.status).toBe(401);
        expect(reply.body).toMatchObject({ code: 'MANDATE_MALFORMED', hop: 0, check: 'limits' });
        expect(app.runs).toEqual([]);
      }
    });
  });
});

describe('hostile request targets on Express with mandateExpressRoute (no table)', () => {
  let app: RoutedApp;
  beforeAll(async () => {
    app = await startRouted('express-route', { verifier: holder.verifier(), routes: {} });
  });
  afterAll(() => app.close());

  it.each(HOSTILE)('$name: $method $target', ({ method, target, refused }) =>
    sendHostile(app, method, target, (reply, what) => {
      if (refused !== 'target') return;
      // The guard runs only on a route Express dispatched to: elsewhere Express answers 404.
      expect([400, 404], what).toContain(reply.status);
      if (reply.status === 400) expectAmbiguous(reply, what);
    }),
  );

  it.each(GENUINE)('genuine: $method $target runs $handler', ({ method, target, handler }) =>
    expectGenuine(app, method, target, handler),
  );

  it('another case or a trailing slash: Express dispatches it, and the guard verifies its params', async () => {
    for (const target of ['/INVOICES/1/pay', '/invoices/1/pay/', '/Api/orders/1/cancel']) {
      await expectGenuine(app, 'POST', target, target.includes('rders') ? 'cancel' : 'pay');
    }
    app.runs.length = 0;
    const other = await signedRaw(app, 'POST', '/INVOICES/2/pay');
    expect(other.body).toMatchObject({ code: 'MANDATE_FORBIDDEN', hop: 0, check: 'authorize' });
    expect(app.runs).toEqual([]);
  });

  it('the public route has no guard', async () => {
    app.runs.length = 0;
    expect((await sendRaw(app.origin, 'GET', '/public')).status).toBe(200);
    expect(app.runs).toEqual([{ handler: 'public', params: {}, verified: undefined }]);
  });
});
