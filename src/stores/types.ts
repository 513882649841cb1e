/**
 * The two small store interfaces a verifier depends on (DESIGN.md section 5).
 * A store that cannot answer must throw (or reject); the verifier turns that into
 * a `MANDATE_STORE_UNAVAILABLE` denial. A store never answers "not revoked" from a cache.
 */

/** Revoked block ids (for a Biscuit mandate, also blocks' Biscuit revocation ids). */
export interface RevocationStore {
  /**
   * Revoke a block id. `expiresAt` (seconds since the epoch) is when the revoked block
   * stops being valid anyway; a store may forget the revocation after it.
   */
  revoke(id: string, expiresAt?: number): Promise<void>;
  /** Whether `id` is revoked. */
  isRevoked(id: string): Promise<boolean>;
  /** Whether any of `ids` is revoked; returns the first revoked id. Stores may batch. */
  firstRevoked?(ids: readonly string[]): Promise<string | undefined>;
}

/** Seen proof ids. */
export interface ReplayStore {
  /**
   * Atomically record `jti` until `expiresAt` (seconds since the epoch).
   * Resolves `true` when it was not seen before (the proof may be used), `false` on a replay.
   */
  checkAndStore(jti: string, expiresAt: number): Promise<boolean>;
}
