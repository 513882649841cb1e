/**
 * RFC 9449 for a `cnf.jkt`-bound access token: the DPoP proof's key must be the one the token
 * is bound to; everything else is the mandate verifier's own proof check (`checkProof`:
 * typing, algorithm, signature first, `ath`, freshness, `htm`, `htu`) and its acceptance
 * (`acceptProof`: nonce, replay key, window-long replay entry, bounded store call).
 */
import { decodeProtectedHeader } from 'jose';
import { fail } from '../core/errors.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { parsePublicJwk, type PublicJwk, type SigningAlg } from '../identity/jwk.js';
import { THUMBPRINT_URI_PREFIX, thumbprintSync } from '../identity/thumbprint.js';
import { checkProof } from '../proof/check.js';
import { acceptProof } from '../verify/proof-acceptance.js';
import type { AccessTokenConfig } from './access-token-config.js';
import type { VerifyAccessTokenOptions } from './access-token-contract.js';

/**
 * Algorithms accepted for DPoP proofs: the mandate verifier's (RFC 9449 §4.3 step 5 allows
 * only fully-specified ones, so the polymorphic `EdDSA` is refused).
 */
const DPOP_ALGORITHMS: readonly SigningAlg[] = ['Ed25519', 'ES256'];

function invalid(message: string): never {
  return fail('MANDATE_PROOF_INVALID', 'possession', 0, message);
}

/**
 * Checks the DPoP proof of a token bound to the key whose RFC 7638 thumbprint is `jkt`, made
 * for this request; throws a coded `MandateError` (check `possession`, hop 0) otherwise, and
 * a `TypeError` for a request without its method and url.
 */
export async function checkDpopBinding(
  token: string,
  claims: { readonly jti: string; readonly jkt: string },
  dpop: NonNullable<VerifyAccessTokenOptions['dpop']>,
  now: number,
  config: AccessTokenConfig,
): Promise<void> {
  if (typeof dpop.proof !== 'string' || dpop.proof.length > 8192)
    invalid('the DPoP proof is malformed');
  if (typeof dpop.method !== 'string' || typeof dpop.url !== 'string')
    throw new TypeError('dpop needs the request method and url as strings');
  // The key is chosen by the token (cnf.jkt), not by the proof: only then is it trusted.
  let jwk: PublicJwk;
  try {
    jwk = parsePublicJwk(
      decodeProtectedHeader(dpop.proof).jwk,
      'possession',
      0,
      'proof.header.jwk',
    );
  } catch {
    return invalid('the DPoP proof needs a public Ed25519 or P-256 jwk');
  }
  if (thumbprintSync(jwk) !== claims.jkt) {
    invalid('the DPoP proof is signed by another key than the token is bound to');
  }
  const proven = checkProof(
    dpop.proof,
    { method: dpop.method, url: dpop.url },
    {
      token,
      holderJwk: jwk,
      holderKey: config.dpopKeys.get(jwk, 'possession', 0),
      hop: 0,
      now,
      window: config.proofWindow,
      algorithms: DPOP_ALGORITHMS,
      maxStringLength: DEFAULT_LIMITS.maxStringLength,
      audience: config.audience,
      requireAudience: false,
    },
  );
  await acceptProof(proven, {
    hop: 0,
    signer: `${THUMBPRINT_URI_PREFIX}${claims.jkt}`,
    grant: claims.jti,
    window: config.proofWindow,
    replay: config.replay,
    storeTimeoutMs: config.storeTimeoutMs,
    nonce: config.nonce,
  });
}
