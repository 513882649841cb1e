/**
 * The Redis stores' fail-closed behaviour without a redis-server: nothing listening, and a
 * "black hole" that accepts connections and never answers (a hung Redis). Always runs.
 */
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { StoreUnavailableError } from '../../../../src/stores/errors.js';
import {
  RedisReplayStore,
  RedisRevocationStore,
  createRedisClient,
  failClosedClusterOptions,
  failClosedRedisOptions,
} from '../../../../src/stores/redis/index.js';
import { freePort } from '../../../integration/redis/redis-server.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

const toClose: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(toClose.splice(0).map((store) => store.close()));
  expect(unhandled).toEqual([]);
});

async function timed<T>(promise: Promise<T>): Promise<{ ms: number; error: unknown }> {
  const start = performance.now();
  try {
    await promise;
    return { ms: performance.now() - start, error: undefined };
  } catch (error) {
    return { ms: performance.now() - start, error };
  }
}

const soon = (): number => Date.now() / 1000 + 60;

describe('Redis stores when nothing is listening', () => {
  it('reject every call with StoreUnavailableError, fast, and never crash', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const replay = new RedisReplayStore({ url, timeoutMs: 1000 });
    const revocation = new RedisRevocationStore({ url, timeoutMs: 1000 });
    toClose.push(replay, revocation);
    // Issued at once, while the first connection attempt is still in progress.
    const results = await Promise.all([
      timed(replay.checkAndStore('p', soon())),
      timed(revocation.isRevoked('b')),
      timed(revocation.firstRevoked(['a', 'b'])),
      timed(revocation.revoke('b')),
    ]);
    for (const { ms, error } of results) {
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(ms).toBeLessThan(1500);
    }
    // Later calls, once the client is between reconnection attempts, fail at once.
    await new Promise((r) => setTimeout(r, 200));
    const { ms, error } = await timed(replay.checkAndStore('p', soon()));
    expect(error).toMatchObject({ name: 'StoreUnavailableError', reason: 'unreachable' });
    expect(ms).toBeLessThan(100);
  });

  it('report the connection error as the cause, without the URL password', async () => {
    const url = `redis://user:s3cret-pass@127.0.0.1:${await freePort()}`;
    const store = new RedisReplayStore({ url });
    toClose.push(store);
    await new Promise((r) => setTimeout(r, 200));
    const { error } = await timed(store.checkAndStore('p', soon()));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(String((error as Error).message)).not.toContain('s3cret');
    expect(String((error as Error).cause)).not.toContain('s3cret');
  });
});

describe('Redis stores against a hung server (accepts, never answers)', () => {
  let server: Server;
  let port: number;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      // Swallow everything: the handshake and every command go unanswered.
      socket.resume();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    port = address.port;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reject each call within the bound, for every call in flight', async () => {
    const timeoutMs = 500;
    const url = `redis://127.0.0.1:${port}`;
    const replay = new RedisReplayStore({ url, timeoutMs });
    const revocation = new RedisRevocationStore({ url, timeoutMs });
    toClose.push(replay, revocation);
    const results = await Promise.all([
      ...Array.from({ length: 50 }, (_, i) => timed(replay.checkAndStore(`p${i}`, soon()))),
      ...Array.from({ length: 50 }, (_, i) => timed(revocation.isRevoked(`b${i}`))),
    ]);
    for (const { ms, error } of results) {
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(ms).toBeLessThan(timeoutMs + 250);
    }
  });

  it('bound a call even on a borrowed client with an offline queue and no timeouts', async () => {
    const client = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true });
    client.on('error', () => undefined);
    const store = new RedisReplayStore({ client, timeoutMs: 300 });
    toClose.push(store);
    const { ms, error } = await timed(store.checkAndStore('p', soon()));
    expect(error).toMatchObject({ name: 'StoreUnavailableError', reason: 'timeout' });
    expect(ms).toBeLessThan(550);
    await store.close();
    // The store does not quit a client it did not create.
    expect(client.status).not.toBe('end');
    client.disconnect();
  });
});

describe('Redis store lifecycle and misuse', () => {
  it('rejects calls after close, and close is idempotent', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const store = new RedisRevocationStore({ url });
    await store.close();
    await store.close();
    await expect(store.isRevoked('b')).rejects.toMatchObject({
      name: 'StoreUnavailableError',
      reason: 'closed',
    });
  });

  it('throws TypeError/RangeError on bad construction', () => {
    expect(() => new RedisReplayStore({} as never)).toThrow(TypeError);
    expect(() => new RedisReplayStore({ url: 'redis://x', client: {} } as never)).toThrow(
      TypeError,
    );
    expect(() => new RedisReplayStore({ url: 'http://127.0.0.1:6379' })).toThrow(TypeError);
    expect(() => new RedisReplayStore({ client: {} as Redis })).toThrow(TypeError);
    expect(() => new RedisReplayStore({ url: 'redis://x', prefix: 'a b' })).toThrow(TypeError);
    expect(() => new RedisReplayStore({ url: 'redis://x', timeoutMs: 0 })).toThrow(RangeError);
    expect(() => new RedisReplayStore({ url: 'redis://x', timeoutMs: 1.5 })).toThrow(RangeError);
    expect(() => new RedisReplayStore({ url: 'redis://x', graceSeconds: -1 })).toThrow(RangeError);
  });

  it('never echoes the URL (which may hold a password) in a construction error', () => {
    expect(() => new RedisReplayStore({ url: 'http://u:pw-123@h' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('pw-123') }),
    );
  });

  it('rejects hostile ids as misuse before any round trip', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const replay = new RedisReplayStore({ url });
    const revocation = new RedisRevocationStore({ url });
    toClose.push(replay, revocation);
    await expect(replay.checkAndStore('', soon())).rejects.toBeInstanceOf(TypeError);
    await expect(replay.checkAndStore('x'.repeat(1025), soon())).rejects.toBeInstanceOf(RangeError);
    await expect(replay.checkAndStore('p', Number.NaN)).rejects.toBeInstanceOf(RangeError);
    await expect(revocation.revoke('\uD800')).rejects.toBeInstanceOf(TypeError);
    await expect(revocation.isRevoked(7 as unknown as string)).rejects.toBeInstanceOf(TypeError);
    await expect(
      revocation.firstRevoked(Array.from({ length: 1025 }, (_, i) => `b${i}`)),
    ).rejects.toBeInstanceOf(RangeError);
  });

  it('exposes the fail-closed client options', () => {
    expect(failClosedRedisOptions(750)).toMatchObject({
      commandTimeout: 750,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
    });
    expect(() => failClosedRedisOptions(-1)).toThrow(RangeError);
    const client = createRedisClient('redis://127.0.0.1:1', { timeoutMs: 200 });
    expect(client.options.enableOfflineQueue).toBe(false);
    client.disconnect();
  });
});

describe('Redis Cluster clients', () => {
  it('a cluster whose seeds do not answer: every call rejects within the bound, never hangs', async () => {
    const seeds = [
      { host: '127.0.0.1', port: await freePort() },
      `redis://127.0.0.1:${await freePort()}`,
    ];
    const client = createRedisClient(seeds, { timeoutMs: 400 });
    const replay = new RedisReplayStore({ client, timeoutMs: 400 });
    const revocation = new RedisRevocationStore({ client, timeoutMs: 400, replicas: 1 });
    toClose.push(replay, revocation);
    try {
      const results = await Promise.all([
        timed(replay.checkAndStore('p', soon())),
        timed(revocation.firstRevoked(['a', 'b', 'c'])),
        timed(revocation.revoke('b', soon())),
      ]);
      for (const { ms, error } of results) {
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect(ms).toBeLessThan(1000);
      }
    } finally {
      client.disconnect();
    }
  });

  it('exposes the fail-closed cluster options and checks seeds and replicas', () => {
    expect(failClosedClusterOptions(600)).toMatchObject({
      enableOfflineQueue: false,
      scaleReads: 'master',
      slotsRefreshTimeout: 600,
      redisOptions: { commandTimeout: 600, maxRetriesPerRequest: 0 },
    });
    expect(() => createRedisClient([])).toThrow(TypeError);
    expect(() => createRedisClient([{ host: '', port: 1 }])).toThrow(TypeError);
    expect(() => createRedisClient([{ host: 'h', port: 70_000 }])).toThrow(RangeError);
    expect(() => createRedisClient(['http://u:pw-9@h:1'])).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('pw-9') }),
    );
    const cluster = createRedisClient([{ host: '127.0.0.1', port: 1 }]);
    try {
      expect(() => new RedisRevocationStore({ client: cluster, prefix: 'a{b}:' })).toThrow(
        /must not contain \{ or \}/,
      );
    } finally {
      cluster.disconnect();
    }
    expect(() => new RedisReplayStore({ url: 'redis://x', replicas: -1 })).toThrow(RangeError);
    expect(() => new RedisReplayStore({ url: 'redis://x', replicas: 1.5 })).toThrow(RangeError);
  });
});
