import { describe, expect, it } from 'vitest';

import { StoreFullError, StoreUnavailableError } from '../../../src/stores/errors.js';
import { MemoryReplayStore, MemoryRevocationStore } from '../../../src/stores/memory.js';
import { MAX_ID_LENGTH } from '../../../src/stores/validate.js';

/** A settable clock in seconds, injected into the stores. */
function fakeClock(start = 1_700_000_000): { now: () => number; advance: (s: number) => void } {
  let t = start;
  return { now: () => t, advance: (s) => (t += s) };
}

describe('MemoryReplayStore', () => {
  it('answers true the first time and false on a replay', async () => {
    const clock = fakeClock();
    const store = new MemoryReplayStore({ now: clock.now });
    await expect(store.checkAndStore('p1', clock.now() + 60)).resolves.toBe(true);
    await expect(store.checkAndStore('p1', clock.now() + 60)).resolves.toBe(false);
    await expect(store.checkAndStore('p2', clock.now() + 60)).resolves.toBe(true);
  });

  it('forgets a proof id once its window has closed, not before', async () => {
    const clock = fakeClock();
    const store = new MemoryReplayStore({ now: clock.now });
    await store.checkAndStore('p', clock.now() + 60);
    clock.advance(59);
    await expect(store.checkAndStore('p', clock.now() + 60)).resolves.toBe(false);
    clock.advance(1);
    await expect(store.checkAndStore('p', clock.now() + 60)).resolves.toBe(true);
  });

  it('stays within its cap under 1,000,000 distinct proofs whose windows expire', async () => {
    const clock = fakeClock();
    const maxEntries = 100_000;
    const store = new MemoryReplayStore({ maxEntries, now: clock.now });
    const window = 60;
    let peak = 0;
    // 1,000 proofs per (fake) second with a 60 s window: about 60,000 in force at any time.
    for (let i = 0; i < 1_000_000; i++) {
      if (i % 1000 === 0) clock.advance(1);
      const first = await store.checkAndStore(`proof-${i}`, clock.now() + window);
      if (!first) throw new Error(`proof-${i} wrongly reported as a replay`);
      if (store.size > peak) peak = store.size;
    }
    expect(peak).toBeLessThanOrEqual(maxEntries);
    // Proofs still inside their window are remembered.
    await expect(store.checkAndStore('proof-999999', clock.now() + window)).resolves.toBe(false);
    await expect(store.checkAndStore('proof-940001', clock.now() + window)).resolves.toBe(false);
  }, 60_000);

  it('refuses with StoreFullError, never evicting, when full of fresh proofs', async () => {
    const clock = fakeClock();
    const store = new MemoryReplayStore({ maxEntries: 1000, now: clock.now });
    for (let i = 0; i < 1000; i++) {
      await expect(store.checkAndStore(`p${i}`, clock.now() + 60)).resolves.toBe(true);
    }
    const refused = store.checkAndStore('one-too-many', clock.now() + 60);
    await expect(refused).rejects.toBeInstanceOf(StoreFullError);
    await expect(refused).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(refused).rejects.toMatchObject({ reason: 'full' });
    expect(store.size).toBe(1000);
    // Every proof in force is still a replay: nothing was evicted to make room.
    for (let i = 0; i < 1000; i++) {
      await expect(store.checkAndStore(`p${i}`, clock.now() + 60)).resolves.toBe(false);
    }
    // A refused proof was not recorded, so it is not a "replay" later either.
    clock.advance(61);
    await expect(store.checkAndStore('one-too-many', clock.now() + 60)).resolves.toBe(true);
  });

  it('makes room from expired entries even when they are not at the front', async () => {
    const clock = fakeClock();
    const store = new MemoryReplayStore({ maxEntries: 3, now: clock.now });
    await store.checkAndStore('long', clock.now() + 1000);
    await store.checkAndStore('short-1', clock.now() + 10);
    await store.checkAndStore('short-2', clock.now() + 10);
    clock.advance(11);
    await expect(store.checkAndStore('new', clock.now() + 10)).resolves.toBe(true);
    await expect(store.checkAndStore('long', clock.now() + 1000)).resolves.toBe(false);
    expect(store.size).toBeLessThanOrEqual(3);
  });

  it('does not keep a proof id whose window already closed', async () => {
    const clock = fakeClock();
    const store = new MemoryReplayStore({ maxEntries: 1, now: clock.now });
    await expect(store.checkAndStore('old', clock.now() - 1)).resolves.toBe(true);
    expect(store.size).toBe(0);
  });
});

describe('MemoryRevocationStore', () => {
  it('revokes, answers, and finds the first revoked id of a chain', async () => {
    const store = new MemoryRevocationStore();
    await expect(store.isRevoked('b1')).resolves.toBe(false);
    await store.revoke('b1');
    await expect(store.isRevoked('b1')).resolves.toBe(true);
    await expect(store.firstRevoked(['b0', 'b1', 'b2'])).resolves.toBe('b1');
    await expect(store.firstRevoked(['b0', 'b2'])).resolves.toBeUndefined();
    await expect(store.firstRevoked([])).resolves.toBeUndefined();
  });

  it('keeps a revocation past the block expiry by the grace (clock tolerance), then forgets it', async () => {
    const clock = fakeClock();
    const store = new MemoryRevocationStore({ now: clock.now, graceSeconds: 300 });
    await store.revoke('b', clock.now() + 100);
    clock.advance(100 + 299);
    await expect(store.isRevoked('b')).resolves.toBe(true);
    clock.advance(1);
    await expect(store.isRevoked('b')).resolves.toBe(false);
  });

  it('never shortens a revocation when the same block is revoked again', async () => {
    const clock = fakeClock();
    const store = new MemoryRevocationStore({ now: clock.now, graceSeconds: 0 });
    await store.revoke('forever');
    await store.revoke('forever', clock.now() + 10);
    await store.revoke('late', clock.now() + 1000);
    await store.revoke('late', clock.now() + 10);
    clock.advance(500);
    await expect(store.isRevoked('forever')).resolves.toBe(true);
    await expect(store.isRevoked('late')).resolves.toBe(true);
  });

  it('refuses with StoreFullError when full of revocations in force, keeping every one', async () => {
    const store = new MemoryRevocationStore({ maxEntries: 100 });
    for (let i = 0; i < 100; i++) await store.revoke(`b${i}`);
    await expect(store.revoke('b100')).rejects.toBeInstanceOf(StoreFullError);
    for (let i = 0; i < 100; i++) await expect(store.isRevoked(`b${i}`)).resolves.toBe(true);
    // Revoking an id already held needs no room.
    await expect(store.revoke('b5')).resolves.toBeUndefined();
  });

  it('stays within its cap under 1,000,000 revocations of expiring blocks', async () => {
    const clock = fakeClock();
    const maxEntries = 50_000;
    const store = new MemoryRevocationStore({ maxEntries, now: clock.now, graceSeconds: 0 });
    let peak = 0;
    for (let i = 0; i < 1_000_000; i++) {
      if (i % 1000 === 0) clock.advance(1);
      await store.revoke(`block-${i}`, clock.now() + 30);
      if (store.size > peak) peak = store.size;
    }
    expect(peak).toBeLessThanOrEqual(maxEntries);
    await expect(store.isRevoked('block-999999')).resolves.toBe(true);
  }, 60_000);
});

describe('memory stores: hostile and malformed ids', () => {
  const bad: [string, unknown, typeof TypeError | typeof RangeError][] = [
    ['empty', '', TypeError],
    ['not a string', 42, TypeError],
    ['an object', { toString: () => 'x' }, TypeError],
    ['too long', 'a'.repeat(MAX_ID_LENGTH + 1), RangeError],
    ['a lone high surrogate', 'id\uD800', TypeError],
    ['a lone low surrogate', '\uDC00id', TypeError],
  ];

  it.each(bad)('rejects an id that is %s', async (_label, id, errorClass) => {
    const replay = new MemoryReplayStore();
    const revocation = new MemoryRevocationStore();
    const now = Date.now() / 1000;
    await expect(replay.checkAndStore(id as string, now + 60)).rejects.toBeInstanceOf(errorClass);
    await expect(revocation.revoke(id as string)).rejects.toBeInstanceOf(errorClass);
    await expect(revocation.isRevoked(id as string)).rejects.toBeInstanceOf(errorClass);
    await expect(revocation.firstRevoked(['ok', id as string])).rejects.toBeInstanceOf(errorClass);
  });

  it('rejects a malformed expiry', async () => {
    const replay = new MemoryReplayStore();
    const revocation = new MemoryRevocationStore();
    for (const expiresAt of [Number.NaN, Number.POSITIVE_INFINITY, '60' as unknown as number]) {
      await expect(replay.checkAndStore('p', expiresAt)).rejects.toBeInstanceOf(RangeError);
      await expect(revocation.revoke('b', expiresAt)).rejects.toBeInstanceOf(RangeError);
    }
  });

  it('treats prototype names and look-alikes as plain, distinct ids', async () => {
    const store = new MemoryRevocationStore();
    await store.revoke('__proto__');
    await store.revoke('e\u0301'); // decomposed é
    await expect(store.isRevoked('__proto__')).resolves.toBe(true);
    await expect(store.isRevoked('constructor')).resolves.toBe(false);
    await expect(store.isRevoked('\u00e9')).resolves.toBe(false); // composed é is another id
    await expect(store.isRevoked('a'.repeat(MAX_ID_LENGTH))).resolves.toBe(false);
    await expect(store.isRevoked('😀')).resolves.toBe(false); // a well-formed pair is fine
  });

  it('rejects bad options as misuse', () => {
    expect(() => new MemoryReplayStore({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => new MemoryReplayStore({ maxEntries: 1.5 })).toThrow(RangeError);
    expect(() => new MemoryRevocationStore({ graceSeconds: -1 })).toThrow(RangeError);
  });
});
