/**
 * The campaign's random source: a small, fast, seeded generator (mulberry32). Case `i` of a run
 * with seed `s` draws from its own stream, derived from `(s, i)` alone, so any case replays by
 * itself and a run split across workers decides exactly as one process would.
 *
 * @module
 */

/** Draws for one mutation case. */
export interface FuzzRandom {
  /** A uniform integer in `[0, n)` (0 when `n <= 0`). */
  int(n: number): number;
  /** A uniform element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** `true` with probability `p` (default one half). */
  chance(p?: number): boolean;
}

function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The random stream of case `index` in the run seeded with `seed`. */
export function caseRandom(seed: number, index: number): FuzzRandom {
  let state = mix(mix(seed >>> 0, Math.floor(seed / 0x1_0000_0000)), index);
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
  return {
    int: (n) => (n <= 0 ? 0 : Math.floor(next() * n)),
    pick<T>(items: readonly T[]): T {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new RangeError('pick from an empty list');
      return item;
    },
    chance: (p = 0.5) => next() < p,
  };
}
