/**
 * The last step of every verification: record, in one all-or-none replay-store step, every
 * single-use id the request spends: the approvals rule 9 counted and the ids the caller asked
 * to be used once with it (`VerifyRequest.singleUse`, e.g. the A2A guard's sender proof and
 * grant). Runs only after every rule has allowed the request, so a request denied for any
 * reason records nothing, and a request denied because one id was used before records none of
 * the others (docs/guides/approvals.md).
 */
import { MandateError } from '../core/errors.js';
import { approvalDenial } from '../proof/approval.js';
import type { ReplayEntry } from '../stores/types.js';
import { assertReplayEntries } from '../stores/validate.js';
import type { VerifierConfig } from './config.js';
import { MAX_SINGLE_USE_ID_LENGTH, singleUseReplayKey } from './replay-keys.js';
import { askStore } from './store-call.js';

/** Most ids a caller may ask one verification to record (`VerifyRequest.singleUse`). */
export const MAX_SINGLE_USE = 8;

/** A counted approval to record: its replay key and expiry, and where it was presented. */
export interface ApprovalRecord extends ReplayEntry {
  /** Its index in the request's approvals (what a denial names). */
  readonly index: number;
  /** The approver's principal id. */
  readonly approver: string;
}

/**
 * Check a caller's `singleUse` list before any rule runs: misuse (not a list of at most
 * `MAX_SINGLE_USE` distinct `{ jti, expiresAt }`, or an id too long to be keyed in its
 * namespace) is a programming error of the server, so it throws a TypeError rather than
 * denying. Any id is allowed otherwise: it is recorded in the single-use namespace
 * (`singleUseReplayKey`), where no proof or approval id can meet it.
 */
export function assertSingleUse(value: unknown): readonly ReplayEntry[] | undefined {
  if (value === undefined) return undefined;
  try {
    assertReplayEntries(value);
  } catch (cause) {
    throw new TypeError(`verify: singleUse: ${(cause as Error).message}`, { cause });
  }
  if (value.length > MAX_SINGLE_USE) {
    throw new TypeError(`verify: singleUse holds at most ${MAX_SINGLE_USE} ids`);
  }
  if (value.some(({ jti }) => jti.length > MAX_SINGLE_USE_ID_LENGTH)) {
    throw new TypeError(`verify: singleUse ids are at most ${MAX_SINGLE_USE_ID_LENGTH} characters`);
  }
  return value.map(({ jti, expiresAt }) => ({ jti, expiresAt }));
}

/**
 * Record the approvals and the caller's single-use ids as one all-or-none step, charged to
 * the chain's root (`grant`). Throws a coded `MandateError` at the last hop:
 * `MANDATE_APPROVAL_REPLAYED` (check `authorize`, `detail.path: approvals.<i>`) when an
 * approval was used before, `MANDATE_REPLAYED` (check `possession`, `detail.path:
 * singleUse.<i>`) when one of the caller's ids was, and `MANDATE_STORE_UNAVAILABLE` when the
 * store fails, times out, refuses, or gives an answer naming none of them. Records nothing then.
 */
export async function recordSingleUse(
  config: VerifierConfig,
  at: { readonly hop: number; readonly grant: string },
  approvals: readonly ApprovalRecord[],
  singleUse: readonly ReplayEntry[],
): Promise<void> {
  const batch = [
    ...approvals.map(({ jti, expiresAt }) => ({ jti, expiresAt })),
    ...singleUse.map(({ jti, expiresAt }) => ({ jti: singleUseReplayKey(jti), expiresAt })),
  ];
  if (batch.length === 0) return;
  const { hop } = at;
  // A step that records approvals is rule 9's (`authorize`); one that records only the
  // caller's ids (proofs, grants) is possession's.
  const check = approvals.length > 0 ? 'authorize' : 'possession';
  const { replay } = config;
  const seen = await askStore(config.storeTimeoutMs, check, hop, () =>
    typeof replay.checkAndStoreAll === 'function'
      ? replay.checkAndStoreAll(batch, { grant: at.grant })
      : Promise.reject(new TypeError('the replay store has no checkAndStoreAll')),
  );
  if (seen === undefined) return;
  if (typeof seen === 'number' && Number.isSafeInteger(seen) && seen >= 0) {
    const approval = approvals[seen];
    if (approval !== undefined) {
      approvalDenial(
        'MANDATE_APPROVAL_REPLAYED',
        hop,
        `approval ${approval.index}: has been used before`,
        { path: `approvals.${approval.index}`, approver: approval.approver },
      );
    }
    const index = seen - approvals.length;
    if (index < singleUse.length) {
      throw new MandateError('MANDATE_REPLAYED', `single-use id ${index} has been used before`, {
        check: 'possession',
        hop,
        detail: { path: `singleUse.${index}` },
      });
    }
  }
  throw new MandateError(
    'MANDATE_STORE_UNAVAILABLE',
    'the replay store gave no answer naming one of the ids it was asked to record',
    { check, hop },
  );
}
