/**
 * The Biscuit codec (layout 2, docs/format.md "Biscuit encoding"). The decoder and verifier (pure
 * JavaScript and node:crypto, a few small modules) load with the package, as the JWS and AAT
 * codecs do: a dynamic import on the first Biscuit decision cost that decision about 9 ms of
 * module resolution and compilation in a fresh process. The encoder (`mint`, `delegate`,
 * `sealMandate`) loads on first use. Nothing here loads biscuit-wasm.
 *
 * @module
 */
import { DEFAULT_LIMITS, type Limits } from '../../core/limits.js';
import type { PreparedSigner } from '../../identity/keys.js';
import type { Codec, DecodedChain } from '../codec.js';
import { MANDATE_RULE_ORDER } from '../rule-order.js';
import type { PlannedBlock } from '../plan.js';
import { readBiscuit, type DecodedBiscuit } from './chain.js';
import type * as BiscuitEncode from './encode.js';
import { biscuitVerifiableChain } from './verifiable.js';

/**
 * A module imported on first use and then kept: a dynamic `import()` per call costs about
 * 0.1-0.2 ms, the price of a signature. A failed load is not kept, so a later call tries again.
 */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () =>
    (loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    }));
}

/** The Biscuit encoder (`mint`, `delegate`, `sealMandate`), loaded once. */
export const biscuitEncoder = once<typeof BiscuitEncode>(() => import('./encode.js'));

/**
 * A decoded Biscuit chain that extends itself: the new block is encoded, signed and decoded alone
 * (chain.ts), so a delegation never decodes its parents again.
 */
function decodedBiscuitChain(decoded: DecodedBiscuit, limits: Limits): DecodedChain {
  return {
    format: 'biscuit',
    token: decoded.text,
    blocks: decoded.blocks,
    async append(plan: PlannedBlock, signer: PreparedSigner): Promise<DecodedChain> {
      const { appendBiscuit } = await biscuitEncoder();
      return decodedBiscuitChain(appendBiscuit(decoded, plan, signer, limits), limits);
    },
  };
}

/** Decodes within `limits` (throws a coded `MandateError`, as the JWS codec does). */
function decodeBiscuit(token: string, limits: Limits): DecodedChain {
  return decodedBiscuitChain(readBiscuit(token, limits), limits);
}

/**
 * Biscuit tokens: Mandate's rules and order, every signature checked in node:crypto, decided by
 * the capability algebra (the blocks' checks are the canonical restatement of their facts).
 * Detection takes whatever the other codecs did not: the decoder refuses what is not a Biscuit.
 */
export const biscuitCodec: Codec = Object.freeze<Codec>({
  format: 'biscuit',
  detect: () => true,
  decode: decodeBiscuit,
  verifiable: (token, limits, cache) => biscuitVerifiableChain(token, limits, cache.biscuit),
  async mint(plan, signer) {
    const { mintBiscuit } = await biscuitEncoder();
    return decodedBiscuitChain(mintBiscuit(plan, signer), DEFAULT_LIMITS);
  },
  profile: 'mandate',
  ruleOrder: MANDATE_RULE_ORDER,
  bounds: () => ({}),
  draftSteps: false,
  proof: 'dpop',
});
