/**
 * `mandate inspector`, end to end: the server runs in-process on a free loopback port; its
 * JSON API is driven over real HTTP with hostile input, and its page is driven in a real
 * browser (Debian's chromium through playwright-core, never a downloaded browser). Without
 * /usr/bin/chromium the browser tests skip and say so; the API tests still run.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startInspector, type InspectorServer } from '../../../src/cli/inspector/server.js';
import type { InspectView } from '../../../src/cli/inspector/view.js';
import {
  delegate,
  generateKeyPair,
  mint,
  prove,
  type KeyPair,
  type Mandate,
} from '../../../src/index.js';

const CHROMIUM = process.env.MANDATE_CHROMIUM ?? '/usr/bin/chromium';
const ANCHOR_ID = 'https://as.test';
const AUDIENCE = 'https://tool.test';
const XSS_SUBJECT = '<img src=x onerror="window.__pwned=1">';
const XSS_RESOURCE = 'docs:<img src=x onerror=window.__pwned=2>';
const XSS_PURPOSE = '<script>window.__pwned=3</script>';

interface World {
  readonly anchor: KeyPair;
  readonly agents: readonly [KeyPair, KeyPair, KeyPair];
  /** Root (agents[0]: read+write docs:**) → agents[1] (read docs:**) → agents[2] (read docs:a). */
  readonly chain: Mandate;
  /** A chain whose subject, resource and purpose are HTML payloads. */
  readonly hostile: Mandate;
}

async function createWorld(): Promise<World> {
  const [anchor, a, b, c] = await Promise.all(Array.from({ length: 4 }, () => generateKeyPair()));
  let chain = await mint({
    issuer: anchor!,
    issuerId: ANCHOR_ID,
    subject: 'alice',
    holder: a!.publicJwk,
    capabilities: [
      { resource: 'docs:**', actions: ['read', 'write'], constraints: { size: { max: 100 } } },
    ],
    expiresIn: 600,
    audience: AUDIENCE,
  });
  chain = await delegate(chain, {
    signer: a!,
    holder: b!.publicJwk,
    capabilities: [{ resource: 'docs:**', actions: ['read'], constraints: { size: { max: 50 } } }],
  });
  chain = await delegate(chain, {
    signer: b!,
    holder: c!.publicJwk,
    capabilities: [{ resource: 'docs:a', actions: ['read'], constraints: { size: { max: 50 } } }],
    expiresIn: 300,
  });
  const hostile = await mint({
    issuer: anchor!,
    issuerId: ANCHOR_ID,
    subject: XSS_SUBJECT,
    holder: a!.publicJwk,
    capabilities: [{ resource: XSS_RESOURCE, actions: ['read'] }],
    expiresIn: 600,
    audience: AUDIENCE,
    purpose: XSS_PURPOSE,
  });
  return { anchor: anchor!, agents: [a!, b!, c!], chain, hostile };
}

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One HTTP request with full control over headers and body (fetch would normalise them). */
function raw(
  server: InspectorServer,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer; chunks?: Buffer[] } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: server.port,
        method,
        path,
        headers: { 'content-type': 'application/json', ...options.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    // The server may answer (413) and close before the whole body is written: the reply wins.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    if (options.chunks !== undefined) {
      for (const chunk of options.chunks) req.write(chunk);
      req.end();
    } else req.end(options.body);
  });
}

const codeOf = (reply: Reply): unknown =>
  (JSON.parse(reply.body) as { error?: { code?: unknown } }).error?.code;

async function post(server: InspectorServer, path: string, body: unknown): Promise<Reply> {
  return raw(server, 'POST', path, { body: JSON.stringify(body) });
}

const anchorsOf = (world: World) => [{ id: ANCHOR_ID, publicJwk: world.anchor.publicJwk }];

let world: World;
let server: InspectorServer;

beforeAll(async () => {
  world = await createWorld();
  server = await startInspector({ port: 0 });
});

afterAll(async () => {
  await server?.close();
});

describe('inspector API over HTTP', () => {
  it('listens on 127.0.0.1 and serves a self-contained page under a strict CSP', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await raw(server, 'GET', '/');
    expect(page.status).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    // Nothing in the page points anywhere else: no src/href to another origin, no CDN.
    expect(page.body).not.toMatch(/\b(src|href)=/i);
    expect(page.body).not.toMatch(/https?:\/\/(?!as\.example|payments\.example)/);
  });

  it('decodes a 3-hop chain, unverified, with each hop and what it narrowed', async () => {
    const reply = await post(server, '/api/inspect', { token: world.chain.token });
    expect(reply.status).toBe(200);
    const view = JSON.parse(reply.body) as InspectView;
    expect(view.verified).toBe(false);
    expect(view.notice).toMatch(/^UNVERIFIED/);
    expect(view.format).toBe('jws');
    expect(view.hops.map((h) => h.from)).toEqual([
      ANCHOR_ID,
      world.agents[0].id,
      world.agents[1].id,
    ]);
    expect(view.hops.map((h) => h.to)).toEqual(world.agents.map((a) => a.id));
    const texts = (hop: number): string[] => view.hops[hop]!.narrowing.map((n) => n.text);
    expect(texts(1).join('\n')).toContain('actions read,write → read');
    expect(texts(2).join('\n')).toContain('resource docs:** → docs:a');
  });

  it('shows Biscuit revocation ids', async () => {
    const biscuit = await mint({
      issuer: world.anchor,
      issuerId: ANCHOR_ID,
      subject: 'alice',
      holder: world.agents[0].publicJwk,
      capabilities: [{ resource: 'docs:**', actions: ['read'] }],
      expiresIn: 600,
      audience: AUDIENCE,
      format: 'biscuit',
    });
    const reply = await post(server, '/api/inspect', { token: biscuit.token });
    expect(reply.status).toBe(200);
    const view = JSON.parse(reply.body);
    expect(view.format).toBe('biscuit');
    expect(view.hops[0].revocationId).toMatch(/^[0-9a-f]{64,}$/);
  });

  it('verifies with exactly the given anchors: allowed, forbidden at the right hop', async () => {
    const base = { token: world.chain.token, anchors: anchorsOf(world), audience: AUDIENCE };
    const ok = await post(server, '/api/verify', {
      ...base,
      action: { resource: 'docs:a', action: 'read', args: { size: 10 } },
    });
    expect(ok.status).toBe(200);
    const allowed = JSON.parse(ok.body);
    expect(allowed.decision.allowed).toBe(true);
    expect(allowed.possessionChecked).toBe(false);
    expect(allowed.notes.join(' ')).toMatch(/Possession was NOT checked/);

    const write = JSON.parse(
      (
        await post(server, '/api/verify', {
          ...base,
          action: { resource: 'docs:a', action: 'write', args: { size: 10 } },
        })
      ).body,
    );
    expect(write.decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_FORBIDDEN',
      hop: 1,
      check: 'authorize',
    });

    // A stranger's key under the anchor's name: the root is not trusted.
    const stranger = await generateKeyPair();
    const spoofed = JSON.parse(
      (
        await post(server, '/api/verify', {
          ...base,
          anchors: [{ id: ANCHOR_ID, publicJwk: stranger.publicJwk }],
          action: { resource: 'docs:a', action: 'read', args: { size: 10 } },
        })
      ).body,
    );
    expect(spoofed.decision).toMatchObject({ allowed: false, hop: 0, check: 'anchor' });
  });

  it('checks possession when a proof is given', async () => {
    const request = { method: 'GET', url: 'https://tool.test/docs/a' };
    const proof = await prove(world.chain, { signer: world.agents[2], request });
    const body = {
      token: world.chain.token,
      anchors: anchorsOf(world),
      audience: AUDIENCE,
      action: { resource: 'docs:a', action: 'read', args: { size: 10 } },
      proof,
      request,
    };
    const result = JSON.parse((await post(server, '/api/verify', body)).body);
    expect(result.decision.allowed).toBe(true);
    expect(result.possessionChecked).toBe(true);
    // A proof by someone else (agents[1] does not hold the last key) is denied.
    const thief = await prove(world.chain, { signer: world.agents[1], request }).catch(
      () => undefined,
    );
    if (thief !== undefined) {
      const stolen = JSON.parse(
        (await post(server, '/api/verify', { ...body, proof: thief })).body,
      );
      expect(stolen.decision).toMatchObject({ allowed: false, check: 'possession' });
    }
    const missing = await post(server, '/api/verify', { ...body, request: undefined });
    expect(missing.status).toBe(400);
    expect(codeOf(missing)).toBe('INSPECTOR_BAD_REQUEST');
  });

  it('answers hostile input with coded 4xx errors and stays up', async () => {
    const cases: [string, Promise<Reply>, number, string][] = [
      [
        'garbage token',
        post(server, '/api/inspect', { token: 'garbage' }),
        422,
        'MANDATE_MALFORMED',
      ],
      [
        'oversized token',
        post(server, '/api/inspect', { token: 'A'.repeat(40_000) }),
        422,
        'MANDATE_LIMIT_EXCEEDED',
      ],
      [
        'invalid JSON',
        raw(server, 'POST', '/api/inspect', { body: '{"token":' }),
        400,
        'INSPECTOR_BAD_JSON',
      ],
      [
        'duplicate keys',
        raw(server, 'POST', '/api/inspect', { body: '{"token":"a","token":"b"}' }),
        400,
        'INSPECTOR_BAD_JSON',
      ],
      [
        'escaped duplicate keys',
        raw(server, 'POST', '/api/inspect', { body: '{"token":"a","\\u0074oken":"b"}' }),
        400,
        'INSPECTOR_BAD_JSON',
      ],
      [
        'deep nesting',
        raw(server, 'POST', '/api/inspect', {
          body: `{"token":${'['.repeat(5000)}${']'.repeat(5000)}}`,
        }),
        400,
        'INSPECTOR_BAD_JSON',
      ],
      ['an array', raw(server, 'POST', '/api/inspect', { body: '[]' }), 400, 'INSPECTOR_BAD_JSON'],
      [
        'invalid UTF-8',
        raw(server, 'POST', '/api/inspect', {
          body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
        }),
        400,
        'INSPECTOR_BAD_JSON',
      ],
      [
        'unknown member',
        post(server, '/api/inspect', { token: world.chain.token, extra: 1 }),
        400,
        'INSPECTOR_BAD_REQUEST',
      ],
      [
        '__proto__ member',
        raw(server, 'POST', '/api/inspect', {
          body: `{"__proto__":{"polluted":true},"token":"${world.chain.token}"}`,
        }),
        400,
        'INSPECTOR_BAD_REQUEST',
      ],
      [
        'token not a string',
        post(server, '/api/inspect', { token: 42 }),
        400,
        'INSPECTOR_BAD_REQUEST',
      ],
      [
        'bad anchor key',
        post(server, '/api/verify', {
          token: world.chain.token,
          anchors: [{ id: ANCHOR_ID, publicJwk: { kty: 'oct', k: 'AAAA' } }],
          audience: AUDIENCE,
          action: { resource: 'docs:a', action: 'read' },
        }),
        400,
        'INSPECTOR_BAD_ANCHORS',
      ],
      [
        'a JWKS URL anchor (no fetching)',
        post(server, '/api/verify', {
          token: world.chain.token,
          anchors: [{ id: ANCHOR_ID, jwksUri: 'http://169.254.169.254/' }],
          audience: AUDIENCE,
          action: { resource: 'docs:a', action: 'read' },
        }),
        400,
        'INSPECTOR_BAD_REQUEST',
      ],
      [
        'oversized body (declared)',
        raw(server, 'POST', '/api/inspect', { body: `{"token":"${'A'.repeat(70_000)}"}` }),
        413,
        'INSPECTOR_TOO_LARGE',
      ],
      [
        'oversized body (chunked)',
        raw(server, 'POST', '/api/inspect', {
          chunks: Array.from({ length: 20 }, () => Buffer.alloc(8192, 0x41)),
        }),
        413,
        'INSPECTOR_TOO_LARGE',
      ],
      [
        'wrong content type',
        raw(server, 'POST', '/api/inspect', {
          headers: { 'content-type': 'text/plain' },
          body: '{"token":"x"}',
        }),
        415,
        'INSPECTOR_UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'cross-origin POST',
        raw(server, 'POST', '/api/inspect', {
          headers: { origin: 'https://evil.example' },
          body: '{"token":"x"}',
        }),
        403,
        'INSPECTOR_FORBIDDEN',
      ],
      [
        'rebound Host',
        raw(server, 'GET', '/', { headers: { host: `evil.example:${server.port}` } }),
        403,
        'INSPECTOR_FORBIDDEN',
      ],
      ['GET on the API', raw(server, 'GET', '/api/inspect'), 405, 'INSPECTOR_METHOD_NOT_ALLOWED'],
      ['unknown path', raw(server, 'GET', '/etc/passwd'), 404, 'INSPECTOR_NOT_FOUND'],
    ];
    for (const [name, pending, status, code] of cases) {
      const reply = await pending;
      expect({ name, status: reply.status, code: codeOf(reply) }).toEqual({ name, status, code });
      expect(String(reply.headers['content-type'])).toMatch(/^application\/json/);
    }
    // A malformed request line: a coded 400 on the raw socket.
    const rawReply = await new Promise<string>((resolve) => {
      const socket = connect(server.port, '127.0.0.1', () =>
        socket.write('BOGUS\x00 / HTTP/9\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
    });
    expect(rawReply).toMatch(/^HTTP\/1\.1 400/);
    expect(rawReply).toContain('INSPECTOR_BAD_REQUEST');
    // Still up, and nothing was polluted.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const after = await post(server, '/api/inspect', { token: world.chain.token });
    expect(after.status).toBe(200);
  });
});

const browserSkip = existsSync(CHROMIUM)
  ? undefined
  : `${CHROMIUM} not found; install Debian's chromium (apt-get install chromium) to run the Inspector browser tests`;
if (browserSkip !== undefined) console.warn(`SKIPPED inspector browser tests: ${browserSkip}`);

describe.skipIf(browserSkip !== undefined)('inspector page in chromium', () => {
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const requested: string[] = [];
  const problems: string[] = [];
  let dialogs = 0;

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    profile = await mkdtemp(join(tmpdir(), 'mandate-inspector-'));
    const started = performance.now();
    // launchPersistentContext is how playwright takes a fresh --user-data-dir.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(10_000);
    page.on('request', (r) => requested.push(r.url()));
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // A 4xx answer logs "Failed to load resource"; only policy violations are problems.
      if (/Content Security Policy|Trusted Type/i.test(message.text())) {
        problems.push(`console: ${message.text()}`);
      }
    });
    page.on('dialog', (dialog) => {
      dialogs++;
      void dialog.dismiss();
    });
    await page.goto(server.url);
    await page.waitForSelector('html[data-ready="true"]');
    console.info(`chromium up and page ready in ${Math.round(performance.now() - started)} ms`);
  });

  afterAll(async () => {
    await context?.close();
    if (profile !== undefined) await rm(profile, { recursive: true, force: true });
  });

  /** Paste and inspect; resolves once the new view or error is shown (the page clears both first). */
  async function inspect(token: string): Promise<void> {
    await page.fill('#token', token);
    await page.click('#inspect');
    await page.waitForSelector('#view:not([hidden]), #error:not([hidden])');
  }

  async function verify(resource: string, action: string, args: object): Promise<void> {
    await page.fill('#anchors', JSON.stringify(anchorsOf(world)));
    await page.fill('#audience', AUDIENCE);
    await page.fill('#resource', resource);
    await page.fill('#action', action);
    await page.fill('#args', JSON.stringify(args));
    await page.click('#verify');
    await page.waitForSelector('#result:not([hidden])');
  }

  it('shows the hops of a pasted 3-hop chain: who delegated what to whom', async () => {
    await inspect(world.chain.token);
    await page.waitForSelector('#view:not([hidden])');
    expect(await page.textContent('#unverified')).toMatch(/^UNVERIFIED/);
    const rows = page.locator('#hops-body tr');
    expect(await rows.count()).toBe(3);
    const timeline = await page.locator('#timeline li').allTextContents();
    expect(timeline).toEqual([
      `anchor ${ANCHOR_ID}`,
      ...world.agents.map((a, i) => `holder ${i} ${a.id}`),
    ]);
    for (const [hop, agent] of world.agents.entries()) {
      const row = page.locator(`#hops-body tr[data-hop="${hop}"]`);
      expect(await row.locator('.to').textContent()).toBe(`to: ${agent.id}`);
      expect(await row.locator('.from').textContent()).toBe(
        `from: ${hop === 0 ? ANCHOR_ID : world.agents[hop - 1]!.id}`,
      );
    }
    expect(await page.locator('#hops-body tr[data-hop="1"] .narrowing').textContent()).toContain(
      'actions read,write → read',
    );
    expect(await page.locator('#hops-body tr[data-hop="2"] .narrowing').textContent()).toContain(
      'resource docs:** → docs:a',
    );
  });

  it('says "allowed" for a genuine action, and that possession was not checked', async () => {
    await verify('docs:a', 'read', { size: 10 });
    expect(await page.textContent('#result-status')).toBe('allowed');
    expect(await page.textContent('#possession')).toBe('NOT checked');
    expect(await page.locator('#grant-chain li').allTextContents()).toEqual([
      ANCHOR_ID,
      ...world.agents.map((a) => a.id),
    ]);
    expect(await page.locator('tr.failed').count()).toBe(0);
  });

  it('shows MANDATE_FORBIDDEN at the hop that dropped the action, highlighted', async () => {
    await verify('docs:a', 'write', { size: 10 });
    expect(await page.textContent('#result-status')).toBe('denied');
    expect(await page.textContent('#decision-code')).toBe('MANDATE_FORBIDDEN');
    expect(await page.textContent('#decision-check')).toBe('authorize');
    expect(await page.textContent('#decision-hop')).toBe('1');
    expect(await page.locator('tr.failed').count()).toBe(1);
    expect(await page.getAttribute('tr.failed', 'data-hop')).toBe('1');
    // The highlight follows the decision: docs:b was dropped one hop later.
    await verify('docs:b', 'read', { size: 10 });
    expect(await page.textContent('#decision-hop')).toBe('2');
    expect(await page.locator('tr.failed').count()).toBe(1);
    expect(await page.getAttribute('tr.failed', 'data-hop')).toBe('2');
  });

  it('renders an HTML payload in a token literally, and runs none of it', async () => {
    await inspect(world.hostile.token);
    await page.waitForSelector('#hops-body tr[data-hop="0"]');
    expect(await page.textContent('#subject')).toBe(XSS_SUBJECT);
    expect(await page.textContent('#hops-body tr[data-hop="0"] .caps')).toContain(XSS_RESOURCE);
    expect(await page.textContent('#hops-body tr[data-hop="0"] .purpose')).toBe(
      `purpose: ${XSS_PURPOSE}`,
    );
    await verify(XSS_RESOURCE, 'read', {});
    expect(await page.textContent('#result-status')).toBe('allowed');
    expect(await page.textContent('#grant-subject')).toBe(XSS_SUBJECT);
    // Give any injected handler a chance to fire, then check it did not.
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await page.locator('main img, main script').count()).toBe(0);
    expect(dialogs).toBe(0);
  });

  it('shows a coded error for garbage input', async () => {
    await inspect('this is not a mandate');
    await page.waitForSelector('#error:not([hidden])');
    expect(await page.textContent('#error .code')).toBe('MANDATE_MALFORMED');
    expect(await page.isHidden('#view')).toBe(true);
    // Invalid JSON in the form is caught before it is sent.
    await inspect(world.chain.token);
    await page.waitForSelector('#view:not([hidden])');
    await page.fill('#anchors', '[{"id": ');
    await page.click('#verify');
    await page.waitForSelector('#verify-error:not([hidden])');
    expect(await page.textContent('#verify-error .code')).toBe('INSPECTOR_BAD_JSON');
  });

  it('made no request beyond its own server, and broke no policy', () => {
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((url) => !url.startsWith(server.url))).toEqual([]);
    expect(problems).toEqual([]);
  });
});
