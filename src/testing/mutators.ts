/**
 * Attack mutators: the ways an attacker reshapes a token it has captured. Each returns a
 * new token; a verifier must deny every result (the tamper laws in `laws.ts` say so).
 * Exported so users can run them against their own verifiers and policies.
 */
import * as fc from 'fast-check';
import { detectFormat } from '../format/parse.js';
import { BLOCK_SEPARATOR } from '../format/jws/chain.js';

/** A chain as a list of blocks (a removed block is `undefined`), as the mutators edit it. */
export type BlockList = readonly (string | undefined)[];

/**
 * Rebuild a token from a new list of its blocks (removal, reordering, duplication,
 * splicing). JWS chains only: a Biscuit token's blocks are not separately addressable
 * strings, so its structural attacks are built by the Biscuit encoder's test helpers.
 */
export async function spliceBlocks(
  token: string,
  edit: (blocks: string[]) => BlockList,
): Promise<string> {
  if (detectFormat(token) === 'biscuit') {
    const { spliceBiscuitBlocks } = await import('../format/biscuit/mutate.js');
    return spliceBiscuitBlocks(token, edit);
  }
  const blocks = token.split(BLOCK_SEPARATOR);
  return edit(blocks)
    .filter((block): block is string => block !== undefined)
    .join(BLOCK_SEPARATOR);
}

/** Replace the character at `index` with a different one from the same alphabet. */
export function flipCharacter(token: string, index: number, replacementSeed = 0): string {
  const i = ((index % token.length) + token.length) % token.length;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~';
  const current = token[i];
  const candidates = alphabet.split('').filter((ch) => ch !== current);
  const replacement = candidates[replacementSeed % candidates.length] ?? 'A';
  return token.slice(0, i) + replacement + token.slice(i + 1);
}

/** One structural mutation of a chain, as data (so fast-check can shrink it). */
export type Mutation =
  | { readonly kind: 'flip'; readonly index: number; readonly seed: number }
  | { readonly kind: 'remove'; readonly block: number }
  | { readonly kind: 'swap'; readonly a: number; readonly b: number }
  | { readonly kind: 'duplicate'; readonly block: number }
  | { readonly kind: 'truncate-tail-keep-proof' };

/** Arbitrary mutations. */
export const arbMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), index: fc.nat(), seed: fc.nat() }),
  fc.record({ kind: fc.constant('remove' as const), block: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), block: fc.nat() }),
);

/**
 * Apply a mutation to a JWS chain token. Returns undefined when the mutation would not
 * change the token (e.g. swapping a block with itself), so a law never tests a no-op.
 */
export async function applyMutation(
  token: string,
  mutation: Mutation,
): Promise<string | undefined> {
  let result: string;
  switch (mutation.kind) {
    case 'flip':
      result = flipCharacter(token, mutation.index, mutation.seed);
      break;
    case 'remove':
      result = await spliceBlocks(token, (blocks) =>
        blocks.filter((_, i) => i !== mutation.block % blocks.length),
      );
      break;
    case 'swap':
      result = await spliceBlocks(token, (blocks) => {
        const copy = [...blocks];
        const a = mutation.a % copy.length;
        const b = mutation.b % copy.length;
        [copy[a], copy[b]] = [copy[b] as string, copy[a] as string];
        return copy;
      });
      break;
    case 'duplicate':
      result = await spliceBlocks(token, (blocks) => {
        const i = mutation.block % blocks.length;
        return [...blocks.slice(0, i + 1), blocks[i], ...blocks.slice(i + 1)];
      });
      break;
    default:
      return undefined;
  }
  return result === token || result.length === 0 ? undefined : result;
}

/** Splice two chains: the first `keep` blocks of `a` followed by the blocks of `b` after `from`. */
export function spliceChains(a: string, b: string, keep: number, from: number): string {
  const left = a.split(BLOCK_SEPARATOR).slice(0, Math.max(1, keep));
  const right = b.split(BLOCK_SEPARATOR).slice(Math.max(1, from));
  return [...left, ...right].join(BLOCK_SEPARATOR);
}
