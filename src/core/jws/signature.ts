/** Synchronous JWS signature verification with node:crypto: the verifier's hot path. */
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';

/** JWS algorithms Mandate signs and verifies with. `EdDSA` is never accepted (RFC 9864). */
export type SigningAlg = 'Ed25519' | 'ES256';

/**
 * Verify a JWS signature over its ASCII signing input (the text, or its bytes). Never throws
 * for a bad signature; returns false.
 */
export function verifyJwsSignature(
  alg: SigningAlg,
  key: KeyObject,
  signingInput: string | Uint8Array,
  signature: Uint8Array,
): boolean {
  const data = typeof signingInput === 'string' ? Buffer.from(signingInput, 'ascii') : signingInput;
  try {
    return alg === 'Ed25519'
      ? cryptoVerify(null, data, key, signature)
      : cryptoVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    // A key of the wrong type for the algorithm: a failed verification, not a crash.
    return false;
  }
}
