/** The JWS chain's answers to the verifier's signature and linkage questions. */
import type { KeyObject } from 'node:crypto';
import type { VerifiableChain } from '../codec.js';
import type { DecodedBlock } from './block.js';
import { parentHash } from './chain.js';
import { verifyJwsSignature } from '../../core/jws/signature.js';

/**
 * Signature results depend only on the block's exact bytes and the key, so they are
 * remembered per decoded block (decoded blocks are themselves cached by exact text, in a
 * bounded map; a WeakMap lets results go with them).
 */
const verifiedWith = new WeakMap<DecodedBlock, KeyObject>();

function signatureValid(block: DecodedBlock, key: KeyObject, cache: boolean): boolean {
  if (cache && verifiedWith.get(block) === key) return true;
  const ok = verifyJwsSignature(block.alg, key, block.signingInput, block.signature);
  if (ok && cache) verifiedWith.set(block, key);
  return ok;
}

/** Wrap decoded JWS blocks for the rules. `cache` false re-verifies every signature. */
export function jwsVerifiableChain(
  blocks: readonly DecodedBlock[],
  cache: boolean,
): VerifiableChain {
  return {
    format: 'jws',
    blocks,
    rootSignatureValid: (key) => blocks[0] !== undefined && signatureValid(blocks[0], key, cache),
    linkSignatureValid(hop, key) {
      const block = blocks[hop];
      return block !== undefined && signatureValid(block, key, cache);
    },
    parentHashValid(hop) {
      const block = blocks[hop];
      const parent = blocks[hop - 1];
      return block !== undefined && parent !== undefined && block.parHash === parentHash(parent);
    },
  };
}
