/**
 * How a stage's cost grows with its input: the exponent `k` of `time ≈ c·n^k`, fitted over
 * measurements at several sizes, and the verdict the adversarial bench fails on.
 *
 * Pure functions of the timings (no clock here), so a unit test can prove the failure path on
 * synthetic linear and quadratic timings (test/unit/bench/growth.test.ts).
 */

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
  const xs: number[] = [];
  const ys: number[] = [];
  for (const { size, micros } of points) {
    if (!(size > 0) || !(micros > 0)) continue;
    xs.push(Math.log(size));
    ys.push(Math.log(micros));
  }
  if (xs.length < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = (xs[i] ?? 0) - mx;
    sxy += dx * ((ys[i] ?? 0) - my);
    sxx += dx * dx;
  }
  return sxx === 0 ? 0 : sxy / sxx;
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
