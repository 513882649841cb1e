/**
 * How a stage's cost grows with its input: the exponent `k` of `time ≈ c·n^k`, fitted over
 * measurements at several sizes, and the verdict the adversarial bench fails on.
 *
 * Pure functions of the timings (no clock here), so a unit test can prove the failure path on
 * synthetic linear and quadratic timings (test/unit/bench/growth.test.ts).
 */
import { leastSquaresSlope } from './common.js';

/** One measurement: the input's size and the median time of one decision, in microseconds. */
export interface GrowthPoint {
  readonly size: number;
  readonly micros: number;
}

/**
 * Above this exponent a stage grows faster than linearly. Linear work plus a fixed part fits
 * below 1 (the fixed part flattens the curve); n·log n over an 8× range fits about 1.1–1.2;
 * quadratic work fits near 2. 1.3 leaves room for the noise of a shared machine.
 */
export const MAX_EXPONENT = 1.3;

/** Sweeps measured at most before a stage is judged super-linear (the first one included). */
export const MAX_SWEEPS = 3;

/**
 * The least-squares slope of ln(time) on ln(size): the growth exponent. Points with a
 * non-positive size or time are skipped (they have no logarithm); fewer than two distinct
 * sizes give 0 (no growth can be seen).
 */
export function growthExponent(points: readonly GrowthPoint[]): number {
  const logs = points
    .filter(({ size, micros }) => size > 0 && micros > 0)
    .map(({ size, micros }) => ({ x: Math.log(size), y: Math.log(micros) }));
  return leastSquaresSlope(logs);
}

/** The verdict on one stage family. */
export interface GrowthVerdict {
  /** The smallest exponent over the sweeps measured (the one reported). */
  readonly exponent: number;
  /** Every sweep's exponent, in order. */
  readonly exponents: readonly number[];
  /** True when every sweep measured fitted above {@link MAX_EXPONENT}. */
  readonly superLinear: boolean;
}

/**
 * Judges a family from its sweeps: super-linear only when every sweep fits above
 * `maxExponent`. A stray slow point on a shared machine bends one sweep, rarely every one; a
 * genuinely super-linear stage bends them all. The caller measures another sweep while
 * {@link needsAnotherSweep} says so.
 */
export function judgeGrowth(
  sweeps: readonly (readonly GrowthPoint[])[],
  maxExponent = MAX_EXPONENT,
): GrowthVerdict {
  const exponents = sweeps.map(growthExponent);
  if (exponents.length === 0) return { exponent: 0, exponents, superLinear: false };
  const exponent = Math.min(...exponents);
  return { exponent, exponents, superLinear: exponent > maxExponent };
}

/**
 * Whether to measure another sweep before judging: the sweeps so far all fit above
 * `maxExponent` and fewer than `maxSweeps` were measured.
 */
export function needsAnotherSweep(
  sweeps: readonly (readonly GrowthPoint[])[],
  maxSweeps = MAX_SWEEPS,
  maxExponent = MAX_EXPONENT,
): boolean {
  return sweeps.length < maxSweeps && judgeGrowth(sweeps, maxExponent).superLinear;
}
