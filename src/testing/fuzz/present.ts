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
import { AAT_SEPARATOR, type AatBlock } from '../../format/aat/chain.js';
import { createAatPop } from '../../proof/aat-pop.js';
import { FUZZ_AUDIENCE, FUZZ_NOW } from './world.js';

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
  if (format === 'aat' && !isHttpRequest(request)) {
    // The leaf as the proof binds it: its id and exact signing input, read leniently so that
    // even a token the verifier will refuse comes with a proof.
    const pieces = token.split(AAT_SEPARATOR);
    const last = pieces[pieces.length - 1] ?? '';
    const signingInput = last.slice(0, Math.max(0, last.lastIndexOf('.')));
    let id: unknown;
    try {
      id = (
        JSON.parse(Buffer.from(signingInput.split('.')[1] ?? '', 'base64url').toString()) as {
          jti?: unknown;
        }
      ).jti;
    } catch {
      id = undefined;
    }
    const leaf = { id: typeof id === 'string' ? id : '', signingInput } as unknown as AatBlock;
    return createAatPop(preparedSigner(presenter), {
      leaf,
      tool: request.tool,
      args: request.args ?? {},
      iat: FUZZ_NOW,
      jti,
      audience: FUZZ_AUDIENCE,
    });
  }
  if (!isHttpRequest(request)) {
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
