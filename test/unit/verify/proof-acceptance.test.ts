/**
 * The AAT draft's step labels (`detail.step`) come only from the AAT codec: the shared nonce
 * and replay checks (`acceptProof`) label their denials `7h` / `7i` only when an AAT chain's
 * codec asks for it, so a JWS or Biscuit chain, or an OAuth access token's DPoP proof, is never
 * denied under the draft's step numbering.
 */
import { describe, expect, it } from 'vitest';

import { AAT_ACCEPTANCE_STEPS } from '../../../src/format/aat/codec.js';
import {
  generateKeyPair,
  MemoryReplayStore,
  createVerifier,
  mint,
  prove,
  type Format,
} from '../../../src/index.js';
import { createAccessTokenVerifier } from '../../../src/oauth/index.js';
import { THUMBPRINT_URI_PREFIX } from '../../../src/identity/thumbprint.js';
import { acceptProof, type ProofAcceptance } from '../../../src/verify/proof-acceptance.js';
import { signAccessToken, signDpopProof } from '../../helpers/oauth-dpop.js';
import { rejectionOf } from '../../helpers/failure.js';

const NOW = 1_800_000_000;

const options = (over: Partial<ProofAcceptance> = {}): ProofAcceptance => ({
  hop: 2,
  signer: `${THUMBPRINT_URI_PREFIX}signer`,
  grant: 'root',
  window: 60,
  replay: new MemoryReplayStore({ now: () => NOW }),
  storeTimeoutMs: 1000,
  nonce: (n) => n === 'n-1',
  ...over,
});

describe('acceptProof: step labels only when the codec gives them', () => {
  it('a nonce denial carries no step unless the AAT labels are given', async () => {
    const plain = await rejectionOf(acceptProof({ jti: 'a', iat: NOW, nonce: 'n-0' }, options()));
    expect(plain).toEqual({
      code: 'MANDATE_PROOF_INVALID',
      hop: 2,
      check: 'possession',
      detail: { path: 'proof.nonce' },
    });
    const aat = await rejectionOf(
      acceptProof({ jti: 'b', iat: NOW }, options({ steps: AAT_ACCEPTANCE_STEPS })),
    );
    expect(aat).toEqual({
      code: 'MANDATE_PROOF_INVALID',
      hop: 2,
      check: 'possession',
      detail: { path: 'proof.nonce', step: '7h' },
    });
  });

  it('a replay denial carries no step unless the AAT labels are given', async () => {
    for (const steps of [undefined, AAT_ACCEPTANCE_STEPS]) {
      const o = options({ nonce: undefined, ...(steps === undefined ? {} : { steps }) });
      await acceptProof({ jti: 'c', iat: NOW }, o);
      const again = await rejectionOf(acceptProof({ jti: 'c', iat: NOW }, o));
      expect(again).toEqual({
        code: 'MANDATE_REPLAYED',
        hop: 2,
        check: 'possession',
        detail: steps === undefined ? {} : { step: '7i' },
      });
    }
  });
});

describe('a nonce denial through the real verifiers', () => {
  it.each(['jws', 'biscuit'] as const)(
    '%s chain: MANDATE_PROOF_INVALID with no AAT step',
    async (format: Format) => {
      const [issuer, holder] = await Promise.all([generateKeyPair(), generateKeyPair()]);
      const mandate = await mint({
        issuer,
        issuerId: 'https://as.test',
        subject: 'alice',
        holder: holder.publicJwk,
        capabilities: [{ resource: 'docs:**', actions: ['read'] }],
        audience: 'https://tool.test',
        expiresIn: 600,
        format,
        now: NOW - 10,
      });
      const verifier = createVerifier({
        trustAnchors: [{ id: 'https://as.test', publicJwk: issuer.publicJwk }],
        audience: 'https://tool.test',
        nonce: (n) => n === 'n-1',
        clock: () => NOW,
      });
      const request = { method: 'GET', url: 'https://tool.test/docs/a' };
      const action = { resource: 'docs:a', action: 'read' };
      const stale = await prove(mandate, { signer: holder, request, now: NOW, nonce: 'n-0' });
      const decision = await verifier.verify(mandate, { proof: stale, request, action });
      expect(decision).toMatchObject({
        allowed: false,
        code: 'MANDATE_PROOF_INVALID',
        hop: 0,
        check: 'possession',
        detail: { path: 'proof.nonce' },
      });
      expect(decision.allowed ? {} : decision.detail).not.toHaveProperty('step');
    },
  );

  it('an OAuth access token’s DPoP proof: MANDATE_PROOF_INVALID with no AAT step', async () => {
    const [issuer, client] = await Promise.all([generateKeyPair(), generateKeyPair()]);
    const token = await signAccessToken(issuer, client, {
      iss: 'https://as.test',
      aud: 'https://payments.test',
      iat: NOW - 100,
      exp: NOW + 600,
    });
    const url = 'https://payments.test/pay';
    const oauth = createAccessTokenVerifier({
      issuer: 'https://as.test',
      audience: 'https://payments.test',
      jwks: { keys: [{ ...issuer.publicJwk, kid: 'k1' }] },
      clock: () => NOW,
      nonce: 'n-1',
    });
    const proof = await signDpopProof(client, token, url, NOW, { nonce: 'n-0' });
    const decision = await oauth.verify(token, { dpop: { proof, method: 'POST', url } });
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_PROOF_INVALID',
      check: 'possession',
      hop: 0,
      detail: { path: 'proof.nonce' },
    });
    expect((decision as { detail: object }).detail).not.toHaveProperty('step');
  });
});
