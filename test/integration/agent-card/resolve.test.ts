/**
 * Agent resolution and key rotation against real HTTP servers on loopback: Agent Cards at
 * the well-known locations (with the v0.3 fallback), verified, cached with expiry, served
 * from the wrong origin; `expectHolder` in the verifier; a trust anchor's JWKS rotating.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAgentResolver,
  holderKeysExtension,
  signAgentCard,
  type AgentCard,
} from '../../../src/identity/agent-card/index.js';
import {
  createVerifier,
  delegate,
  generateKeyPair,
  mint,
  prove,
  type KeyPair,
  type TrustAnchor,
} from '../../../src/index.js';

interface Site {
  server: Server;
  origin: string;
  routes: Map<string, { status?: number; body?: unknown; headers?: Record<string, string> }>;
  hits: Map<string, number>;
}

async function site(): Promise<Site> {
  const routes: Site['routes'] = new Map();
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = routes.get(path);
    if (route === undefined) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.writeHead(route.status ?? 200, { 'content-type': 'application/json', ...route.headers });
    res.end(route.body === undefined ? '' : JSON.stringify(route.body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}`, routes, hits };
}

async function close(s: Site): Promise<void> {
  s.server.closeAllConnections();
  s.server.close();
  await once(s.server, 'close');
}

function cardFor(origin: string, holders: KeyPair[], name = 'Billing Agent'): AgentCard {
  return {
    name,
    description: 'Pays approved invoices.',
    supportedInterfaces: [
      { url: `${origin}/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
    ],
    version: '1.0.0',
    capabilities: { extensions: [holderKeysExtension(holders.map((h) => h.publicJwk))] },
    defaultInputModes: ['application/json'],
    defaultOutputModes: ['application/json'],
    skills: [{ id: 'pay', name: 'Pay', description: 'Pays.', tags: ['billing'] }],
  };
}

let billing: Site;
let legacy: Site;
let evil: Site;
let provider: KeyPair;
let billingHolder: KeyPair;
const providerKeys = () => [{ ...provider.publicJwk, kid: 'p1' }];

beforeAll(async () => {
  [billing, legacy, evil] = await Promise.all([site(), site(), site()]);
  provider = await generateKeyPair();
  billingHolder = await generateKeyPair();
  billing.routes.set('/.well-known/agent-card.json', {
    body: signAgentCard(cardFor(billing.origin, [billingHolder]), { signer: provider, kid: 'p1' }),
    headers: { 'cache-control': 'max-age=60' },
  });
  // An older agent: only /.well-known/agent.json, a v0.3 card.
  legacy.routes.set('/.well-known/agent.json', {
    body: signAgentCard(
      {
        protocolVersion: '0.3.0',
        name: 'Legacy',
        description: 'v0.3',
        url: `${legacy.origin}/a2a`,
        version: '0.1.0',
        capabilities: { extensions: [holderKeysExtension([billingHolder.publicJwk])] },
        defaultInputModes: ['text/plain'],
        defaultOutputModes: ['text/plain'],
        skills: [],
      },
      { signer: provider, kid: 'p1' },
    ),
  });
  // Another origin serving billing's (genuinely signed) card.
  evil.routes.set('/.well-known/agent-card.json', {
    body: billing.routes.get('/.well-known/agent-card.json')?.body,
  });
});

afterAll(async () => {
  await Promise.all([billing, legacy, evil].map(close));
});

describe('createAgentResolver', () => {
  it('fetches, verifies and caches a card until its max-age passes', async () => {
    let now = 1_000;
    const resolver = createAgentResolver({
      agents: { [billing.origin]: { keys: providerKeys() } },
      clock: () => now,
    });
    const before = billing.hits.get('/.well-known/agent-card.json') ?? 0;
    const first = await resolver.resolve(billing.origin);
    expect(first.holderKeys).toEqual([billingHolder.publicJwk]);
    await resolver.resolve(billing.origin);
    expect(billing.hits.get('/.well-known/agent-card.json')).toBe(before + 1);
    now += 61;
    await resolver.resolve(billing.origin);
    expect(billing.hits.get('/.well-known/agent-card.json')).toBe(before + 2);
  });

  it('answers "is this key the named agent\'s?"', async () => {
    const resolver = createAgentResolver({
      agents: { [billing.origin]: { keys: providerKeys() } },
    });
    const stranger = await generateKeyPair();
    expect(await resolver.isAgentKey(billing.origin, billingHolder.publicJwk)).toBe(true);
    expect(await resolver.isAgentKey(billing.origin, billingHolder.id)).toBe(true);
    expect(await resolver.isAgentKey(billing.origin, stranger.publicJwk)).toBe(false);
  });

  it('falls back to /.well-known/agent.json (a v0.3 card)', async () => {
    const resolver = createAgentResolver({ agents: { [legacy.origin]: { keys: providerKeys() } } });
    expect(await resolver.resolve(legacy.origin)).toMatchObject({ version: '0.3' });
  });

  it('a card served from another origin is denied MANDATE_UNTRUSTED_ISSUER (origin-mismatch)', async () => {
    const resolver = createAgentResolver({ agents: { [evil.origin]: { keys: providerKeys() } } });
    await expect(resolver.resolve(evil.origin)).rejects.toMatchObject({
      code: 'MANDATE_UNTRUSTED_ISSUER',
      check: 'anchor',
      detail: { reason: 'origin-mismatch' },
    });
  });

  it('a redirect to another origin is never followed (origin-mismatch)', async () => {
    const hop = await site();
    try {
      hop.routes.set('/.well-known/agent-card.json', {
        status: 302,
        headers: { location: `${billing.origin}/.well-known/agent-card.json` },
      });
      const resolver = createAgentResolver({ agents: { [hop.origin]: { keys: providerKeys() } } });
      await expect(resolver.resolve(hop.origin)).rejects.toMatchObject({
        code: 'MANDATE_UNTRUSTED_ISSUER',
        detail: { reason: 'origin-mismatch' },
      });
    } finally {
      await close(hop);
    }
  });

  it('an agent with no configured trust is denied (unknown-agent); nothing is fetched', async () => {
    const resolver = createAgentResolver({
      agents: { [billing.origin]: { keys: providerKeys() } },
    });
    await expect(resolver.resolve(evil.origin)).rejects.toMatchObject({
      code: 'MANDATE_UNTRUSTED_ISSUER',
      detail: { reason: 'unknown-agent' },
    });
  });

  it('a card signed with an allow-listed jku verifies with the keys fetched from it', async () => {
    const jkuSite = await site();
    try {
      const jku = `${jkuSite.origin}/jwks.json`;
      jkuSite.routes.set('/jwks.json', { body: { keys: providerKeys() } });
      jkuSite.routes.set('/.well-known/agent-card.json', {
        body: signAgentCard(cardFor(jkuSite.origin, [billingHolder]), {
          signer: provider,
          kid: 'p1',
          jku,
        }),
      });
      const allowed = createAgentResolver({ agents: { [jkuSite.origin]: { jku: [jku] } } });
      expect(await allowed.resolve(jkuSite.origin)).toMatchObject({ jku, kid: 'p1' });
      const notAllowed = createAgentResolver({
        agents: { [jkuSite.origin]: { keys: providerKeys() } },
      });
      await expect(notAllowed.resolve(jkuSite.origin)).rejects.toMatchObject({
        code: 'MANDATE_UNTRUSTED_ISSUER',
        detail: { reason: 'jku-not-allowed' },
      });
    } finally {
      await close(jkuSite);
    }
  });
});

describe('expectHolder: a hop must be held by a signed agent', () => {
  const AUDIENCE = 'https://tool.test';
  const REQUEST = { method: 'GET', url: 'https://tool.test/pay' } as const;
  const ACTION = { resource: 'billing:x', action: 'pay' } as const;

  async function chainTo(holder: KeyPair) {
    const anchor = await generateKeyPair();
    const orchestrator = await generateKeyPair();
    const root = await mint({
      issuer: anchor,
      issuerId: 'https://as.test',
      subject: 'alice',
      holder: orchestrator.publicJwk,
      capabilities: [{ resource: 'billing:**', actions: ['pay'] }],
      expiresIn: 600,
      audience: AUDIENCE,
    });
    const mandate = await delegate(root, { signer: orchestrator, holder: holder.publicJwk });
    const anchors: TrustAnchor[] = [{ id: 'https://as.test', publicJwk: anchor.publicJwk }];
    return { mandate, anchors, proof: await prove(mandate, { signer: holder, request: REQUEST }) };
  }

  /** The decision on a chain to `holder` where `expectHolder` names an agent `agents` resolves. */
  async function decideHeldBy(
    holder: KeyPair,
    agents: ReturnType<typeof createAgentResolver>,
    expectHolder: { readonly agent: string; readonly hop?: number },
  ) {
    const chain = await chainTo(holder);
    const verifier = createVerifier({
      trustAnchors: chain.anchors,
      audience: AUDIENCE,
      agents,
      expectHolder,
    });
    return verifier.verify(chain.mandate, { action: ACTION, proof: chain.proof, request: REQUEST });
  }

  it("allows the agent's key and denies another key with a coded error", async () => {
    const agents = createAgentResolver({ agents: { [billing.origin]: { keys: providerKeys() } } });
    expect(await decideHeldBy(billingHolder, agents, { agent: billing.origin })).toMatchObject({
      allowed: true,
    });

    const stranger = await generateKeyPair();
    expect(await decideHeldBy(stranger, agents, { agent: billing.origin })).toMatchObject({
      allowed: false,
      code: 'MANDATE_UNTRUSTED_ISSUER',
      hop: 1,
      check: 'possession',
      detail: { reason: 'holder-not-agent' },
    });
  });

  it('fails closed when the agent cannot be resolved (agent-unresolved)', async () => {
    const agents = createAgentResolver({ agents: { [evil.origin]: { keys: providerKeys() } } });
    expect(await decideHeldBy(billingHolder, agents, { agent: evil.origin, hop: 1 })).toMatchObject(
      {
        allowed: false,
        code: 'MANDATE_UNTRUSTED_ISSUER',
        hop: 1,
        check: 'possession',
        detail: { reason: 'agent-unresolved' },
      },
    );
  });

  it('misuse is a TypeError at createVerifier time', () => {
    expect(() =>
      createVerifier({
        trustAnchors: [{ id: 'x', jwksUri: 'https://as.test/jwks' }],
        audience: AUDIENCE,
        expectHolder: { agent: billing.origin },
      }),
    ).toThrow(TypeError);
  });
});

describe('trust anchor JWKS rotation (jose remote key set)', () => {
  const AUDIENCE = 'https://tool.test';
  const ACTION = { resource: 'docs:a', action: 'read' } as const;

  async function rootSignedBy(issuer: KeyPair, kid: string, holder: KeyPair) {
    return mint({
      issuer,
      issuerId: 'https://as.rotating',
      kid,
      subject: 'alice',
      holder: holder.publicJwk,
      capabilities: [{ resource: 'docs:**', actions: ['read'] }],
      expiresIn: 600,
      audience: AUDIENCE,
    });
  }

  it('a key added is picked up after the cooldown; a removed key stops verifying after the max-age', async () => {
    const as = await site();
    try {
      const [k1, k2, holder] = await Promise.all([
        generateKeyPair(),
        generateKeyPair(),
        generateKeyPair(),
      ]);
      const publish = (...keys: [KeyPair, string][]) =>
        as.routes.set('/jwks.json', {
          body: { keys: keys.map(([k, kid]) => ({ ...k.publicJwk, kid })) },
        });
      publish([k1, 'k1']);
      const verifierWith = (jwks: { cooldownDuration: number; cacheMaxAge: number }) =>
        createVerifier({
          trustAnchors: [{ id: 'https://as.rotating', jwksUri: `${as.origin}/jwks.json`, jwks }],
          audience: AUDIENCE,
          requireProof: false,
        });
      const rotating = verifierWith({ cooldownDuration: 0, cacheMaxAge: 200 });
      const slow = verifierWith({ cooldownDuration: 60_000, cacheMaxAge: 600_000 });
      const byK1 = await rootSignedBy(k1, 'k1', holder);
      const byK2 = await rootSignedBy(k2, 'k2', holder);
      expect(await rotating.verify(byK1, { action: ACTION })).toMatchObject({ allowed: true });
      expect(await slow.verify(byK1, { action: ACTION })).toMatchObject({ allowed: true });

      // Rotation: k2 is published. An unknown kid refetches once the cooldown allows.
      publish([k1, 'k1'], [k2, 'k2']);
      expect(await rotating.verify(byK2, { action: ACTION })).toMatchObject({ allowed: true });
      // Within jose's cooldown the new key is not seen yet: denied, coded.
      expect(await slow.verify(byK2, { action: ACTION })).toMatchObject({
        allowed: false,
        code: 'MANDATE_UNTRUSTED_ISSUER',
        hop: 0,
        check: 'anchor',
      });

      // k1 is withdrawn: once the cached set is older than cacheMaxAge, it stops verifying.
      publish([k2, 'k2']);
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await rotating.verify(byK1, { action: ACTION })).toMatchObject({
        allowed: false,
        code: 'MANDATE_UNTRUSTED_ISSUER',
        hop: 0,
        check: 'anchor',
      });
      expect(await rotating.verify(byK2, { action: ACTION })).toMatchObject({ allowed: true });
    } finally {
      await close(as);
    }
  });
});
