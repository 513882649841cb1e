/** The JWS chain's answers to the verifier's signature and linkage questions. */
import type { VerifiableChain } from '../codec.js';
import type { DecodedBlock } from './block.js';
import { BLOCK_SEPARATOR, parentHash } from './chain.js';
import { verifyJwsSignature } from '../../core/jws/signature.js';
import type { VerifyingKey } from '../../identity/jwk.js';

/**
 * Signature results depend only on the block's exact bytes and the key, so they are
 * remembered per decoded block (decoded blocks are themselves cached by exact text, in a
 * bounded map; a WeakMap lets results go with them).
 */
const verifiedWith = new WeakMap<DecodedBlock, VerifyingKey>();

/**
 * Wrap decoded JWS blocks for the rules. `cache` false re-verifies every signature. `token` is
 * the chain the blocks were decoded from, in order: each block's signing input is then read as
 * bytes from one copy of the token (a view per block), not copied out of its text block by block.
 */
export function jwsVerifiableChain(
  blocks: readonly DecodedBlock[],
  cache: boolean,
  token?: string,
): VerifiableChain {
  let bytes: Buffer | undefined;
  const starts = [0];
  /** Block `hop`'s signing input: a view of the token's bytes, or its text without a token. */
  const signingInput = (hop: number, block: DecodedBlock): string | Uint8Array => {
    if (token === undefined) return block.signingInput;
    // The token is ASCII (rule 1 admits nothing else): one byte per character.
    bytes ??= Buffer.from(token, 'latin1');
    while (starts.length <= hop) {
      const separator = token.indexOf(BLOCK_SEPARATOR, starts[starts.length - 1]);
      if (separator === -1) return block.signingInput; // not this token's block: its own text
      starts.push(separator + 1);
    }
    const start = starts[hop] ?? 0;
    // The bytes verified must be the text the block was decoded from: a view is taken only
    // where the token holds exactly that text (the decoder guarantees it; this keeps it true).
    if (!token.startsWith(block.signingInput, start)) return block.signingInput;
    return bytes.subarray(start, start + block.signingInput.length);
  };
  const signatureValid = (hop: number, key: VerifyingKey): boolean => {
    const block = blocks[hop];
    if (block === undefined) return false;
    if (cache && verifiedWith.get(block) === key) return true;
    const ok = verifyJwsSignature(block.alg, key, signingInput(hop, block), block.signature);
    if (ok && cache) verifiedWith.set(block, key);
    return ok;
  };
  return {
    format: 'jws',
    blocks,
    rootSignatureValid: (key) => signatureValid(0, key),
    linkSignatureValid: (hop, key) => signatureValid(hop, key),
    parentHashValid(hop) {
      const block = blocks[hop];
      const parent = blocks[hop - 1];
      return block !== undefined && parent !== undefined && block.parHash === parentHash(parent);
    },
  };
}
