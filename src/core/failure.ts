/**
 * The one way an input check fails: a coded `MandateError` whose `detail` always has the same
 * shape (`path`, then `reason` and any further evidence), so a caller reads every failure of
 * shape or size alike, whichever module found it. Rule-level denials with their own evidence
 * use `fail` (`errors.ts`); zod boundaries use `parseWith` (`schemas.ts`), which ends here.
 */
import { MandateError, type Check, type ErrorDetail, type MandateErrorCode } from './errors.js';

/** Where an input failed: its path (`block 1.payload.exp`) and, optionally, rule and hop. */
export interface FailureSite {
  /** Where in the input, in `joinPath`'s dialect (`a.b[0]["odd key"]`). */
  readonly path: string;
  /** A short, stable label of what is wrong (`type`, `range-inverted`). */
  readonly reason?: string | undefined;
  /** The rule the failure belongs to (default `limits`: rule 1, parsing). */
  readonly check?: Check | undefined;
  /** The block, when the input is one block of a chain. */
  readonly hop?: number | undefined;
  /** Further evidence (never key material or a raw token). */
  readonly detail?: ErrorDetail | undefined;
}

/** The `MandateError` for a failure at `site`, with `detail: { path, reason?, ...detail }`. */
export function failureAt(
  code: MandateErrorCode,
  message: string,
  site: FailureSite,
): MandateError {
  return new MandateError(code, message, {
    check: site.check ?? 'limits',
    hop: site.hop,
    detail: {
      path: site.path,
      ...(site.reason === undefined ? {} : { reason: site.reason }),
      ...site.detail,
    },
  });
}

/** Throws `MANDATE_MALFORMED` for the input at `site` (message as given). */
export function malformed(message: string, site: FailureSite): never {
  throw failureAt('MANDATE_MALFORMED', message, site);
}

/** Throws `MANDATE_LIMIT_EXCEEDED` for the input at `site`, naming the `limit` it broke. */
export function limitExceeded(
  message: string,
  site: FailureSite & { readonly limit: number },
): never {
  throw failureAt('MANDATE_LIMIT_EXCEEDED', message, {
    ...site,
    detail: { ...site.detail, limit: site.limit },
  });
}
