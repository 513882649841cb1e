/** Rule 1: decode a token of any encoding, by its codec, into a chain the rules can question. */
import type { Limits } from '../core/limits.js';
import {
  codecFor,
  type DecodeCache,
  type ProofKind,
  type VerifiableChain,
} from '../format/codec.js';
import { checkTokenCharacters, checkTokenSize } from '../format/token-limits.js';
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
  checkTokenSize(token, limits);
  const codec = codecFor(token);
  let chain: VerifiableChain | Promise<VerifiableChain>;
  if (codec.format === 'jws') {
    // The JWS decoder admits only canonical base64url segments joined by `.` and `~`, so a
    // chain it decodes has no other character: the character scan (a pass over the whole
    // token) runs only when decoding fails, so that such a token is still refused for its
    // characters first, as when the scan ran before the decoder.
    try {
      chain = codec.verifiable(token, limits, cache);
    } catch (error) {
      checkTokenCharacters(token);
      throw error;
    }
  } else {
    checkTokenCharacters(token);
    chain = codec.verifiable(token, limits, cache);
  }
  const ownProof = OWN_PROOFS[codec.proof];
  if (ownProof === undefined) return chain;
  return chain instanceof Promise ? chain.then(ownProof) : ownProof(chain);
}
