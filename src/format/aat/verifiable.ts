/** The AAT chain's answers to the verifier's questions: signatures and links. */
import type { VerifiableChain } from '../codec.js';
import { verifyJwsSignature } from '../../core/jws/signature.js';
import { aatHash, type AatBlock } from './chain.js';

/**
 * Wrap decoded AAT tokens for the rules: profile `'aat'` (the draft's subsumption rules). Its
 * proof of possession (`aat-pop+jwt`, `proof/aat-pop.ts`) is attached by the verifier.
 */
export function aatVerifiableChain(blocks: readonly AatBlock[]): VerifiableChain {
  const signed = (block: AatBlock | undefined, key: Parameters<typeof verifyJwsSignature>[1]) =>
    block !== undefined && verifyJwsSignature(block.alg, key, block.signingInput, block.signature);
  return {
    format: 'aat',
    profile: 'aat',
    blocks,
    rootSignatureValid: (key) => signed(blocks[0], key),
    linkSignatureValid: (hop, key) => signed(blocks[hop], key),
    parentHashValid(hop) {
      const block = blocks[hop];
      const parent = blocks[hop - 1];
      return block !== undefined && parent !== undefined && block.parHash === aatHash(parent);
    },
  };
}
