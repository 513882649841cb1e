/** Rule 1's dispatch: decode a token of any encoding into a chain the rules can question. */
import type { BoundedMap } from '../core/bounded-map.js';
import type { Limits } from '../core/limits.js';
import { decodeAatChain, isAatChain } from '../format/aat/chain.js';
import { aatVerifiableChain } from '../format/aat/verifiable.js';
import type { DecodedBlock } from '../format/jws/block.js';
import { checkTokenLimits, decodeCheckedJwsChain, looksLikeJwsChain } from '../format/jws/chain.js';
import { jwsVerifiableChain } from '../format/jws/verifiable.js';
import type { BiscuitCache } from '../format/biscuit/chain.js';
import type * as BiscuitVerifiable from '../format/biscuit/verifiable.js';
import type { VerifiableChain } from './chain.js';

/**
 * Decode `token` within `limits`. The JWS path is synchronous; the Biscuit decoder is loaded on
 * first use (it never loads biscuit-wasm), so JWS-only users never pay for it.
 */
export function decodeForVerify(
  token: string,
  limits: Limits,
  cache: BoundedMap<string, DecodedBlock>,
  cacheSignatures: boolean,
  biscuitCache?: BiscuitCache,
): VerifiableChain | Promise<VerifiableChain> {
  checkTokenLimits(token, limits);
  // An AAT chain is a JWS chain whose tokens are typed aat+jwt (docs/format.md).
  if (isAatChain(token)) return aatVerifiableChain(decodeAatChain(token, limits));
  if (looksLikeJwsChain(token))
    return jwsVerifiableChain(decodeCheckedJwsChain(token, limits, cache), cacheSignatures);
  return loadBiscuit().then(({ biscuitVerifiableChain }) =>
    biscuitVerifiableChain(token, limits, biscuitCache),
  );
}

type BiscuitModule = typeof BiscuitVerifiable;
let biscuitModule: Promise<BiscuitModule> | undefined;

// One import per process: a dynamic import() per request costs ~0.1-0.2 ms. A failed load is
// not kept, so a later request tries again (and is denied again if it fails again).
function loadBiscuit(): Promise<BiscuitModule> {
  biscuitModule ??= import('../format/biscuit/verifiable.js').catch((error: unknown) => {
    biscuitModule = undefined;
    throw error;
  });
  return biscuitModule;
}
