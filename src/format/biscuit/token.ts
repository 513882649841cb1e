/**
 * The Biscuit token structure (protobuf `Biscuit` / `SignedBlock`), read and assembled by hand, and
 * Biscuit's signatures (format v3.3, signature version 1) computed and checked with node:crypto.
 *
 * Mandate uses biscuit-wasm only to compile Datalog into a block's bytes and to run the authorizer;
 * every key and every signature of a Mandate Biscuit token is made and checked here, so that:
 * - the ephemeral "next" keys come from node's CSPRNG (biscuit-wasm 0.6.0 seeds its RNG with 8 bytes),
 * - private keys never enter wasm memory,
 * - each block's signatures can be checked separately, so a denial names the hop that is wrong,
 * - a token can be read (`parseMandate`, `delegate`, `prove`) without the root key, which
 *   biscuit-wasm cannot do.
 *
 * Token text: the Biscuit bytes as URL-safe base64 with `=` padding — Biscuit's own text form
 * (what `biscuit inspect` and other Biscuit libraries read). Only the canonical encoding is accepted.
 *
 * @module
 */
import {
  ECDH,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';

import { malformed } from '../../core/failure.js';
import { assertBlockCount, type Limits } from '../../core/limits.js';
import type { PublicJwk, SigningAlg } from '../../identity/jwk.js';
import type { PreparedSigner } from '../../identity/keys.js';
import {
  bytesOf,
  concatBytes,
  lenField,
  ProtobufError,
  readMessage,
  varintField,
  varintOf,
  type MessageSchema,
} from './protobuf.js';

/** Biscuit's `PublicKey.Algorithm`: 0 = Ed25519, 1 = SECP256R1 (ECDSA P-256, SHA-256). */
export type BiscuitAlgorithm = 0 | 1;

/** A public key as Biscuit serializes it: Ed25519 raw 32 bytes, P-256 compressed SEC1 (33 bytes). */
export interface BiscuitPublicKey {
  readonly algorithm: BiscuitAlgorithm;
  readonly key: Uint8Array;
}

/** One `SignedBlock`, with its exact serialized bytes (for splicing). */
export interface SignedBlock {
  /** The whole serialized `SignedBlock` message. */
  readonly raw: Uint8Array;
  /** The serialized Datalog `Block`. */
  readonly block: Uint8Array;
  readonly nextKey: BiscuitPublicKey;
  readonly signature: Uint8Array;
  readonly external?: { readonly signature: Uint8Array; readonly publicKey: BiscuitPublicKey };
  /** The signature version (`SignedBlock.version`, absent = 0). */
  readonly version: number;
}

/** A whole token: the authority block first, then the other blocks, and the proof. */
export interface BiscuitToken {
  readonly rootKeyId?: number;
  readonly blocks: readonly SignedBlock[];
  /** `Proof.nextSecret`: the private half of the last block's next key. */
  readonly nextSecret: Uint8Array;
}

const PUBLIC_KEY: MessageSchema = {
  1: { wire: 0, required: true },
  2: { wire: 2, required: true },
};
const EXTERNAL_SIGNATURE: MessageSchema = {
  1: { wire: 2, required: true },
  2: { wire: 2, required: true },
};
const SIGNED_BLOCK: MessageSchema = {
  1: { wire: 2, required: true },
  2: { wire: 2, required: true },
  3: { wire: 2, required: true },
  4: { wire: 2 },
  5: { wire: 0 },
};
const BISCUIT: MessageSchema = {
  1: { wire: 0 },
  2: { wire: 2, required: true },
  3: { wire: 2, repeated: true },
  4: { wire: 2, required: true },
};
const PROOF: MessageSchema = { 1: { wire: 2 }, 2: { wire: 2 } };

/** The only signature version Mandate writes and accepts (Biscuit v3.3 `\0BLOCK\0` payloads). */
export const SIGNATURE_VERSION = 1;

function parsePublicKey(bytes: Uint8Array, hop: number, path: string): BiscuitPublicKey {
  const fields = readMessage(bytes, PUBLIC_KEY, path);
  const algorithm = varintOf(fields, 1);
  const key = bytesOf(fields, 2) ?? new Uint8Array();
  if (algorithm === 0n && key.length === 32) return { algorithm: 0, key };
  if (algorithm === 1n && key.length === 33 && (key[0] === 2 || key[0] === 3)) {
    return { algorithm: 1, key };
  }
  return malformed(`block ${hop}: ${path} is not an Ed25519 or P-256 public key`, { path, hop });
}

function parseSignedBlock(raw: Uint8Array, hop: number): SignedBlock {
  const fields = readMessage(raw, SIGNED_BLOCK, `block ${hop}`);
  const externalBytes = bytesOf(fields, 4);
  let external: SignedBlock['external'];
  if (externalBytes !== undefined) {
    const ext = readMessage(externalBytes, EXTERNAL_SIGNATURE, 'externalSignature');
    external = {
      signature: bytesOf(ext, 1) ?? new Uint8Array(),
      publicKey: parsePublicKey(
        bytesOf(ext, 2) ?? new Uint8Array(),
        hop,
        'externalSignature.publicKey',
      ),
    };
  }
  const version = varintOf(fields, 5) ?? 0n;
  if (version !== BigInt(SIGNATURE_VERSION)) {
    malformed(`block ${hop}: signature version must be ${SIGNATURE_VERSION}`, {
      path: `block ${hop}.version`,
      hop,
    });
  }
  return {
    raw,
    block: bytesOf(fields, 1) ?? new Uint8Array(),
    nextKey: parsePublicKey(bytesOf(fields, 2) ?? new Uint8Array(), hop, 'nextKey'),
    signature: bytesOf(fields, 3) ?? new Uint8Array(),
    ...(external === undefined ? {} : { external }),
    version: SIGNATURE_VERSION,
  };
}

const BASE64URL_PADDED = /^[A-Za-z0-9_-]+={0,2}$/;

/** The token text of Biscuit bytes: URL-safe base64 with padding (Biscuit's own text form). */
export function toTokenText(bytes: Uint8Array): string {
  const text = Buffer.from(bytes).toString('base64url');
  return text + '='.repeat((4 - (text.length % 4)) % 4);
}

/** Decodes token text, accepting only the canonical encoding (what {@link toTokenText} writes). */
export function fromTokenText(token: string): Uint8Array {
  if (!BASE64URL_PADDED.test(token) || token.length % 4 !== 0) {
    malformed('the mandate is not Biscuit base64url text', { path: 'token', hop: 0 });
  }
  const bytes = Buffer.from(token, 'base64url');
  // Node skips what it does not understand; re-encoding proves this is the one canonical text.
  if (toTokenText(bytes) !== token)
    malformed('the mandate is not canonical base64url', { path: 'token', hop: 0 });
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Reads a token's structure. Nothing is verified. Throws `MANDATE_MALFORMED` (hop = the block at
 * fault) or `MANDATE_LIMIT_EXCEEDED` (too many blocks).
 */
export function parseBiscuitToken(token: string, limits: Limits): BiscuitToken {
  const bytes = fromTokenText(token);
  try {
    const top = readMessage(bytes, BISCUIT, 'Biscuit');
    const others = top.get(3) ?? [];
    assertBlockCount(others.length + 1, limits);
    const raws = [
      bytesOf(top, 2) ?? new Uint8Array(),
      ...others.map((f) => (f.wire === 2 ? f.bytes : new Uint8Array())),
    ];
    const blocks = raws.map((raw, hop) => parseSignedBlock(raw, hop));
    const proof = readMessage(bytesOf(top, 4) ?? new Uint8Array(), PROOF, 'proof');
    const nextSecret = bytesOf(proof, 1);
    if (nextSecret === undefined || proof.has(2)) {
      // A sealed token (finalSignature) can no longer be delegated; Mandate never writes one.
      malformed('the Biscuit proof must be a next secret (sealed tokens are not mandates)', {
        path: 'proof',
        hop: blocks.length - 1,
      });
    }
    const rootKeyId = varintOf(top, 1);
    if (rootKeyId !== undefined && rootKeyId > 0xffffffffn)
      malformed('rootKeyId is not a u32', { path: 'rootKeyId', hop: 0 });
    return {
      ...(rootKeyId === undefined ? {} : { rootKeyId: Number(rootKeyId) }),
      blocks,
      nextSecret,
    };
  } catch (error) {
    if (error instanceof ProtobufError)
      malformed(`the Biscuit token does not decode: ${error.message}`, { path: 'token', hop: 0 });
    throw error;
  }
}

function publicKeyMessage(key: BiscuitPublicKey): Uint8Array {
  return concatBytes(varintField(1, key.algorithm), lenField(2, key.key));
}

/** Serializes one `SignedBlock`. */
export function serializeSignedBlock(block: Omit<SignedBlock, 'raw'>): Uint8Array {
  return concatBytes(
    lenField(1, block.block),
    lenField(2, publicKeyMessage(block.nextKey)),
    lenField(3, block.signature),
    ...(block.external === undefined
      ? []
      : [
          lenField(
            4,
            concatBytes(
              lenField(1, block.external.signature),
              lenField(2, publicKeyMessage(block.external.publicKey)),
            ),
          ),
        ]),
    varintField(5, block.version),
  );
}

/** Serializes a token from already-serialized `SignedBlock`s (authority first) and a proof secret. */
export function serializeToken(
  rawBlocks: readonly Uint8Array[],
  nextSecret: Uint8Array,
  rootKeyId?: number,
): Uint8Array {
  const [authority, ...others] = rawBlocks;
  if (authority === undefined) throw new TypeError('a token needs an authority block');
  return concatBytes(
    ...(rootKeyId === undefined ? [] : [varintField(1, rootKeyId)]),
    lenField(2, authority),
    ...others.map((raw) => lenField(3, raw)),
    lenField(4, lenField(1, nextSecret)),
  );
}

// ---------------------------------------------------------------------------------------------
// Signature payloads (Biscuit specification, "Signatures", version 1)
// ---------------------------------------------------------------------------------------------

const ascii = (text: string): Uint8Array => Buffer.from(text, 'latin1');
const u32le = (n: number): Uint8Array => {
  const out = Buffer.alloc(4);
  out.writeUInt32LE(n);
  return out;
};

/**
 * What a block's signature (by the previous block's next key, or the root key for the authority)
 * covers: the block bytes, the next key, the previous block's signature, and the external signature.
 */
export function blockSignaturePayload(
  block: Uint8Array,
  nextKey: BiscuitPublicKey,
  previousSignature: Uint8Array | undefined,
  externalSignature: Uint8Array | undefined,
): Uint8Array {
  return concatBytes(
    ascii('\0BLOCK\0\0VERSION\0'),
    u32le(SIGNATURE_VERSION),
    ascii('\0PAYLOAD\0'),
    block,
    ascii('\0ALGORITHM\0'),
    u32le(nextKey.algorithm),
    ascii('\0NEXTKEY\0'),
    nextKey.key,
    ...(previousSignature === undefined ? [] : [ascii('\0PREVSIG\0'), previousSignature]),
    ...(externalSignature === undefined ? [] : [ascii('\0EXTERNALSIG\0'), externalSignature]),
  );
}

/** What a third-party block's external signature covers: its bytes and the previous signature. */
export function externalSignaturePayload(
  block: Uint8Array,
  previousSignature: Uint8Array,
): Uint8Array {
  return concatBytes(
    ascii('\0EXTERNAL\0\0VERSION\0'),
    u32le(SIGNATURE_VERSION),
    ascii('\0PAYLOAD\0'),
    block,
    ascii('\0PREVSIG\0'),
    previousSignature,
  );
}

// ---------------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------------

const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The Biscuit algorithm of a Mandate signing algorithm. */
export function biscuitAlgorithm(alg: SigningAlg): BiscuitAlgorithm {
  return alg === 'Ed25519' ? 0 : 1;
}

/** The Mandate signing algorithm of a Biscuit algorithm. */
export function signingAlg(algorithm: BiscuitAlgorithm): SigningAlg {
  return algorithm === 0 ? 'Ed25519' : 'ES256';
}

/** A node:crypto public key of a Biscuit public key. Throws on a point that is not on the curve. */
export function toKeyObject(key: BiscuitPublicKey): KeyObject {
  return createPublicKey({ key: toJwk(key), format: 'jwk' });
}

/** The public JWK of a Biscuit public key (P-256 points are decompressed; invalid points throw). */
export function toJwk(key: BiscuitPublicKey): PublicJwk {
  if (key.algorithm === 0) {
    return { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(key.key).toString('base64url') };
  }
  // convertKey validates the point and returns the uncompressed form 04 || x || y.
  const full = ECDH.convertKey(
    Buffer.from(key.key),
    'prime256v1',
    undefined,
    undefined,
    'uncompressed',
  );
  const point = Buffer.isBuffer(full) ? full : Buffer.from(full, 'latin1');
  return {
    kty: 'EC',
    crv: 'P-256',
    x: point.subarray(1, 33).toString('base64url'),
    y: point.subarray(33, 65).toString('base64url'),
  };
}

/** The Biscuit form of a public JWK (Ed25519 raw, P-256 compressed SEC1). */
export function fromJwk(jwk: PublicJwk): BiscuitPublicKey {
  if (jwk.kty === 'OKP') return { algorithm: 0, key: Buffer.from(jwk.x, 'base64url') };
  const x = Buffer.from(jwk.x, 'base64url');
  const y = Buffer.from(jwk.y, 'base64url');
  const prefix = ((y[y.length - 1] ?? 0) & 1) === 1 ? 3 : 2;
  return { algorithm: 1, key: concatBytes(Uint8Array.of(prefix), x) };
}

/** Whether a Biscuit public key is the same key as a node:crypto public key. */
export function sameBiscuitKey(key: BiscuitPublicKey, other: KeyObject): boolean {
  if (other.type !== 'public') return false;
  const jwk = other.export({ format: 'jwk' });
  const expected = toJwk(key);
  if (expected.kty === 'OKP')
    return jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && jwk.x === expected.x;
  return jwk.kty === 'EC' && jwk.crv === 'P-256' && jwk.x === expected.x && jwk.y === expected.y;
}

/** Signs `payload` as Biscuit does: Ed25519, or ECDSA P-256 with SHA-256 and a DER signature. */
export function biscuitSign(
  key: KeyObject,
  algorithm: BiscuitAlgorithm,
  payload: Uint8Array,
): Uint8Array {
  return algorithm === 0
    ? cryptoSign(null, payload, key)
    : cryptoSign('sha256', payload, { key, dsaEncoding: 'der' });
}

/** Verifies a Biscuit signature; false (never a throw) for any malformed key or signature. */
export function biscuitVerify(
  key: KeyObject,
  algorithm: BiscuitAlgorithm,
  payload: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    if (algorithm === 0) {
      return key.asymmetricKeyType === 'ed25519' && cryptoVerify(null, payload, key, signature);
    }
    return (
      key.asymmetricKeyType === 'ec' &&
      cryptoVerify('sha256', payload, { key, dsaEncoding: 'der' }, signature)
    );
  } catch {
    return false;
  }
}

/** A signer's private key and its Biscuit algorithm (Ed25519 or P-256 only). */
export function signerKey(signer: PreparedSigner): { key: KeyObject; algorithm: BiscuitAlgorithm } {
  return { key: signer.key, algorithm: biscuitAlgorithm(signer.alg) };
}

/**
 * A fresh ephemeral Ed25519 key pair from node's CSPRNG, for a block's `nextKey` and the token's
 * proof secret. (biscuit-wasm would draw it from an RNG seeded with 8 bytes.)
 */
export function ephemeralKey(): { publicKey: BiscuitPublicKey; secret: Uint8Array } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const priv = privateKey.export({ format: 'jwk' });
  const pub = publicKey.export({ format: 'jwk' });
  return {
    publicKey: { algorithm: 0, key: Buffer.from(pub.x ?? '', 'base64url') },
    secret: Buffer.from(priv.d ?? '', 'base64url'),
  };
}

/** The private key a proof secret (32-byte Ed25519 seed) stands for. */
export function secretKey(secret: Uint8Array): KeyObject {
  return createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, secret]),
    format: 'der',
    type: 'pkcs8',
  });
}

/** Whether the proof secret is the private half of `nextKey` (Ed25519 next keys only). */
export function secretMatches(secret: Uint8Array, nextKey: BiscuitPublicKey): boolean {
  if (nextKey.algorithm !== 0 || secret.length !== 32) return false;
  const x = Buffer.from(nextKey.key).toString('base64url');
  try {
    // Imported as a JWK, not as PKCS#8 DER: OpenSSL 3's DER decoder made this one call a tenth of
    // a Biscuit verification (measured on Node 20: ~1.7 ms against ~0.16 ms). Node derives the
    // public half from `d`, and comparing it with `x` is the check (an import that validated `x`
    // against `d` instead would throw on a mismatch, which is `false` as well).
    const d = Buffer.from(secret).toString('base64url');
    const key = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d, x }, format: 'jwk' });
    return createPublicKey(key).export({ format: 'jwk' }).x === x;
  } catch {
    return false;
  }
}
