/**
 * `RecurringCache`: a key is known once met before (its fingerprint noted the first time), a
 * lookup matches the whole key, and whatever the sequence of keys, it never holds more than its cap.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecurringCache } from '../../../src/core/recurring-cache.js';
import { NUM_RUNS } from '../../../src/testing/config.js';

/** What the callers do: keep a value only for a key met before. */
function offer<V>(cache: RecurringCache<V>, key: string, value: V): void {
  if (cache.metBefore(key)) cache.set(key, value);
}

describe('RecurringCache', () => {
  it('keeps a value from its key’s second sighting on', () => {
    const cache = new RecurringCache<number>(8);
    offer(cache, 'signature-segment-a', 1);
    expect(cache.get('signature-segment-a')).toBeUndefined();
    offer(cache, 'signature-segment-a', 2);
    expect(cache.get('signature-segment-a')).toBe(2);
    expect(cache.size).toBe(1);
  });

  it('answers only for the whole key, whatever the fingerprints share', () => {
    const cache = new RecurringCache<string>(8);
    // Same first 12 characters: the second key counts as met (kept one use early)...
    offer(cache, 'abcdefghijkl-one', 'one');
    offer(cache, 'abcdefghijkl-two', 'two');
    expect(cache.get('abcdefghijkl-two')).toBe('two');
    // ...but no lookup returns another key's value.
    expect(cache.get('abcdefghijkl-one')).toBeUndefined();
    expect(cache.get('abcdefghijkl')).toBeUndefined();
  });

  it('reads fingerprints from the end when asked (keys that share a start)', () => {
    const cache = new RecurringCache<number>(8, 'end');
    offer(cache, 'eyJhbGciOiJFZDI1NTE5IiwidHlwIjoi-one', 1);
    offer(cache, 'eyJhbGciOiJFZDI1NTE5IiwidHlwIjoi-two', 2);
    expect(cache.get('eyJhbGciOiJFZDI1NTE5IiwidHlwIjoi-two')).toBeUndefined();
    offer(cache, 'eyJhbGciOiJFZDI1NTE5IiwidHlwIjoi-two', 3);
    expect(cache.get('eyJhbGciOiJFZDI1NTE5IiwidHlwIjoi-two')).toBe(3);
  });

  it('`set` keeps a value outright', () => {
    const cache = new RecurringCache<number>(8);
    cache.set('anchor', 7);
    expect(cache.get('anchor')).toBe(7);
  });

  it('with a cap of 0 remembers nothing', () => {
    const cache = new RecurringCache<number>(0);
    for (let i = 0; i < 3; i++) offer(cache, 'k', i);
    expect(cache.metBefore('k')).toBe(false);
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('holds at most its cap, and no value for a key met once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 80 }),
        (max, keys) => {
          const cache = new RecurringCache<number>(max);
          const met = new Map<string, number>();
          for (const [at, n] of keys.entries()) {
            const key = `key-${n}`;
            offer(cache, key, at);
            met.set(key, (met.get(key) ?? 0) + 1);
            expect(cache.size).toBeLessThanOrEqual(max);
          }
          for (const [key, times] of met) {
            if (times === 1) expect(cache.get(key)).toBeUndefined();
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});
