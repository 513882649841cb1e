/** `delegate`: the current holder passes on a narrower mandate. */
import { tokenOf } from '../core/token-of.js';
import { MandateError } from '../core/errors.js';
import type { Mandate, MandateLike } from '../core/types.js';
import type { ChainBlock } from '../verify/chain.js';
import { sameKey } from '../identity/jwk.js';
import { prepareSigner } from '../identity/keys.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { BLOCK_SEPARATOR, decodeJwsChain, encodeJwsBlock, parentHash } from './jws/chain.js';
import { decodeAatChain, encodeAatBlock } from './aat/chain.js';
import { biscuitEncode } from './biscuit-modules.js';
import { decodeChain, detectFormat } from './parse.js';
import { planDelegation, type DelegateOptions } from './plan.js';
import { toMandate } from './mint.js';

/**
 * Append a delegation block: `signer` (the mandate's last holder) grants `holder` at most
 * what it holds. Anything wider — more actions, a wider resource, a looser constraint, a
 * later expiry, a wider audience, deeper delegation — throws `MANDATE_WIDENED`, the code
 * a verifier would report. A signer that is not the last holder throws `MANDATE_LINK_BROKEN`.
 * The new block keeps the parent's format.
 */
export async function delegate(mandate: MandateLike, options: DelegateOptions): Promise<Mandate> {
  const token = tokenOf(mandate, 'delegate');
  // Decoded once, by the format the token names; the parent's exact bytes come from this decode.
  const format = detectFormat(token);
  const aatBlocks = format === 'aat' ? decodeAatChain(token, DEFAULT_LIMITS) : undefined;
  const jwsBlocks = format === 'jws' ? decodeJwsChain(token, DEFAULT_LIMITS) : undefined;
  const blocks: readonly ChainBlock[] = aatBlocks ?? jwsBlocks ?? (await decodeChain(token));
  const parent = blocks[blocks.length - 1];
  if (parent === undefined) throw new TypeError('the mandate has no blocks');
  const hop = blocks.length;
  const signer = prepareSigner(options.signer);
  if (!sameKey(signer.publicJwk, parent.holderKey)) {
    throw new MandateError('MANDATE_LINK_BROKEN', `the signer does not hold block ${hop - 1}`, {
      check: 'linkage',
      hop,
    });
  }
  // An AAT delegation narrows by the draft's exact rules, as AAT verifiers will check it.
  const plan = planDelegation(parent, hop, options, format === 'aat' ? 'aat' : 'mandate');
  if (format === 'biscuit') {
    const { appendBiscuitBlock } = await biscuitEncode();
    return toMandate(await appendBiscuitBlock(token, plan, signer));
  }
  const signedParent = (aatBlocks ?? jwsBlocks)?.[hop - 1];
  if (signedParent === undefined) throw new TypeError('the mandate has no blocks');
  const parHash = parentHash(signedParent);
  const block =
    format === 'aat'
      ? encodeAatBlock(plan, signer, { parHash })
      : encodeJwsBlock(plan, hop, signer, { parHash });
  return toMandate(`${token}${BLOCK_SEPARATOR}${block}`);
}
