/** `sealMandate`: close a Biscuit mandate for a standard Biscuit verifier. */
import { tokenOf } from '../core/token-of.js';
import type { KeyPair, Mandate, MandateLike } from '../core/types.js';
import { prepareSigner } from '../identity/keys.js';
import { biscuitEncoder } from './biscuit/codec.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { codecOf } from './codec.js';
import { detectFormat, mandateOf } from './parse.js';

/** Options of `sealMandate`. */
export interface SealOptions {
  /** The mandate's last holder: only its key can seal. */
  readonly signer: KeyPair;
}

/**
 * Seal a Biscuit mandate with its last holder's key (Biscuit's `finalSignature`), so that a
 * standard Biscuit library accepts it given the root public key. Mandate writes Biscuit tokens
 * open (only the last holder can close them); its own verifier accepts both forms, and a sealed
 * token can still be delegated by its holder. Throws `TypeError` for a mandate of another format
 * and `MANDATE_LINK_BROKEN` when `signer` is not the last holder.
 */
export async function sealMandate(mandate: MandateLike, options: SealOptions): Promise<Mandate> {
  const token = tokenOf(mandate, 'sealMandate');
  if (detectFormat(token) !== 'biscuit') {
    throw new TypeError('sealMandate applies to Biscuit mandates only');
  }
  const signer = prepareSigner(options.signer);
  const { sealBiscuitToken } = await biscuitEncoder();
  const sealed = sealBiscuitToken(token, signer);
  // The sealed token is the holder's own mandate closed: a Mandate as `delegate` returns one.
  return mandateOf(await codecOf('biscuit').decode(sealed, DEFAULT_LIMITS));
}
