/**
 * The two small store interfaces a verifier depends on (DESIGN.md section 5).
 * A store that cannot answer must throw (or reject); the verifier turns that into
 * a `MANDATE_STORE_UNAVAILABLE` denial. A store never answers "not revoked" from a cache.
 */

/**
 * What the verifier tells a revocation store about the chain whose ids it asks about. Stores
 * that hold one set of revocations for everyone ignore it; a store that keeps revocations per
 * issuer (a signed revocation list) answers from that issuer's revocations only, so one issuer
 * can never revoke another's blocks.
 */
export interface RevocationContext {
  /** The configured id of the trust anchor whose key signed the chain's root. */
  readonly anchor: string;
}

/** Revoked block ids (for a Biscuit mandate, also blocks' Biscuit revocation ids). */
export interface RevocationStore {
  /**
   * Revoke a block id. `expiresAt` (seconds since the epoch) is when the revoked block
   * stops being valid anyway; a store may forget the revocation after it.
   */
  revoke(id: string, expiresAt?: number): Promise<void>;
  /** Whether `id` is revoked (the verifier passes `context`; older stores may ignore it). */
  isRevoked(id: string, context?: RevocationContext): Promise<boolean>;
  /** Whether any of `ids` is revoked; returns the first revoked id. Stores may batch. */
  firstRevoked?(ids: readonly string[], context?: RevocationContext): Promise<string | undefined>;
}

/** Who a replay entry is charged to, so a store can keep one caller from filling it. */
export interface ReplayContext {
  /**
   * The credential an issuer granted that the proof is made under: a mandate's root block id,
   * an access token's `jti`. Not the last holder: a holder may delegate to as many fresh keys
   * as it likes, but only an issuer makes new grants. A store may cap the entries one grant
   * holds and refuse past the cap (`StoreUnavailableError` with reason `quota`).
   */
  readonly grant: string;
}

/** One id to record with `ReplayStore.checkAndStoreAll`. */
export interface ReplayEntry {
  /** The id (a proof's `jti`, an approval's replay key). */
  readonly jti: string;
  /** Seconds since the epoch until which it must be remembered. */
  readonly expiresAt: number;
}

/** Seen proof ids. */
export interface ReplayStore {
  /**
   * Atomically record `jti` until `expiresAt` (seconds since the epoch).
   * Resolves `true` when it was not seen before (the proof may be used), `false` on a replay.
   * The verifier passes `context`; a store written before it existed may ignore it.
   */
  checkAndStore(jti: string, expiresAt: number, context?: ReplayContext): Promise<boolean>;
  /**
   * Check and record several ids as one step, all or none: when none of `entries` is held,
   * record every one (each until its `expiresAt`, all charged to `context.grant`) and resolve
   * `undefined`; when any is held, record none and resolve the index (in `entries`) of one
   * that is. The verifier uses it for the approvals of one request (rule 9), so that a request
   * denied because one approval is replayed never uses up the others. Ids must be distinct.
   * A store that cannot answer, or cannot record them all (full, over quota), rejects and
   * records none; the verifier then denies with `MANDATE_STORE_UNAVAILABLE`.
   */
  checkAndStoreAll(
    entries: readonly ReplayEntry[],
    context?: ReplayContext,
  ): Promise<number | undefined>;
}
