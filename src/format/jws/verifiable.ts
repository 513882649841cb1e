/** The JWS chain's answers to the verifier's signature and linkage questions. */
import type { VerifiableChain } from '../codec.js';
import type { DecodedBlock } from './block.js';
import { parentHash } from './chain.js';
import { verifyJwsSignature } from '../../core/jws/signature.js';
import type { VerifyingKey } from '../../identity/jwk.js';

/**
 * Signature results depend only on the block's exact bytes and the key, so they are
 * remembered per decoded block (decoded blocks are themselves cached by exact text, in a
 * bounded map; a WeakMap lets results go with them).
 */
const verifiedWith = new WeakMap<DecodedBlock, VerifyingKey>();

/**
 * Wrap decoded JWS blocks for the rules. `cache` false re-verifies every signature. Each
 * signature is verified over the exact text its block was decoded from.
 */
export function jwsVerifiableChain(
  blocks: readonly DecodedBlock[],
  cache: boolean,
): VerifiableChain {
  const signatureValid = (hop: number, key: VerifyingKey): boolean => {
    const block = blocks[hop];
    if (block === undefined) return false;
    if (cache && verifiedWith.get(block) === key) return true;
    const ok = verifyJwsSignature(block.alg, key, block.signingInput, block.signature);
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
