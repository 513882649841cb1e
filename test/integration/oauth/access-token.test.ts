/**
 * RFC 9068 access-token verification against tokens a real authorization server issued over
 * HTTP on loopback: client credentials with private_key_jwt verify; every attack gets its
 * coded denial `{ code, hop, check }`.
 */
import { createHmac } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src/identity/keys.js';
import { prepareSigner } from '../../../src/identity/keys.js';
import { createAccessTokenVerifier, createOAuthClient } from '../../../src/oauth/index.js';
import { startDemoAuthorizationServer } from '../../../src/cli/authorization-server/demo-authorization-server.js';
import type { DemoAuthorizationServer } from '../../../src/cli/authorization-server/demo-server-common.js';
import { HR, PAYMENTS, startWorld, type World } from './world.js';

let world: World;
let other: DemoAuthorizationServer;

beforeAll(async () => {
  world = await startWorld();
  const key = await generateKeyPair();
  other = await startDemoAuthorizationServer({
    agents: { billing: { publicJwk: key.publicJwk } },
    scopes: { 'billing:pay': [{ resource: 'billing:**', actions: ['pay'] }] },
    resources: { [PAYMENTS]: ['billing:pay'] },
  });
  const client = await createOAuthClient({ issuer: other.issuer, clientId: 'billing', key });
  foreignToken = (await client.clientCredentials({ resource: PAYMENTS, scope: 'billing:pay' }))
    .accessToken;
});

afterAll(async () => {
  await world?.close();
  await other?.close();
});

let foreignToken: string;

function paymentsVerifier(
  overrides: Partial<Parameters<typeof createAccessTokenVerifier>[0]> = {},
) {
  return createAccessTokenVerifier({
    issuer: world.server.issuer,
    audience: PAYMENTS,
    jwksUri: world.server.jwksUri,
    ...overrides,
  });
}

async function billingToken(scope = 'billing:pay'): Promise<string> {
  return (await world.clients.billing.clientCredentials({ resource: PAYMENTS, scope })).accessToken;
}

function segments(token: string): [string, string, string] {
  const [h, p, s] = token.split('.');
  return [h ?? '', p ?? '', s ?? ''];
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('client credentials with private_key_jwt (RFC 7523)', () => {
  it('issues an RFC 9068 token that verifies against the JWKS over HTTP', async () => {
    const token = await billingToken('billing:pay billing:read');
    const decision = await paymentsVerifier().verify(token, { scopes: ['billing:pay'] });
    expect(decision).toMatchObject({
      allowed: true,
      issuer: world.server.issuer,
      subject: 'billing',
      clientId: 'billing',
      audience: [PAYMENTS],
      scopes: ['billing:pay', 'billing:read'],
      actors: [],
    });
  });

  it('refuses a client assertion signed by a key the client did not register', async () => {
    const client = await createOAuthClient({
      issuer: world.server.issuer,
      clientId: 'billing',
      key: await generateKeyPair('ES256'),
    });
    await expect(client.clientCredentials({ resource: PAYMENTS })).rejects.toMatchObject({
      error: 'invalid_client',
    });
  });
});

describe('denials, each with its code', () => {
  it('a token for another audience: MANDATE_AUDIENCE', async () => {
    const token = await billingToken();
    const decision = await paymentsVerifier({ audience: HR }).verify(token);
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_AUDIENCE',
      hop: 0,
      check: 'audience',
    });
  });

  it('a token from another issuer: MANDATE_UNTRUSTED_ISSUER', async () => {
    const decision = await paymentsVerifier().verify(foreignToken);
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_UNTRUSTED_ISSUER',
      hop: 0,
      check: 'anchor',
    });
  });

  it("another issuer's token relabelled with our iss fails the signature", async () => {
    const [h, p, s] = segments(foreignToken);
    const relabelled = `${h}.${b64({ ...decodeJwt(`${h}.${p}.${s}`), iss: world.server.issuer })}.${s}`;
    const decision = await paymentsVerifier().verify(relabelled);
    expect(decision).toMatchObject({ allowed: false, check: 'anchor', hop: 0 });
    expect(['MANDATE_SIGNATURE_INVALID', 'MANDATE_UNTRUSTED_ISSUER']).toContain(
      (decision as { code: string }).code,
    );
  });

  it('an expired token: MANDATE_EXPIRED', async () => {
    const token = await billingToken();
    const { exp } = decodeJwt(token);
    const decision = await paymentsVerifier({ clock: () => (exp ?? 0) + 1 }).verify(token);
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_EXPIRED',
      hop: 0,
      check: 'window',
    });
    const tolerated = await paymentsVerifier({
      clock: () => (exp ?? 0) + 1,
      clockTolerance: 5,
    }).verify(token);
    expect(tolerated.allowed).toBe(true);
  });

  it('alg none: MANDATE_SIGNATURE_INVALID', async () => {
    const [, p] = segments(await billingToken());
    const unsigned = `${b64({ alg: 'none', typ: 'at+jwt' })}.${p}.`;
    const decision = await paymentsVerifier().verify(unsigned);
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_SIGNATURE_INVALID',
      hop: 0,
      check: 'anchor',
    });
  });

  it("HMAC signed with the issuer's public key: MANDATE_SIGNATURE_INVALID", async () => {
    const [, p] = segments(await billingToken());
    const jwks = (await (await fetch(world.server.jwksUri)).json()) as { keys: unknown[] };
    const secret = JSON.stringify(jwks.keys[0]);
    const input = `${b64({ alg: 'HS256', typ: 'at+jwt' })}.${p}`;
    const forged = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    const decision = await paymentsVerifier().verify(forged);
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_SIGNATURE_INVALID',
      hop: 0,
      check: 'anchor',
    });
    expect(() => paymentsVerifier({ algorithms: ['HS256' as never] })).toThrow(TypeError);
  });

  it('an ID token instead of an access token: MANDATE_MALFORMED (typ)', async () => {
    const response = await world.clients.orchestrator.authorizationCode({
      redirectUri: world.server.redirectUri,
      scope: ['openid', 'billing:read'],
      resource: PAYMENTS,
      userAgent: world.server.userAgent('alice'),
    });
    expect(response.idToken).toBeTypeOf('string');
    const verifier = createAccessTokenVerifier({
      issuer: world.server.issuer,
      audience: 'orchestrator', // an ID token's audience is the client
      jwksUri: world.server.jwksUri,
    });
    const decision = await verifier.verify(response.idToken ?? '');
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_MALFORMED',
      hop: 0,
      check: 'limits',
      detail: { path: 'header.typ' },
    });
    // The access token of the same response verifies.
    expect((await paymentsVerifier().verify(response.accessToken)).allowed).toBe(true);
  });

  it('a tampered payload: MANDATE_SIGNATURE_INVALID', async () => {
    const token = await billingToken('billing:read');
    const [h, p, s] = segments(token);
    const claims = decodeJwt(`${h}.${p}.${s}`);
    const tampered = `${h}.${b64({ ...claims, scope: 'billing:read billing:pay' })}.${s}`;
    const decision = await paymentsVerifier().verify(tampered);
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_SIGNATURE_INVALID',
      check: 'anchor',
    });
  });

  it('a missing scope: MANDATE_FORBIDDEN', async () => {
    const token = await billingToken('billing:read');
    const decision = await paymentsVerifier({ requiredScopes: ['billing:pay'] }).verify(token);
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_FORBIDDEN',
      hop: 0,
      check: 'authorize',
      detail: { missing: ['billing:pay'] },
    });
  });

  it('a required claim absent: MANDATE_MALFORMED', async () => {
    const decision = await paymentsVerifier({ requiredClaims: ['auth_time'] }).verify(
      await billingToken(),
    );
    expect(decision).toMatchObject({ allowed: false, code: 'MANDATE_MALFORMED', check: 'limits' });
  });

  it('an oversized token: MANDATE_LIMIT_EXCEEDED', async () => {
    const decision = await paymentsVerifier({ maxTokenLength: 64 }).verify(await billingToken());
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_LIMIT_EXCEEDED',
      check: 'limits',
    });
  });
});

describe('DPoP-bound tokens (RFC 9449)', () => {
  async function dpopProof(
    key: Awaited<ReturnType<typeof generateKeyPair>>,
    token: string,
    htu: string,
    overrides: Record<string, unknown> = {},
  ) {
    const signer = prepareSigner(key);
    const { createHash, randomUUID } = await import('node:crypto');
    return new SignJWT({
      htm: 'POST',
      htu,
      ath: createHash('sha256').update(token).digest('base64url'),
      jti: randomUUID(),
      ...overrides,
    })
      .setProtectedHeader({ alg: signer.alg, typ: 'dpop+jwt', jwk: { ...signer.publicJwk } })
      .setIssuedAt()
      .sign(signer.key);
  }

  it('is refused when presented as a plain bearer token (RFC 9449 §7.2), accepted with its proof', async () => {
    const key = world.keys.billing;
    const response = await world.clients.billing.clientCredentials({
      resource: PAYMENTS,
      dpop: key,
    });
    expect(response.tokenType).toBe('dpop');
    const token = response.accessToken;
    const { cnf } = decodeJwt(token) as { cnf?: { jkt?: string } };
    expect(cnf?.jkt).toBe(await calculateJwkThumbprint(key.publicJwk));
    const verifier = paymentsVerifier();
    expect(await verifier.verify(token)).toMatchObject({
      allowed: false,
      code: 'MANDATE_PROOF_MISSING',
      hop: 0,
      check: 'possession',
    });
    const url = `${PAYMENTS}/invoices/2026-03/pay`;
    const proof = await dpopProof(key, token, url);
    expect(await verifier.verify(token, { dpop: { proof, method: 'POST', url } })).toMatchObject({
      allowed: true,
      jkt: cnf?.jkt,
    });
    // The same proof again is a replay; a proof by another key is invalid.
    expect(await verifier.verify(token, { dpop: { proof, method: 'POST', url } })).toMatchObject({
      allowed: false,
      code: 'MANDATE_REPLAYED',
      check: 'possession',
    });
    const thief = await dpopProof(world.keys.rogue, token, url);
    expect(
      await verifier.verify(token, { dpop: { proof: thief, method: 'POST', url } }),
    ).toMatchObject({
      allowed: false,
      code: 'MANDATE_PROOF_INVALID',
      check: 'possession',
    });
    const elsewhere = await dpopProof(key, token, `${PAYMENTS}/other`);
    expect(
      await verifier.verify(token, { dpop: { proof: elsewhere, method: 'POST', url } }),
    ).toMatchObject({
      allowed: false,
      code: 'MANDATE_PROOF_INVALID',
    });
  });
});
