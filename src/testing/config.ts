/** Runs per property; `MANDATE_NUM_RUNS=2000` (npm run test:deep) for a deeper search. */
export const NUM_RUNS = Number(process.env['MANDATE_NUM_RUNS'] ?? 200);
