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
