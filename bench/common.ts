/** What the benchmarks share: the quick-run switch and the median of a run's rounds. */

/** `MANDATE_BENCH_QUICK=1`: a short smoke run (fewer tokens, rounds and seconds). */
export const QUICK = process.env.MANDATE_BENCH_QUICK === '1';

/** The median of `values` (0 for none): what the tables report, these machines being noisy. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The least-squares slope of `y` on `x` (0 when `x` does not vary or there are fewer than 2 points). */
export function leastSquaresSlope(
  points: readonly { readonly x: number; readonly y: number }[],
): number {
  const n = points.length;
  if (n < 2) return 0;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const { x, y } of points) {
    covariance += (x - meanX) * (y - meanY);
    variance += (x - meanX) ** 2;
  }
  return variance === 0 ? 0 : covariance / variance;
}
