/**
 * Errors a store rejects with. They are deliberately small and carry no request data: the
 * verifier maps any store rejection to a `MANDATE_STORE_UNAVAILABLE` denial (fail closed),
 * so these exist for logs and for callers that use a store directly (the CLI, say).
 */
import { deepFreeze } from '../core/freeze.js';

/** Why a store could not answer. */
export type StoreUnavailableReason =
  /** The backend did not answer within the store's time bound. */
  | 'timeout'
  /** The backend could not be reached (connection refused, reset, not yet reconnected). */
  | 'unreachable'
  /** The backend answered with an error or an unexpected reply. */
  | 'error'
  /** The store was closed by its owner. */
  | 'closed'
  /** A bounded in-memory store is full of entries still in force. */
  | 'full'
  /** A write reached the primary but not the replicas the store requires (Redis `WAIT`). */
  | 'unreplicated'
  /** A revocation list copy is older than its `maxStaleness` (the source serves an old list). */
  | 'stale'
  /** A fetched revocation list does not parse or does not match the list schema. */
  | 'malformed'
  /** A fetched revocation list's signature did not verify against its anchor's keys. */
  | 'forged'
  /** A fetched revocation list has a lower version than the one held (a rollback). */
  | 'rollback'
  /** A fetched revocation list names another issuer than the anchor it was fetched for. */
  | 'foreign-issuer'
  /** The chain's trust anchor has no revocation list configured in this store. */
  | 'no-list'
  /** One grant holds its whole share of a replay store (`maxEntriesPerGrant`). */
  | 'quota';

/**
 * A store could not give a trustworthy answer. Never a "no": a verifier that sees it denies
 * with `MANDATE_STORE_UNAVAILABLE`.
 */
export class StoreUnavailableError extends Error {
  override readonly name: string = 'StoreUnavailableError';
  /** Why the store could not answer. */
  readonly reason: StoreUnavailableReason;

  constructor(message: string, reason: StoreUnavailableReason, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
  }
}

deepFreeze(StoreUnavailableError);

/**
 * Thrown by a memory store that is full of entries still in force. Evicting one of them
 * would let a revoked block or a replayed proof through, so the store refuses instead and
 * the verifier denies. A subclass of `StoreUnavailableError`, so one `instanceof` covers both.
 */
export class StoreFullError extends StoreUnavailableError {
  override readonly name: string = 'StoreFullError';

  constructor(message: string) {
    super(message, 'full');
  }
}

deepFreeze(StoreFullError);

/**
 * Thrown by a replay store when one grant already holds its whole share of entries still in
 * force. Only that grant's further proofs are refused; every other grant is unaffected. A
 * subclass of `StoreUnavailableError` (reason `quota`): the verifier denies with
 * `MANDATE_STORE_UNAVAILABLE` and `detail.reason: 'quota'`.
 */
export class StoreQuotaError extends StoreUnavailableError {
  override readonly name: string = 'StoreQuotaError';

  constructor(message: string) {
    super(message, 'quota');
  }
}

deepFreeze(StoreQuotaError);
