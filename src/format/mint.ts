/** `mint`: a trust anchor grants a user's authority to a first holder. */
import type { Mandate } from '../core/types.js';
import { prepareSigner } from '../identity/keys.js';
import { encodeAatBlock } from './aat/chain.js';
import { biscuitEncode } from './biscuit-modules.js';
import { encodeJwsBlock } from './jws/chain.js';
import { parseMandate } from './parse.js';
import { planRoot, type MintOptions } from './plan.js';

/**
 * Mint a root mandate: the originating user's (`subject`) grant of `capabilities` to
 * `holder`, signed by `issuer` (a trust anchor's key pair).
 * Misuse (a bad key, an empty subject, a malformed capability) throws; nothing is signed.
 */
export async function mint(options: MintOptions): Promise<Mandate> {
  const plan = planRoot(options);
  const signer = prepareSigner(options.issuer);
  const format = options.format ?? 'jws';
  if (format === 'biscuit') {
    const { encodeBiscuitRoot } = await biscuitEncode();
    return toMandate(await encodeBiscuitRoot(plan, signer));
  }
  if (format === 'aat') {
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(plan.issuer)) {
      throw new TypeError('an AAT root issuer (issuerId) must be a URI');
    }
    return toMandate(
      encodeAatBlock(plan, signer, options.kid === undefined ? {} : { kid: options.kid }),
    );
  }
  if (format !== 'jws') throw new TypeError(`unknown format ${JSON.stringify(format)}`);
  const token = encodeJwsBlock(
    plan,
    0,
    signer,
    options.kid === undefined ? {} : { kid: options.kid },
  );
  return toMandate(token);
}

/** The `Mandate` shape of a freshly built token. */
export async function toMandate(token: string): Promise<Mandate> {
  const { verified: _verified, ...mandate } = await parseMandate(token);
  return mandate;
}
