/**
 * The Biscuit codec. Everything Biscuit-specific is loaded on first use (biscuit-wasm, the
 * protobuf reader), so JWS-only users never pay for it: this module imports only types.
 */
import { DEFAULT_LIMITS, type Limits } from '../../core/limits.js';
import type { PreparedSigner } from '../../identity/keys.js';
import type { Codec, DecodedChain } from '../codec.js';
import { MANDATE_RULE_ORDER } from '../rule-order.js';
import type { PlannedBlock } from '../plan.js';
import type * as BiscuitVerifiable from './verifiable.js';

/**
 * A decoded Biscuit chain that extends itself. (Today the appended token is decoded again;
 * the encoder may instead return the new block's view, which `append`'s shape allows.)
 */
function decodedBiscuitChain(
  token: string,
  blocks: DecodedChain['blocks'],
  limits: Limits,
): DecodedChain {
  return {
    format: 'biscuit',
    token,
    blocks,
    async append(plan: PlannedBlock, signer: PreparedSigner): Promise<DecodedChain> {
      const { appendBiscuitBlock } = await import('./encode.js');
      return decodeBiscuit(await appendBiscuitBlock(token, plan, signer), limits);
    },
  };
}

async function decodeBiscuit(token: string, limits: Limits): Promise<DecodedChain> {
  const { decodeBiscuitChain } = await import('./chain.js');
  return decodedBiscuitChain(token, await decodeBiscuitChain(token, limits), limits);
}

type VerifiableModule = typeof BiscuitVerifiable;
let verifiableModule: Promise<VerifiableModule> | undefined;

// One import per process: a dynamic import() per request costs ~0.1-0.2 ms. A failed load is
// not kept, so a later request tries again (and is denied again if it fails again).
function loadVerifiable(): Promise<VerifiableModule> {
  verifiableModule ??= import('./verifiable.js').catch((error: unknown) => {
    verifiableModule = undefined;
    throw error;
  });
  return verifiableModule;
}

/**
 * Biscuit tokens (biscuit-wasm): Mandate's rules and order, plus the blocks' Datalog checks.
 * Detection takes whatever the other codecs did not: the decoder refuses what is not a Biscuit.
 */
export const biscuitCodec: Codec = Object.freeze<Codec>({
  format: 'biscuit',
  detect: () => true,
  decode: decodeBiscuit,
  verifiable: (token, limits) =>
    loadVerifiable().then(({ biscuitVerifiableChain }) => biscuitVerifiableChain(token, limits)),
  async mint(plan, signer) {
    const { encodeBiscuitRoot } = await import('./encode.js');
    return decodeBiscuit(await encodeBiscuitRoot(plan, signer), DEFAULT_LIMITS);
  },
  profile: 'mandate',
  ruleOrder: MANDATE_RULE_ORDER,
  bounds: () => ({}),
  draftSteps: false,
  proof: 'dpop',
});
