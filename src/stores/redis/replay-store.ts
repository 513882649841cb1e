import { StoreUnavailableError } from '../errors.js';
import type { ReplayStore } from '../types.js';
import { assertExpiresAt, assertId } from '../validate.js';
import { RedisConnection } from './connection.js';
import type { RedisStoreOptions } from './connection.js';
import { keyFor, ttlMs } from './keys.js';

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

  constructor(options: RedisStoreOptions) {
    this.#connection = new RedisConnection(options, DEFAULT_REPLAY_GRACE_SECONDS);
  }

  /**
   * Records proof id `jti` until `expiresAt` (seconds since the epoch). Resolves `true` when
   * this call stored it (first use), `false` when it was already there (a replay).
   */
  async checkAndStore(jti: string, expiresAt: number): Promise<boolean> {
    assertId(jti, 'jti');
    assertExpiresAt(expiresAt);
    const { prefix, graceSeconds } = this.#connection;
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
