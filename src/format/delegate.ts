/** `delegate`: the current holder passes on a narrower mandate. */
import { tokenOf } from '../core/token-of.js';
import { MandateError } from '../core/errors.js';
import type { Mandate, MandateLike } from '../core/types.js';
import { sameKey } from '../identity/jwk.js';
import { prepareSigner } from '../identity/keys.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { codecFor } from './codec.js';
import { mandateOf } from './parse.js';
import { planDelegation, type DelegateOptions } from './plan.js';

/**
 * Append a delegation block: `signer` (the mandate's last holder) grants `holder` at most
 * what it holds. Anything wider — more actions, a wider resource, a looser constraint, a
 * later expiry, a wider audience, deeper delegation — throws `MANDATE_WIDENED`, the code
 * a verifier would report. A signer that is not the last holder throws `MANDATE_LINK_BROKEN`.
 * The new block keeps the parent's format.
 */
export async function delegate(mandate: MandateLike, options: DelegateOptions): Promise<Mandate> {
  const token = tokenOf(mandate, 'delegate');
  // Decoded once, by the codec the token names: the result is built from these blocks and
  // the new one, and the parent's exact bytes (its hash) come from this decode.
  const codec = codecFor(token);
  const chain = await codec.decode(token, DEFAULT_LIMITS);
  const parent = chain.blocks[chain.blocks.length - 1];
  if (parent === undefined) throw new TypeError('the mandate has no blocks');
  const hop = chain.blocks.length;
  const signer = prepareSigner(options.signer);
  if (!sameKey(signer.publicJwk, parent.holderKey)) {
    throw new MandateError('MANDATE_LINK_BROKEN', `the signer does not hold block ${hop - 1}`, {
      check: 'linkage',
      hop,
    });
  }
  // The delegation narrows by the codec's rules (AAT: the draft's exactly), as its verifiers check.
  const plan = planDelegation(parent, hop, options, codec.profile);
  return mandateOf(await chain.append(plan, signer));
}
