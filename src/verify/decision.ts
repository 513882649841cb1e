/** The verifier's result. A denial is data, never an exception. */
import type { Check, ErrorDetail, MandateError, MandateErrorCode } from '../core/errors.js';
import type { Capability, Format } from '../core/types.js';

/** An allowed request: who it is for, through whom, with what authority. */
export interface Allowed {
  readonly allowed: true;
  /** The originating user. */
  readonly subject: string;
  /** The trust anchor's id, then each holder's principal id, root's holder first. */
  readonly chain: readonly string[];
  /** The effective authority: the last block's capabilities. */
  readonly capabilities: readonly Capability[];
  /** Principal id of the caller (the last holder). */
  readonly holder: string;
  /** The block ids, root first (for audit and revocation). */
  readonly blockIds: readonly string[];
  readonly format: Format;
  /**
   * The approvers (principal ids) whose approvals of this call were counted and used up,
   * when an approval requirement applied (docs/guides/approvals.md).
   */
  readonly approvedBy?: readonly string[];
}

/** A denied request: what failed, where, and why. */
export interface Denied {
  readonly allowed: false;
  readonly code: MandateErrorCode;
  /** The block where the failure was found (0 = root). */
  readonly hop: number;
  /** The rule that failed (one of the nine, docs/format.md "Verification"). */
  readonly check: Check;
  /** A reason a human can act on. Never holds key material or the token. */
  readonly reason: string;
  readonly detail: ErrorDetail;
}

/** What `verifier.verify` resolves to: `Allowed` or `Denied` (never a throw on a denial). */
export type Decision = Allowed | Denied;

/** A coded error as a denial; `hop` stands in where the error names none. */
export function deniedFrom(error: MandateError, hop = 0): Denied {
  return {
    allowed: false,
    code: error.code,
    hop: error.hop ?? hop,
    check: error.check,
    reason: error.message,
    detail: error.detail,
  };
}
