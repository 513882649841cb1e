/** The token string of whatever a caller handed over as a mandate. */
import type { MandateLike, UnverifiedMandate } from './types.js';

/**
 * The token of a `Mandate`, or the string itself. Anything else is misuse: a TypeError saying
 * that `user` (the function called) needs a mandate.
 */
export function tokenOf(mandate: MandateLike | UnverifiedMandate, user: string): string {
  const token =
    typeof mandate === 'string' ? mandate : (mandate as { token?: unknown } | null)?.token;
  if (typeof token !== 'string') throw new TypeError(`${user} needs a mandate or its token`);
  return token;
}
