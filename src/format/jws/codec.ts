/** The JWS chain codec: Mandate's default encoding (docs/format.md). */
import { MandateError } from '../../core/errors.js';
import { assertBlockCount, DEFAULT_LIMITS, type Limits } from '../../core/limits.js';
import type { PreparedSigner } from '../../identity/keys.js';
import type { Codec, DecodedChain } from '../codec.js';
import { MANDATE_RULE_ORDER } from '../rule-order.js';
import type { PlannedBlock } from '../plan.js';
import { checkTokenLimits } from '../token-limits.js';
import type { DecodedBlock } from './block.js';
import {
  BLOCK_SEPARATOR,
  decodeCheckedJwsChain,
  decodeJwsChain,
  decodeJwsPiece,
  encodeJwsBlock,
  looksLikeJwsChain,
  parentHash,
} from './chain.js';
import { jwsVerifiableChain } from './verifiable.js';

/**
 * A decoded JWS chain that extends itself: the new block is signed over its parent's exact
 * signing input and decoded alone, so a delegation never decodes its parents again.
 */
function decodedJwsChain(
  token: string,
  blocks: readonly DecodedBlock[],
  limits: Limits,
): DecodedChain {
  return {
    format: 'jws',
    token,
    blocks,
    append(plan: PlannedBlock, signer: PreparedSigner): DecodedChain {
      const hop = blocks.length;
      const parent = blocks[hop - 1];
      if (parent === undefined) throw new TypeError('the mandate has no blocks');
      assertBlockCount(hop + 1, limits);
      const piece = encodeJwsBlock(plan, hop, signer, { parHash: parentHash(parent) });
      const longer = `${token}${BLOCK_SEPARATOR}${piece}`;
      checkTokenLimits(longer, limits);
      const block = decodeJwsPiece(piece, hop, limits);
      // As a decode of the whole chain would: a repeated block id is a cycle or a splice.
      if (blocks.some((earlier) => earlier.id === block.id)) {
        throw new MandateError(
          'MANDATE_MALFORMED',
          `block ${hop}: block id repeats an earlier block`,
          { check: 'limits', hop, detail: { path: `block ${hop}.jti`, step: '2c' } },
        );
      }
      return decodedJwsChain(longer, [...blocks, block], limits);
    },
  };
}

/** The JWS chain encoding: compact JWS blocks joined by `~`, Mandate's rules and order. */
export const jwsCodec: Codec = Object.freeze<Codec>({
  format: 'jws',
  detect: looksLikeJwsChain,
  decode: (token, limits) => decodedJwsChain(token, decodeJwsChain(token, limits), limits),
  verifiable: (token, limits, cache) =>
    jwsVerifiableChain(decodeCheckedJwsChain(token, limits, cache.blocks), cache.signatures),
  mint(plan, signer, encoding) {
    const token = encodeJwsBlock(
      plan,
      0,
      signer,
      encoding.kid === undefined ? {} : { kid: encoding.kid },
    );
    return jwsCodec.decode(token, DEFAULT_LIMITS);
  },
  profile: 'mandate',
  ruleOrder: MANDATE_RULE_ORDER,
  bounds: () => ({}),
  draftSteps: false,
  proof: 'dpop',
});
