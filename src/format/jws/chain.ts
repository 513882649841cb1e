/**
 * The JWS chain encoding: blocks as compact JWS joined by `~`, root first
 * (docs/format.md). Decoding checks shape and limits only; the verifier checks the rest.
 */
import type { RecurringCache } from '../../core/recurring-cache.js';
import { sha256Base64url } from '../../core/encoding.js';
import { MandateError } from '../../core/errors.js';
import { checkTokenLimits } from '../token-limits.js';
import { assertBlockCount, type Limits } from '../../core/limits.js';
import { signBytes, type PreparedSigner } from '../../identity/keys.js';
import type { PlannedBlock } from '../plan.js';
import { decodeBlock, encodeClaims, typFor, type DecodedBlock } from './block.js';
import { encodeSegment, parseCompactJws } from '../../core/jws/compact.js';
import { TYP } from '../../core/typ.js';

/** What a JWS block must be typed (its position is checked when the block is decoded). */
const MANDATE_BLOCK = { typs: [TYP.root, TYP.delegation], what: 'a mandate' } as const;

/** Separator between blocks. Never appears in base64url or in a JWS's dots. */
export const BLOCK_SEPARATOR = '~';

/** Whether a token looks like a JWS chain (as opposed to a Biscuit). */
export function looksLikeJwsChain(token: string): boolean {
  return token.startsWith('eyJ');
}

/**
 * Split and decode every block of a JWS chain. Throws `MANDATE_MALFORMED` or
 * `MANDATE_LIMIT_EXCEEDED` naming the first bad block. The cache, when given, maps a
 * block's signature segment to its decoded form, used only for the exact same block text
 * (the decode depends on nothing else).
 */
export function decodeJwsChain(
  token: string,
  limits: Limits,
  cache?: RecurringCache<DecodedBlock>,
): DecodedBlock[] {
  checkTokenLimits(token, limits);
  return decodeCheckedJwsChain(token, limits, cache);
}

/**
 * {@link decodeJwsChain} for a token already within the size limits (the verifier checks them
 * before choosing an encoding; once is enough). Its characters need no check first: every one
 * is read here, and anything but base64url, `.` and `~` fails to decode.
 */
export function decodeCheckedJwsChain(
  token: string,
  limits: Limits,
  cache?: RecurringCache<DecodedBlock>,
): DecodedBlock[] {
  const pieces = token.split(BLOCK_SEPARATOR);
  assertBlockCount(pieces.length, limits);
  const blocks: DecodedBlock[] = [];
  const ids = new Set<string>();
  for (let hop = 0; hop < pieces.length; hop++) {
    const piece = pieces[hop] ?? '';
    // Keyed by the signature segment, short and so cheap to hash (a fresh block's whole text
    // would be hashed in full on every lookup), a cached decode holds only for the exact same
    // text: the rest of the piece must be the cached block's signing input.
    const key = cache === undefined ? '' : piece.slice(piece.lastIndexOf('.') + 1);
    let block = cache?.get(key);
    if (block !== undefined && !isTextOf(block, piece, key)) block = undefined;
    // A cached decode holds only for the same position kind (the typ rule depends on it).
    if (block === undefined || block.kind !== (hop === 0 ? 'root' : 'delegation')) {
      block = decodeJwsPiece(piece, hop, limits);
      // Kept once it recurs, with a signature of its own (see `withOwnSignature`).
      if (cache?.metBefore(key) === true) {
        block = withOwnSignature(block);
        cache.set(key, block);
      }
    }
    // A repeated block id is a cycle or a splice (AAT step 2c).
    if (ids.has(block.id)) {
      throw new MandateError(
        'MANDATE_MALFORMED',
        `block ${hop}: block id repeats an earlier block`,
        {
          check: 'limits',
          hop,
          detail: { path: `block ${hop}.jti`, step: '2c' },
        },
      );
    }
    ids.add(block.id);
    blocks.push(block);
  }
  return blocks;
}

/**
 * Decode one block, `piece`, as the block at position `hop` (its `typ` must match the
 * position). Throws `MANDATE_MALFORMED` or `MANDATE_LIMIT_EXCEEDED` naming the block.
 */
export function decodeJwsPiece(piece: string, hop: number, limits: Limits): DecodedBlock {
  const jws = parseCompactJws(piece, {
    label: `block ${hop}`,
    check: 'limits',
    hop,
    extraHeaders: ['kid'],
    expect: MANDATE_BLOCK,
  });
  return decodeBlock(jws, hop, limits);
}

/**
 * The block with its signature copied out of node's buffer pool: a decoded signature is a view
 * of a shared 8 KiB slab, and a cached block would keep the whole slab alive (a full cache of
 * blocks met at different times, up to 8 MiB of slabs for 64 KiB of signatures).
 */
function withOwnSignature(block: DecodedBlock): DecodedBlock {
  const signature = Buffer.allocUnsafeSlow(block.signature.length);
  block.signature.copy(signature);
  return { ...block, signature };
}

/**
 * Whether `piece`, whose last segment is `signature`, is exactly the text `block` was
 * decoded from: that text is `block.signingInput + '.' + signature` (it was cached under
 * the same signature segment).
 */
function isTextOf(block: DecodedBlock, piece: string, signature: string): boolean {
  const input = block.signingInput;
  return (
    piece.length === input.length + 1 + signature.length &&
    piece.charCodeAt(input.length) === 0x2e /* . */ &&
    piece.startsWith(input)
  );
}

/** Sign a planned block into a compact JWS. */
export function encodeJwsBlock(
  block: PlannedBlock,
  hop: number,
  signer: PreparedSigner,
  extra: { readonly parHash?: string; readonly kid?: string } = {},
): string {
  const header = {
    alg: signer.alg,
    typ: typFor(hop),
    ...(extra.kid === undefined ? {} : { kid: extra.kid }),
  };
  const claims = encodeClaims({
    ...block,
    ...(extra.parHash === undefined ? {} : { parHash: extra.parHash }),
  });
  const signingInput = `${encodeSegment(header)}.${encodeSegment(claims)}`;
  return `${signingInput}.${signBytes(signer, signingInput).toString('base64url')}`;
}

/** `par_hash`: base64url SHA-256 of the parent's exact JWS signing input. */
export function parentHash(parent: Pick<DecodedBlock, 'signingInput'>): string {
  return sha256Base64url(parent.signingInput);
}
