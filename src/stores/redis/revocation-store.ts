import { StoreUnavailableError } from '../errors.js';
import type { RevocationStore } from '../types.js';
import { assertExpiresAt, assertId, assertIds } from '../validate.js';
import { RedisConnection } from './connection.js';
import type { RedisStoreOptions } from './connection.js';
import { revocationKeyFor, ttlMs } from './keys.js';
import { deepFreeze } from '../../core/freeze.js';

/** Default seconds a revocation outlives the block's expiry (covers verifiers' clock tolerance). */
const DEFAULT_REVOCATION_GRACE_SECONDS = 300;

// Sets the key, never shortening a revocation already held: a second `revoke` of the same
// block with an earlier (or no) expiry must not let it expire sooner. One atomic round trip.
// ARGV[1] is the TTL in milliseconds, or -1 for "keep for good".
const REVOKE_SCRIPT = `
local ttl = tonumber(ARGV[1])
if ttl < 0 then
  redis.call('SET', KEYS[1], '1')
  return 1
end
local held = redis.call('PTTL', KEYS[1])
if held == -1 then
  return 1
end
if held < ttl then
  redis.call('SET', KEYS[1], '1', 'PX', ttl)
end
return 1
`;

/**
 * Revoked block ids in Redis, shared by a fleet of verifiers: a revocation written by one is
 * seen by every other at its next check, since no "not revoked" answer is ever cached.
 *
 * A revocation is kept until the revoked block's expiry plus `graceSeconds` (default 300),
 * or for good when no expiry is given. Keys are `prefix + 'rev:' + base64url(SHA-256(id))` on
 * one server, and `prefix + '{' + prefix + 'rev}:' + base64url(SHA-256(id))` on a Redis
 * Cluster (one hash tag: one slot, so a chain's lookup is one `MGET` on one node; see
 * `revocationKeyFor`).
 * Every call resolves or rejects with `StoreUnavailableError` within about `timeoutMs`
 * (default 1000), whether Redis is up, down or hung; the client reconnects by itself.
 *
 * Not handled here: Redis persistence and replication (a revocation acknowledged by a
 * primary that then fails over before replicating is lost; run Redis with the durability
 * your revocations need, or set `replicas`).
 */
export class RedisRevocationStore implements RevocationStore {
  readonly #connection: RedisConnection;

  constructor(options: RedisStoreOptions) {
    this.#connection = new RedisConnection(options, DEFAULT_REVOCATION_GRACE_SECONDS);
  }

  /**
   * Revokes block `id` until `expiresAt` (seconds since the epoch) plus the grace; without
   * `expiresAt`, for good. Never shortens an existing revocation.
   */
  async revoke(id: string, expiresAt?: number): Promise<void> {
    assertId(id);
    if (expiresAt !== undefined) assertExpiresAt(expiresAt);
    const { graceSeconds } = this.#connection;
    const ttl = expiresAt === undefined ? undefined : ttlMs(expiresAt, graceSeconds, Date.now());
    const key = this.#keyOf(id);
    const reply = await this.#connection.write('revoke', [
      'eval',
      REVOKE_SCRIPT,
      1,
      key,
      String(ttl ?? -1),
    ]);
    if (reply !== 1) throw new StoreUnavailableError('redis revoke: unexpected reply', 'error');
  }

  /** Whether block `id` is revoked: one `EXISTS`, answered by Redis every time. */
  async isRevoked(id: string): Promise<boolean> {
    assertId(id);
    const key = this.#keyOf(id);
    const reply = await this.#connection.run('isRevoked', (client) => client.exists(key));
    if (reply === 1) return true;
    if (reply === 0) return false;
    throw new StoreUnavailableError('redis isRevoked: unexpected reply', 'error');
  }

  /**
   * The first of `ids` that is revoked, or `undefined`: one `MGET` for the whole chain (on a
   * cluster too: every revocation key of the prefix is in one slot). A block id names one
   * block whichever anchor issued its root, so the verifier's `RevocationContext` is not used.
   */
  async firstRevoked(ids: readonly string[]): Promise<string | undefined> {
    assertIds(ids);
    if (ids.length === 0) return undefined;
    const keys = ids.map((id) => this.#keyOf(id));
    const reply = await this.#connection.run('firstRevoked', (client) => client.mget(keys));
    if (!Array.isArray(reply) || reply.length !== ids.length) {
      throw new StoreUnavailableError('redis firstRevoked: unexpected reply', 'error');
    }
    const index = reply.findIndex((value) => value !== null);
    return index === -1 ? undefined : ids[index];
  }

  #keyOf(id: string): string {
    return revocationKeyFor(this.#connection.prefix, id, this.#connection.cluster);
  }

  /** Stops the store; quits the Redis client only if the store created it. Idempotent. */
  close(): Promise<void> {
    return this.#connection.close();
  }
}

deepFreeze(RedisRevocationStore);
