/**
 * Key pairs and signing. Identities are public keys; a key pair's `id` is the RFC 9278
 * thumbprint URI of its public JWK.
 */
import {
  createPrivateKey,
  generateKeyPairSync,
  KeyObject,
  sign as cryptoSign,
  type JsonWebKey,
} from 'node:crypto';
import type { JWK } from 'jose';
import type { KeyPair } from '../core/types.js';
import { isCanonicalBase64url } from '../core/encoding.js';
import { algForJwk, parsePublicJwk, type PublicJwk, type SigningAlg } from './jwk.js';
import { thumbprintUriSync } from './thumbprint.js';

/** Algorithms `generateKeyPair` accepts. `EdDSA` is taken as a synonym of `Ed25519`. */
export type KeyAlg = 'Ed25519' | 'EdDSA' | 'ES256';

/**
 * Generate a key pair for an agent, a user or an issuer.
 * @param alg `Ed25519` (default) or `ES256`.
 * @returns `{ privateKey, publicJwk, id }`; `id` is the key's principal id.
 */
// Asynchronous by contract (DESIGN §5), so an unsupported `alg` rejects rather than throws.
// eslint-disable-next-line @typescript-eslint/require-await
export async function generateKeyPair(alg: KeyAlg = 'Ed25519'): Promise<KeyPair> {
  let privateKey: KeyObject;
  let publicKey: KeyObject;
  if (alg === 'Ed25519' || alg === 'EdDSA') {
    ({ privateKey, publicKey } = generateKeyPairSync('ed25519'));
  } else if (alg === 'ES256') {
    ({ privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' }));
  } else {
    throw new TypeError(`unsupported key algorithm: ${String(alg)}`);
  }
  // node:crypto's own JWK export and RFC 7638 thumbprint (no jose: importing Mandate loads
  // none of it; `test/vectors/rfc.test.ts` holds the thumbprint to jose's).
  const publicJwk = parsePublicJwk(publicKey.export({ format: 'jwk' }), 'anchor');
  return { privateKey, publicJwk: { ...publicJwk }, id: thumbprintUriSync(publicJwk) };
}

/** A signer prepared once: its private KeyObject, validated public JWK and algorithm. */
export interface PreparedSigner {
  readonly key: KeyObject;
  readonly publicJwk: PublicJwk;
  readonly alg: SigningAlg;
}

/**
 * The type of each KeyObject a signer was prepared with: a KeyObject never changes, and its
 * `type` getter crosses into native code on every read (a measurable share of a delegation).
 */
const keyTypes = new WeakMap<KeyObject, string>();

function keyTypeOf(key: KeyObject): string {
  let type = keyTypes.get(key);
  if (type === undefined) {
    type = `${key.type}/${key.asymmetricKeyType ?? ''}`;
    keyTypes.set(key, type);
  }
  return type;
}

function toPrivateKeyObject(privateKey: KeyPair['privateKey']): KeyObject {
  if (privateKey instanceof KeyObject) {
    if (!keyTypeOf(privateKey).startsWith('private/')) {
      throw new TypeError(
        `privateKey is a ${privateKey.type} KeyObject: signing needs the private key (generateKeyPair().privateKey)`,
      );
    }
    return privateKey;
  }
  if (typeof CryptoKey !== 'undefined' && privateKey instanceof CryptoKey) {
    return KeyObject.from(privateKey);
  }
  if (typeof privateKey === 'object' && privateKey !== null && 'd' in privateKey) {
    // Like public coordinates, private ones are read only in their one canonical form.
    const { d } = privateKey as { d?: unknown };
    if (typeof d !== 'string' || d.length !== 43 || !isCanonicalBase64url(d)) {
      throw new TypeError('privateKey.d must be the canonical base64url of 32 bytes');
    }
    return createPrivateKey({ key: privateKey as JsonWebKey, format: 'jwk' });
  }
  if (typeof privateKey === 'object' && privateKey !== null && 'kty' in privateKey) {
    throw new TypeError(
      'privateKey is a public JWK (it has no "d"): signing needs the private key (generateKeyPair().privateKey, or a private JWK)',
    );
  }
  throw new TypeError('privateKey must be a KeyObject, a CryptoKey or a private JWK');
}

/**
 * Check a key pair's shape and derive what signing needs. Misuse (a missing or foreign
 * key) is a TypeError, never a denial.
 */
export function prepareSigner(pair: KeyPair): PreparedSigner {
  if (typeof pair !== 'object' || pair === null) {
    throw new TypeError('a signer must be a key pair { privateKey, publicJwk, id }');
  }
  const key = toPrivateKeyObject(pair.privateKey);
  let publicJwk: PublicJwk;
  try {
    publicJwk = parsePublicJwk(pair.publicJwk, 'anchor');
  } catch {
    throw new TypeError('signer.publicJwk must be an Ed25519 or P-256 public JWK');
  }
  const expected = publicJwk.kty === 'OKP' ? 'private/ed25519' : 'private/ec';
  if (keyTypeOf(key) !== expected)
    throw new TypeError('signer.privateKey does not match signer.publicJwk');
  return { key, publicJwk, alg: algForJwk(publicJwk) };
}

/** Sign a JWS signing input (ASCII `header.payload`). ES256 signatures are raw r||s. */
export function signBytes(signer: PreparedSigner, signingInput: string): Buffer {
  const data = Buffer.from(signingInput, 'ascii');
  return signer.alg === 'Ed25519'
    ? cryptoSign(null, data, signer.key)
    : cryptoSign('sha256', data, { key: signer.key, dsaEncoding: 'ieee-p1363' });
}

/** Accept a `JWK` from callers (holder keys) and validate it, as a TypeError on misuse. */
export function requirePublicJwk(value: JWK | undefined, label: string): PublicJwk {
  try {
    return parsePublicJwk(value, 'anchor', undefined, label);
  } catch (error) {
    throw new TypeError(`${label} must be an Ed25519 or P-256 public JWK`, { cause: error });
  }
}
