/**
 * The fast-check run count and seed, from the environment. A malformed value throws at once:
 * `MANDATE_NUM_RUNS=abc` read as `Number('abc')` would be NaN, fast-check would run zero cases,
 * and every property would pass without testing anything.
 */

/** A positive integer from an environment variable, or `fallback` when it is unset or empty. */
function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new TypeError(`${name} must be a positive integer, not ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/**
 * fast-check runs per property: `MANDATE_NUM_RUNS` (e.g. 2000 for `npm run test:deep`), else
 * 200. Throws a TypeError naming the variable when it is not a positive integer.
 */
export function numRunsFrom(value: string | undefined): number {
  return positiveInteger('MANDATE_NUM_RUNS', value, 200);
}

/**
 * A fast-check seed from `MANDATE_SEED` (a 32-bit signed integer, as fast-check prints it in a
 * failure), or undefined when unset. Throws a TypeError naming the variable when malformed.
 */
export function seedFrom(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seed = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || seed < -(2 ** 31) || seed >= 2 ** 31) {
    throw new TypeError(`MANDATE_SEED must be a 32-bit integer, not ${JSON.stringify(value)}`);
  }
  return seed;
}

/** Runs per property; `MANDATE_NUM_RUNS=2000` (npm run test:deep) for a deeper search. */
export const NUM_RUNS = numRunsFrom(process.env['MANDATE_NUM_RUNS']);

/** Options every law takes: fast-check runs and an optional seed to replay a failure. */
export interface RunOptions {
  readonly numRuns?: number;
  readonly seed?: number;
}

/** fast-check parameters from a law's options (default {@link NUM_RUNS} runs). */
export function lawParams(o: RunOptions): { numRuns: number; seed?: number } {
  return o.seed === undefined
    ? { numRuns: o.numRuns ?? NUM_RUNS }
    : { numRuns: o.numRuns ?? NUM_RUNS, seed: o.seed };
}
