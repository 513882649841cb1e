/**
 * How a campaign's presenter proves possession of a (mutated) token: exactly as `prove` does,
 * but signed by whichever key the attack says presents, and without decoding the chain first
 * (a mangled chain names no holder, and the verifier is the one to judge it).
 *
 * @module
 */
import type { Format, KeyPair, ProofRequest } from '../../core/types.js';
import { TYP } from '../../core/typ.js';
import { prove, signProof } from '../../proof/prove.js';
import { accessTokenHash, isHttpRequest, normalizeHtu } from '../../proof/request.js';
import { preparedSigner } from '../forge.js';
import { FUZZ_NOW } from './corpus.js';

/**
 * The proof `presenter` makes for `token` and `request`: a DPoP proof for HTTP (JWS and Biscuit
 * chains), an AAT proof for an AAT chain. `undefined` when no proof can be made (an AAT chain too
 * mangled to name its leaf): the token is then presented without one.
 */
export async function presentProof(
  format: Format,
  token: string,
  presenter: KeyPair,
  request: ProofRequest,
  jti: string,
): Promise<string | undefined> {
  if (format === 'aat' || !isHttpRequest(request)) {
    try {
      return await prove(token, { signer: presenter, request, now: FUZZ_NOW, jti });
    } catch {
      return undefined;
    }
  }
  const htu = normalizeHtu(request.url);
  return signProof(preparedSigner(presenter), TYP.dpop, {
    jti,
    htm: request.method,
    htu,
    iat: FUZZ_NOW,
    ath: accessTokenHash(token),
  });
}
