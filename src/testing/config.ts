/** Runs per property; `MANDATE_NUM_RUNS=2000` (npm run test:deep) for a deeper search. */
export const NUM_RUNS = Number(process.env['MANDATE_NUM_RUNS'] ?? 200);

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
