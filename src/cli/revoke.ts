/**
 * `mandate revoke BLOCK-ID`: publishes one revocation to the store a fleet of verifiers reads:
 * a Redis server (`--redis URL`), a Redis Cluster (`--redis-cluster SEEDS`), or the issuer's
 * signed revocation list (`--list-state FILE --issuer-id ID`, the state file its
 * `RevocationListPublisher` serves from). Each store is imported only here, so no other
 * command loads ioredis. A URL is never printed (it may hold a password).
 */
import type { RevocationStore } from '../stores/types.js';

/** The options `revoke` reads. */
export interface RevokeValues {
  readonly redis?: string;
  readonly 'redis-cluster'?: string;
  readonly 'list-state'?: string;
  readonly 'issuer-id'?: string;
  readonly prefix?: string;
  readonly 'expires-at'?: string;
}

/** A store to publish to, and how to let go of it. */
interface Target {
  readonly store: RevocationStore;
  readonly close: () => Promise<void>;
  readonly kept: string;
}

/** Runs `mandate revoke`; resolves with the exit code, throws a message on misuse or failure. */
export async function runRevoke(
  positionals: readonly string[],
  values: RevokeValues,
): Promise<number> {
  const [id, ...extra] = positionals;
  if (id === undefined || extra.length > 0) {
    throw new Error('revoke takes exactly one block id (`mandate inspect TOKEN` shows them)');
  }
  let expiresAt: number | undefined;
  const expires = values['expires-at'];
  if (expires !== undefined) {
    expiresAt = Number(expires);
    if (!/^[0-9]{1,12}$/.test(expires) || !Number.isSafeInteger(expiresAt)) {
      throw new Error('--expires-at takes whole seconds since the epoch');
    }
  }
  const target = await targetOf(values, expiresAt);
  try {
    await target.store.revoke(id, expiresAt);
  } catch (error) {
    // Say plainly that nothing was revoked: an operator must not walk away believing it was.
    const why = error instanceof Error ? error.message : 'the store failed';
    throw new Error(`${id} was NOT revoked: ${why}`, { cause: error });
  } finally {
    await target.close();
  }
  process.stdout.write(
    `revoked ${id} ${
      expiresAt === undefined
        ? 'for good'
        : `until ${new Date(expiresAt * 1000).toISOString()} plus ${target.kept}`
    }\n`,
  );
  return 0;
}

async function targetOf(values: RevokeValues, expiresAt: number | undefined): Promise<Target> {
  const url =
    values.redis ??
    (values['redis-cluster'] === undefined && values['list-state'] === undefined
      ? process.env.MANDATE_REDIS_URL
      : undefined);
  const given = [url, values['redis-cluster'], values['list-state']].filter(
    (value) => value !== undefined && value !== '',
  );
  if (given.length !== 1) {
    throw new Error(
      given.length === 0
        ? 'revoke needs --redis URL (or MANDATE_REDIS_URL), --redis-cluster SEEDS or --list-state FILE'
        : 'revoke takes one of --redis, --redis-cluster, --list-state',
    );
  }
  const prefix = values.prefix === undefined ? {} : { prefix: values.prefix };
  if (values['list-state'] !== undefined) {
    const issuerId = values['issuer-id'];
    if (issuerId === undefined || issuerId === '') {
      throw new Error('revoke --list-state needs --issuer-id (the anchor whose list it is)');
    }
    if (expiresAt === undefined) {
      throw new Error("revoke --list-state needs --expires-at (the block's expiry)");
    }
    const file = values['list-state'];
    const { revokeInStateFile } = await import('../stores/revocation-list/state.js');
    return {
      store: {
        revoke: async (id, at) => {
          await revokeInStateFile(file, issuerId, id, at ?? expiresAt);
        },
        isRevoked: () => Promise.reject(new Error('not used')),
      },
      close: () => Promise.resolve(),
      kept: "the publisher's grace, on the next list it serves",
    };
  }
  const { RedisRevocationStore, createRedisClient } = await import('../stores/redis/index.js');
  if (url !== undefined) {
    const store = new RedisRevocationStore({ url, ...prefix });
    return { store, close: () => store.close(), kept: "the store's grace" };
  }
  const seeds = (values['redis-cluster'] ?? '').split(',').map((seed) => seed.trim());
  const client = createRedisClient(
    seeds.map((seed) => (/^rediss?:\/\//i.test(seed) ? seed : `redis://${seed}`)),
  );
  const store = new RedisRevocationStore({ client, ...prefix });
  return {
    store,
    close: async () => {
      await store.close();
      client.disconnect();
    },
    kept: "the store's grace",
  };
}
