/**
 * Structural attacks on Biscuit mandates, for the tamper laws (src/testing/mutators.ts): a token's
 * `SignedBlock`s as strings that an attacker can remove, reorder, duplicate or splice with another
 * token's, and the token rebuilt from them. The protobuf is edited by hand (see protobuf.ts); the
 * result is re-serialized exactly as an attacker would, keeping the original proof (open, or the
 * seal) and root-key id (an attacker has nothing better to put there).
 *
 * @module
 */
import { DEFAULT_LIMITS } from '../../core/limits.js';
import { parseBiscuitToken, serializeToken, toTokenText } from './token.js';

/**
 * Rebuilds a Biscuit token from an edited list of its blocks. `edit` receives each `SignedBlock` as
 * base64url text (authority first) and returns the new list; `undefined` entries are dropped, and the
 * first remaining entry becomes the authority block. Returns `''` when no block remains.
 *
 * @throws MandateError `MANDATE_MALFORMED` when `token` is not a Biscuit token.
 */
export function spliceBiscuitBlocks(
  token: string,
  edit: (blocks: string[]) => readonly (string | undefined)[],
): Promise<string> {
  return Promise.resolve().then(() => {
    const parsed = parseBiscuitToken(token, { ...DEFAULT_LIMITS, maxBlocks: 1024 });
    const texts = parsed.blocks.map((block) => Buffer.from(block.raw).toString('base64url'));
    const kept = edit(texts).filter((block): block is string => block !== undefined);
    if (kept.length === 0) return '';
    const raws = kept.map((text) => new Uint8Array(Buffer.from(text, 'base64url')));
    return toTokenText(serializeToken(raws, parsed.seal, parsed.rootKeyId));
  });
}
