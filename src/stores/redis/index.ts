/**
 * `mandate/stores/redis`: revocation and replay stores shared by a fleet of verifiers.
 * The only module that loads `ioredis`; the main entry point never imports it.
 */
export { RedisRevocationStore } from './revocation-store.js';
export { RedisReplayStore, type RedisReplayStoreOptions } from './replay-store.js';
export { DEFAULT_TIMEOUT_MS, createRedisClient, failClosedRedisOptions } from './connection.js';
export type {
  CreateRedisClientOptions,
  FailClosedRedisOptions,
  RedisStoreClientOptions,
  RedisStoreCommonOptions,
  RedisStoreOptions,
  RedisStoreUrlOptions,
} from './connection.js';
export { DEFAULT_PREFIX } from './keys.js';
export { StoreQuotaError, StoreUnavailableError } from '../errors.js';
export type { StoreUnavailableReason } from '../errors.js';
