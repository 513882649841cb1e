/** Rule 1's dispatch: decode a token of either encoding into a chain the rules can question. */
import type { BoundedMap } from '../core/bounded-map.js';
import type { Limits } from '../core/limits.js';
import type { DecodedBlock } from '../format/jws/block.js';
import { checkTokenLimits, decodeJwsChain, looksLikeJwsChain } from '../format/jws/chain.js';
import { jwsVerifiableChain } from '../format/jws/verifiable.js';
import type { VerifiableChain } from './chain.js';

/**
 * Decode `token` within `limits`. The JWS path is synchronous; the Biscuit path loads
 * biscuit-wasm on first use, so JWS-only users never pay for it.
 */
export function decodeForVerify(
  token: string,
  limits: Limits,
  cache: BoundedMap<string, DecodedBlock>,
  cacheSignatures: boolean,
): VerifiableChain | Promise<VerifiableChain> {
  checkTokenLimits(token, limits);
  if (looksLikeJwsChain(token))
    return jwsVerifiableChain(decodeJwsChain(token, limits, cache), cacheSignatures);
  return import('../format/biscuit/verifiable.js').then(({ biscuitVerifiableChain }) =>
    biscuitVerifiableChain(token, limits),
  );
}
