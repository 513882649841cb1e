/**
 * The Biscuit token structure (protobuf `Biscuit` / `SignedBlock`), read and assembled by hand, and
 * Biscuit's signatures (format v3.3, signature version 1) computed and checked with node:crypto.
 *
 * Mandate's layout (docs/format.md, "Biscuit encoding", layout 2): each block's next key is the
 * public key of the block's holder, so the block after it must be signed with that holder's
 * private key — the signature that links a block is the delegation, and a thief holding a token
 * cannot append to it. A token travels *open* (an empty `Proof`: only its last holder could close
 * it) or *sealed* (`Proof.finalSignature`, made by the last holder: what a standard Biscuit
 * verifier accepts). Tokens of the first layout (`Proof.nextSecret`, third-party blocks) are
 * refused with `MANDATE_MALFORMED` (detail `reason: 'biscuit-layout-1'`).
 *
 * Token text: the Biscuit bytes as URL-safe base64 with `=` padding — Biscuit's own text form
 * (what `biscuit inspect` and other Biscuit libraries read). Only the canonical encoding is accepted.
 *
 * @module
 */
import {
  ECDH,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';

import { malformed as fail } from '../../core/failure.js';
import { assertBlockCount, type Limits } from '../../core/limits.js';
import type { PublicJwk, SigningAlg } from '../../identity/jwk.js';
import type { PreparedSigner } from '../../identity/keys.js';
import {
  bytesOf,
  concatBytes,
  ProtobufError,
  ProtoWriter,
  readMessage,
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
  /** The block's holder: the key that signs the next block (and seals the token). */
  readonly nextKey: BiscuitPublicKey;
  readonly signature: Uint8Array;
}

/** A whole token: the authority block first, then the other blocks, and the seal if any. */
export interface BiscuitToken {
  readonly rootKeyId?: number;
  readonly blocks: readonly SignedBlock[];
  /** `Proof.finalSignature` of a sealed token; undefined for an open one. */
  readonly seal?: Uint8Array;
}

const PUBLIC_KEY: MessageSchema = {
  1: { wire: 0, required: true },
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

function malformed(message: string, hop: number, path: string, reason?: string): never {
  return fail(message, { path, hop, reason });
}

/** The refusal of a token of the first Biscuit layout (third-party blocks, a next secret). */
function firstLayout(hop: number, path: string): never {
  return malformed(
    'this is a Biscuit mandate of the first layout (third-party blocks), which Mandate no longer ' +
      'reads: mint it again (docs/format.md, "Biscuit encoding")',
    hop,
    path,
    'biscuit-layout-1',
  );
}

function parsePublicKey(bytes: Uint8Array, hop: number, path: string): BiscuitPublicKey {
  const fields = readMessage(bytes, PUBLIC_KEY, path);
  const algorithm = varintOf(fields, 1);
  const key = bytesOf(fields, 2) ?? new Uint8Array();
  if (algorithm === 0 && key.length === 32) return { algorithm: 0, key };
  if (algorithm === 1 && key.length === 33 && (key[0] === 2 || key[0] === 3)) {
    return { algorithm: 1, key };
  }
  return malformed(`block ${hop}: ${path} is not an Ed25519 or P-256 public key`, hop, path);
}

function parseSignedBlock(raw: Uint8Array, hop: number): SignedBlock {
  const fields = readMessage(raw, SIGNED_BLOCK, `block ${hop}`);
  if (fields.has(4)) firstLayout(hop, `block ${hop}.externalSignature`);
  if ((varintOf(fields, 5) ?? 0) !== SIGNATURE_VERSION) {
    malformed(
      `block ${hop}: signature version must be ${SIGNATURE_VERSION}`,
      hop,
      `block ${hop}.version`,
    );
  }
  return {
    raw,
    block: bytesOf(fields, 1) ?? new Uint8Array(),
    nextKey: parsePublicKey(bytesOf(fields, 2) ?? new Uint8Array(), hop, 'nextKey'),
    signature: bytesOf(fields, 3) ?? new Uint8Array(),
  };
}

const BASE64URL_PADDED = /^[A-Za-z0-9_-]+={0,2}$/;

/** The token text of Biscuit bytes: URL-safe base64 with padding (Biscuit's own text form). */
export function toTokenText(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
  return text + '='.repeat((4 - (text.length % 4)) % 4);
}

/** The value of each URL-safe base64 character (-1: not one). */
const BASE64URL_VALUE = (() => {
  const table = new Int8Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
})();

/**
 * Decodes token text, accepting only the canonical encoding (what {@link toTokenText} writes):
 * the URL-safe alphabet, `=` padding to a multiple of four, and no bits set past the last byte
 * (the one freedom the alphabet leaves: the low bits of the last character before padding).
 */
export function fromTokenText(token: string): Uint8Array {
  if (!BASE64URL_PADDED.test(token) || token.length % 4 !== 0) {
    malformed('the mandate is not Biscuit base64url text', 0, 'token');
  }
  const padding = token.endsWith('==') ? 2 : token.endsWith('=') ? 1 : 0;
  const last = BASE64URL_VALUE[token.charCodeAt(token.length - 1 - padding)] ?? -1;
  // One padding character: the last character carries 4 bits of data, two: 2 bits.
  const unusedBits = padding === 0 ? 0 : padding === 1 ? 2 : 4;
  if (last < 0 || (last & ((1 << unusedBits) - 1)) !== 0) {
    malformed('the mandate is not canonical base64url', 0, 'token');
  }
  const bytes = Buffer.from(token, 'base64url');
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
    const last = blocks.length - 1;
    if (proof.has(1)) firstLayout(last, 'proof.nextSecret');
    const seal = bytesOf(proof, 2);
    const rootKeyId = varintOf(top, 1);
    if (rootKeyId !== undefined && rootKeyId > 0xffffffff)
      malformed('rootKeyId is not a u32', 0, 'rootKeyId');
    return {
      ...(rootKeyId === undefined ? {} : { rootKeyId }),
      blocks,
      ...(seal === undefined ? {} : { seal }),
    };
  } catch (error) {
    if (error instanceof ProtobufError)
      malformed(`the Biscuit token does not decode: ${error.message}`, 0, 'token');
    throw error;
  }
}

function writePublicKey(w: ProtoWriter, field: number, key: BiscuitPublicKey): void {
  w.begin(field);
  w.uint(1, key.algorithm);
  w.bytes(2, key.key);
  w.end();
}

/** Serializes one `SignedBlock`. */
export function serializeSignedBlock(block: Omit<SignedBlock, 'raw'>): Uint8Array {
  const w = new ProtoWriter();
  w.bytes(1, block.block);
  writePublicKey(w, 2, block.nextKey);
  w.bytes(3, block.signature);
  w.uint(5, SIGNATURE_VERSION);
  return w.finish();
}

/**
 * Serializes a token from already-serialized `SignedBlock`s (authority first): open (an empty
 * `Proof`) or, given `seal`, sealed.
 */
export function serializeToken(
  rawBlocks: readonly Uint8Array[],
  seal?: Uint8Array,
  rootKeyId?: number,
): Uint8Array {
  const [authority, ...others] = rawBlocks;
  if (authority === undefined) throw new TypeError('a token needs an authority block');
  const w = new ProtoWriter();
  if (rootKeyId !== undefined) w.uint(1, rootKeyId);
  w.bytes(2, authority);
  for (const raw of others) w.bytes(3, raw);
  w.begin(4);
  if (seal !== undefined) w.bytes(2, seal);
  w.end();
  return w.finish();
}

// ---------------------------------------------------------------------------------------------
// Signature payloads (Biscuit specification, "Signatures")
// ---------------------------------------------------------------------------------------------

const ascii = (text: string): Uint8Array => Buffer.from(text, 'latin1');
const u32le = (n: number): Uint8Array => {
  const out = Buffer.alloc(4);
  out.writeUInt32LE(n);
  return out;
};
const BLOCK_VERSION = concatBytes(ascii('\0BLOCK\0\0VERSION\0'), u32le(SIGNATURE_VERSION));
const PAYLOAD = ascii('\0PAYLOAD\0');
const ALGORITHM = ascii('\0ALGORITHM\0');
const NEXTKEY = ascii('\0NEXTKEY\0');
const PREVSIG = ascii('\0PREVSIG\0');
const ALGORITHM_LE32 = [u32le(0), u32le(1)] as const;

/**
 * What a block's signature (by the root key for the authority block, by the previous block's
 * holder key for the others) covers, signature version 1: the block bytes, the next key, and the
 * previous block's signature.
 */
export function blockSignaturePayload(
  block: Uint8Array,
  nextKey: BiscuitPublicKey,
  previousSignature: Uint8Array | undefined,
): Uint8Array {
  const algorithm = ALGORITHM_LE32[nextKey.algorithm];
  return previousSignature === undefined
    ? concatBytes(BLOCK_VERSION, PAYLOAD, block, ALGORITHM, algorithm, NEXTKEY, nextKey.key)
    : concatBytes(
        BLOCK_VERSION,
        PAYLOAD,
        block,
        ALGORITHM,
        algorithm,
        NEXTKEY,
        nextKey.key,
        PREVSIG,
        previousSignature,
      );
}

/**
 * What a sealed token's final signature (by the last block's next key) covers: the last block's
 * bytes, its next key's algorithm (u32 LE) and bytes, and its signature — the form biscuit-auth
 * writes and checks (verified against biscuit-wasm 0.6.0 in the tests).
 */
export function sealPayload(
  last: Pick<SignedBlock, 'block' | 'nextKey' | 'signature'>,
): Uint8Array {
  return concatBytes(
    last.block,
    ALGORITHM_LE32[last.nextKey.algorithm],
    last.nextKey.key,
    last.signature,
  );
}

// ---------------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------------

/** The Biscuit algorithm of a Mandate signing algorithm. */
export function biscuitAlgorithm(alg: SigningAlg): BiscuitAlgorithm {
  return alg === 'Ed25519' ? 0 : 1;
}

/** The Mandate signing algorithm of a Biscuit algorithm. */
export function signingAlg(algorithm: BiscuitAlgorithm): SigningAlg {
  return algorithm === 0 ? 'Ed25519' : 'ES256';
}

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A node:crypto public key of a Biscuit public key. Throws on a point that is not on the curve. */
export function toKeyObject(key: BiscuitPublicKey): KeyObject {
  if (key.algorithm === 0) {
    return createPublicKey({
      key: Buffer.concat([ED25519_SPKI_PREFIX, key.key]),
      format: 'der',
      type: 'spki',
    });
  }
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
