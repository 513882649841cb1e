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

interface Hostile {
  readonly name: string;
  readonly method: string;
  readonly target: string;
  readonly refused: 'target' | 'spelling' | false;
}

/** `[name, 'METHOD target']` rows, each refused as `refused` says. */
function refusedAs(
  refused: Hostile['refused'],
  rows: readonly (readonly [name: string, request: string])[],
): Hostile[] {
  return rows.map(([name, request]) => {
    const space = request.indexOf(' ');
    return { name, method: request.slice(0, space), target: request.slice(space + 1), refused };
  });
}

/**
 * Hostile targets. `refused`: denied 400 wherever the raw target reaches the guard (Express and
 * node:http receive it verbatim; @hono/node-server turns the target into a WHATWG URL first,
 * which resolves dot segments and refuses `\` itself): as a spelling no router reads alike
 * (`target`), or as a table route reached only by ignoring case or a trailing slash
 * (`spelling`; a route-level guard verifies what Express dispatched instead).
 */
const HOSTILE: readonly Hostile[] = [
  ...refusedAs('target', [
    ['backslash dot segments', 'POST /admin/purge\\..\\..\\invoices\\1\\pay'],
    ['backslash in a param', 'POST /invoices/2\\..\\1/pay'],
    ['dot-dot segment', 'POST /invoices/2/../1/pay'],
    ['dot segment', 'POST /invoices/./1/pay'],
    ['dot-dot out of admin', 'POST /admin/x/../../invoices/1/pay'],
    ['%2e%2e in a wildcard', 'GET /files/a/%2e%2e/%2e%2e/admin'],
    ['%2E%2E uppercase', 'POST /invoices/2/%2E%2E/1/pay'],
    ['%2e inside a segment', 'GET /export/7%2e'],
    ['%2f', 'POST /invoices/2%2f..%2f1/pay'],
    ['%2F', 'POST /invoices/1%2Fpay/pay'],
    ['%5c', 'POST /invoices/2%5c..%5c1/pay'],
    ['%5C', 'POST /admin/x%5C..%5Cpurge'],
    ['leading //', 'POST //invoices/1/pay'],
    ['inner //', 'POST /invoices//1/pay'],
    ['mounted router through //', 'POST /api//orders/1/cancel'],
    ['mounted router through \\..', 'POST /api/orders/2\\..\\1/cancel'],
    ['mounted router through %2e%2e', 'POST /api/x/%2e%2e/orders/1/cancel'],
  ]),
  ...refusedAs('spelling', [
    ['upper-case literal', 'POST /INVOICES/2/pay'],
    ['mixed-case literal', 'POST /Admin/purge'],
    ['upper-case mount', 'POST /API/orders/2/cancel'],
    ['trailing slash', 'POST /invoices/2/pay/'],
    ['trailing slash on a wildcard', 'GET /files/a/'],
    ['trailing slash on a mounted route', 'POST /api/orders/2/cancel/'],
  ]),
  ...refusedAs('target', [
    ['; matrix parameter in a param', 'POST /invoices/1;x=2/pay'],
    ['; matrix parameter at the end', 'POST /invoices/1/pay;jsessionid=x'],
    ['; on a mount', 'POST /api;x/orders/1/cancel'],
    ['encoded plain letter', 'POST /invoices/1/p%61y'],
    ['double encoding %252e', 'POST /invoices/%252e%252e/pay'],
    ['overlong UTF-8 dot %c0%ae', 'POST /invoices/%c0%ae%c0%ae/pay'],
    ['overlong UTF-8 slash %c0%af', 'POST /invoices/1%c0%af..%c0%af2/pay'],
    ['invalid UTF-8 %ff', 'POST /invoices/%ff/pay'],
    ['truncated %-escape', 'POST /invoices/1%2/pay'],
    ['encoded NUL', 'POST /invoices/1%00/pay'],
    ['fullwidth digit one (NFKC 1)', 'POST /invoices/%EF%BC%91/pay'],
    [
      'fullwidth solidus and full stops',
      'POST /invoices/2%EF%BC%8F%EF%BC%8E%EF%BC%8E%EF%BC%8F1/pay',
    ],
    ['small roman numeral one for i', 'POST /%E2%85%B0nvoices/1/pay'],
    ['zero-width space', 'POST /invoices/1%E2%80%8B/pay'],
    ['bidi override', 'POST /invoices/%E2%80%AE1/pay'],
    ['decomposed e-acute (not NFC)', 'POST /invoices/e%CC%81/pay'],
    ['raw UTF-8 bytes', 'POST /invoices/\u00c3\u00a9/pay'],
    ['fragment', 'POST /invoices/2/pay#/invoices/1/pay'],
    ['absolute form with backslash', 'POST http://payments.test/invoices/2\\..\\1/pay'],
  ]),
  ...refusedAs(false, [
    ['HEAD on a GET route', 'HEAD /export/7'],
    ['HEAD on a GET route, other id', 'HEAD /export/8'],
    ['OPTIONS on a protected route', 'OPTIONS /invoices/1/pay'],
    ['OPTIONS on a mounted route', 'OPTIONS /api/orders/1/cancel'],
    ['absolute form', 'POST http://evil.example/invoices/1/pay'],
    ['a method no route has', 'DELETE /invoices/1/pay'],
  ]),
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
