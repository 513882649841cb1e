/** Synchronous JWS signature verification with node:crypto: the verifier's hot path. */
import { verify as cryptoVerify, KeyObject, type JsonWebKeyInput } from 'node:crypto';
import { withoutStackTraces } from '../stack-traces.js';

/** JWS algorithms Mandate signs and verifies with. `EdDSA` is never accepted (RFC 9864). */
export type SigningAlg = 'Ed25519' | 'ES256';

/**
 * Verify a JWS signature over its ASCII signing input (the text, or its bytes), with an imported
 * key or a public JWK (`{ key, format: 'jwk' }`). Never throws for a bad signature; returns false.
 */
export function verifyJwsSignature(
  alg: SigningAlg,
  key: KeyObject | JsonWebKeyInput,
  signingInput: string | Uint8Array,
  signature: Uint8Array,
): boolean {
  const data = typeof signingInput === 'string' ? Buffer.from(signingInput, 'ascii') : signingInput;
  // A JWK is read inside `verify` by the same checks as `createPublicKey`'s, which catch
  // exceptions: run without their stacks, as `importPublicJwk` does.
  return key instanceof KeyObject
    ? verifyBytes(alg, key, data, signature)
    : withoutStackTraces(() => verifyBytes(alg, key, data, signature));
}

function verifyBytes(
  alg: SigningAlg,
  key: KeyObject | JsonWebKeyInput,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    return alg === 'Ed25519'
      ? cryptoVerify(null, data, key, signature)
      : cryptoVerify(
          'sha256',
          data,
          key instanceof KeyObject
            ? { key, dsaEncoding: 'ieee-p1363' }
            : { ...key, dsaEncoding: 'ieee-p1363' },
          signature,
        );
  } catch {
    // A key of the wrong type for the algorithm: a failed verification, not a crash.
    return false;
  }
}
