/**
 * Issue 11, finding 5: `mandate/oauth` accepted one DPoP proof with `iat = now - 60` (the
 * default window) five times: its freshness test read whole seconds, but it stored the proof
 * id only until `iat + 60` in a store reading fractional seconds, which is already past. It
 * now uses the verifier's own proof check and replay entry (`acceptProof`).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, MemoryReplayStore, type KeyPair } from '../../../src/index.js';
import { createAccessTokenVerifier } from '../../../src/oauth/index.js';
import { expectAcceptedOnce } from '../../helpers/fixture.js';
import { signAccessToken, signDpopProof } from '../../helpers/oauth-dpop.js';

const ISSUER = 'https://as.test';
const SERVICE = 'https://payments.test';
const URL = `${SERVICE}/invoices/1/pay`;
const NOW = 1_800_000_000;

const dpopProof = (client: KeyPair, token: string, iat: number, extra = {}) =>
  signDpopProof(client, token, URL, iat, extra);

describe('issue 11 finding 5: mandate/oauth replays a DPoP proof at the edge of its window', () => {
  let issuer: KeyPair;
  let client: KeyPair;
  let token: string;

  beforeAll(async () => {
    [issuer, client] = await Promise.all([generateKeyPair(), generateKeyPair()]);
    token = await signAccessToken(issuer, client, {
      iss: ISSUER,
      aud: SERVICE,
      iat: NOW - 100,
      exp: NOW + 600,
    });
  });

  function verifier(options: { nonce?: string } = {}) {
    return createAccessTokenVerifier({
      issuer: ISSUER,
      audience: SERVICE,
      jwks: { keys: [{ ...issuer.publicJwk, kid: 'k1' }] },
      // Whole seconds for the verifier, the same instant with its fraction for the store.
      clock: () => NOW,
      replay: new MemoryReplayStore({ now: () => NOW + 0.5 }),
      ...options,
    });
  }

  it('a proof with iat = now - 60 is accepted once, then denied as a replay four times', async () => {
    const oauth = verifier();
    const proof = await dpopProof(client, token, NOW - 60);
    const decisions = [];
    for (let i = 0; i < 5; i++) {
      decisions.push(await oauth.verify(token, { dpop: { proof, method: 'POST', url: URL } }));
    }
    expectAcceptedOnce(decisions, 0);
  });

  it('one checker: the method is compared exactly (RFC 9110 methods are case-sensitive)', async () => {
    const proof = await dpopProof(client, token, NOW);
    const decision = await verifier().verify(token, { dpop: { proof, method: 'post', url: URL } });
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_PROOF_INVALID',
      check: 'possession',
      hop: 0,
      detail: { path: 'proof.htm' },
    });
  });

  it('one checker: a required server nonce is checked as the verifier checks it', async () => {
    const oauth = verifier({ nonce: 'n-1' });
    const without = await dpopProof(client, token, NOW);
    expect(
      await oauth.verify(token, { dpop: { proof: without, method: 'POST', url: URL } }),
    ).toMatchObject({
      allowed: false,
      code: 'MANDATE_PROOF_INVALID',
      check: 'possession',
      hop: 0,
      detail: { path: 'proof.nonce' },
    });
    const withNonce = await dpopProof(client, token, NOW, { nonce: 'n-1' });
    expect(
      await oauth.verify(token, { dpop: { proof: withNonce, method: 'POST', url: URL } }),
    ).toMatchObject({ allowed: true });
  });

  it('one checker: a store that never answers is a bounded denial', async () => {
    const oauth = createAccessTokenVerifier({
      issuer: ISSUER,
      audience: SERVICE,
      jwks: { keys: [{ ...issuer.publicJwk, kid: 'k1' }] },
      clock: () => NOW,
      storeTimeoutMs: 20,
      replay: {
        checkAndStore: () => new Promise<boolean>(() => {}),
        checkAndStoreAll: () => new Promise<undefined>(() => {}),
      },
    });
    const proof = await dpopProof(client, token, NOW);
    expect(await oauth.verify(token, { dpop: { proof, method: 'POST', url: URL } })).toMatchObject({
      allowed: false,
      code: 'MANDATE_STORE_UNAVAILABLE',
      check: 'possession',
      hop: 0,
    });
  });
});
