/**
 * The Biscuit codec (layout 2, docs/format.md "Biscuit encoding"). Everything Biscuit-specific is
 * loaded on first use — the decoder and verifier (pure JavaScript and node:crypto) and the
 * encoder — so JWS-only users never pay for it: this module imports only types. Nothing here
 * loads biscuit-wasm.
 *
 * @module
 */
import { DEFAULT_LIMITS, type Limits } from '../../core/limits.js';
import type { PreparedSigner } from '../../identity/keys.js';
import type { Codec, DecodedChain } from '../codec.js';
import { MANDATE_RULE_ORDER } from '../rule-order.js';
import type { PlannedBlock } from '../plan.js';
import type * as BiscuitChain from './chain.js';
import type { DecodedBiscuit } from './chain.js';
import type * as BiscuitEncode from './encode.js';
import type * as BiscuitVerifiable from './verifiable.js';

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

const chainModule = once<typeof BiscuitChain>(() => import('./chain.js'));
const verifiableModule = once<typeof BiscuitVerifiable>(() => import('./verifiable.js'));

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

async function decodeBiscuit(token: string, limits: Limits): Promise<DecodedChain> {
  const { readBiscuit } = await chainModule();
  // A rejected promise, never a synchronous throw (the caller awaits it).
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
  verifiable: (token, limits, cache) =>
    verifiableModule().then(({ biscuitVerifiableChain }) =>
      biscuitVerifiableChain(token, limits, cache.biscuit),
    ),
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
