/** The AAT chain's answers to the verifier's questions: signatures, links, its proof. */
import type { VerifiableChain } from '../../verify/chain.js';
import { verifyJwsSignature } from '../jws/signature.js';
import { aatHash, type AatBlock } from './chain.js';
import { checkAatPop, verifyAatPopSignature, type SignedAatPop } from './pop.js';

/**
 * Wrap decoded AAT tokens for the rules: profile `'aat'` (the draft's subsumption rules and
 * step order) and `aat-pop+jwt` proofs of possession.
 */
export function aatVerifiableChain(blocks: readonly AatBlock[]): VerifiableChain {
  const signed = (block: AatBlock | undefined, key: Parameters<typeof verifyJwsSignature>[1]) =>
    block !== undefined && verifyJwsSignature(block.alg, key, block.signingInput, block.signature);
  const leafOf = (): AatBlock => {
    const leaf = blocks[blocks.length - 1];
    if (leaf === undefined) throw new Error('an AAT chain without tokens reached the proof');
    return leaf;
  };
  // One verification checks one proof: its signature, checked first, is not checked twice.
  let verifiedProof: SignedAatPop | undefined;
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
    checkProofSignature(proof, context) {
      verifiedProof = verifyAatPopSignature(proof, leafOf(), context);
    },
    checkProof(proof, context) {
      return checkAatPop(proof, leafOf(), context, verifiedProof);
    },
  };
}
