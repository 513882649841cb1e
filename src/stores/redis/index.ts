/**
 * `mandate/stores/redis`: revocation and replay stores shared by a fleet of verifiers, on one
 * Redis server or a Redis Cluster.
 * The only module that loads `ioredis`; the main entry point never imports it.
 */
export { RedisRevocationStore } from './revocation-store.js';
export { RedisReplayStore, type RedisReplayStoreOptions } from './replay-store.js';
export {
  DEFAULT_TIMEOUT_MS,
  createRedisClient,
  failClosedClusterOptions,
  failClosedRedisOptions,
} from './connection.js';
export type {
  CreateRedisClientOptions,
  FailClosedClusterOptions,
  FailClosedRedisOptions,
  RedisClusterSeed,
  RedisStoreClientOptions,
  RedisStoreCommonOptions,
  RedisStoreOptions,
  RedisStoreUrlOptions,
} from './connection.js';
export { DEFAULT_PREFIX } from './keys.js';
export { StoreQuotaError, StoreUnavailableError } from '../errors.js';
export type { StoreUnavailableReason } from '../errors.js';
