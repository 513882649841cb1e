/**
 * Key rotation at the authorization server, seen by `mandate/oauth`'s access-token verifier
 * against a real JWKS server on loopback: a key added to the JWKS is picked up (an unknown
 * `kid` refetches once the cooldown allows), a removed key stops verifying once the cached
 * set is older than `cacheMaxAge`, and within the cooldown an unknown `kid` costs no fetch.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyPair } from '../../../src/core/types.js';
import { generateKeyPair } from '../../../src/identity/keys.js';
import { createAccessTokenVerifier } from '../../../src/oauth/index.js';

const AUDIENCE = 'https://payments.example';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: Server;
let issuer = '';
let published: readonly [KeyPair, string][] = [];
let fetches = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url !== '/jwks') {
      res.writeHead(404).end();
      return;
    }
    fetches++;
    res.writeHead(200, { 'content-type': 'application/jwk-set+json' });
    res.end(JSON.stringify({ keys: published.map(([key, kid]) => ({ ...key.publicJwk, kid })) }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** An RFC 9068 access token signed by `key` under `kid`. */
function tokenBy(key: KeyPair, kid: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ client_id: 'billing', scope: 'billing:pay' })
    .setProtectedHeader({ alg: 'Ed25519', typ: 'at+jwt', kid })
    .setIssuer(issuer)
    .setSubject('billing')
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .setJti(randomUUID())
    .sign(key.privateKey);
}

function verifierWith(jwksOptions: { cooldownDuration: number; cacheMaxAge: number }) {
  return createAccessTokenVerifier({
    issuer,
    audience: AUDIENCE,
    jwksUri: `${issuer}/jwks`,
    jwksOptions,
  });
}

describe('authorization-server key rotation (access tokens, JWKS over HTTP)', () => {
  it('a key added is picked up; a removed key stops verifying, with its code', async () => {
    const [k1, k2] = await Promise.all([generateKeyPair(), generateKeyPair()]);
    published = [[k1, 'k1']];
    const rotating = verifierWith({ cooldownDuration: 0, cacheMaxAge: 200 });
    const slow = verifierWith({ cooldownDuration: 60_000, cacheMaxAge: 600_000 });
    const byK1 = await tokenBy(k1, 'k1');
    const byK2 = await tokenBy(k2, 'k2');
    expect(await rotating.verify(byK1)).toMatchObject({ allowed: true, subject: 'billing' });
    expect(await slow.verify(byK1)).toMatchObject({ allowed: true });

    // Before k2 is published, its tokens are refused: no key of the issuer verifies them.
    expect(await rotating.verify(byK2)).toMatchObject({
      allowed: false,
      code: 'MANDATE_UNTRUSTED_ISSUER',
      check: 'anchor',
      hop: 0,
    });

    // Rotation, step 1: k2 is added. An unknown kid refetches the set (cooldown permitting).
    published = [
      [k1, 'k1'],
      [k2, 'k2'],
    ];
    expect(await rotating.verify(byK2)).toMatchObject({ allowed: true });
    // Within its cooldown the other verifier does not refetch: k2 is still unknown to it, and
    // a flood of unknown kids costs the authorization server nothing.
    const before = fetches;
    expect(await slow.verify(byK2)).toMatchObject({ code: 'MANDATE_UNTRUSTED_ISSUER' });
    expect(fetches).toBe(before);

    // Rotation, step 2: k1 is removed. Once the cached set is older than cacheMaxAge, the set
    // is refetched and k1's tokens are refused; k2's still verify.
    published = [[k2, 'k2']];
    await sleep(250);
    expect(await rotating.verify(byK1)).toMatchObject({
      allowed: false,
      code: 'MANDATE_UNTRUSTED_ISSUER',
      check: 'anchor',
      hop: 0,
      detail: { reason: 'ERR_JWKS_NO_MATCHING_KEY' },
    });
    expect(await rotating.verify(await tokenBy(k2, 'k2'))).toMatchObject({ allowed: true });
    // A token signed by the removed key but labelled with the new kid fails the signature.
    expect(await rotating.verify(await tokenBy(k1, 'k2'))).toMatchObject({
      allowed: false,
      code: 'MANDATE_SIGNATURE_INVALID',
      check: 'anchor',
    });
  });
});
