/**
 * `RecurringCache`: a value is kept only for a key met before, a lookup matches the whole key,
 * and whatever the sequence of offers, it never holds more than its cap.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecurringCache } from '../../../src/core/recurring-cache.js';
import { NUM_RUNS } from '../../../src/testing/config.js';

describe('RecurringCache', () => {
  it('keeps a value from its key’s second offer on', () => {
    const cache = new RecurringCache<number>(8);
    cache.offer('signature-segment-a', 1);
    expect(cache.get('signature-segment-a')).toBeUndefined();
    cache.offer('signature-segment-a', 2);
    expect(cache.get('signature-segment-a')).toBe(2);
    expect(cache.size).toBe(1);
  });

  it('answers only for the whole key, whatever the fingerprints share', () => {
    const cache = new RecurringCache<string>(8);
    // Same first 12 characters: the second key is kept at its first offer (one use early)...
    cache.offer('abcdefghijkl-one', 'one');
    cache.offer('abcdefghijkl-two', 'two');
    expect(cache.get('abcdefghijkl-two')).toBe('two');
    // ...but no lookup returns another key's value.
    expect(cache.get('abcdefghijkl-one')).toBeUndefined();
    expect(cache.get('abcdefghijkl')).toBeUndefined();
  });

  it('reads fingerprints from the end when asked (keys that share a start)', () => {
    const cache = new RecurringCache<number>(8, 'end');
    cache.offer('eyJhbGciOiJFZDI1NTE5IiwidHlwIjoi-one', 1);
    cache.offer('eyJhbGciOiJFZDI1NTE5IiwidHlwIjoi-two', 2);
    expect(cache.get('eyJhbGciOiJFZDI1NTE5IiwidHlwIjoi-two')).toBeUndefined();
    cache.offer('eyJhbGciOiJFZDI1NTE5IiwidHlwIjoi-two', 3);
    expect(cache.get('eyJhbGciOiJFZDI1NTE5IiwidHlwIjoi-two')).toBe(3);
  });

  it('tells whether a key was met before, and `set` keeps a value outright', () => {
    const cache = new RecurringCache<number>(8);
    expect(cache.metBefore('key-of-forty-three-characters-0000000000000')).toBe(false);
    expect(cache.metBefore('key-of-forty-three-characters-0000000000000')).toBe(true);
    cache.set('anchor', 7);
    expect(cache.get('anchor')).toBe(7);
  });

  it('with a cap of 0 remembers nothing', () => {
    const cache = new RecurringCache<number>(0);
    for (let i = 0; i < 3; i++) cache.offer('k', i);
    expect(cache.metBefore('k')).toBe(false);
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('holds at most its cap, and only values offered for keys met before', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 80 }),
        (max, offers) => {
          const cache = new RecurringCache<number>(max);
          const offered = new Map<string, number>();
          for (const [at, n] of offers.entries()) {
            const key = `key-${n}`;
            cache.offer(key, at);
            offered.set(key, (offered.get(key) ?? 0) + 1);
            expect(cache.size).toBeLessThanOrEqual(max);
          }
          for (const [key, times] of offered) {
            if (times === 1) expect(cache.get(key)).toBeUndefined();
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});
