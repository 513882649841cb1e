/**
 * Decoding a Biscuit mandate into the chain the verifier's rules question — without verifying
 * anything, and without biscuit-wasm. Everything is validated here before any signature check
 * sees it: token text and size, protobuf structure, the canonical layout of every block (block.ts),
 * capabilities (the algebra's normal form), holder keys (on the curve), revocation-id uniqueness.
 *
 * A delegation block states only what it changes; its decoded view inherits the rest from its
 * parent (expiry, audience, depth, capabilities, not-before, subject), and its issuer is its
 * parent's holder. Besides its Mandate id (`block_id`), a block has its Biscuit revocation id
 * (the hex of its signature); the revocation rule looks up both.
 *
 * Decoded prefixes are cached (bounded) by a hash chain over the blocks' exact bytes, so a token
 * seen again, or extended by one block, decodes only what is new — as the JWS path caches decoded
 * blocks by their exact text.
 *
 * @module
 */
import { hash, type KeyObject } from 'node:crypto';

import { BoundedMap } from '../../core/bounded-map.js';
import { rethrowAtBlock } from '../../core/errors.js';
import { malformed } from '../../core/failure.js';
import { assertSafeText } from '../../core/names.js';
import { assertBlockCount, DEFAULT_LIMITS, type Limits } from '../../core/limits.js';
import { thumbprintUriSync } from '../../identity/thumbprint.js';
import type { ChainBlock } from '../codec.js';
import { checkTokenLimits } from '../token-limits.js';
import { decodeBlock } from './block.js';
import { ecdsaTwin } from './ecdsa-twin.js';
import { SymbolTable } from './symbols.js';
import {
  parseBiscuitToken,
  serializeSignedBlock,
  serializeToken,
  signingAlg,
  toTokenText,
  toJwk,
  type BiscuitAlgorithm,
  type BiscuitToken,
  type SignedBlock,
} from './token.js';

/** A decoded Biscuit block: the rules' view plus what the signature checks need. */
export interface BiscuitChainBlock extends ChainBlock {
  /** Biscuit's revocation id of this block: the hex of its signature (as biscuit-auth reports it). */
  readonly revocationId: string;
  /** The block's signed structure. */
  readonly signed: SignedBlock;
}

/** One decoded prefix of a token: its last block and the symbol table after it. */
export interface PrefixEntry {
  readonly block: BiscuitChainBlock;
  readonly table: SymbolTable;
  /** The prefix's cache key: the hash chain of its blocks' bytes. */
  readonly key: string;
  /** The key this block's signature verified under (set by the verifier; bytes-only result). */
  verifiedWith?: KeyObject;
  /** The final signature that verified over this block, when it closed a sealed token. */
  sealVerified?: string;
}

/** A bounded cache of decoded prefixes, keyed by the hash chain of their blocks' bytes. */
export type BiscuitCache = BoundedMap<string, PrefixEntry>;

/** A decoded token: its text, its structure and one entry per block. */
export interface DecodedBiscuit {
  readonly text: string;
  readonly token: BiscuitToken;
  readonly entries: readonly PrefixEntry[];
  readonly blocks: readonly BiscuitChainBlock[];
}

/**
 * Biscuit's revocation id of a block: the lowercase hex of its `SignedBlock.signature`, which is what
 * biscuit-auth's `revocation_identifiers()` returns (and the specification samples publish).
 */
export function biscuitRevocationId(signed: Pick<SignedBlock, 'signature'>): string {
  return Buffer.from(signed.signature).toString('hex');
}

/**
 * For a block signed with P-256, the revocation id of its signature's other valid form
 * (`ecdsa-twin.ts`), so that rule 6 finds a revocation under either.
 */
function revocationTwin(
  signed: Pick<SignedBlock, 'signature'>,
  signerAlgorithm: BiscuitAlgorithm,
): { revocationIdTwin?: string } {
  if (signerAlgorithm !== 1) return {};
  const twin = ecdsaTwin(signed.signature);
  return twin === undefined ? {} : { revocationIdTwin: biscuitRevocationId({ signature: twin }) };
}

function decodeOne(
  signed: SignedBlock,
  hop: number,
  parent: PrefixEntry | undefined,
  limits: Limits,
  key: string,
): PrefixEntry {
  const label = `block ${hop}`;
  const { content, table } = decodeBlock(
    signed.block,
    parent?.table ?? SymbolTable.initial,
    hop,
    limits,
  );
  let holderKey;
  try {
    holderKey = toJwk(signed.nextKey);
  } catch {
    return malformed(`${label}: holder is not a valid public key`, {
      path: `${label}.nextKey`,
      hop,
    });
  }
  const up = parent?.block;
  if (up !== undefined) {
    // The JWS twin carries this name as its `iss` claim, under the same length limit.
    try {
      assertSafeText(up.holder, `${label}.iss`, limits.maxStringLength);
    } catch (error) {
      rethrowAtBlock(error, label, hop);
    }
  }
  // The root is signed by the anchor (ES256 when it says so); a delegation by its parent's holder.
  const alg =
    up === undefined ? (content.rootAlg ?? 'Ed25519') : signingAlg(up.signed.nextKey.algorithm);
  const notBefore = content.notBefore ?? up?.notBefore;
  const audience = content.audience ?? up?.audience;
  const revocationId = biscuitRevocationId(signed);
  const block: BiscuitChainBlock = Object.freeze({
    kind: hop === 0 ? 'root' : 'delegation',
    alg,
    id: content.id,
    issuer: up === undefined ? (content.issuer ?? '') : up.holder,
    holder: thumbprintUriSync(holderKey),
    holderJwk: Object.freeze({ ...holderKey }),
    holderKey: Object.freeze(holderKey),
    subject: up === undefined ? (content.subject ?? '') : up.subject,
    capabilities: content.capabilities ?? up?.capabilities ?? [],
    ...optionalApprovals(content.approvals ?? up?.approvals),
    issuedAt: content.issuedAt,
    expiresAt: content.expiresAt ?? up?.expiresAt ?? 0,
    ...(notBefore === undefined ? {} : { notBefore }),
    ...(audience === undefined ? {} : { audience }),
    depth: hop,
    maxDepth: content.maxDepth ?? up?.maxDepth ?? 0,
    ...(content.purpose === undefined ? {} : { purpose: content.purpose }),
    revocationId,
    ...revocationTwin(signed, alg === 'ES256' ? 1 : 0),
    signed,
  });
  return { block, table, key };
}

function optionalApprovals(
  approvals: BiscuitChainBlock['approvals'],
): Pick<BiscuitChainBlock, 'approvals'> {
  return approvals === undefined ? {} : { approvals };
}

/** The previous key of the authority block: 32 zero bytes, so every hashed input has one shape. */
const NO_PARENT = '\0'.repeat(32);

/**
 * The cache key of a prefix: SHA-256 over the previous prefix's key (32 bytes; zeros before the
 * authority block) and this block's exact bytes, as a 32-character latin1 string. A hash chain
 * whose inputs all start with exactly 32 bytes of key, so equal keys mean equal prefixes (a block
 * cannot pose as a parent's key followed by another block). One-shot hashing: a hash object per
 * block cost more than the digest itself.
 */
function prefixKey(previous: string, raw: Uint8Array): string {
  const input = Buffer.allocUnsafe(32 + raw.length);
  input.write(previous, 0, 32, 'latin1');
  input.set(raw, 32);
  return hash('sha256', input, 'binary'); // 'binary' is latin1: one character per byte
}

/** The entry of `signed` at `hop` after `parent`: from `cache`, or decoded (and then cached). */
function entryOf(
  signed: SignedBlock,
  hop: number,
  parent: PrefixEntry | undefined,
  limits: Limits,
  cache: BiscuitCache | undefined,
): PrefixEntry {
  const key = prefixKey(parent?.key ?? NO_PARENT, signed.raw);
  let entry = cache?.get(key);
  if (entry === undefined) {
    entry = decodeOne(signed, hop, parent, limits, key);
    cache?.set(key, entry);
  }
  return entry;
}

/** Refuses a block id that repeats an earlier block's: a cycle or a splice (AAT step 2c). */
function assertNewId(ids: Set<string>, entry: PrefixEntry, hop: number): void {
  if (ids.has(entry.block.id)) {
    malformed(`block ${hop}: block id repeats an earlier block`, {
      path: `block ${hop}.block_id`,
      hop,
    });
  }
  ids.add(entry.block.id);
}

/**
 * Decodes a token and keeps its structure (for the signature checks). `cache` (bounded) holds
 * decoded prefixes: their entries are shared by every token that starts with the same blocks.
 */
export function decodeBiscuit(
  token: string,
  limits: Limits,
  cache: BiscuitCache | undefined,
): DecodedBiscuit {
  checkTokenLimits(token, limits);
  const parsed = parseBiscuitToken(token, limits);
  const entries: PrefixEntry[] = [];
  const ids = new Set<string>();
  for (const [hop, signed] of parsed.blocks.entries()) {
    const entry = entryOf(signed, hop, entries[hop - 1], limits, cache);
    assertNewId(ids, entry, hop);
    entries.push(entry);
  }
  return { text: token, token: parsed, entries, blocks: entries.map((e) => e.block) };
}

/** Prefixes decoded by `parseMandate`, `delegate` and `prove` (never consulted by a verifier). */
const readCache: BiscuitCache = new BoundedMap(256);

/**
 * Tokens `mint` and `delegate` just wrote or read, by their text (default limits only): the next
 * `delegate`, `prove` or `sealMandate` of the same mandate then decodes nothing.
 */
const recent = new BoundedMap<string, DecodedBiscuit>(64);

/** Decodes under `limits`, through the read caches. */
function read(token: string, limits: Limits): DecodedBiscuit {
  if (limits !== DEFAULT_LIMITS) return decodeBiscuit(token, limits, readCache);
  let decoded = recent.get(token);
  if (decoded === undefined) {
    decoded = decodeBiscuit(token, limits, readCache);
    recent.set(token, decoded);
  }
  return decoded;
}

/**
 * Decodes every block of a Biscuit mandate WITHOUT verifying it: no signature, linkage, time,
 * audience or revocation is checked (the verifier does that). For `parseMandate`, `delegate` and
 * `prove`. Throws `MANDATE_MALFORMED` / `MANDATE_LIMIT_EXCEEDED` naming the first bad block.
 */
export function decodeBiscuitChain(token: string, limits: Limits): Promise<BiscuitChainBlock[]> {
  // A rejected promise, never a synchronous throw, whatever goes wrong.
  return Promise.resolve().then(() => [...read(token, limits).blocks]);
}

/** Like {@link decodeBiscuitChain}, keeping the structure and symbol tables (for `delegate`). */
export function readBiscuit(token: string, limits: Limits): DecodedBiscuit {
  return read(token, limits);
}

/**
 * `decoded` (undefined: nothing yet) extended by a block `mint` or `delegate` has just signed,
 * as an open token: only the new block is decoded (and checked as a verifier would decode it, so
 * nothing is written that a verifier refuses as malformed). Throws `MANDATE_LIMIT_EXCEEDED` /
 * `MANDATE_MALFORMED` as {@link decodeBiscuit} would for the longer token.
 */
export function extendBiscuit(
  decoded: DecodedBiscuit | undefined,
  block: Omit<SignedBlock, 'raw'>,
  limits: Limits,
): DecodedBiscuit {
  const signed: SignedBlock = { ...block, raw: serializeSignedBlock(block) };
  const hop = decoded?.entries.length ?? 0;
  const blocks = [...(decoded?.token.blocks ?? []), signed];
  assertBlockCount(blocks.length, limits);
  const rootKeyId = decoded?.token.rootKeyId;
  const text = toTokenText(
    serializeToken(
      blocks.map((b) => b.raw),
      undefined,
      rootKeyId,
    ),
  );
  checkTokenLimits(text, limits);
  const entry = entryOf(signed, hop, decoded?.entries[hop - 1], limits, readCache);
  assertNewId(new Set(decoded?.blocks.map((b) => b.id)), entry, hop);
  const entries = [...(decoded?.entries ?? []), entry];
  const extended: DecodedBiscuit = {
    text,
    token: { ...(rootKeyId === undefined ? {} : { rootKeyId }), blocks },
    entries,
    blocks: entries.map((e) => e.block),
  };
  if (limits === DEFAULT_LIMITS) recent.set(text, extended);
  return extended;
}
