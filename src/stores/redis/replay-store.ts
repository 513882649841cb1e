import { StoreQuotaError, StoreUnavailableError } from '../errors.js';
import type { ReplayContext, ReplayStore } from '../types.js';
import { assertExpiresAt, assertId } from '../validate.js';
import { RedisConnection } from './connection.js';
import type { RedisStoreOptions } from './connection.js';
import { grantKeys, keyFor, ttlMs } from './keys.js';
import { deepFreeze } from '../../core/freeze.js';

/** Options of `RedisReplayStore`. */
export type RedisReplayStoreOptions = RedisStoreOptions & {
  /**
   * Most proof ids still in force one grant (a mandate's root, an access token: see
   * `ReplayContext`) may hold in this Redis, across the whole fleet. Past it that grant's new
   * proofs are refused (`StoreQuotaError`, reason `quota`) and every other grant's are not.
   * Default: no quota (Redis memory is provisioned by its operator, and the key layout of
   * charged entries differs: see `grantKeys`). Set it when one holder must not be able to
   * fill Redis, or push out other keys under an eviction policy.
   */
  readonly maxEntriesPerGrant?: number;
};

// One atomic step: a replay answers 0; else the grant's ledger forgets expired entries and a
// grant holding its share answers -1; else the entry is stored and charged, answering 1.
// Scores are expiry times in ms on the calling verifier's clock, as the TTLs are.
const CHARGED_CHECK_AND_STORE = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
local now = tonumber(ARGV[3])
local ttl = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[2]) then
  return -1
end
redis.call('SET', KEYS[1], '1', 'PX', ttl)
redis.call('ZADD', KEYS[2], now + ttl, KEYS[1])
if redis.call('PTTL', KEYS[2]) < ttl then
  redis.call('PEXPIRE', KEYS[2], ttl)
end
return 1
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
   * `maxEntriesPerGrant`, the entry is charged to `context.grant` (one Lua script: check,
   * quota, store), and a grant holding its share is refused with `StoreQuotaError`.
   */
  async checkAndStore(jti: string, expiresAt: number, context?: ReplayContext): Promise<boolean> {
    assertId(jti, 'jti');
    assertExpiresAt(expiresAt);
    const grant = context === undefined ? undefined : context.grant;
    if (grant !== undefined) assertId(grant, 'context.grant');
    const { prefix, graceSeconds } = this.#connection;
    const perGrant = this.#perGrant;
    if (perGrant !== undefined && grant !== undefined) {
      const { entry, ledger } = grantKeys(prefix, grant, jti);
      const nowMs = Date.now();
      // A charged entry always has a TTL (the ledger needs its expiry): at most the longest.
      const ttl = ttlMs(expiresAt, graceSeconds, nowMs) ?? Number.MAX_SAFE_INTEGER - nowMs;
      const reply = await this.#connection.write(
        'checkAndStore',
        ['eval', CHARGED_CHECK_AND_STORE, 2, entry, ledger, ttl, perGrant, nowMs],
        // Only a stored entry must reach the replicas; a replay or a refusal wrote nothing.
        (written) => written === 1,
      );
      if (reply === 1) return true;
      if (reply === 0) return false;
      if (reply === -1) throw new StoreQuotaError(`one grant holds ${perGrant} entries in force`);
      throw new StoreUnavailableError('redis checkAndStore: unexpected reply', 'error');
    }
    const key = keyFor(prefix, 'jti', jti);
    const ttl = ttlMs(expiresAt, graceSeconds, Date.now());
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

  /** Stops the store; quits the Redis client only if the store created it. Idempotent. */
  close(): Promise<void> {
    return this.#connection.close();
  }
}

deepFreeze(RedisReplayStore);
