/**
 * Hand-built JWS blocks and proofs for hostile-input tests and the vector generator.
 * Everything here signs with real keys (`prepareSigner`/`signBytes`), so a forged block's
 * signature is valid and only the property under test is wrong.
 */
import { sha256Base64url } from '../../src/core/encoding.js';
import type { KeyPair } from '../../src/core/types.js';
import { prepareSigner, signBytes } from '../../src/identity/keys.js';
import { keyPairFromSeed } from '../../src/testing/seeded-keys.js';

export { keyPairFromSeed };

/** base64url of a string's UTF-8 bytes, or of raw bytes. */
export function b64(data: string | Uint8Array): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * base64url of a value's JSON text. A string is taken as JSON text already, and bytes are
 * encoded as they are (for invalid UTF-8).
 */
export function segment(value: unknown): string {
  if (value instanceof Uint8Array) return b64(value);
  return b64(typeof value === 'string' ? value : JSON.stringify(value));
}

/** Sign `header.payload` (each an object, or raw JSON text) with a real key. */
export function forgeJws(signer: KeyPair, header: unknown, payload: unknown): string {
  const signingInput = `${segment(header)}.${segment(payload)}`;
  return `${signingInput}.${signBytes(prepareSigner(signer), signingInput).toString('base64url')}`;
}

/** The decoded parts of a compact JWS (trusting nothing; for building attacks). */
export interface JwsParts {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

export function decodeJws(compact: string): JwsParts {
  const [h = '', p = ''] = compact.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>,
  };
}

/** The blocks of a JWS chain token. */
export function blocksOf(token: string): string[] {
  return token.split('~');
}

/** `par_hash` of a block: base64url SHA-256 of its exact signing input. */
export function parHashOf(block: string): string {
  const [h = '', p = ''] = block.split('.');
  return sha256Base64url(`${h}.${p}`);
}

/**
 * Replace block `hop` of `token` with a re-signed edit of it (`signer` should be the key
 * that genuinely signs that position, so only the edited property is wrong). Blocks after
 * `hop` are dropped unless `keepTail` (their `par_hash` then no longer matches).
 */
export function reforgeBlock(
  token: string,
  hop: number,
  signer: KeyPair,
  edit: (parts: JwsParts) => void,
  keepTail = false,
): string {
  const blocks = blocksOf(token);
  const block = blocks[hop];
  if (block === undefined) throw new RangeError(`no block ${hop}`);
  const parts = decodeJws(block);
  edit(parts);
  const forged = forgeJws(signer, parts.header, parts.payload);
  return [...blocks.slice(0, hop), forged, ...(keepTail ? blocks.slice(hop + 1) : [])].join('~');
}

/** Flip one bit of the last byte of a block's signature. */
export function flipSignatureBit(block: string): string {
  const [h = '', p = '', s = ''] = block.split('.');
  const sig = Buffer.from(s, 'base64url');
  sig[sig.length - 1] = (sig[sig.length - 1] ?? 0) ^ 0x01;
  return `${h}.${p}.${sig.toString('base64url')}`;
}

/** Fixed test seeds (never use these keys for anything real). */
export const TEST_SEEDS = {
  anchor: '0101010101010101010101010101010101010101010101010101010101010101',
  orchestrator: '0202020202020202020202020202020202020202020202020202020202020202',
  billing: '0303030303030303030303030303030303030303030303030303030303030303',
  runner: '0404040404040404040404040404040404040404040404040404040404040404',
  mallory: '0505050505050505050505050505050505050505050505050505050505050505',
  rogueIssuer: '0606060606060606060606060606060606060606060606060606060606060606',
} as const;
