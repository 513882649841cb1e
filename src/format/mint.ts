/** `mint`: a trust anchor grants a user's authority to a first holder. */
import type { Mandate } from '../core/types.js';
import { prepareSigner } from '../identity/keys.js';
import { codecOf } from './codec.js';
import { mandateOf } from './parse.js';
import { planRoot, type MintOptions } from './plan.js';

/**
 * Mint a root mandate: the originating user's (`subject`) grant of `capabilities` to
 * `holder`, signed by `issuer` (a trust anchor's key pair).
 * Misuse (a bad key, an empty subject, a malformed capability) throws; nothing is signed.
 */
export async function mint(options: MintOptions): Promise<Mandate> {
  const plan = planRoot(options);
  const signer = prepareSigner(options.issuer);
  const codec = codecOf(options.format ?? 'jws');
  const encoding = options.kid === undefined ? {} : { kid: options.kid };
  return mandateOf(await codec.mint(plan, signer, encoding));
}
