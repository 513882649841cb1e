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
import type { ExampleView } from '../../../src/cli/inspector/example.js';
import type { InspectView } from '../../../src/cli/inspector/view.js';
import {
  approvalCall,
  approve,
  delegate,
  generateKeyPair,
  mint,
  prove,
  type KeyPair,
  type Mandate,
} from '../../../src/index.js';
import type { VerifyView } from '../../../src/cli/inspector/api.js';
import { TYP } from '../../../src/core/typ.js';

const CHROMIUM = process.env.MANDATE_CHROMIUM ?? '/usr/bin/chromium';
const ANCHOR_ID = 'https://as.test';
const AUDIENCE = 'https://tool.test';
const XSS_SUBJECT = '<img src=x onerror="window.__pwned=1">';
const XSS_RESOURCE = 'docs:<img src=x onerror=window.__pwned=2>';
const XSS_PURPOSE = '<script>window.__pwned=3</script>';
const XSS_APPROVED_RESOURCE = 'billing:<img src=x onerror=window.__pwned=4>';
const XSS_APPROVED_ACTION = '<script>window.__pwned=5</script>';

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
    // Biscuit blocks are Datalog: the decoded block stands in for a JSON payload.
    expect(view.hops[0].raw.header).toBeUndefined();
    expect(view.hops[0].raw.payload).toMatchObject({ subject: 'alice' });
  });

  it('mints a fresh example on each request, whose genuine request is allowed and denied one is not', async () => {
    const [first, second] = await Promise.all([
      post(server, '/api/example', {}),
      post(server, '/api/example', {}),
    ]);
    expect(first.status).toBe(200);
    const example = JSON.parse(first.body) as ExampleView;
    expect(example.token).not.toBe((JSON.parse(second.body) as ExampleView).token);
    // Public keys only: no private member of any JWK reaches the page.
    expect(first.body).not.toMatch(/"d"\s*:/);
    const decide = async (action: object) => {
      const reply = await post(server, '/api/verify', {
        token: example.token,
        anchors: example.anchors,
        audience: example.audience,
        action,
      });
      expect(reply.status).toBe(200);
      return (JSON.parse(reply.body) as { decision: Record<string, unknown> }).decision;
    };
    expect(await decide(example.requests.genuine)).toMatchObject({
      allowed: true,
      subject: 'alice',
    });
    expect(await decide(example.requests.denied)).toMatchObject({
      allowed: false,
      code: 'MANDATE_FORBIDDEN',
      hop: 1,
      check: 'authorize',
    });
    const inspected = JSON.parse(
      (await post(server, '/api/inspect', { token: example.token })).body,
    ) as InspectView;
    expect(inspected.hops.map((h) => example.names[h.to])).toEqual([
      'orchestrator',
      'billing agent',
    ]);
    expect(example.names[inspected.hops[0]!.from]).toBe('auth server');
    // Takes no options: an unknown member is refused like everywhere else.
    const extra = await post(server, '/api/example', { keys: 'mine' });
    expect([extra.status, codeOf(extra)]).toEqual([400, 'INSPECTOR_BAD_REQUEST']);
  });

  it('says what undecodable input looks like: never a mandate format', async () => {
    const guessOf = async (token: string) => {
      const reply = await post(server, '/api/inspect', { token });
      expect(reply.status).toBe(422);
      return (JSON.parse(reply.body) as { guess: { kind: string; text: string } }).guess;
    };
    expect(await guessOf('garbage')).toMatchObject({ kind: 'unknown' });
    expect((await guessOf('garbage')).text).toMatch(/^not a mandate/);
    const jwt = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.c2ln`;
    expect(await guessOf(jwt)).toMatchObject({ kind: 'jwt' });
    expect((await guessOf(jwt)).text).toMatch(/^a JWT \(HS256, typ JWT\), not a mandate/);
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

  it('shows approval requirements per hop and what the verifier makes of pasted approvals', async () => {
    const approver = await generateKeyPair();
    const root = await mint({
      issuer: world.anchor,
      issuerId: ANCHOR_ID,
      subject: 'alice',
      holder: world.agents[0].publicJwk,
      capabilities: [{ resource: 'docs:**', actions: ['read', 'write'] }],
      approvals: [{ resource: 'docs:**', actions: ['write'], approvers: [approver.id] }],
      expiresIn: 600,
      audience: AUDIENCE,
    });
    const chain = await delegate(root, {
      signer: world.agents[0],
      holder: world.agents[1].publicJwk,
      capabilities: [{ resource: 'docs:**', actions: ['read', 'write'] }],
    });
    const inspected = JSON.parse(
      (await post(server, '/api/inspect', { token: chain.token })).body,
    ) as InspectView;
    expect(
      inspected.hops.map((h) => h.approvalRequirements.map((r) => [r.origin, r.threshold])),
    ).toEqual([[['root', 1]], [['inherited', 1]]]);
    expect(inspected.hops[1]?.approvalRequirements[0]?.approvers).toEqual([
      { id: approver.id, label: `key …${approver.id.slice(-4)}` },
    ]);

    const action = { resource: 'docs:a', action: 'write' };
    const base = { token: chain.token, anchors: anchorsOf(world), audience: AUDIENCE, action };
    const verify = async (body: object): Promise<VerifyView> => {
      const reply = await post(server, '/api/verify', { ...base, ...body });
      expect(reply.status).toBe(200);
      return JSON.parse(reply.body) as VerifyView;
    };
    const none = await verify({});
    expect(none.decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_APPROVAL_REQUIRED',
      hop: 0,
      check: 'authorize',
    });
    expect(none.approvals?.applying.map((a) => [a.hop, a.status, a.missing])).toEqual([
      [0, 'unmet', 1],
    ]);
    expect(none.approvals?.needed?.call).toMatchObject({ mandate: chain.blocks[1]!.id });

    const approval = await approve(
      await approvalCall(chain, { action, audience: AUDIENCE }),
      approver,
    );
    const approved = await verify({ approvals: [approval] });
    expect(approved.decision).toMatchObject({ allowed: true, approvedBy: [approver.id] });
    expect(approved.approvals?.approvals[0]).toMatchObject({
      approver: { id: approver.id },
      call: { resource: 'docs:a', action: 'write', holder: world.agents[1].id },
      signature: 'valid',
      outcome: 'counted',
      countsToward: [{ hop: 0, index: 0 }],
    });
    expect(approved.notes.join(' ')).toMatch(/fresh replay store/);

    // Hostile approvals: coded, per approval, and the verifier's verdict names the code.
    const garbage = await verify({ approvals: ['<script>alert(1)</script>', 'x'.repeat(60_000)] });
    expect(garbage.decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_APPROVAL_INVALID',
      hop: 1,
      check: 'authorize',
    });
    expect(garbage.approvals?.approvals.map((a) => [a.readError?.code, a.outcome])).toEqual([
      ['MANDATE_APPROVAL_INVALID', 'refused'],
      ['MANDATE_APPROVAL_INVALID', 'refused'],
    ]);
    const refused: [string, object][] = [
      ['too many approvals', { approvals: Array.from({ length: 17 }, () => approval) }],
      ['approvals not a list', { approvals: approval }],
      ['an empty approval', { approvals: [''] }],
      ['user keys not JWKs', { userKeys: ['x'] }],
    ];
    for (const [name, body] of refused) {
      const reply = await post(server, '/api/verify', { ...base, ...body });
      expect({ name, status: reply.status, code: codeOf(reply) }).toEqual({
        name,
        status: 400,
        code: 'INSPECTOR_BAD_REQUEST',
      });
    }
    // A call no requirement covers: approvals are not read, and the report says so.
    const read = await verify({
      action: { resource: 'docs:a', action: 'read' },
      approvals: [approval],
    });
    expect(read.decision.allowed).toBe(true);
    expect(read.approvals?.approvals[0]?.outcome).toBe('ignored');
    // A chain without requirements and no approvals: no report at all.
    const plain = await verify({
      token: world.chain.token,
      action: { resource: 'docs:a', action: 'read', args: { size: 1 } },
    });
    expect(plain.approvals).toBeUndefined();
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
  let shots: string;

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    profile = await mkdtemp(join(tmpdir(), 'mandate-inspector-'));
    // Screenshots of each state; MANDATE_INSPECTOR_SHOTS keeps them for a human to look at.
    shots =
      process.env.MANDATE_INSPECTOR_SHOTS ?? (await mkdtemp(join(tmpdir(), 'mandate-shots-')));
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
    if (shots !== undefined && process.env.MANDATE_INSPECTOR_SHOTS === undefined) {
      await rm(shots, { recursive: true, force: true });
    }
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

  /** Click the example button and wait for the freshly minted chain to be shown. */
  async function loadExample(): Promise<void> {
    const before = await page.evaluate(() => document.documentElement.dataset.renders ?? '0');
    await page.click('#example');
    await page.waitForFunction(
      (n) => (document.documentElement.dataset.renders ?? '0') !== n,
      before,
    );
    await page.waitForSelector('#view:not([hidden]) #hops li.hop[data-hop="1"]');
  }

  /** The full ids (title) and the shown labels of the parties inside `selector`. */
  async function parties(selector: string): Promise<{ ids: string[]; labels: string[] }> {
    const names = page.locator(`${selector} .party`);
    const ids: string[] = [];
    for (let i = 0; i < (await names.count()); i++) {
      ids.push((await names.nth(i).getAttribute('title')) ?? '');
    }
    return { ids, labels: await names.allTextContents() };
  }

  /** A full-page PNG of the current state, checked to be a real image of a sensible size. */
  async function screenshot(name: string): Promise<Buffer> {
    const path = join(shots, `${name}.png`);
    const png = await page.screenshot({ path, fullPage: true });
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.byteLength).toBeGreaterThan(8_000);
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    expect(width).toBe(page.viewportSize()?.width);
    expect(height).toBeGreaterThan(300);
    return png;
  }

  it('empty state: a labelled form, and a screenshot', async () => {
    expect(await page.isHidden('#view')).toBe(true);
    expect(await page.isVisible('#example')).toBe(true);
    await screenshot('empty');
  });

  it('shows the hops of a pasted 3-hop chain: who delegated what to whom, by short label', async () => {
    await inspect(world.chain.token);
    await page.waitForSelector('#view:not([hidden])');
    expect(await page.textContent('#unverified')).toMatch(/^UNVERIFIED/);
    expect(await page.locator('#hops li.hop').count()).toBe(3);
    const timeline = await parties('#timeline');
    expect(timeline.ids).toEqual([ANCHOR_ID, ...world.agents.map((a) => a.id)]);
    expect(timeline.labels).toEqual([
      ANCHOR_ID,
      ...world.agents.map((a) => `key …${a.id.slice(-4)}`),
    ]);
    for (const [hop, agent] of world.agents.entries()) {
      const card = page.locator(`#hops li.hop[data-hop="${hop}"]`);
      expect(await card.locator('.to .party').getAttribute('title')).toBe(agent.id);
      expect(await card.locator('.from .party').getAttribute('title')).toBe(
        hop === 0 ? ANCHOR_ID : world.agents[hop - 1]!.id,
      );
      // Raw header and payload, collapsed until asked for.
      const raw = card.locator('details.raw');
      expect(await raw.count()).toBe(2);
      expect(await raw.first().getAttribute('open')).toBeNull();
      const header = JSON.parse((await raw.first().locator('pre').textContent()) ?? '') as {
        typ?: string;
      };
      expect(header.typ).toBe(hop === 0 ? TYP.root : TYP.delegation);
      const payload = (await raw.nth(1).locator('pre').textContent()) ?? '';
      expect(payload).toContain('"docs:');
    }
    expect(await page.locator('#hops li.hop[data-hop="0"] .caps').textContent()).toContain(
      'size ≤ 100',
    );
    expect(await page.locator('#hops li.hop[data-hop="1"] .narrowing').textContent()).toContain(
      'actions read,write → read',
    );
    expect(await page.locator('#hops li.hop[data-hop="2"] .narrowing').textContent()).toContain(
      'resource docs:** → docs:a',
    );
    // Every copy button names the id it copies, for a screen reader.
    const copies = page.locator('#timeline button.copy');
    expect(await copies.first().getAttribute('aria-label')).toBe(`copy the full id ${ANCHOR_ID}`);
  });

  it('says "allowed" for a genuine action, and that possession was not checked', async () => {
    await verify('docs:a', 'read', { size: 10 });
    expect(await page.textContent('#result-status')).toBe('allowed');
    expect(await page.textContent('#possession')).toBe('NOT checked');
    expect((await parties('#grant-chain')).ids).toEqual([
      ANCHOR_ID,
      ...world.agents.map((a) => a.id),
    ]);
    expect(await page.locator('li.hop.failed').count()).toBe(0);
    expect(await page.locator('#hops .verdict').count()).toBe(0);
    await screenshot('allowed');
  });

  it('shows MANDATE_FORBIDDEN in the card of the hop that dropped the action', async () => {
    await verify('docs:a', 'write', { size: 10 });
    expect(await page.textContent('#result-status')).toBe('denied');
    expect(await page.textContent('#decision-code')).toBe('MANDATE_FORBIDDEN');
    expect(await page.textContent('#decision-check')).toBe('authorize');
    expect(await page.textContent('#decision-hop')).toBe('1');
    expect(await page.locator('li.hop.failed').count()).toBe(1);
    expect(await page.getAttribute('li.hop.failed', 'data-hop')).toBe('1');
    const verdict = page.locator('li.hop.failed .verdict');
    expect(await verdict.count()).toBe(1);
    expect(await verdict.textContent()).toContain('MANDATE_FORBIDDEN');
    // The verdict is on screen with its hop, not a page below it.
    expect(await verdict.isVisible()).toBe(true);
    const card = await page.locator('li.hop.failed').boundingBox();
    const box = await verdict.boundingBox();
    expect(box!.y).toBeGreaterThan(card!.y);
    expect(box!.y + box!.height).toBeLessThanOrEqual(card!.y + card!.height);
    await screenshot('denied');
    // The highlight follows the decision: docs:b was dropped one hop later.
    await verify('docs:b', 'read', { size: 10 });
    expect(await page.textContent('#decision-hop')).toBe('2');
    expect(await page.locator('li.hop.failed').count()).toBe(1);
    expect(await page.getAttribute('li.hop.failed', 'data-hop')).toBe('2');
    expect(await page.locator('#hops .verdict').count()).toBe(1);
  });

  it('renders an HTML payload in a token literally, and runs none of it', async () => {
    await inspect(world.hostile.token);
    await page.waitForSelector('#hops li.hop[data-hop="0"]');
    expect(await page.textContent('#subject')).toBe(XSS_SUBJECT);
    expect(await page.textContent('#hops li.hop[data-hop="0"] .caps')).toContain(XSS_RESOURCE);
    expect(await page.textContent('#hops li.hop[data-hop="0"] .purpose')).toBe(
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

  it('says "not a mandate" for a random string and "a JWT, not a mandate" for a JWT', async () => {
    await inspect('this is not a mandate');
    await page.waitForSelector('#error:not([hidden])');
    expect(await page.textContent('#error .code')).toBe('MANDATE_MALFORMED');
    expect(await page.textContent('#error .guess')).toMatch(/^not a mandate/);
    expect(await page.textContent('#error')).not.toMatch(/^Biscuit/i);
    expect(await page.isHidden('#view')).toBe(true);
    await screenshot('not-a-mandate');
    const jwt = [
      Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url'),
      Buffer.from('{"sub":"1234567890","name":"John Doe","iat":1516239022}').toString('base64url'),
      'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
    ].join('.');
    await inspect(jwt);
    await page.waitForSelector('#error:not([hidden])');
    expect(await page.textContent('#error .guess')).toMatch(
      /^a JWT \(HS256, typ JWT\), not a mandate/,
    );
    // Invalid JSON in the form is caught before it is sent.
    await inspect(world.chain.token);
    await page.waitForSelector('#view:not([hidden])');
    await page.fill('#anchors', '[{"id": ');
    await page.click('#verify');
    await page.waitForSelector('#verify-error:not([hidden])');
    expect(await page.textContent('#verify-error .code')).toBe('INSPECTOR_BAD_JSON');
  });

  it('loads an example: named parties, a genuine and a denied request', async () => {
    await page.fill('#anchors', '');
    await loadExample();
    expect((await parties('#timeline')).labels).toEqual([
      'auth server',
      'orchestrator',
      'billing agent',
    ]);
    expect(await page.textContent('#hops li.hop[data-hop="1"] .caps')).toContain(
      'pay on billing:invoices/2026-03 where amount ≤ 200, currency = EUR',
    );
    expect(await page.textContent('#hops li.hop[data-hop="0"] .caps')).toContain(
      'currency ∈ {EUR, USD}',
    );
    await screenshot('example');
    await page.click('#try-genuine');
    await page.waitForSelector('#result:not([hidden])');
    expect(await page.textContent('#result-status')).toBe('allowed');
    await page.click('#try-denied');
    await page.waitForSelector('li.hop.failed .verdict');
    expect(await page.textContent('#result-status')).toBe('denied');
    expect(await page.textContent('#decision-code')).toBe('MANDATE_FORBIDDEN');
    expect(await page.getAttribute('li.hop.failed', 'data-hop')).toBe('1');
  });

  it('shows approval requirements in the hop cards and what each pasted approval counts toward', async () => {
    await loadExample();
    const required = (hop: number) =>
      page.locator(`#hops li.hop[data-hop="${hop}"] .approvals li.requirement`);
    expect(await required(0).getAttribute('data-origin')).toBe('root');
    expect(await required(0).locator('.requirement-text').textContent()).toContain(
      "pay on billing:invoices/** needs 1 approval, by alice's phone",
    );
    expect(await required(0).locator('.requirement-text').textContent()).toContain(
      'when 150 ≤ amount',
    );
    expect(await required(0).locator('.approvers .party').textContent()).toBe("alice's phone");
    expect(await required(1).getAttribute('data-origin')).toBe('inherited');
    expect(await required(1).locator('.origin').textContent()).toContain(
      'inherited unchanged from hop 0',
    );

    await page.click('#try-approval');
    await page.waitForSelector('#approval-report:not([hidden]) li.approval');
    expect(await page.textContent('#result-status')).toBe('allowed');
    const approval = page.locator('#approval-report li.approval[data-index="0"]');
    expect(await approval.getAttribute('data-outcome')).toBe('counted');
    expect(await approval.locator('.approval-head .party').textContent()).toBe("alice's phone");
    expect(await approval.locator('.approval-signature').textContent()).toBe('signature: verifies');
    expect(await approval.locator('.approval-call').textContent()).toContain(
      'approves: pay on billing:invoices/2026-03 for service https://payments.example',
    );
    expect(await approval.locator('.approval-outcome').textContent()).toBe(
      "valid for this call; counts toward hop 0's requirement 0",
    );
    expect(
      await page.getAttribute('#approval-report li.applying[data-hop="0"]', 'data-status'),
    ).toBe('met');
    await screenshot('approvals');

    // Without the approval: denied at the hop that requires it, and the report says what is missing.
    await page.fill('#approvals', '');
    await page.click('#verify');
    await page.waitForSelector('li.hop.failed .verdict');
    expect(await page.textContent('#decision-code')).toBe('MANDATE_APPROVAL_REQUIRED');
    expect(await page.textContent('#decision-check')).toBe('authorize');
    expect(await page.getAttribute('li.hop.failed', 'data-hop')).toBe('0');
    expect(
      await page.getAttribute('#approval-report li.applying[data-hop="0"]', 'data-status'),
    ).toBe('unmet');
    expect(await page.textContent('#approval-report li.applying')).toContain('1 more needed');

    // An approval whose claims are HTML and script: shown literally, nothing runs.
    const intruder = await generateKeyPair();
    const hostile = await approve(
      {
        mandate: 'm',
        holder: 'h',
        audience: 'https://payments.example',
        resource: XSS_APPROVED_RESOURCE,
        action: XSS_APPROVED_ACTION,
        args: {},
      },
      intruder,
    );
    await page.fill('#approvals', hostile);
    await page.click('#verify');
    await page.waitForSelector('#approval-report li.approval[data-outcome="refused"]');
    expect(await page.textContent('#decision-code')).toBe('MANDATE_APPROVAL_INVALID');
    const call = (await page.textContent('#approval-report .approval-call')) ?? '';
    expect(call).toContain(`${XSS_APPROVED_ACTION} on ${XSS_APPROVED_RESOURCE}`);
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await page.locator('main img, main script').count()).toBe(0);
    expect(dialogs).toBe(0);
  });

  it('is usable at 760 px: nothing overflows sideways, ids are cut with an ellipsis', async () => {
    await page.setViewportSize({ width: 760, height: 900 });
    try {
      await loadExample();
      await page.click('#try-denied');
      await page.waitForSelector('li.hop.failed .verdict');
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBe(0);
      // Ids never wrap: one line each, ellipsis when they do not fit.
      const ids = await page.$$eval('.party, .id', (nodes) =>
        nodes
          .filter((n) => (n as HTMLElement).offsetParent !== null)
          .map((n) => {
            const style = getComputedStyle(n);
            return `${style.whiteSpace}/${style.textOverflow}/${(n as HTMLElement).getClientRects().length}`;
          }),
      );
      expect(ids.length).toBeGreaterThan(5);
      expect(new Set(ids)).toEqual(new Set(['nowrap/ellipsis/1']));
      // Mid-token breaks only inside code blocks.
      const anywhere = await page.$$eval('body *', (nodes) =>
        nodes.filter((n) => getComputedStyle(n).overflowWrap === 'anywhere').map((n) => n.tagName),
      );
      expect(new Set(anywhere)).toEqual(new Set(['PRE']));
      await screenshot('narrow-760');
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });

  it('is accessible: labels, keyboard order, names of controls, contrast in the page', async () => {
    // Every form control has a label naming it.
    const unlabelled = await page.$$eval('input, textarea, select', (nodes) =>
      nodes
        .filter(
          (n) =>
            !(n.id && document.querySelector(`label[for="${n.id}"]`)?.textContent?.trim()) &&
            !n.getAttribute('aria-label'),
        )
        .map((n) => n.outerHTML),
    );
    expect(unlabelled).toEqual([]);
    // Every button has an accessible name; ids are unique; the page has a language.
    const unnamed = await page.$$eval(
      'button',
      (nodes) =>
        nodes.filter((n) => !(n.getAttribute('aria-label') ?? n.textContent ?? '').trim()).length,
    );
    expect(unnamed).toBe(0);
    const duplicates = await page.$$eval('[id]', (nodes) => {
      const seen = new Set<string>();
      return nodes.filter((n) => (seen.has(n.id) ? true : (seen.add(n.id), false))).length;
    });
    expect(duplicates).toBe(0);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    // Keyboard: Tab from the top reaches the main controls in reading order.
    // Start from the heading, as a keyboard user arriving at the page does.
    await page.evaluate(() => {
      const h1 = document.querySelector('h1')!;
      h1.tabIndex = -1;
      h1.focus();
    });
    const order: string[] = [];
    for (let i = 0; i < 200 && !order.includes('verify'); i++) {
      await page.keyboard.press('Tab');
      const id = await page.evaluate(() => document.activeElement?.id ?? '');
      if (id !== '') order.push(id);
    }
    const main = ['token', 'inspect', 'example', 'anchors', 'audience', 'resource', 'action'];
    const wanted = [...main, 'args', 'proof', 'request', 'now', 'verify'];
    expect(order.filter((id) => wanted.includes(id))).toEqual(wanted);
    // Contrast of every visible text node's colour against its effective background.
    const low = await page.evaluate(() => {
      const rgb = (c: string): number[] => (c.match(/[\d.]+/g) ?? []).map(Number);
      const lum = ([r = 0, g = 0, b = 0]: number[]): number => {
        const f = (v: number): number => {
          const s = v / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      const background = (n: Element | null): number[] => {
        for (let e = n; e !== null; e = e.parentElement) {
          const c = rgb(getComputedStyle(e).backgroundColor);
          if (c.length === 3 || (c.length === 4 && c[3]! > 0)) return c.slice(0, 3);
        }
        return [255, 255, 255];
      };
      const out: string[] = [];
      for (const n of Array.from(document.querySelectorAll('body *'))) {
        const own = Array.from(n.childNodes).some(
          (c) => c.nodeType === Node.TEXT_NODE && (c.textContent ?? '').trim() !== '',
        );
        if (!own || (n as HTMLElement).offsetParent === null) continue;
        const fg = lum(rgb(getComputedStyle(n).color));
        const bg = lum(background(n));
        const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
        if (ratio < 4.5) out.push(`${n.tagName}.${n.className}: ${ratio.toFixed(2)}`);
      }
      return out;
    });
    expect(low).toEqual([]);
  });

  it('made no request beyond its own server, and broke no policy', () => {
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((url) => !url.startsWith(server.url))).toEqual([]);
    expect(problems).toEqual([]);
  });
});
