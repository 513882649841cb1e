/** Synchronous JWS signature verification with node:crypto: the verifier's hot path. */
import { verify as cryptoVerify, KeyObject, type JsonWebKeyInput } from 'node:crypto';
import { withoutStackTraces } from '../stack-traces.js';

/** JWS algorithms Mandate signs and verifies with. `EdDSA` is never accepted (RFC 9864). */
export type SigningAlg = 'Ed25519' | 'ES256';

/** Signing inputs up to this many characters are written into the one reused buffer. */
const REUSED_BYTES = 64 * 1024;
let reused: Buffer | undefined;

/**
 * The bytes of an ASCII signing input (a JWS's is base64url and `.`: one byte per character,
 * as `Buffer.from(text, 'ascii')` writes them), in one buffer reused by every verification:
 * node:crypto's synchronous `verify` reads them before it returns, so nothing else can see
 * the buffer in between, and no copy is allocated (and collected) per block.
 */
function signingBytes(text: string): Uint8Array {
  if (text.length > REUSED_BYTES) return Buffer.from(text, 'ascii');
  reused ??= Buffer.allocUnsafe(REUSED_BYTES);
  return reused.subarray(0, reused.write(text, 0, 'ascii'));
}

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
  const data = typeof signingInput === 'string' ? signingBytes(signingInput) : signingInput;
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
