/**
 * `ReplayStore.checkAndStoreAll`'s contract at its edges, for the memory store and the Redis
 * store (no redis-server needed: misuse is refused before any I/O, and a Redis that is not
 * there is an outage): malformed entries are misuse (TypeError/RangeError), an empty list
 * records nothing, and a batch that does not fit records none of its entries.
 */
import { describe, expect, it } from 'vitest';
import { MemoryReplayStore } from '../../../src/stores/memory.js';
import { StoreFullError, StoreUnavailableError } from '../../../src/stores/errors.js';
import { MAX_IDS_PER_CALL } from '../../../src/stores/validate.js';
import { RedisReplayStore } from '../../../src/stores/redis/index.js';
import type { ReplayStore } from '../../../src/stores/types.js';
import { freePort } from '../../integration/redis/redis-server.js';

const later = Date.now() / 1000 + 60;
const entry = (jti: string) => ({ jti, expiresAt: later });

describe.each([
  ['MemoryReplayStore', () => Promise.resolve(new MemoryReplayStore())],
  [
    'RedisReplayStore (nothing listening)',
    async () => new RedisReplayStore({ url: `redis://127.0.0.1:${await freePort()}` }),
  ],
] as const)('%s: checkAndStoreAll refuses misuse before any work', (_, make) => {
  it.each([
    ['not an array', 'x', TypeError],
    ['an entry that is not an object', [null], TypeError],
    ['an empty id', [entry('')], TypeError],
    ['a repeated id', [entry('a'), entry('a')], TypeError],
    ['an expiry that is not a number', [{ jti: 'a', expiresAt: '1' }], RangeError],
    [
      'too many entries',
      Array.from({ length: MAX_IDS_PER_CALL + 1 }, (_, i) => entry(`${i}`)),
      RangeError,
    ],
  ])('%s', async (__, entries, error) => {
    const store: ReplayStore & { close?: () => Promise<void> } = await make();
    await expect(store.checkAndStoreAll(entries as never)).rejects.toBeInstanceOf(error);
    await expect(store.checkAndStoreAll([entry('a')], { grant: '' })).rejects.toBeInstanceOf(
      TypeError,
    );
    await expect(store.checkAndStoreAll([])).resolves.toBeUndefined();
    await store.close?.();
  });
});

describe('MemoryReplayStore.checkAndStoreAll: all or none', () => {
  it('a batch that does not fit records none of its entries (StoreFullError)', async () => {
    const store = new MemoryReplayStore({ maxEntries: 3 });
    await expect(store.checkAndStoreAll([entry('a'), entry('b')])).resolves.toBeUndefined();
    await expect(store.checkAndStoreAll([entry('c'), entry('d')])).rejects.toBeInstanceOf(
      StoreFullError,
    );
    expect(store.size).toBe(2);
    await expect(store.checkAndStoreAll([entry('c')])).resolves.toBeUndefined();
  });

  it('a batch with one held id names it and records none of the others', async () => {
    const store = new MemoryReplayStore();
    await expect(store.checkAndStore('b', later)).resolves.toBe(true);
    await expect(store.checkAndStoreAll([entry('a'), entry('b'), entry('c')])).resolves.toBe(1);
    await expect(store.checkAndStoreAll([entry('a'), entry('c')])).resolves.toBeUndefined();
  });
});

describe('RedisReplayStore.checkAndStoreAll with nothing listening', () => {
  it('rejects with StoreUnavailableError (the verifier then fails closed)', async () => {
    const store = new RedisReplayStore({
      url: `redis://127.0.0.1:${await freePort()}`,
      timeoutMs: 300,
    });
    await expect(store.checkAndStoreAll([entry('a'), entry('b')])).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    await store.close();
  });
});
