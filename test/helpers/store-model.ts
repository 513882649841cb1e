/**
 * Model-based tests of the revocation and replay stores (fast-check `commands`): a sequence of
 * revokes, look-ups, proof checks (one id, or several all or none) and clock moves runs
 * against a real store and against a
 * plain model (a map from id to "in force until"), and every answer must agree.
 *
 * The model is exact for what decides (a revoked id is revoked, a seen proof id is a replay,
 * and neither is forgotten while in force). Where a store may legitimately differ, the model
 * bounds it: a memory store sweeps expired entries lazily (a full sweep at most once a
 * second), so it may refuse as full (`StoreFullError`) or over quota (`StoreQuotaError`)
 * while expired entries still take room; it must never refuse when even counting those there
 * is room, and must always refuse when the entries in force alone fill it.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { StoreFullError, StoreQuotaError } from '../../src/stores/errors.js';
import type { ReplayStore, RevocationStore } from '../../src/stores/types.js';

/** Ids drawn from a small pool, so that commands hit the same ids again. */
const ID = fc.constantFrom('b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7');
const GRANT = fc.constantFrom('g0', 'g1', 'g2');

/** The clock the store and the model share (seconds); `advance` exists only for memory stores. */
export interface ModelClock {
  now(): number;
  advance?(seconds: number): void;
}

/** The model: id -> in force until (seconds, `Infinity` for good), and what each entry charges. */
export interface StoreModel {
  readonly until: Map<string, number>;
  readonly grantOf: Map<string, string>;
  readonly clock: ModelClock;
}

/** Limits the store under test was built with (to bound its refusals). */
export interface StoreLimits {
  /** Seconds an entry is kept past its expiry. */
  readonly grace: number;
  readonly maxEntries?: number;
  readonly maxEntriesPerGrant?: number;
  /** The store sweeps lazily (memory): it may refuse while expired entries still take room. */
  readonly lazySweep: boolean;
}

const live = (m: StoreModel, id: string): boolean => (m.until.get(id) ?? -Infinity) > m.clock.now();
const count = (m: StoreModel, keep: (id: string) => boolean): number =>
  [...m.until.keys()].filter(keep).length;

/** Records an entry as the store must have: never shortened, nothing already past its end. */
function store(m: StoreModel, id: string, until: number, grant?: string): void {
  if (until <= m.clock.now()) return;
  const held = m.until.get(id);
  if (held !== undefined && held > m.clock.now()) {
    if (until > held) m.until.set(id, until);
    return;
  }
  m.until.set(id, until);
  if (grant === undefined) m.grantOf.delete(id);
  else m.grantOf.set(id, grant);
}

/**
 * Checks a refusal of `added` new entries against the model: allowed only when they could not
 * all fit (the store full, or the grant over its share) counting entries not yet swept,
 * required when the entries in force leave no room for all of them.
 */
function checkRefusal(
  m: StoreModel,
  limits: StoreLimits,
  outcome: { error?: unknown },
  grant: string | undefined,
  added = 1,
): boolean {
  const inForce = count(m, (id) => live(m, id));
  const held = limits.lazySweep ? m.until.size : inForce;
  const grantInForce =
    grant === undefined ? 0 : count(m, (id) => live(m, id) && m.grantOf.get(id) === grant);
  const grantHeld =
    grant === undefined
      ? 0
      : limits.lazySweep
        ? count(m, (id) => m.grantOf.get(id) === grant)
        : grantInForce;
  const full = limits.maxEntries !== undefined && inForce + added > limits.maxEntries;
  const overQuota =
    grant !== undefined &&
    limits.maxEntriesPerGrant !== undefined &&
    grantInForce + added > limits.maxEntriesPerGrant;
  if (outcome.error === undefined) {
    expect(full || overQuota, 'accepted although the entries in force fill it').toBe(false);
    return true;
  }
  if (outcome.error instanceof StoreQuotaError) {
    expect(
      limits.maxEntriesPerGrant !== undefined && grantHeld + added > limits.maxEntriesPerGrant,
    ).toBe(true);
  } else if (outcome.error instanceof StoreFullError) {
    expect(limits.maxEntries !== undefined && held + added > limits.maxEntries).toBe(true);
  } else {
    throw outcome.error as Error;
  }
  return false;
}

async function settled<T>(run: () => Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await run() };
  } catch (error) {
    return { error };
  }
}

/** `revoke(id, expiresAt?)`: then the id is revoked until its expiry plus the grace. */
class Revoke implements fc.AsyncCommand<StoreModel, RevocationStore> {
  constructor(
    readonly id: string,
    readonly ttl: number | undefined,
    readonly limits: StoreLimits,
  ) {}
  check = (): boolean => true;
  async run(m: StoreModel, s: RevocationStore): Promise<void> {
    const expiresAt = this.ttl === undefined ? undefined : m.clock.now() + this.ttl;
    const outcome = await settled(() => s.revoke(this.id, expiresAt));
    const fresh = !live(m, this.id);
    if (fresh && !checkRefusal(m, this.limits, outcome, undefined)) return;
    if (outcome.error !== undefined) throw outcome.error as Error;
    store(m, this.id, expiresAt === undefined ? Infinity : expiresAt + this.limits.grace);
  }
  toString = (): string => `revoke(${this.id}, ${this.ttl ?? 'for good'})`;
}

/** `isRevoked(id)` answers exactly what the model holds in force. */
class IsRevoked implements fc.AsyncCommand<StoreModel, RevocationStore> {
  constructor(readonly id: string) {}
  check = (): boolean => true;
  async run(m: StoreModel, s: RevocationStore): Promise<void> {
    expect(await s.isRevoked(this.id), this.toString()).toBe(live(m, this.id));
  }
  toString = (): string => `isRevoked(${this.id})`;
}

/** `firstRevoked(ids)` answers the first id the model holds in force. */
class FirstRevoked implements fc.AsyncCommand<StoreModel, RevocationStore> {
  constructor(readonly ids: readonly string[]) {}
  check = (): boolean => true;
  async run(m: StoreModel, s: RevocationStore): Promise<void> {
    if (s.firstRevoked === undefined) return;
    expect(await s.firstRevoked(this.ids), this.toString()).toBe(
      this.ids.find((id) => live(m, id)),
    );
  }
  toString = (): string => `firstRevoked([${this.ids.join(', ')}])`;
}

/** `checkAndStore(jti, expiresAt, { grant })`: true exactly for a proof id not in force. */
class CheckAndStore implements fc.AsyncCommand<StoreModel, ReplayStore> {
  constructor(
    readonly jti: string,
    readonly ttl: number,
    readonly grant: string | undefined,
    readonly limits: StoreLimits,
  ) {}
  check = (): boolean => true;
  async run(m: StoreModel, s: ReplayStore): Promise<void> {
    const expiresAt = m.clock.now() + this.ttl;
    const context = this.grant === undefined ? undefined : { grant: this.grant };
    const outcome = await settled(() => s.checkAndStore(this.jti, expiresAt, context));
    // One entry per proof id, whatever the grant: a replay under another grant is a replay.
    if (live(m, this.jti)) {
      // A replay is a replay, full store or not: never a fresh answer, never a refusal.
      expect(outcome, this.toString()).toEqual({ value: false });
      return;
    }
    if (!checkRefusal(m, this.limits, outcome, this.grant)) return;
    expect(outcome, this.toString()).toEqual({ value: true });
    store(m, this.jti, expiresAt + this.limits.grace, this.grant);
  }
  toString = (): string => `checkAndStore(${this.jti}, +${this.ttl}s, ${this.grant ?? '-'})`;
}

/**
 * `checkAndStoreAll(entries, { grant })`, all or none: when an id is in force, the answer
 * names one that is and nothing is recorded (never a refusal); else every entry is recorded
 * and charged, or (no room for all of them) none is. "None recorded" is checked by the
 * commands that follow, which find those ids fresh.
 */
class CheckAndStoreAll implements fc.AsyncCommand<StoreModel, ReplayStore> {
  constructor(
    readonly entries: readonly (readonly [jti: string, ttl: number])[],
    readonly grant: string | undefined,
    readonly limits: StoreLimits,
  ) {}
  check = (): boolean => true;
  async run(m: StoreModel, s: ReplayStore): Promise<void> {
    const entries = this.entries.map(([jti, ttl]) => ({ jti, expiresAt: m.clock.now() + ttl }));
    const context = this.grant === undefined ? undefined : { grant: this.grant };
    const outcome = await settled(() => s.checkAndStoreAll(entries, context));
    if (entries.some(({ jti }) => live(m, jti))) {
      expect(outcome.error, this.toString()).toBeUndefined();
      const named = typeof outcome.value === 'number' ? entries[outcome.value] : undefined;
      expect(named !== undefined && live(m, named.jti), this.toString()).toBe(true);
      return;
    }
    if (!checkRefusal(m, this.limits, outcome, this.grant, entries.length)) return;
    expect(outcome, this.toString()).toEqual({ value: undefined });
    for (const { jti, expiresAt } of entries) {
      store(m, jti, expiresAt + this.limits.grace, this.grant);
    }
  }
  toString = (): string =>
    `checkAndStoreAll([${this.entries.map(([jti, ttl]) => `${jti} +${ttl}s`).join(', ')}], ${this.grant ?? '-'})`;
}

/** Time passes (memory stores only: their clock is injected). */
class Advance implements fc.AsyncCommand<StoreModel, unknown> {
  constructor(readonly seconds: number) {}
  check = (m: Readonly<StoreModel>): boolean => m.clock.advance !== undefined;
  run(m: StoreModel): Promise<void> {
    m.clock.advance?.(this.seconds);
    return Promise.resolve();
  }
  toString = (): string => `advance(${this.seconds}s)`;
}

/** Expiries: short ones (memory, with a moving clock) or only long ones (Redis, real time). */
const ttlFor = (clock: ModelClock): fc.Arbitrary<number> =>
  clock.advance === undefined
    ? fc.integer({ min: 600, max: 3600 })
    : fc.integer({ min: 1, max: 20 });

/** The revocation store's commands. */
export function revocationCommands(
  clock: ModelClock,
  limits: StoreLimits,
): fc.Arbitrary<Iterable<fc.AsyncCommand<StoreModel, RevocationStore>>> {
  return fc.commands(
    [
      fc
        .tuple(ID, fc.option(ttlFor(clock), { nil: undefined }))
        .map(([id, ttl]) => new Revoke(id, ttl, limits)),
      ID.map((id) => new IsRevoked(id)),
      fc.uniqueArray(ID, { minLength: 1, maxLength: 4 }).map((ids) => new FirstRevoked(ids)),
      fc.integer({ min: 1, max: 15 }).map((s) => new Advance(s)),
    ],
    { maxCommands: 40 },
  );
}

/** The replay store's commands. */
export function replayCommands(
  clock: ModelClock,
  limits: StoreLimits,
): fc.Arbitrary<Iterable<fc.AsyncCommand<StoreModel, ReplayStore>>> {
  return fc.commands(
    [
      fc
        .tuple(ID, ttlFor(clock), fc.option(GRANT, { nil: undefined }))
        .map(([jti, ttl, grant]) => new CheckAndStore(jti, ttl, grant, limits)),
      fc
        .tuple(
          fc.uniqueArray(fc.tuple(ID, ttlFor(clock)), {
            minLength: 1,
            maxLength: 4,
            selector: ([jti]) => jti,
          }),
          fc.option(GRANT, { nil: undefined }),
        )
        .map(([entries, grant]) => new CheckAndStoreAll(entries, grant, limits)),
      fc.integer({ min: 1, max: 15 }).map((s) => new Advance(s)),
    ],
    { maxCommands: 40 },
  );
}

/** A fresh, empty model on `clock`. */
export function emptyModel(clock: ModelClock): StoreModel {
  return { until: new Map(), grantOf: new Map(), clock };
}

/** A clock the test moves (memory stores). */
export function manualClock(start = 1_800_000_000): Required<ModelClock> {
  let now = start;
  return {
    now: () => now,
    advance: (seconds) => {
      now += seconds;
    },
  };
}
