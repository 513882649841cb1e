/**
 * The node:http authorization server: what `startDemoAuthorizationServer` and `mandate demo`
 * fall back to when oidc-provider (a devDependency) is not installed. Forced here with
 * `implementation: 'node-http'` (and `MANDATE_DEMO_AUTHORIZATION_SERVER=node-http` for the
 * CLI), every step over HTTP on loopback: RFC 8414 metadata, private_key_jwt client
 * authentication, authorization code with PKCE, client credentials, and the RFC 8693 exchange
 * answered by the same handler as oidc-provider's.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyPair } from '../../../src/core/types.js';
import { delegate } from '../../../src/format/delegate.js';
import { generateKeyPair } from '../../../src/identity/keys.js';
import { createAccessTokenVerifier, createOAuthClient } from '../../../src/oauth/index.js';
import { prove } from '../../../src/proof/prove.js';
import { createVerifier } from '../../../src/verify/verifier.js';
import { PAYMENTS, refusal, startWorld, type World } from './world.js';
import { GRANT_TYPE_TOKEN_EXCHANGE } from '../../../src/oauth/token-types.js';

const run = promisify(execFile);
let world: World;
let aliceToken: string;

beforeAll(async () => {
  world = await startWorld({ implementation: 'node-http' });
  aliceToken = await world.userToken('alice');
});

afterAll(async () => {
  await world?.close();
});

/** A private_key_jwt client assertion signed by hand (RFC 7523). */
function assertion(key: KeyPair, clientId: string, audience: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: key.publicJwk.kty === 'EC' ? 'ES256' : 'Ed25519' })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .sign(key.privateKey);
}

/** The form members that authenticate the orchestrator at this server (private_key_jwt). */
async function orchestratorAssertion(): Promise<{
  client_assertion_type: string;
  client_assertion: string;
}> {
  return {
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: await assertion(world.keys.orchestrator, 'orchestrator', world.server.issuer),
  };
}

/** POST a form to the token endpoint; resolves the status and the JSON body. */
async function tokenRequest(
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${world.server.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the node:http authorization server', () => {
  it('serves RFC 8414 metadata and its JWKS, and no OpenID discovery', async () => {
    expect(world.server).toMatchObject({ implementation: 'node-http', discovery: 'oauth2' });
    const metadata = (await (
      await fetch(`${world.server.issuer}/.well-known/oauth-authorization-server`)
    ).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: world.server.issuer,
      token_endpoint: `${world.server.issuer}/token`,
      jwks_uri: world.server.jwksUri,
      grant_types_supported: [
        'authorization_code',
        'client_credentials',
        GRANT_TYPE_TOKEN_EXCHANGE,
      ],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      code_challenge_methods_supported: ['S256'],
    });
    const jwks = (await (await fetch(world.server.jwksUri)).json()) as { keys: { d?: string }[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]?.d).toBeUndefined();
    expect((await fetch(`${world.server.issuer}/.well-known/openid-configuration`)).status).toBe(
      404,
    );
  });

  it('client credentials with private_key_jwt (P-256 here): an RFC 9068 token that verifies', async () => {
    const { accessToken } = await world.clients.billing.clientCredentials({
      resource: PAYMENTS,
      scope: 'billing:pay hr:read',
    });
    expect(decodeProtectedHeader(accessToken)).toMatchObject({ typ: 'at+jwt', alg: 'Ed25519' });
    const decision = await createAccessTokenVerifier({
      issuer: world.server.issuer,
      audience: PAYMENTS,
      jwksUri: world.server.jwksUri,
    }).verify(accessToken, { scopes: ['billing:pay'] });
    // hr:read is not served by the payments resource: dropped, never granted.
    expect(decision).toMatchObject({
      allowed: true,
      subject: 'billing',
      clientId: 'billing',
      audience: [PAYMENTS],
      scopes: ['billing:pay'],
    });
  });

  it('client authentication: an unregistered key, a replayed assertion, a wrong audience are invalid_client', async () => {
    const impostor = await createOAuthClient({
      issuer: world.server.issuer,
      clientId: 'billing',
      key: world.keys.rogue,
      discovery: 'oauth2',
    });
    expect(await refusal(impostor.clientCredentials({ resource: PAYMENTS }))).toBe(
      'invalid_client',
    );
    const form = {
      grant_type: 'client_credentials',
      resource: PAYMENTS,
      ...(await orchestratorAssertion()),
    };
    expect((await tokenRequest(form)).status).toBe(200);
    expect(await tokenRequest(form)).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
    const elsewhere = {
      ...form,
      client_assertion: await assertion(
        world.keys.orchestrator,
        'orchestrator',
        'https://x.example',
      ),
    };
    expect(await tokenRequest(elsewhere)).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
    const { client_assertion_type: _type, client_assertion: _assertion, ...bare } = form;
    expect(await tokenRequest({ ...bare, client_id: 'orchestrator' })).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
  });

  it('a DPoP request is refused (this server issues no DPoP-bound tokens)', async () => {
    const form = {
      grant_type: 'client_credentials',
      resource: PAYMENTS,
      ...(await orchestratorAssertion()),
    };
    expect(await tokenRequest(form, { dpop: 'x.y.z' })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request' },
    });
  });

  it('an authorization code is bound to its PKCE verifier and used once', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const code = async () => {
      const url = new URL(`${world.server.issuer}/authorize`);
      for (const [name, value] of Object.entries({
        client_id: 'orchestrator',
        response_type: 'code',
        redirect_uri: world.server.redirectUri,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
        scope: 'billing:pay',
        resource: world.server.exchangeAudience,
        state: 's1',
      }))
        url.searchParams.set(name, value);
      const back = await world.server.userAgent('alice')(url);
      expect(back.searchParams.get('iss')).toBe(world.server.issuer);
      expect(back.searchParams.get('state')).toBe('s1');
      return back.searchParams.get('code') ?? '';
    };
    const redeem = async (value: string, codeVerifier: string) =>
      tokenRequest({
        grant_type: 'authorization_code',
        code: value,
        code_verifier: codeVerifier,
        redirect_uri: world.server.redirectUri,
        ...(await orchestratorAssertion()),
      });
    expect(await redeem(await code(), 'a'.repeat(43))).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    const fresh = await code();
    expect((await redeem(fresh, verifier)).status).toBe(200);
    expect(await redeem(fresh, verifier)).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
  });

  it("alice's token names the orchestrator in may_act; the exchange gives a root the tool verifies", async () => {
    expect(decodeJwt(aliceToken)).toMatchObject({
      iss: world.server.issuer,
      sub: 'alice',
      aud: world.server.exchangeAudience,
      may_act: { sub: 'orchestrator' },
      scope: 'billing:read billing:pay',
    });
    const own = await world.actorToken(world.clients.orchestrator);
    const exchanged = await world.clients.orchestrator.exchangeToken({
      subjectToken: aliceToken,
      actorToken: own,
      resource: PAYMENTS,
      capabilities: [
        {
          resource: 'billing:invoices/2026-03',
          actions: ['pay'],
          constraints: { amount: { max: 5000 } },
        },
      ],
    });
    // Wider than alice's scopes (pay up to 1000): narrowed, never widened.
    expect(exchanged.body['authorization_details']).toEqual([
      {
        type: 'mandate',
        resource: 'billing:invoices/2026-03',
        actions: ['pay'],
        constraints: { amount: { constraint_type: 'range', max: 1000 } },
      },
    ]);
    const billing = await generateKeyPair();
    const toBilling = await delegate(exchanged.accessToken, {
      signer: world.keys.orchestrator,
      holder: billing.publicJwk,
      capabilities: [
        {
          resource: 'billing:invoices/2026-03',
          actions: ['pay'],
          constraints: { amount: { max: 200 } },
        },
      ],
    });
    const request = { method: 'POST', url: `${PAYMENTS}/invoices/2026-03/pay` };
    const tool = createVerifier({ trustAnchors: [world.server.trustAnchor], audience: PAYMENTS });
    const decision = await tool.verify(toBilling, {
      action: { resource: 'billing:invoices/2026-03', action: 'pay', args: { amount: 120 } },
      proof: await prove(toBilling, { signer: billing, request }),
      request,
    });
    expect(decision).toMatchObject({ allowed: true, subject: 'alice' });
  });

  it('refusals carry the RFC 8693 codes: an agent may_act does not name, an unknown target', async () => {
    const rogueOwn = await world.actorToken(world.clients.rogue);
    expect(
      await refusal(
        world.clients.rogue.exchangeToken({
          subjectToken: aliceToken,
          actorToken: rogueOwn,
          resource: PAYMENTS,
        }),
      ),
    ).toBe('invalid_grant');
    const own = await world.actorToken(world.clients.orchestrator);
    expect(
      await refusal(
        world.clients.orchestrator.exchangeToken({
          subjectToken: aliceToken,
          actorToken: own,
          resource: 'https://nowhere.example',
        }),
      ),
    ).toBe('invalid_target');
  });

  it('`mandate demo` forced onto it runs every scenario and says which server issued the root', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'demo', '--format', 'jws'],
      { env: { ...process.env, MANDATE_DEMO_AUTHORIZATION_SERVER: 'node-http' }, timeout: 60_000 },
    );
    expect(stdout).toMatch(
      /root grant: RFC 8693 token exchange at the loopback authorization server http:\/\/127\.0\.0\.1:\d+ \(the node:http server, as MANDATE_DEMO_AUTHORIZATION_SERVER=node-http asks\)/,
    );
    expect(stdout).toContain('every scenario ended as expected');
  }, 60_000);
});
