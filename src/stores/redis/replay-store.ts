import { randomUUID } from 'node:crypto';

import { StoreQuotaError, StoreUnavailableError } from '../errors.js';
import type { ReplayContext, ReplayEntry, ReplayStore } from '../types.js';
import { assertExpiresAt, assertId, assertReplayEntries } from '../validate.js';
import { RedisConnection } from './connection.js';
import type { RedisStoreOptions } from './connection.js';
import { keyFor, ledgerKeyFor, ttlMs } from './keys.js';
import { deepFreeze } from '../../core/freeze.js';

/** Options of `RedisReplayStore`. */
export type RedisReplayStoreOptions = RedisStoreOptions & {
  /**
   * Most proof ids still in force one grant (a mandate's root, an access token: see
   * `ReplayContext`) may hold in this Redis, across the whole fleet. Past it that grant's new
   * proofs are refused (`StoreQuotaError`, reason `quota`) and every other grant's are not.
   * Default: no quota (Redis memory is provisioned by its operator, and each charged entry
   * costs a ledger write). Set it when one holder must not be able to fill Redis, or push out
   * other keys under an eviction policy. Entries keep their key either way (`keyFor`): a
   * proof id is a replay whatever grant it comes under.
   */
  readonly maxEntriesPerGrant?: number;
};

/**
 * The Lua that charges `n` entries to a grant's ledger (`ledger`): ARGV[1] is the quota (0:
 * none, nothing is charged), ARGV[2] the calling verifier's clock in ms, ARGV[3..n+2] one TTL
 * in ms per entry, and `entry(i)` the key of entry i. The ledger forgets expired entries; a
 * grant whose entries in force plus these would pass its share answers -1 before anything is
 * written (`check`); else (`charge`) each entry is added, scored by its expiry, and the
 * ledger lives as long as its longest entry. Scores are on the caller's clock, as TTLs are.
 */
function chargeLua(
  ledger: string,
  entry: (i: string) => string,
): {
  readonly check: string;
  readonly charge: string;
} {
  return {
    check: `
local cap = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
if cap > 0 then
  redis.call('ZREMRANGEBYSCORE', ${ledger}, '-inf', now)
  if redis.call('ZCARD', ${ledger}) + n > cap then
    return -1
  end
end`,
    charge: `
if cap > 0 then
  local longest = 0
  for i = 1, n do
    local ttl = tonumber(ARGV[i + 2])
    redis.call('ZADD', ${ledger}, now + ttl, ${entry('i')})
    if ttl > longest then longest = ttl end
  end
  if redis.call('PTTL', ${ledger}) < longest then
    redis.call('PEXPIRE', ${ledger}, longest)
  end
end`,
  };
}

// One server: the whole all-or-none step as one script. KEYS are the n entries, then the
// ledger when charged. An entry already held answers its 1-based index (nothing written); a
// refused charge answers -1; else every entry is stored (TTL 0: for good) and charged,
// answering 0.
const ONE_SERVER = chargeLua('KEYS[n + 1]', (i) => `KEYS[${i}]`);
const CHECK_AND_STORE_ALL = `
local n = #ARGV - 2
for i = 1, n do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    return i
  end
end
${ONE_SERVER.check}
for i = 1, n do
  local ttl = tonumber(ARGV[i + 2])
  if ttl > 0 then
    redis.call('SET', KEYS[i], '1', 'PX', ttl)
  else
    redis.call('SET', KEYS[i], '1')
  end
end
${ONE_SERVER.charge}
return 0
`;

// A Redis Cluster: the entries live in many slots, which no script spans, so they are claimed
// one by one and then this script charges the ledger (KEYS[1]) on its own; the entry keys
// follow the TTLs in ARGV.
const CLUSTER = chargeLua('KEYS[1]', (i) => `ARGV[n + 2 + ${i}]`);
const CHARGE_LEDGER = `
local n = (#ARGV - 2) / 2
${CLUSTER.check}
${CLUSTER.charge}
return 0
`;

// Deletes a claimed entry only if this call's token still holds it (undoing a claim).
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/** Default seconds a proof id outlives its window (covers clock differences in a fleet). */
const DEFAULT_REPLAY_GRACE_SECONDS = 60;

/**
 * Seen proof ids in Redis, shared by a fleet of verifiers, so a proof accepted by one
 * instance is a replay at every other.
 *
 * `checkAndStore` is one atomic round trip, `SET key 1 PX ttl NX`: Redis answers `OK` to
 * exactly one of any number of concurrent callers, whichever instance they run in. On a Redis
 * Cluster (`client` a `Cluster`) the key's slot decides its primary, so the same holds; with
 * `replicas: n` a first use counts only once `n` replicas hold it (`WAIT`), so a failover
 * cannot forget it. The id is
 * kept until `expiresAt` plus `graceSeconds` (default 60) on this process's clock. Keys are
 * `prefix + 'jti:' + base64url(SHA-256(jti))`. Every call resolves or rejects with
 * `StoreUnavailableError` within about `timeoutMs` (default 1000); the client reconnects by
 * itself.
 *
 * `checkAndStoreAll` (several ids, all or none) is one Lua script on one server. On a Cluster
 * the ids hash to different slots, which no script spans: each is claimed in turn (sorted, so
 * two calls with the same ids cannot both lose), and the claims are undone when one id is
 * already held or the grant is over its quota. A concurrent call may then see an id of a call
 * that is being undone as held (it is denied; nothing is ever accepted twice), and an outage
 * between the steps may leave ids recorded (used up, never reusable): both fail closed.
 *
 * Not handled here: a Redis that loses data (restart without persistence, or a failover
 * before replication when `replicas` is 0) forgets proof ids still inside their window; keep
 * windows short.
 */
export class RedisReplayStore implements ReplayStore {
  readonly #connection: RedisConnection;
  readonly #perGrant: number | undefined;

  constructor(options: RedisReplayStoreOptions) {
    const perGrant = options.maxEntriesPerGrant;
    if (perGrant !== undefined && (!Number.isSafeInteger(perGrant) || perGrant < 1)) {
      throw new RangeError('maxEntriesPerGrant must be a positive integer');
    }
    this.#connection = new RedisConnection(options, DEFAULT_REPLAY_GRACE_SECONDS);
    this.#perGrant = perGrant;
  }

  /**
   * Records proof id `jti` until `expiresAt` (seconds since the epoch). Resolves `true` when
   * this call stored it (first use), `false` when it was already there (a replay). With
   * `maxEntriesPerGrant`, the entry is charged to `context.grant` (on one server one Lua
   * script: check, quota, store), and a grant holding its share is refused with
   * `StoreQuotaError`.
   */
  async checkAndStore(jti: string, expiresAt: number, context?: ReplayContext): Promise<boolean> {
    assertId(jti, 'jti');
    assertExpiresAt(expiresAt);
    const grant = context === undefined ? undefined : context.grant;
    if (grant !== undefined) assertId(grant, 'context.grant');
    if (this.#perGrant !== undefined && grant !== undefined) {
      return (await this.#checkAndStoreAll([{ jti, expiresAt }], grant)) === undefined;
    }
    const key = keyFor(this.#connection.prefix, 'jti', jti);
    const ttl = ttlMs(expiresAt, this.#connection.graceSeconds, Date.now());
    const reply = await this.#connection.write(
      'checkAndStore',
      ttl === undefined ? ['set', key, '1', 'NX'] : ['set', key, '1', 'PX', ttl, 'NX'],
      // A replay (nil) wrote nothing: it is a replay whatever the replicas say.
      (written) => written === 'OK',
    );
    if (reply === 'OK') return true;
    if (reply === null) return false;
    throw new StoreUnavailableError('redis checkAndStore: unexpected reply', 'error');
  }

  /**
   * Records every one of `entries` when none is held and resolves `undefined`; when one is
   * held, records none and resolves its index. With `maxEntriesPerGrant` they are charged to
   * `context.grant` together, and refused together (`StoreQuotaError`) when they do not fit.
   */
  async checkAndStoreAll(
    entries: readonly ReplayEntry[],
    context?: ReplayContext,
  ): Promise<number | undefined> {
    assertReplayEntries(entries);
    const grant = context === undefined ? undefined : context.grant;
    if (grant !== undefined) assertId(grant, 'context.grant');
    return this.#checkAndStoreAll(entries, grant);
  }

  async #checkAndStoreAll(
    entries: readonly ReplayEntry[],
    grant: string | undefined,
  ): Promise<number | undefined> {
    if (entries.length === 0) return undefined;
    const { prefix, graceSeconds } = this.#connection;
    const charged = this.#perGrant !== undefined && grant !== undefined;
    const nowMs = Date.now();
    const keys = entries.map(({ jti }) => keyFor(prefix, 'jti', jti));
    const ttls = entries.map(({ expiresAt }) => {
      const ttl = ttlMs(expiresAt, graceSeconds, nowMs);
      if (ttl !== undefined) return ttl;
      // A charged entry always has a TTL (the ledger needs its expiry): at most the longest.
      return charged ? Number.MAX_SAFE_INTEGER - nowMs : 0;
    });
    const ledger = charged ? [ledgerKeyFor(prefix, grant)] : [];
    const quota = charged ? (this.#perGrant ?? 0) : 0;
    if (this.#connection.cluster) return this.#claimEach(keys, ttls, ledger, quota, nowMs);
    const reply = await this.#connection.write(
      'checkAndStoreAll',
      [
        'eval',
        CHECK_AND_STORE_ALL,
        keys.length + ledger.length,
        ...keys,
        ...ledger,
        quota,
        nowMs,
        ...ttls,
      ],
      // Only stored entries must reach the replicas; a replay or a refusal wrote nothing.
      (written) => written === 0,
    );
    return this.#answer(reply, keys.length, quota);
  }

  /** The cluster's all-or-none: claim each entry, charge the ledger, undo on a refusal. */
  async #claimEach(
    keys: readonly string[],
    ttls: readonly number[],
    ledger: readonly string[],
    quota: number,
    nowMs: number,
  ): Promise<number | undefined> {
    const token = randomUUID();
    const claimed: string[] = [];
    const order = keys.map((_, index) => index).sort((a, b) => compare(keys[a], keys[b]));
    try {
      for (const index of order) {
        const key = keys[index] ?? '';
        const ttl = ttls[index] ?? 0;
        const reply = await this.#connection.write(
          'checkAndStoreAll',
          ttl > 0 ? ['set', key, token, 'PX', ttl, 'NX'] : ['set', key, token, 'NX'],
          (written) => written === 'OK',
        );
        if (reply === null) {
          await this.#release(claimed, token);
          return index;
        }
        if (reply !== 'OK') {
          throw new StoreUnavailableError('redis checkAndStoreAll: unexpected reply', 'error');
        }
        claimed.push(key);
      }
      const [ledgerKey] = ledger;
      if (ledgerKey !== undefined) {
        const reply = await this.#connection.write(
          'checkAndStoreAll',
          ['eval', CHARGE_LEDGER, 1, ledgerKey, quota, nowMs, ...ttls, ...keys],
          (written) => written === 0,
        );
        if (reply !== 0) {
          await this.#release(claimed, token);
          return this.#answer(reply, keys.length, quota);
        }
      }
      return undefined;
    } catch (error) {
      await this.#release(claimed, token);
      throw error;
    }
  }

  /**
   * Undoes this call's claims. A release that fails leaves the entries recorded: those ids
   * are then used up (a later call with them is denied), never accepted twice.
   */
  async #release(claimed: readonly string[], token: string): Promise<void> {
    await Promise.allSettled(
      claimed.map((key) =>
        this.#connection.run('checkAndStoreAll', (client) =>
          client.call('eval', RELEASE, 1, key, token),
        ),
      ),
    );
  }

  /** Maps a script's reply: 0 stored, i > 0 entry i-1 already held, -1 over quota. */
  #answer(reply: unknown, count: number, quota: number): number | undefined {
    if (reply === 0) return undefined;
    if (reply === -1) throw new StoreQuotaError(`one grant holds ${quota} entries in force`);
    if (typeof reply === 'number' && Number.isSafeInteger(reply) && reply >= 1 && reply <= count) {
      return reply - 1;
    }
    throw new StoreUnavailableError('redis checkAndStoreAll: unexpected reply', 'error');
  }

  /** Stops the store; quits the Redis client only if the store created it. Idempotent. */
  close(): Promise<void> {
    return this.#connection.close();
  }
}

const compare = (a: string | undefined, b: string | undefined): number =>
  (a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0;

deepFreeze(RedisReplayStore);
