import { Cluster, Redis } from 'ioredis';
import type { ClusterOptions, RedisOptions } from 'ioredis';

import { StoreUnavailableError } from '../errors.js';
import { DEFAULT_PREFIX, assertClusterPrefix, assertPrefix } from './keys.js';

/** Default bound, in milliseconds, on every store call. */
export const DEFAULT_TIMEOUT_MS = 1000;

/** Options shared by the Redis stores. */
export interface RedisStoreCommonOptions {
  /** Key prefix (default `'mandate:'`). */
  readonly prefix?: string;
  /**
   * Bound in milliseconds on every call (default 1000): each call resolves or rejects with
   * `StoreUnavailableError` within about this long, whatever state Redis is in.
   */
  readonly timeoutMs?: number;
  /**
   * Seconds an entry outlives the `expiresAt` it was given, to cover clock differences
   * between verifiers and their clock tolerance (defaults: 300 for revocations, 60 for proofs).
   */
  readonly graceSeconds?: number;
  /**
   * Called with each connection error of a client the store created (never thrown; the
   * store keeps reconnecting). Defaults to ignoring them: calls report the outage.
   */
  readonly onError?: (error: Error) => void;
  /**
   * Replicas that must acknowledge each write before it counts (default 0). With `n > 0`
   * every write (`revoke`, a first `checkAndStore`) is followed by Redis `WAIT n` on the same
   * connection, and a write that fewer replicas acknowledged within half of `timeoutMs` is a
   * `StoreUnavailableError` (the caller denies). Redis replicates asynchronously: without it
   * a primary that fails over just after acknowledging a write loses it (a revocation
   * forgotten, a proof id accepted twice). `WAIT` holds the connection until the replicas
   * answer, so it costs throughput; see docs/guides/stores.md.
   */
  readonly replicas?: number;
}

/** Build a store with its own connection, from a `redis://` or `rediss://` URL. */
export interface RedisStoreUrlOptions extends RedisStoreCommonOptions {
  readonly url: string;
  readonly client?: never;
}

/**
 * Build a store on an existing ioredis client, one server (`Redis`) or a Redis Cluster
 * (`Cluster`), which `close()` then leaves open. Create it with `createRedisClient` so that it
 * fails fast (no offline queue, command timeouts); any client works, but on one with an
 * offline queue a call that timed out may still be sent later.
 */
export interface RedisStoreClientOptions extends RedisStoreCommonOptions {
  readonly client: Redis | Cluster;
  readonly url?: never;
}

/** A Redis Cluster seed node: `{ host, port }` or a `redis://host:port` URL. */
export type RedisClusterSeed = { readonly host: string; readonly port: number } | string;

/** Options of `RedisRevocationStore` and `RedisReplayStore`. */
export type RedisStoreOptions = RedisStoreUrlOptions | RedisStoreClientOptions;

/** Options of `createRedisClient`. */
export interface CreateRedisClientOptions {
  /** Bound in milliseconds on commands and connection attempts (default 1000). */
  readonly timeoutMs?: number;
  /** Called with each connection error (default: ignored). */
  readonly onError?: (error: Error) => void;
}

/** The ioredis Cluster options `failClosedClusterOptions` sets; spread them into your own. */
export type FailClosedClusterOptions = {
  readonly [
    K in
      | 'enableOfflineQueue'
      | 'scaleReads'
      | 'maxRedirections'
      | 'retryDelayOnFailover'
      | 'retryDelayOnClusterDown'
      | 'retryDelayOnTryAgain'
      | 'slotsRefreshTimeout'
      | 'slotsRefreshInterval'
      | 'clusterRetryStrategy'
  ]-?: NonNullable<ClusterOptions[K]>;
} & {
  /** Options of the connection to each node. */
  readonly redisOptions: Pick<
    RedisOptions,
    | 'commandTimeout'
    | 'connectTimeout'
    | 'socketTimeout'
    | 'maxRetriesPerRequest'
    | 'autoResendUnfulfilledCommands'
  >;
};

const noop = (): void => undefined;

function assertTimeout(timeoutMs: unknown): asserts timeoutMs is number {
  if (
    typeof timeoutMs !== 'number' ||
    !Number.isSafeInteger(timeoutMs) ||
    timeoutMs < 1 ||
    timeoutMs > 60_000
  ) {
    throw new RangeError('timeoutMs must be an integer from 1 to 60000');
  }
}

/** The ioredis options `failClosedRedisOptions` sets; spread them into your own. */
export type FailClosedRedisOptions = Pick<
  RedisOptions,
  | 'commandTimeout'
  | 'connectTimeout'
  | 'socketTimeout'
  | 'enableOfflineQueue'
  | 'maxRetriesPerRequest'
  | 'autoResendUnfulfilledCommands'
  | 'retryStrategy'
>;

/**
 * The ioredis options that make a client fail closed in bounded time and heal by itself.
 * Exposed so a caller building its own client (TLS, ACL user, Sentinel) can start from them.
 */
export function failClosedRedisOptions(timeoutMs = DEFAULT_TIMEOUT_MS): FailClosedRedisOptions {
  assertTimeout(timeoutMs);
  return {
    // Each command rejects on its own after the bound, even on a connection that hangs.
    commandTimeout: timeoutMs,
    connectTimeout: timeoutMs,
    // A connection with commands in flight and no reply for twice the bound is dead (a
    // hung or partitioned server): drop it so the client reconnects instead of piling up.
    socketTimeout: timeoutMs * 2,
    // While disconnected a command fails at once rather than waiting in a queue, and no
    // command that already failed is sent later (a late replay-store write, say).
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // Reconnect forever, quickly: recovery must not wait for an operator. Backoff doubles
    // from 50 ms and is capped at 1 s so a restarted server is found within about a second.
    retryStrategy: backoff,
  };
}

const backoff = (times: number): number => Math.min(50 * 2 ** Math.min(times, 5), 1000);

/**
 * The ioredis Cluster options that make a cluster client fail closed in bounded time and
 * follow slot moves and failovers by itself. Reads go to primaries only: a replica may lag,
 * and a revocation must be seen at the very next check. Exposed so a caller building its own
 * `Cluster` (TLS, ACL user, NAT map) can start from them.
 */
export function failClosedClusterOptions(timeoutMs = DEFAULT_TIMEOUT_MS): FailClosedClusterOptions {
  const { commandTimeout, connectTimeout, socketTimeout } = failClosedRedisOptions(timeoutMs);
  // Redirections (MOVED/ASK), a node that just died and CLUSTERDOWN are retried by ioredis
  // while the slots table is refreshed, so a moved slot or a failover heals by itself; each
  // retry waits this long, and the store's own deadline stops the caller's wait at the bound.
  const retryDelay = Math.max(10, Math.min(50, Math.floor(timeoutMs / 20)));
  return {
    enableOfflineQueue: false,
    scaleReads: 'master',
    maxRedirections: 8,
    retryDelayOnFailover: retryDelay,
    retryDelayOnClusterDown: retryDelay,
    retryDelayOnTryAgain: retryDelay,
    slotsRefreshTimeout: timeoutMs,
    // Also refresh the slots table on a timer, so a failover is learnt even without traffic.
    slotsRefreshInterval: 1000,
    clusterRetryStrategy: backoff,
    redisOptions: {
      commandTimeout,
      connectTimeout,
      socketTimeout,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
    },
  };
}

/**
 * Creates an ioredis client set up to fail closed in bounded time, with an `'error'` listener
 * attached so connection errors never surface as unhandled: from a `redis://` URL, a client of
 * one server (`failClosedRedisOptions`); from a list of seed nodes, a Redis Cluster client
 * (`failClosedClusterOptions`; one reachable seed is enough, the rest of the cluster is
 * discovered). Share one between a `RedisRevocationStore` and a `RedisReplayStore` with
 * `{ client }`; the caller then quits it.
 */
export function createRedisClient(url: string, options?: CreateRedisClientOptions): Redis;
export function createRedisClient(
  seeds: readonly RedisClusterSeed[],
  options?: CreateRedisClientOptions,
): Cluster;
export function createRedisClient(
  target: string | readonly RedisClusterSeed[],
  options: CreateRedisClientOptions = {},
): Redis | Cluster {
  const onError = options.onError;
  if (onError !== undefined && typeof onError !== 'function') {
    throw new TypeError('onError must be a function');
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let client: Redis | Cluster;
  if (typeof target === 'string') {
    assertUrl(target);
    client = new Redis(target, failClosedRedisOptions(timeoutMs));
  } else {
    client = new Cluster(seedsOf(target), failClosedClusterOptions(timeoutMs));
  }
  client.on('error', (error: Error) => {
    try {
      onError?.(error);
    } catch {
      // A throwing logger must not turn a Redis outage into a process crash.
    }
  });
  return client;
}

/** Checks and copies a list of cluster seeds (never echoing a URL: it may hold a password). */
function seedsOf(seeds: unknown): ({ host: string; port: number } | string)[] {
  if (!Array.isArray(seeds) || seeds.length === 0 || seeds.length > 1000) {
    throw new TypeError('give a redis:// URL or a non-empty array of cluster seed nodes');
  }
  return seeds.map((seed: unknown) => {
    if (typeof seed === 'string') {
      assertUrl(seed);
      return seed;
    }
    const { host, port } = (seed ?? {}) as { host?: unknown; port?: unknown };
    if (typeof host !== 'string' || host === '' || host.length > 255) {
      throw new TypeError('a cluster seed needs a host');
    }
    if (typeof port !== 'number' || !Number.isSafeInteger(port) || port < 1 || port > 65_535) {
      throw new RangeError('a cluster seed needs a port from 1 to 65535');
    }
    return { host, port };
  });
}

function assertUrl(url: unknown): asserts url is string {
  if (typeof url !== 'string' || !/^rediss?:\/\//i.test(url) || url.length > 4096) {
    // The URL may hold a password: never echo it.
    throw new TypeError('url must be a redis:// or rediss:// URL');
  }
}

/**
 * One store's hold on a Redis client: bounds every call, maps every failure to
 * `StoreUnavailableError`, and owns (quits) the client only if it created it.
 */
export class RedisConnection {
  readonly prefix: string;
  readonly graceSeconds: number;
  /** Whether the client is a Redis Cluster client (keys are then laid out per slot). */
  readonly cluster: boolean;
  /** Replicas that must acknowledge a write (`RedisStoreCommonOptions.replicas`). */
  readonly replicas: number;
  readonly #client: Redis | Cluster;
  readonly #owned: boolean;
  readonly #timeoutMs: number;
  #closed = false;
  #lastError: Error | undefined;
  readonly #onClientError = (error: Error): void => {
    this.#lastError = error;
  };
  #readyWaiter: { promise: Promise<void>; cancel: () => void } | undefined;

  constructor(options: RedisStoreOptions, defaultGraceSeconds: number) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('options must be an object');
    }
    const prefix = options.prefix ?? DEFAULT_PREFIX;
    assertPrefix(prefix);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    assertTimeout(timeoutMs);
    const grace = options.graceSeconds ?? defaultGraceSeconds;
    if (typeof grace !== 'number' || !Number.isFinite(grace) || grace < 0) {
      throw new RangeError('graceSeconds must be a non-negative number');
    }
    const replicas = options.replicas ?? 0;
    if (!Number.isSafeInteger(replicas) || replicas < 0 || replicas > 16) {
      throw new RangeError('replicas must be an integer from 0 to 16');
    }
    this.prefix = prefix;
    this.graceSeconds = grace;
    this.replicas = replicas;
    this.#timeoutMs = timeoutMs;

    const hasUrl = options.url !== undefined;
    const hasClient = options.client !== undefined;
    if (hasUrl === hasClient) throw new TypeError('give exactly one of url or client');
    if (options.client !== undefined) {
      if (!(options.client instanceof Redis) && !(options.client instanceof Cluster)) {
        throw new TypeError('client must be an ioredis Redis or Cluster');
      }
      this.#client = options.client;
      this.#owned = false;
    } else {
      const onError = options.onError;
      this.#client = createRedisClient(options.url, {
        timeoutMs,
        ...(onError === undefined ? {} : { onError }),
      });
      this.#owned = true;
    }
    this.cluster = this.#client instanceof Cluster;
    if (this.cluster) assertClusterPrefix(prefix);
    // Remember the last connection error so a failed call can say why. Only on a client the
    // store created: on a borrowed one, error handling (and ioredis's default printing when
    // nobody listens) stays the owner's business.
    if (this.#owned) this.#client.on('error', this.#onClientError);
  }

  /**
   * Runs one Redis round trip within the bound. Resolves with its reply or rejects with
   * `StoreUnavailableError`; never hangs, never leaves a rejection unhandled.
   */
  async run<T>(what: string, send: (client: Redis | Cluster) => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreUnavailableError('redis store is closed', 'closed');
    let timer: NodeJS.Timeout | undefined;
    let late = false;
    const attempt = async (): Promise<T> => {
      let reconnected = false;
      for (;;) {
        await this.#whenReady(reconnected);
        // Do not send a command after its caller has been told the store is unavailable.
        if (late) throw new StoreUnavailableError(`redis ${what} timed out`, 'timeout');
        try {
          return await send(this.#client);
        } catch (error) {
          // The status said ready but the socket had just died: the command was never
          // written, so waiting for the reconnection and sending it once more is safe.
          if (reconnected || !isNotWritable(error)) throw error;
          reconnected = true;
        }
      }
    };
    const work = attempt();
    // The race below drops `work` when the deadline wins; its later rejection is expected.
    work.catch(noop);
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        late = true;
        reject(
          new StoreUnavailableError(
            `redis ${what} did not answer within ${this.#timeoutMs} ms`,
            'timeout',
            { cause: this.#client.status === 'ready' ? undefined : this.#lastError },
          ),
        );
      }, this.#timeoutMs);
    });
    try {
      return await Promise.race([work, deadline]);
    } catch (error) {
      throw this.#unavailable(what, error);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Runs one write command (`command` and its arguments, keys first as Redis expects) within
   * the bound, followed by `WAIT replicas` on the same node when the store asks for replicas.
   * `counts(reply)` says whether the reply is a write that must be replicated (a `SET NX` that
   * found the key wrote nothing, and a replay answer needs no replica).
   */
  async write(
    what: string,
    command: readonly [string, ...(string | number)[]],
    counts: (reply: unknown) => boolean = () => true,
  ): Promise<unknown> {
    const [name, ...args] = command;
    if (this.replicas === 0) return this.run(what, (client) => client.call(name, ...args));
    const waitMs = Math.max(1, Math.floor(this.#timeoutMs / 2));
    const replicas = this.replicas;
    const results = await this.run(what, (client) =>
      client
        .pipeline()
        .call(name, ...args)
        .wait(replicas, waitMs)
        .exec(),
    );
    const [written, waited] = results ?? [];
    if (written === undefined || waited === undefined) {
      throw new StoreUnavailableError(`redis ${what}: unexpected reply`, 'error');
    }
    if (written[0] !== null) throw this.#unavailable(what, written[0]);
    const reply = written[1];
    if (!counts(reply)) return reply;
    if (waited[0] !== null) throw this.#unavailable(what, waited[0]);
    const acknowledged = waited[1];
    if (typeof acknowledged !== 'number' || acknowledged < replicas) {
      throw new StoreUnavailableError(
        `redis ${what}: acknowledged by ${String(acknowledged)} of ${replicas} replicas within ${waitMs} ms`,
        'unreplicated',
      );
    }
    return reply;
  }

  /** Closes the store; quits the client only if the store created it. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.off('error', this.#onClientError);
    // Waiting calls fail now rather than at their deadline; the listeners go with them.
    this.#readyWaiter?.cancel();
    if (!this.#owned) return;
    const client = this.#client;
    let timer: NodeJS.Timeout | undefined;
    try {
      // QUIT lets in-flight replies arrive; bounded like everything else.
      await Promise.race([
        client.quit(),
        new Promise((resolve) => {
          timer = setTimeout(resolve, this.#timeoutMs);
        }),
      ]);
    } catch {
      // Not connected: nothing to flush.
    } finally {
      clearTimeout(timer);
      if (client.status !== 'end') client.disconnect();
    }
  }

  /**
   * Resolves once the client can send. A call waits (within its bound) for a connection
   * attempt in progress, but fails at once when the last attempt failed and the client is
   * between retries: during an outage denials come fast instead of each taking the full bound.
   * `fresh` waits for the next `'ready'` even if the status still says ready (a socket that
   * just died). All waiting calls share one set of listeners.
   */
  #whenReady(fresh: boolean): Promise<void> {
    const client = this.#client;
    const status = client.status;
    if (status === 'ready' && !fresh) return Promise.resolve();
    if (status === 'end') {
      return Promise.reject(
        new StoreUnavailableError('redis client connection has ended', 'closed'),
      );
    }
    if (status === 'reconnecting' || status === 'close') return Promise.reject(this.#down());
    if (status === 'wait') client.connect().catch(noop);
    if (this.#readyWaiter === undefined) {
      let settle: (error?: Error) => void = noop;
      const promise = new Promise<void>((resolve, reject) => {
        settle = (error) => {
          client.off('ready', onReady);
          client.off('reconnecting', onDown);
          client.off('end', onDown);
          this.#readyWaiter = undefined;
          if (error === undefined) resolve();
          else reject(error);
        };
      });
      const onReady = (): void => settle();
      const onDown = (): void => settle(this.#down());
      client.once('ready', onReady);
      client.once('reconnecting', onDown);
      client.once('end', onDown);
      // Every caller chains on it, but a rejection must never be reported as unhandled.
      promise.catch(noop);
      this.#readyWaiter = { promise, cancel: () => settle(this.#down()) };
    }
    return this.#readyWaiter.promise;
  }

  #down(): StoreUnavailableError {
    return new StoreUnavailableError('redis unreachable (reconnecting)', 'unreachable', {
      cause: this.#lastError,
    });
  }

  #unavailable(what: string, error: unknown): StoreUnavailableError {
    if (error instanceof StoreUnavailableError) return error;
    if (error instanceof Error && error.name === 'ReplyError') {
      return new StoreUnavailableError(
        `redis ${what} failed: Redis answered with an error`,
        'error',
        {
          cause: error,
        },
      );
    }
    // ioredis's `commandTimeout` rejects with this plain message.
    if (error instanceof Error && error.message === 'Command timed out') {
      return new StoreUnavailableError(`redis ${what} timed out`, 'timeout', { cause: error });
    }
    return new StoreUnavailableError(`redis ${what} failed: Redis unreachable`, 'unreachable', {
      cause: error,
    });
  }
}

/** ioredis's rejection of a command it did not write (no connection, no offline queue). */
function isNotWritable(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("Stream isn't writeable");
}
