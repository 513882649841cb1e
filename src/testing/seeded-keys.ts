/**
 * Key pairs from fixed seeds, so a test, a vector or a fuzzing campaign is reproducible from one
 * number. Test keys only: anyone who knows the seed holds the private key.
 *
 * @module
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { KeyPair } from '../core/types.js';
import { parsePublicJwk } from '../identity/jwk.js';
import { thumbprintUriSync } from '../identity/thumbprint.js';

/** DER prefix of a PKCS#8 Ed25519 private key (RFC 8410); the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** An Ed25519 key pair from a fixed 32-byte seed given as hex (test keys only). */
export function keyPairFromSeed(seedHex: string): KeyPair {
  const seed = Buffer.from(seedHex, 'hex');
  if (seed.length !== 32) throw new RangeError('an Ed25519 seed is 32 bytes');
  const privateKey: KeyObject = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicJwk = parsePublicJwk(createPublicKey(privateKey).export({ format: 'jwk' }), 'anchor');
  return { privateKey, publicJwk: { ...publicJwk }, id: thumbprintUriSync(publicJwk) };
}

/** The `index`-th Ed25519 key pair derived from `seed` (SHA-256 of both, as the key seed). */
export function derivedKeyPair(seed: number, index: number, label = 'mandate'): KeyPair {
  const hex = createHash('sha256').update(`${label}:${seed}:${index}`).digest('hex');
  return keyPairFromSeed(hex);
}
