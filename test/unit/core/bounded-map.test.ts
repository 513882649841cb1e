/**
 * `BoundedMap`, the one cache of Mandate: whatever the sequence of writes, it holds what a plain
 * first-in-first-out model holds (the cap, the oldest insertion evicted first, a rewrite keeping
 * the key's place), including long after its eviction iterator has run through many tables.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../../src/core/bounded-map.js';
import { NUM_RUNS } from '../../../src/testing/config.js';

/** The reference: an array of [key, value] in insertion order, the oldest dropped past `max`. */
function model(max: number, writes: readonly (readonly [number, number])[]): Map<number, number> {
  const entries: [number, number][] = [];
  for (const [key, value] of writes) {
    if (max === 0) continue;
    const at = entries.findIndex(([k]) => k === key);
    if (at !== -1) {
      entries[at] = [key, value];
      continue;
    }
    if (entries.length >= max) entries.shift();
    entries.push([key, value]);
  }
  return new Map(entries);
}

describe('BoundedMap', () => {
  it('holds exactly what a first-in-first-out model holds, after every write', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 8 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer()), { maxLength: 300 }),
        (max, writes) => {
          const cache = new BoundedMap<number, number>(max);
          for (let i = 0; i < writes.length; i++) {
            const [key, value] = writes[i]!;
            cache.set(key, value);
            const expected = model(max, writes.slice(0, i + 1));
            expect(cache.size).toBe(expected.size);
            for (let k = 0; k <= 20; k++) expect(cache.get(k)).toBe(expected.get(k));
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('keeps evicting the oldest through a long stream of new keys (the table compacts meanwhile)', () => {
    const cache = new BoundedMap<string, number>(1024);
    for (let i = 0; i < 50_000; i++) cache.set(`key-${i}`, i);
    expect(cache.size).toBe(1024);
    expect(cache.get('key-48975')).toBeUndefined();
    expect(cache.get('key-48976')).toBe(48_976);
    expect(cache.get('key-49999')).toBe(49_999);
  });

  it('refuses a bound that is not a non-negative integer, and caches nothing at 0', () => {
    expect(() => new BoundedMap(-1)).toThrow(RangeError);
    expect(() => new BoundedMap(1.5)).toThrow(RangeError);
    const none = new BoundedMap<string, number>(0);
    none.set('a', 1);
    expect(none.get('a')).toBeUndefined();
    expect(none.size).toBe(0);
  });
});
