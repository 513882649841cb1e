import { StoreFullError, StoreQuotaError } from './errors.js';
import type { ReplayContext, ReplayEntry, ReplayStore, RevocationStore } from './types.js';
import { settle } from './settle.js';
import { assertExpiresAt, assertId, assertIds, assertReplayEntries } from './validate.js';
import { deepFreeze } from '../core/freeze.js';

export { StoreFullError, StoreQuotaError } from './errors.js';

/** Options of the in-memory stores. */
export interface MemoryStoreOptions {
  /**
   * Most entries kept (default 100,000). Past it, expired entries are swept; if every entry
   * is still in force the store refuses (`StoreFullError`) rather than forget one.
   */
  readonly maxEntries?: number;
  /**
   * Seconds an entry is kept after its `expiresAt` (default: 300 for revocations, 0 for
   * proofs). A verifier with a clock tolerance still accepts a block shortly after its
   * expiry, so a revocation given the block's own expiry must outlive it by at least that
   * tolerance; a replay entry's expiry is computed by the verifier itself and needs none.
   */
  readonly graceSeconds?: number;
  /** Clock in seconds since the epoch (injected for tests). */
  readonly now?: () => number;
}

/** Options of `MemoryReplayStore`. */
export interface MemoryReplayStoreOptions extends MemoryStoreOptions {
  /**
   * Most entries still in force that one grant (a mandate's root, an access token: see
   * `ReplayContext`) may hold (default: a tenth of `maxEntries`). Past it, that grant's new
   * proofs are refused (`StoreQuotaError`, reason `quota`) until its old ones expire, so one
   * holder flooding the store cannot deny anyone else. Entries stored without a context are
   * not counted.
   */
  readonly maxEntriesPerGrant?: number;
}

const DEFAULT_MAX_ENTRIES = 100_000;
const DEFAULT_REVOCATION_GRACE_SECONDS = 300;
const wallClock = (): number => Date.now() / 1000;
const ONE = (): number => 1;

/**
 * A bounded map from key to expiry (seconds). Expired entries are swept lazily. Past the
 * cap nothing still in force is ever evicted (that would let a revoked block or a replayed
 * proof through); the store refuses instead, and the verifier fails closed.
 */
class ExpiringSet {
  readonly #entries = new Map<string, number>();
  /** The grant each counted entry is charged to, and how many entries each grant holds. */
  readonly #grantOf = new Map<string, string>();
  readonly #held = new Map<string, number>();
  readonly #perGrant: number;
  readonly #max: number;
  readonly #grace: number;
  readonly #now: () => number;
  #lastFullSweep = Number.NEGATIVE_INFINITY;

  constructor(options: MemoryReplayStoreOptions, defaultGrace: number) {
    const max = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new RangeError('maxEntries must be a positive integer');
    }
    const perGrant = options.maxEntriesPerGrant ?? Math.max(1, Math.floor(max / 10));
    if (!Number.isSafeInteger(perGrant) || perGrant < 1) {
      throw new RangeError('maxEntriesPerGrant must be a positive integer');
    }
    this.#perGrant = perGrant;
    const grace = options.graceSeconds ?? defaultGrace;
    if (!Number.isFinite(grace) || grace < 0) {
      throw new RangeError('graceSeconds must be a non-negative number');
    }
    if (options.now !== undefined && typeof options.now !== 'function') {
      throw new TypeError('now must be a function');
    }
    this.#max = max;
    this.#grace = grace;
    this.#now = options.now ?? wallClock;
  }

  get size(): number {
    return this.#entries.size;
  }

  has(key: string): boolean {
    const until = this.#entries.get(key);
    if (until === undefined) return false;
    if (until <= this.#now()) {
      this.#delete(key);
      return false;
    }
    return true;
  }

  #delete(key: string): void {
    this.#entries.delete(key);
    const grant = this.#grantOf.get(key);
    if (grant === undefined) return;
    this.#grantOf.delete(key);
    const held = (this.#held.get(grant) ?? 1) - 1;
    if (held > 0) this.#held.set(grant, held);
    else this.#held.delete(grant);
  }

  /**
   * Keeps `key` until `expiresAt` plus the grace; never shortens an entry already held. A new
   * entry charged to `grant` is refused (`StoreQuotaError`) when that grant already holds
   * its share of entries in force.
   */
  add(key: string, expiresAt: number, grant?: string): void {
    const until = expiresAt + this.#grace;
    // Nothing to remember past its end; storing it would only take a slot.
    if (until <= this.#now()) return;
    if (this.#extend(key, until)) return;
    this.#makeRoom(1, grant, ONE);
    this.#insert(key, until, grant);
  }

  /**
   * Keeps every one of `entries` as `add` does, or none: the room for all the new ones (the
   * store's cap and `grant`'s share) is checked before anything is written.
   */
  addAll(
    entries: readonly { readonly key: string; readonly expiresAt: number }[],
    grant?: string,
  ): void {
    const now = this.#now();
    const kept = entries
      .map(({ key, expiresAt }) => ({ key, until: expiresAt + this.#grace }))
      .filter(({ until }) => until > now);
    // A sweep may turn a held but expired entry into a new one: count again after it.
    const countNew = (): number => kept.filter(({ key }) => !this.#entries.has(key)).length;
    this.#makeRoom(countNew(), grant, countNew);
    for (const { key, until } of kept) {
      if (!this.#extend(key, until)) this.#insert(key, until, grant);
    }
  }

  /** Lengthens `key` to `until` if it is held (never shortens it); whether it was held. */
  #extend(key: string, until: number): boolean {
    const held = this.#entries.get(key);
    if (held === undefined) return false;
    // A second revocation with an earlier expiry must not cut the first one short.
    if (until > held) this.#entries.set(key, until);
    return true;
  }

  #insert(key: string, until: number, grant: string | undefined): void {
    this.#entries.set(key, until);
    if (grant !== undefined) {
      this.#grantOf.set(key, grant);
      this.#held.set(grant, (this.#held.get(grant) ?? 0) + 1);
    }
  }

  /**
   * Makes room for `added` new entries charged to `grant`, sweeping expired ones if needed;
   * throws `StoreQuotaError` (the grant's share) or `StoreFullError` (the store's cap) when
   * they do not fit. `recount` says how many are new after a sweep.
   */
  #makeRoom(added: number, grant: string | undefined, recount: () => number): void {
    let count = added;
    if (grant !== undefined && (this.#held.get(grant) ?? 0) + count > this.#perGrant) {
      this.#sweep(count);
      count = recount();
      if ((this.#held.get(grant) ?? 0) + count > this.#perGrant) {
        throw new StoreQuotaError(`one grant holds ${this.#perGrant} entries in force`);
      }
    }
    if (this.#entries.size + count > this.#max) {
      this.#sweep(count);
      count = recount();
      if (this.#entries.size + count > this.#max) {
        throw new StoreFullError(`memory store is full (${this.#max} entries in force)`);
      }
    }
  }

  /** Forgets expired entries: the front cheaply, everything at most once per second. */
  #sweep(needed: number): void {
    const now = this.#now();
    // Insertion order roughly follows expiry for proofs: sweep the front cheaply first.
    for (const [key, until] of this.#entries) {
      if (until > now) break;
      this.#delete(key);
    }
    // A full scan costs O(n); run it at most once per second so a flood cannot make
    // every request pay for it.
    if (this.#entries.size + needed > this.#max && now >= this.#lastFullSweep + 1) {
      this.#lastFullSweep = now;
      for (const [key, until] of this.#entries) {
        if (until <= now) this.#delete(key);
      }
    }
  }
}

/**
 * In-memory revocation list for a single verifier process. Bounded: a revocation is kept
 * until the revoked block's expiry plus a grace (or for good when no expiry is given);
 * `revoke` rejects with `StoreFullError` rather than forget a revocation in force.
 * For a fleet of verifiers use `RedisRevocationStore` from `mandate/stores/redis`.
 */
export class MemoryRevocationStore implements RevocationStore {
  readonly #set: ExpiringSet;

  constructor(options: MemoryStoreOptions = {}) {
    this.#set = new ExpiringSet(options, DEFAULT_REVOCATION_GRACE_SECONDS);
  }

  /** Number of revocations held (expired ones may be counted until swept). */
  get size(): number {
    return this.#set.size;
  }

  /**
   * Revokes block `id` until `expiresAt` (seconds since the epoch) plus the grace; without
   * `expiresAt`, for good. Rejects with `StoreFullError` when full of revocations in force,
   * with `TypeError`/`RangeError` on a malformed argument.
   */
  revoke(id: string, expiresAt?: number): Promise<void> {
    return settle(() => {
      assertId(id);
      if (expiresAt !== undefined) assertExpiresAt(expiresAt);
      this.#set.add(id, expiresAt ?? Number.POSITIVE_INFINITY);
    });
  }

  /** Whether block `id` is revoked. */
  isRevoked(id: string): Promise<boolean> {
    return settle(() => {
      assertId(id);
      return this.#set.has(id);
    });
  }

  /** The first of `ids` that is revoked, or `undefined`. */
  firstRevoked(ids: readonly string[]): Promise<string | undefined> {
    return settle(() => {
      assertIds(ids);
      return ids.find((id) => this.#set.has(id));
    });
  }
}

deepFreeze(MemoryRevocationStore);

/**
 * In-memory replay cache for a single verifier process. A proof id is remembered until
 * its freshness window closes, so the cap only needs to cover one window of traffic.
 * When the cap is reached with every entry still in force, `checkAndStore` rejects with
 * `StoreFullError` and the verifier denies (`MANDATE_STORE_UNAVAILABLE`): forgetting a
 * fresh proof id would let it be replayed.
 *
 * One grant (the `context` the verifier passes: a mandate's root, an access token) holds at
 * most `maxEntriesPerGrant` entries in force; past it only that grant is refused
 * (`StoreQuotaError`, reason `quota`), so one holder flooding the store leaves room for
 * everyone else. Not covered: many grants flooding together (more than
 * `maxEntries / maxEntriesPerGrant` of them) still fill it; grants are made only by issuers.
 */
export class MemoryReplayStore implements ReplayStore {
  readonly #set: ExpiringSet;

  constructor(options: MemoryReplayStoreOptions = {}) {
    this.#set = new ExpiringSet(options, 0);
  }

  /** Number of proof ids held (expired ones may be counted until swept). */
  get size(): number {
    return this.#set.size;
  }

  /**
   * Records proof id `jti` until `expiresAt` (seconds since the epoch), charged to
   * `context.grant`. Resolves `true` the first time, `false` on a replay; rejects with
   * `StoreFullError` when full, `StoreQuotaError` when the grant holds its share.
   */
  checkAndStore(jti: string, expiresAt: number, context?: ReplayContext): Promise<boolean> {
    return settle(() => {
      assertId(jti, 'jti');
      assertExpiresAt(expiresAt);
      const grant = context === undefined ? undefined : context.grant;
      if (grant !== undefined) assertId(grant, 'context.grant');
      if (this.#set.has(jti)) return false;
      this.#set.add(jti, expiresAt, grant);
      return true;
    });
  }

  /**
   * Records every one of `entries` (charged to `context.grant`) when none is held, and
   * resolves `undefined`; when one is held, records none and resolves its index. Rejects with
   * `StoreFullError` or `StoreQuotaError`, recording none, when they do not all fit.
   */
  checkAndStoreAll(
    entries: readonly ReplayEntry[],
    context?: ReplayContext,
  ): Promise<number | undefined> {
    return settle(() => {
      assertReplayEntries(entries);
      const grant = context === undefined ? undefined : context.grant;
      if (grant !== undefined) assertId(grant, 'context.grant');
      const seen = entries.findIndex(({ jti }) => this.#set.has(jti));
      if (seen !== -1) return seen;
      this.#set.addAll(
        entries.map(({ jti, expiresAt }) => ({ key: jti, expiresAt })),
        grant,
      );
      return undefined;
    });
  }
}

deepFreeze(MemoryReplayStore);
