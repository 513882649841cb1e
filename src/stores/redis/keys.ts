import { createHash } from 'node:crypto';

/** Default key prefix; several deployments can share one Redis by choosing their own. */
export const DEFAULT_PREFIX = 'mandate:';

// Printable ASCII without spaces: a prefix shows up in `redis-cli`, ACL key patterns
// (`~mandate:*`) and logs, where spaces, control characters or glob syntax would surprise.
const PREFIX_PATTERN = /^[\x21-\x7e]{0,128}$/;

/** Checks a key prefix. */
export function assertPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix) || /[*?[\]]/.test(prefix)) {
    throw new TypeError(
      'prefix must be at most 128 printable ASCII characters without spaces or glob characters',
    );
  }
}

/**
 * The Redis key of an id: prefix, kind, then base64url(SHA-256(id)). Hashing makes every key
 * the same short length and alphabet whatever an attacker put in a token (newlines, glob
 * characters, megabytes, another kind's namespace), and the kind tag keeps revocations and
 * proof ids apart even when both stores share a prefix. The caller has already checked that
 * the id is well-formed, so its UTF-8 encoding (and so its key) is unique.
 */
export function keyFor(prefix: string, kind: 'rev' | 'jti' | 'quota', id: string): string {
  return `${prefix}${kind}:${digestOf(id)}`;
}

/**
 * The Redis key of a revoked block id. On one server it is `keyFor(prefix, 'rev', id)`. On a
 * Redis Cluster every revocation key of a prefix carries one hash tag, `{prefix + 'rev'}`, so
 * all of them live in one slot and a chain's lookup stays one `MGET` on one node (measured in
 * `bench/cluster-layout.bench.ts`: about 2.4× the lookups per second of spreading the keys and
 * sending one pipelined `EXISTS` per node). The cost is a hot slot: one primary holds every
 * revocation of the prefix and answers every lookup (docs/guides/stores.md). A cluster
 * store refuses a prefix with `{` or `}` (`assertClusterPrefix`): it would choose the tag.
 */
export function revocationKeyFor(prefix: string, id: string, cluster: boolean): string {
  return cluster ? `${prefix}{${prefix}rev}:${digestOf(id)}` : keyFor(prefix, 'rev', id);
}

function digestOf(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('base64url');
}

/** Checks that a prefix leaves the hash tag of a cluster key to `revocationKeyFor`. */
export function assertClusterPrefix(prefix: string): void {
  if (/[{}]/.test(prefix)) {
    throw new TypeError(
      'on a Redis Cluster the prefix must not contain { or } (they pick the slot)',
    );
  }
}

/** Redis cannot express a TTL beyond this many milliseconds as a safe JS integer. */
const MAX_TTL_MS = Number.MAX_SAFE_INTEGER;

/**
 * Milliseconds to keep an entry that is in force until `expiresAt` (seconds since the epoch),
 * measured on this process's clock, plus `graceSeconds`; `undefined` means keep it for good.
 * A relative TTL (PX) rather than an absolute one (PXAT) keeps the Redis server's clock out of
 * the question; the grace covers clock differences between the verifiers of a fleet. An
 * expiry already past still gets the grace, so the entry is never shorter than that.
 */
export function ttlMs(expiresAt: number, graceSeconds: number, nowMs: number): number | undefined {
  const ms = Math.ceil(Math.max(expiresAt * 1000 - nowMs, 0) + graceSeconds * 1000);
  // Keeping an entry longer than asked is always safe; shorter never is.
  if (!Number.isSafeInteger(ms) || ms > MAX_TTL_MS) return undefined;
  return Math.max(ms, 1);
}

/**
 * The key of a grant's ledger (`RedisReplayStore` with `maxEntriesPerGrant`): a sorted set of
 * the entry keys charged to the grant, scored by expiry, `prefix + 'quota:' +
 * base64url(SHA-256(grant))`. The entries themselves keep their one key per id
 * (`keyFor(prefix, 'jti', id)`), whatever the grant: a proof id seen under one grant is a
 * replay under every other.
 */
export function ledgerKeyFor(prefix: string, grant: string): string {
  return keyFor(prefix, 'quota', grant);
}
