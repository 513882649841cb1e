/**
 * The one error hierarchy of Mandate. Every denial carries a stable `code`, the
 * DESIGN.md section 3 rule that failed (`check`) and the block index (`hop`, 0 = root).
 */
import { deepFreeze } from './freeze.js';

/** Every code a denial (or a refused delegation) can carry. */
export const ERROR_CODES = deepFreeze([
  'MANDATE_MALFORMED',
  'MANDATE_LIMIT_EXCEEDED',
  'MANDATE_UNTRUSTED_ISSUER',
  'MANDATE_SIGNATURE_INVALID',
  'MANDATE_LINK_BROKEN',
  'MANDATE_WIDENED',
  'MANDATE_EXPIRED',
  'MANDATE_NOT_YET_VALID',
  'MANDATE_REVOKED',
  'MANDATE_AUDIENCE',
  'MANDATE_PROOF_MISSING',
  'MANDATE_PROOF_INVALID',
  'MANDATE_REPLAYED',
  'MANDATE_FORBIDDEN',
  'MANDATE_APPROVAL_REQUIRED',
  'MANDATE_APPROVAL_INVALID',
  'MANDATE_APPROVAL_EXPIRED',
  'MANDATE_APPROVAL_MISMATCH',
  'MANDATE_APPROVAL_REPLAYED',
  'MANDATE_APPROVAL_REFUSED',
  'MANDATE_STORE_UNAVAILABLE',
  'MANDATE_INTERNAL',
] as const);

/** A stable, machine-readable error code (one of {@link ERROR_CODES}). */
export type MandateErrorCode = (typeof ERROR_CODES)[number];

/** The verifier's nine rules, in their order (docs/format.md, "Verification"). */
export const CHECKS = deepFreeze([
  'limits',
  'anchor',
  'linkage',
  'narrowing',
  'window',
  'revocation',
  'audience',
  'possession',
  'authorize',
] as const);

/** The rule a denial names (one of {@link CHECKS}), or `internal` outside the rules. */
export type Check = (typeof CHECKS)[number] | 'internal';

/** Structured evidence; never key material or a raw token. */
export type ErrorDetail = Readonly<Record<string, unknown>>;

/** What a {@link MandateError} is built with: the rule, the block and the evidence. */
export interface MandateErrorInit {
  readonly hop?: number | undefined;
  readonly check: Check;
  readonly detail?: ErrorDetail | undefined;
  readonly cause?: unknown;
}

/**
 * A coded failure. `verify` turns these into denials; `mint`, `delegate` and `prove`
 * throw them when asked to build something the verifier would reject.
 */
export class MandateError extends Error {
  override readonly name: string = 'MandateError';
  readonly code: MandateErrorCode;
  readonly hop: number | undefined;
  readonly check: Check;
  readonly detail: ErrorDetail;

  constructor(code: MandateErrorCode, message: string, init: MandateErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.hop = init.hop;
    this.check = init.check;
    this.detail = init.detail ?? {};
  }
}

deepFreeze(MandateError);

/** Shorthand used by the rules: `fail('MANDATE_EXPIRED', 'window', 2, 'block 2 expired')`. */
export function fail(
  code: MandateErrorCode,
  check: Check,
  hop: number | undefined,
  message: string,
  detail?: ErrorDetail,
): never {
  throw new MandateError(code, message, { check, hop, detail });
}

/** True for a `MandateError` (also across realms, by its shape). */
export function isMandateError(value: unknown): value is MandateError {
  return value instanceof MandateError;
}

/**
 * Programmer misuse detected while verifying (e.g. a proof without its request). `verify`
 * rethrows this one kind of error; every other failure inside a rule becomes a denial.
 */
export class MandateUsageError extends TypeError {
  override readonly name = 'MandateUsageError';
}

deepFreeze(MandateUsageError);

/**
 * Rethrow `error` as rule 1's failure of one block: a `MandateError` keeps its code and detail
 * and gains the block's label and hop; anything else is rethrown untouched (a bug, not input).
 */
export function rethrowAtBlock(error: unknown, label: string, hop: number): never {
  if (!isMandateError(error)) throw error;
  // A message that already names the block keeps its one prefix.
  const named = [':', '.', ' '].some((next) => error.message.startsWith(`${label}${next}`));
  const message = named ? error.message : `${label}: ${error.message}`;
  throw new MandateError(error.code, message, {
    check: 'limits',
    hop,
    detail: error.detail,
  });
}
