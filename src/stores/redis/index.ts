/**
 * `mandate/stores/redis`: revocation and replay stores shared by a fleet of verifiers, on one
 * Redis server or a Redis Cluster.
 * The only module that loads `ioredis` (an optional peer dependency: install it to use this
 * entry point); the main entry point never imports it. The stores' errors
 * (`StoreUnavailableError`) are exported by the main entry point.
 */
export { RedisRevocationStore } from './revocation-store.js';
export { RedisReplayStore, type RedisReplayStoreOptions } from './replay-store.js';
export {
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
