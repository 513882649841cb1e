/** Synchronous JWS signature verification with node:crypto: the verifier's hot path. */
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import type { SigningAlg } from '../../identity/jwk.js';

/** Verify a JWS signature. Never throws for a bad signature; returns false. */
export function verifyJwsSignature(
  alg: SigningAlg,
  key: KeyObject,
  signingInput: string,
  signature: Uint8Array,
): boolean {
  const data = Buffer.from(signingInput, 'ascii');
  try {
    return alg === 'Ed25519'
      ? cryptoVerify(null, data, key, signature)
      : cryptoVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    // A key of the wrong type for the algorithm: a failed verification, not a crash.
    return false;
  }
}
