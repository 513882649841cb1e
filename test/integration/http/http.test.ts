/**
 * `mandate/http` on node:http, Hono and Express, each a real server on loopback: the genuine
 * call, and the status, challenge and body of every denial.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  prove,
  type KeyPair,
  type Mandate,
  type MandateErrorCode,
  type Verifier,
} from '../../../src/index.js';
import { createMandateFetch, HTTP_DENIALS } from '../../../src/adapters/http/index.js';
import { FRAMEWORKS, ROUTES, start, type Running } from './servers.js';
import { ERROR_CODES } from '../../../src/core/errors.js';
import { AS, serviceGrant, type ServiceGrant } from '../../helpers/billing.js';

let agent: KeyPair;
let attacker: KeyPair;
let mandate: Mandate;
let verifier: ServiceGrant['verifier'];

beforeAll(async () => {
  ({
    agent,
    other: attacker,
    mandate,
    verifier,
  } = await serviceGrant({
    capabilities: [
      {
        resource: 'billing:invoices/**',
        actions: ['pay', 'read'],
        constraints: { amount: { max: 200 } },
        optional: ['amount'],
      },
    ],
  }));
});

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/** A request with exactly these headers (fetch would not let us set Host). */
function raw(
  origin: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<RawResponse> {
  const url = new URL(path, origin);
  // A string is sent as it is: hostile bodies are not what JSON.stringify would write.
  const payload =
    body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method,
        headers: {
          ...headers,
          ...(payload === undefined
            ? {}
            : {
                'content-type': 'application/json',
                'content-length': String(Buffer.byteLength(payload)),
              }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function credentials(m: Mandate | string, signer: KeyPair, method: string, url: string) {
  const token = typeof m === 'string' ? m : m.token;
  return {
    authorization: `DPoP ${token}`,
    dpop: await prove(token, { signer, request: { method, url } }),
  };
}

/** `raw`, with the mandate and a fresh proof by its holder for `origin` + `path`. */
async function signed(
  origin: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<RawResponse> {
  return raw(
    origin,
    method,
    path,
    await credentials(mandate, agent, method, `${origin}${path}`),
    body,
  );
}

describe.each(FRAMEWORKS)('mandate/http on %s', (framework) => {
  let server: Running;
  let revokedServer: Running;
  beforeAll(async () => {
    server = await start(framework, { verifier: verifier(), routes: ROUTES });
    revokedServer = await start(framework, {
      verifier: verifier({
        revocation: {
          revoke: () => Promise.resolve(),
          isRevoked: () => Promise.reject(new Error('redis is down')),
        },
      }),
      routes: ROUTES,
    });
  });
  afterAll(async () => {
    await server.close();
    await revokedServer.close();
  });

  it('allows the genuine call and hands the Decision to the handler', async () => {
    const send = createMandateFetch({ mandate, signer: agent });
    const res = await send(`${server.origin}/invoices/2026-03/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 120 }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ paid: true, user: 'alice', resource: 'billing:invoices/2026-03' });
    expect(body.chain).toEqual([AS, agent.id]);
    if (framework === 'node') expect(body.body).toEqual({ amount: 120 });
    if (framework === 'express') expect(body.locals).toBe(true);
    // A fresh proof per request: the same fetch works again.
    const again = await send(`${server.origin}/invoices/2026-03`);
    expect(again.status).toBe(200);
  });

  it('401 without error code when no mandate is presented (RFC 6750 §3.1)', async () => {
    for (const headers of [{}, { authorization: `Bearer ${mandate.token}` }]) {
      const res = await raw(server.origin, 'GET', '/invoices/2026-03', headers);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('DPoP algs="Ed25519 ES256"');
      expect(res.body).toMatchObject({ error: 'unauthorized', code: 'MANDATE_MALFORMED', hop: 0 });
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it('401 invalid_token for a malformed mandate', async () => {
    const res = await raw(server.origin, 'GET', '/invoices/2026-03', {
      // A compact JWS whose header lacks typ (a token that does not look like JWS goes to the Biscuit decoder).
      authorization: 'DPoP eyJhbGciOiJFZDI1NTE5In0.e30.AAAA',
      dpop: 'x',
    });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(
      /^DPoP error="invalid_token", error_description="[^"]*", algs="Ed25519 ES256"$/,
    );
    expect(res.body).toMatchObject({ error: 'invalid_token', code: 'MANDATE_MALFORMED' });
  });

  it('401 invalid_dpop_proof without a proof, with a stolen one, or replayed', async () => {
    const url = `${server.origin}/invoices/2026-03`;
    const missing = await raw(server.origin, 'GET', '/invoices/2026-03', {
      authorization: `DPoP ${mandate.token}`,
    });
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({
      error: 'invalid_dpop_proof',
      code: 'MANDATE_PROOF_MISSING',
    });
    expect(missing.headers['www-authenticate']).toMatch(/^DPoP error="invalid_dpop_proof"/);

    const stolen = await credentials(mandate, agent, 'GET', url);
    stolen.dpop = await (async () => {
      // The thief signs with its own key: prove refuses, so forge a proof by hand.
      const { forgeJws } = await import('../../helpers/forge.js');
      const { accessTokenHash } = await import('../../../src/proof/request.js');
      return forgeJws(
        attacker,
        { typ: 'dpop+jwt', alg: 'Ed25519', jwk: attacker.publicJwk },
        {
          jti: 'stolen-1',
          htm: 'GET',
          htu: url,
          iat: Math.floor(Date.now() / 1000),
          ath: accessTokenHash(mandate.token),
        },
      );
    })();
    const stolenRes = await raw(server.origin, 'GET', '/invoices/2026-03', stolen);
    expect(stolenRes.status).toBe(401);
    expect(stolenRes.body).toMatchObject({
      code: 'MANDATE_PROOF_INVALID',
      hop: 0,
      check: 'possession',
    });

    const captured = await credentials(mandate, agent, 'GET', url);
    expect((await raw(server.origin, 'GET', '/invoices/2026-03', captured)).status).toBe(200);
    const replay = await raw(server.origin, 'GET', '/invoices/2026-03', captured);
    expect(replay.status).toBe(401);
    expect(replay.body).toMatchObject({ error: 'invalid_dpop_proof', code: 'MANDATE_REPLAYED' });
  });

  it('403 insufficient_scope for an over-scoped request and for an unmapped route', async () => {
    const res = await signed(server.origin, 'POST', '/invoices/2026-03/pay', { amount: 300 });
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toMatch(/^DPoP error="insufficient_scope"/);
    expect(res.body).toMatchObject({
      error: 'insufficient_scope',
      code: 'MANDATE_FORBIDDEN',
      hop: 0,
      check: 'authorize',
    });

    const unmapped = await signed(server.origin, 'POST', '/admin');
    expect(unmapped.status).toBe(403);
    expect(unmapped.body).toMatchObject({ code: 'MANDATE_FORBIDDEN' });
  });

  it('a route param cannot smuggle a path separator into the resource', async () => {
    // An encoded `/` is read as a separator by some routers and not by others: denied before
    // any route is matched (it once reached the route table and matched nothing, 403).
    const res = await signed(server.origin, 'POST', '/invoices/a%2Fb/pay', { amount: 1 });
    expect(res.status).toBe(400);
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(res.body).toMatchObject({
      error: 'invalid_request',
      code: 'MANDATE_MALFORMED',
      hop: 0,
      check: 'limits',
    });
  });

  it('a body with a duplicate key is malformed, not read as its last value', async () => {
    const res = await signed(
      server.origin,
      'POST',
      '/invoices/2026-03/pay',
      '{"amount":1,"amount":100000}',
    );
    if (framework === 'express') {
      // express.json() parsed the body before the guard ran: the guard authorizes the value the
      // application's own parser produced (the last one), so the handler can't see another.
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'MANDATE_FORBIDDEN' });
      return;
    }
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'MANDATE_MALFORMED' });
    expect(String(res.body.reason)).toMatch(/duplicate key/);
  });

  it('the URL comes from the configured origin, never from the Host header', async () => {
    const forgedHost = 'evil.example';
    const evilUrl = `http://${forgedHost}/invoices/2026-03`;
    const res = await raw(server.origin, 'GET', '/invoices/2026-03', {
      ...(await credentials(mandate, agent, 'GET', evilUrl)),
      host: forgedHost,
    });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'MANDATE_PROOF_INVALID' });
    const genuine = await raw(server.origin, 'GET', '/invoices/2026-03', {
      ...(await credentials(mandate, agent, 'GET', `${server.origin}/invoices/2026-03`)),
      host: forgedHost,
    });
    expect(genuine.status).toBe(200);
  });

  it('a public origin behind a proxy: the proof is bound to it, not to the loopback address', async () => {
    const behind = await start(framework, {
      verifier: verifier(),
      routes: ROUTES,
      publicOrigin: 'https://payments.example',
    });
    try {
      const ok = await raw(
        behind.origin,
        'GET',
        '/invoices/2026-03',
        await credentials(mandate, agent, 'GET', 'https://payments.example/invoices/2026-03'),
      );
      expect(ok.status).toBe(200);
      const direct = await raw(
        behind.origin,
        'GET',
        '/invoices/2026-03',
        await credentials(mandate, agent, 'GET', `${behind.origin}/invoices/2026-03`),
      );
      expect(direct.body).toMatchObject({ code: 'MANDATE_PROOF_INVALID' });
    } finally {
      await behind.close();
    }
  });

  it('503 with Retry-After and no challenge when a store cannot answer', async () => {
    const res = await signed(revokedServer.origin, 'GET', '/invoices/2026-03');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(res.body).toMatchObject({
      error: 'temporarily_unavailable',
      code: 'MANDATE_STORE_UNAVAILABLE',
    });
  });

  it('every denial code: status, challenge and body', async () => {
    // A verifier that denies with each code in turn: the mapping is checked on a real server.
    let code: MandateErrorCode = 'MANDATE_MALFORMED';
    const stub: Verifier = {
      verify: () =>
        Promise.resolve({
          allowed: false,
          code,
          hop: 1,
          check: 'authorize',
          reason: `denied "${code}"`,
          detail: { secret: 'x' },
        }),
    };
    const stubbed = await start(framework, {
      verifier: stub,
      routes: ROUTES,
      resourceMetadata: 'https://payments.test/.well-known/oauth-protected-resource',
    });
    try {
      for (code of ERROR_CODES) {
        const res = await raw(stubbed.origin, 'GET', '/invoices/2026-03', {
          authorization: `DPoP ${mandate.token}`,
          dpop: 'p',
        });
        const expected = HTTP_DENIALS[code];
        expect(res.status, code).toBe(expected.status);
        expect(res.body, code).toEqual({
          error:
            expected.error ??
            (expected.status === 503 ? 'temporarily_unavailable' : 'server_error'),
          code,
          hop: 1,
          check: 'authorize',
          reason: `denied "${code}"`,
        });
        const challenge = res.headers['www-authenticate'];
        if (expected.error === undefined) {
          expect(challenge, code).toBeUndefined();
        } else {
          expect(challenge, code).toBe(
            `DPoP error="${expected.error}", error_description="denied  ${code} ", algs="Ed25519 ES256", resource_metadata="https://payments.test/.well-known/oauth-protected-resource"`,
          );
        }
      }
    } finally {
      await stubbed.close();
    }
  });
});

describe('the denial mapping', () => {
  it('is total and follows RFC 6750 / RFC 9449', () => {
    expect(Object.keys(HTTP_DENIALS).sort()).toEqual([...ERROR_CODES].sort());
    expect(HTTP_DENIALS.MANDATE_FORBIDDEN).toEqual({ status: 403, error: 'insufficient_scope' });
    expect(HTTP_DENIALS.MANDATE_STORE_UNAVAILABLE).toEqual({ status: 503 });
    expect(HTTP_DENIALS.MANDATE_INTERNAL).toEqual({ status: 500 });
    for (const code of [
      'MANDATE_PROOF_MISSING',
      'MANDATE_PROOF_INVALID',
      'MANDATE_REPLAYED',
    ] as const) {
      expect(HTTP_DENIALS[code]).toEqual({ status: 401, error: 'invalid_dpop_proof' });
    }
  });
});
