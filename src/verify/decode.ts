/** Rule 1: decode a token of any encoding, by its codec, into a chain the rules can question. */
import type { Limits } from '../core/limits.js';
import {
  codecFor,
  type DecodeCache,
  type ProofKind,
  type VerifiableChain,
} from '../format/codec.js';
import { checkTokenLimits } from '../format/token-limits.js';
import { withAatPop } from '../proof/aat-pop.js';

/**
 * The proofs of possession an encoding may name that it checks itself. Absent (`'dpop'`):
 * the verifier's DPoP and invocation-proof check.
 */
const OWN_PROOFS: Readonly<
  Partial<Record<ProofKind, (chain: VerifiableChain) => VerifiableChain>>
> = Object.freeze({ 'aat-pop': withAatPop });

/**
 * Decode `token` within `limits`. Every codec's decoder is loaded with the package (the Biscuit
 * one is pure JavaScript and never loads biscuit-wasm); a codec may still answer with a promise.
 */
export function decodeForVerify(
  token: string,
  limits: Limits,
  cache: DecodeCache,
): VerifiableChain | Promise<VerifiableChain> {
  checkTokenLimits(token, limits);
  const codec = codecFor(token);
  const chain = codec.verifiable(token, limits, cache);
  const ownProof = OWN_PROOFS[codec.proof];
  if (ownProof === undefined) return chain;
  return chain instanceof Promise ? chain.then(ownProof) : ownProof(chain);
}
