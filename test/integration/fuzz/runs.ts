/**
 * The size of the differential seam fuzz: `MANDATE_NUM_RUNS` runs per property (default
 * {@link NUM_RUNS}, 200; `npm run fuzz:seams` sets 2,000), and `MANDATE_SEED` to replay the
 * seed fast-check printed for a failure.
 */
import { NUM_RUNS } from '../../../src/testing/config.js';

/** fast-check parameters of a seam property, scaled by `share` (a cheaper or costlier law). */
export function seamRuns(share = 1): { numRuns: number; seed?: number } {
  const numRuns = Math.max(1, Math.round(NUM_RUNS * share));
  const seed = process.env['MANDATE_SEED'];
  return seed === undefined ? { numRuns } : { numRuns, seed: Number(seed) };
}

/** The test timeout for a property of `share` runs: 30 s, or more for a larger run. */
export function seamTimeout(share = 1, perRunMs = 100): number {
  return Math.max(30_000, seamRuns(share).numRuns * perRunMs + 10_000);
}

/** Counts of what the runs of a property did, printed after it so a vacuous run shows itself. */
export class Tally {
  readonly #counts = new Map<string, number>();

  add(key: string): void {
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  get(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  toString(): string {
    return [...this.#counts]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, n]) => `${key}: ${n}`)
      .join(', ');
  }
}
