/**
 * Forging chains the way an insider or a thief could: blocks re-signed with real keys, with
 * none of the checks `mint` and `delegate` make. The attack mutators (`chain-mutators.ts`) build
 * their hostile tokens here, so a forged block's signature is valid and only the property under
 * attack is wrong.
 *
 * Two levels:
 * - plans ({@link encodeChainUnchecked}): any format, through the format's own encoder, for
 *   semantic edits (a wider capability, a later expiry, a look-alike name);
 * - JSON text ({@link resignJsonChain}): JWS and AAT only, for edits no encoder would write
 *   (duplicate members, injected header members, non-canonical JSON), the later blocks re-linked
 *   (`par_hash`) and re-signed by their genuine signers.
 *
 * @module
 */
import { canonicalJson, sha256Base64url } from '../core/encoding.js';
import type { BlockView, Capability, Format, KeyPair, MandateLike } from '../core/types.js';
import { CODECS } from '../format/codec.js';
import { BLOCK_SEPARATOR } from '../format/jws/chain.js';
import { parseMandate } from '../format/parse.js';
import type { PlannedBlock } from '../format/plan.js';
import {
  requirePublicJwk,
  prepareSigner,
  signBytes,
  type PreparedSigner,
} from '../identity/keys.js';

const signers = new WeakMap<KeyPair, PreparedSigner>();

/** The prepared form of a key pair, prepared once per pair (signing is the hot path of a campaign). */
export function preparedSigner(pair: KeyPair): PreparedSigner {
  let prepared = signers.get(pair);
  if (prepared === undefined) {
    prepared = prepareSigner(pair);
    signers.set(pair, prepared);
  }
  return prepared;
}

/** A block's view as a plan its format's encoder signs (the holder key taken from the view). */
export function planOf(view: BlockView): PlannedBlock {
  return {
    id: view.id,
    issuer: view.issuer,
    holder: view.holder,
    holderJwk: requirePublicJwk(view.holderJwk, 'holderJwk'),
    subject: view.subject,
    capabilities: view.capabilities,
    issuedAt: view.issuedAt,
    expiresAt: view.expiresAt,
    ...(view.notBefore === undefined ? {} : { notBefore: view.notBefore }),
    ...(view.audience === undefined ? {} : { audience: view.audience }),
    depth: view.depth,
    maxDepth: view.maxDepth,
    ...(view.purpose === undefined ? {} : { purpose: view.purpose }),
  };
}

const FORGERY_CACHE_SIZE = 4096;
const biscuitForgeries = new Map<string, string>();

function signingInputOf(piece: string): string {
  return piece.slice(0, piece.lastIndexOf('.'));
}

/**
 * Encode `plans` as one chain of `format` through the format's codec (`mint`, then `append`),
 * block `i` signed by `signers[i]` (the trust anchor for the root, then each parent holder),
 * with no narrowing, depth or validity check: the verifier is the only judge of the result.
 * Throws whatever the codec throws for a plan it cannot express at all (an AAT block with a
 * purpose, say).
 */
export async function encodeChainUnchecked(
  format: Format,
  plans: readonly PlannedBlock[],
  signerPairs: readonly KeyPair[],
): Promise<string> {
  const signerAt = (i: number): PreparedSigner => {
    const pair = signerPairs[i];
    if (pair === undefined) throw new RangeError(`no signer for block ${i}`);
    return preparedSigner(pair);
  };
  if (format === 'biscuit') return encodeBiscuitUnchecked(plans, signerPairs, signerAt);
  const codec = CODECS.find((c) => c.format === format);
  const [root, ...rest] = plans;
  if (codec === undefined) throw new TypeError(`no codec for ${format}`);
  if (root === undefined) throw new RangeError('a chain has a root');
  let chain = await codec.mint(root, signerAt(0), {});
  for (const [i, plan] of rest.entries()) chain = await chain.append(plan, signerAt(i + 1));
  return chain.token;
}

/**
 * A genuine JWS chain re-encoded with its leaf block granting `capabilities` instead: the
 * hop `delegate` would refuse (a widening, or one too costly to check), signed with the
 * genuine keys (`signerPairs`, one per block) for the verifier to judge.
 */
export async function forgeLeafCapabilities(
  genuine: MandateLike,
  capabilities: readonly Capability[],
  signerPairs: readonly KeyPair[],
): Promise<string> {
  const blocks = (await parseMandate(genuine)).blocks;
  const plans = blocks.map((b, i) => planOf(i === blocks.length - 1 ? { ...b, capabilities } : b));
  return encodeChainUnchecked('jws', plans, signerPairs);
}

/**
 * Biscuit through its encoder directly: the codec decodes what it writes within the default
 * limits, and a forgery may be meant to break them (or to carry names the decoder refuses).
 * An identical forgery is encoded once (its ephemeral keys then reused too).
 */
async function encodeBiscuitUnchecked(
  plans: readonly PlannedBlock[],
  signerPairs: readonly KeyPair[],
  signerAt: (i: number) => PreparedSigner,
): Promise<string> {
  const key = canonicalJson([plans, signerPairs.map((pair) => pair.id)]);
  const cached = biscuitForgeries.get(key);
  if (cached !== undefined) return cached;
  const { encodeBiscuitRoot, appendBiscuitBlock } = await import('../format/biscuit/encode.js');
  const [root, ...rest] = plans;
  if (root === undefined) throw new RangeError('a chain has a root');
  let token = encodeBiscuitRoot(root, signerAt(0));
  for (const [i, plan] of rest.entries()) token = appendBiscuitBlock(token, plan, signerAt(i + 1));
  if (biscuitForgeries.size >= FORGERY_CACHE_SIZE) {
    const oldest = biscuitForgeries.keys().next().value;
    if (oldest !== undefined) biscuitForgeries.delete(oldest);
  }
  biscuitForgeries.set(key, token);
  return token;
}

/** One JWS block as text: its header and payload JSON exactly as they are signed. */
export interface JsonBlockText {
  header: string;
  payload: string;
}

/** The header and payload JSON text of each block of a JWS or AAT chain (nothing is checked). */
export function jsonBlocksOf(token: string): JsonBlockText[] {
  return token.split(BLOCK_SEPARATOR).map((piece) => {
    const [h = '', p = ''] = piece.split('.');
    return {
      header: Buffer.from(h, 'base64url').toString('utf8'),
      payload: Buffer.from(p, 'base64url').toString('utf8'),
    };
  });
}

/** Sign header and payload text as a compact JWS with `signer` (whatever the header says). */
export function signJsonBlock(block: JsonBlockText, signer: KeyPair): string {
  const input = `${Buffer.from(block.header).toString('base64url')}.${Buffer.from(block.payload).toString('base64url')}`;
  return `${input}.${signBytes(preparedSigner(signer), input).toString('base64url')}`;
}

/**
 * Re-sign a JWS or AAT chain from block `from` on: block `from` becomes `edited` (its text as
 * given, signed by `signerPairs[from]`), and every later block gets the `par_hash` of its new
 * parent and is re-signed by its genuine signer, so the chain is linked again and only the
 * edit is wrong. Blocks after `keep` (exclusive; default all) are dropped.
 */
export function resignJsonChain(
  format: 'jws' | 'aat',
  token: string,
  from: number,
  edited: JsonBlockText,
  signerPairs: readonly KeyPair[],
  keep?: number,
): string {
  const pieces = token.split(BLOCK_SEPARATOR).slice(0, keep);
  const blocks = jsonBlocksOf(token);
  const signerAt = (i: number): KeyPair => {
    const pair = signerPairs[i];
    if (pair === undefined) throw new RangeError(`no signer for block ${i}`);
    return pair;
  };
  pieces[from] = signJsonBlock(edited, signerAt(from));
  for (let j = from + 1; j < pieces.length; j++) {
    const payload = JSON.parse(blocks[j]?.payload ?? '{}') as Record<string, unknown>;
    payload['par_hash'] = sha256Base64url(signingInputOf(pieces[j - 1] ?? ''));
    const text = format === 'aat' ? canonicalJson(payload) : JSON.stringify(payload);
    pieces[j] = signJsonBlock({ header: blocks[j]?.header ?? '{}', payload: text }, signerAt(j));
  }
  return pieces.join(BLOCK_SEPARATOR);
}
