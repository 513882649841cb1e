/**
 * The AAT codec (draft-niyikiza-oauth-attenuating-agent-tokens-02): AAT chains minted,
 * extended and verified under the draft's own rules, in the draft's order, with its bounds.
 */
import { DEFAULT_LIMITS, type Limits } from '../../core/limits.js';
import type { PreparedSigner } from '../../identity/keys.js';
import type { Codec, DecodedChain } from '../codec.js';
import type { RuleStep } from '../rule-order.js';
import type { PlannedBlock } from '../plan.js';
import {
  AAT_SEPARATOR,
  aatHash,
  decodeAatChain,
  decodeAatLeaf,
  encodeAatBlock,
  isAatChain,
  type AatBlock,
} from './chain.js';
import { AAT_DEFAULT_MAX_TOKEN_LIFETIME } from './claims.js';
import { aatVerifiableChain } from './verifiable.js';

/**
 * The AAT draft's order (section 7): the chain (steps 1-5), then the leaf's authorization of
 * the invocation and the chain audience (step 6), then the proof of possession (step 7); the
 * proof's signature (7a-7b) is checked just before step 6, so no work proportional to the
 * request precedes it. The verdict is the same as in Mandate's order; only which failure is
 * reported first differs.
 */
const AAT_RULE_ORDER: readonly RuleStep[] = Object.freeze([
  'limits',
  'anchor',
  'linkage',
  'narrowing',
  'window',
  'revocation',
  'proof-signature',
  'authorize',
  'audience',
  'possession',
]);

/** A decoded AAT chain that extends itself without decoding its parents again. */
function decodedAatChain(token: string, blocks: readonly AatBlock[], limits: Limits): DecodedChain {
  return {
    format: 'aat',
    token,
    blocks,
    append(plan: PlannedBlock, signer: PreparedSigner): DecodedChain {
      const parent = blocks[blocks.length - 1];
      if (parent === undefined) throw new TypeError('the mandate has no blocks');
      const piece = encodeAatBlock(plan, signer, { parHash: aatHash(parent) });
      const leaf = decodeAatLeaf(piece, blocks, limits);
      return decodedAatChain(`${token}${AAT_SEPARATOR}${piece}`, [...blocks, leaf], limits);
    },
  };
}

/**
 * The AAT draft's step labels of rule 8's last checks (the server nonce, then the proof's
 * `jti` replay), attached to an AAT chain's denials only (`ProofAcceptance.steps`).
 */
export const AAT_ACCEPTANCE_STEPS = Object.freeze({ nonce: '7h', replay: '7i' });

/** AAT chains: JWS tokens typed `aat+jwt`, the draft's narrowing, order and bounds. */

export const aatCodec: Codec = Object.freeze<Codec>({
  format: 'aat',
  detect: isAatChain,
  decode: (token, limits) => decodedAatChain(token, decodeAatChain(token, limits), limits),
  verifiable: (token, limits) => aatVerifiableChain(decodeAatChain(token, limits)),
  mint(plan, signer, encoding) {
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(plan.issuer)) {
      throw new TypeError('an AAT root issuer (issuerId) must be a URI');
    }
    const token = encodeAatBlock(
      plan,
      signer,
      encoding.kid === undefined ? {} : { kid: encoding.kid },
    );
    return aatCodec.decode(token, DEFAULT_LIMITS);
  },
  profile: 'aat',
  ruleOrder: AAT_RULE_ORDER,
  // The draft requires finite bounds: its recommended lifetime, and the block limit.
  bounds: (limits) => ({
    maxTokenLifetime: AAT_DEFAULT_MAX_TOKEN_LIFETIME,
    maxDelegationDepth: limits.maxBlocks - 1,
  }),
  draftSteps: true,
  proof: 'aat-pop',
});
