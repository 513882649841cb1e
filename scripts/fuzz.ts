/**
 * `npm run fuzz`: the mutation campaign over JWS, AAT and Biscuit chains (docs/fuzzing.md).
 *
 * Environment:
 * - `FUZZ_COUNT`: cases to run (default 1,000,000, the documented full run; CI runs 100,000);
 * - `FUZZ_SEED`: the seed (default: random, printed first); the same seed replays the same cases;
 * - `FUZZ_CASE`: run only this case of the seeded run, and print its mutant and decision;
 * - `FUZZ_WORKERS`: worker threads (default: the available cores, at most 4; 1 = in-process);
 * - `FUZZ_CASE_TIMEOUT_MS`: a case slower than this is a hang (default 5000).
 *
 * Prints mutations per second, the mutations per mutator and per outcome, any failure with the
 * command that replays it, and last `N mutations, M accepted`. Exits 1 when a mutant was wrongly
 * accepted, or a case threw, hung or was denied without a rule's code.
 */
import { randomInt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import {
  formatFuzzReport,
  mergeFuzzReports,
  runFuzzCampaign,
  type FuzzReport,
} from '../src/testing/fuzz/campaign.js';

interface Slice {
  readonly count: number;
  readonly seed: number;
  readonly start: number;
  readonly end: number;
  readonly capMs: number;
  /** Heartbeat: [case index, milliseconds since the run began] per worker. */
  readonly beats: SharedArrayBuffer;
  readonly slot: number;
  readonly began: number;
}

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isSafeInteger(value) || value < 0) {
    console.error(`fuzz: ${name} must be a whole number, not ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}

async function runWorker(slice: Slice): Promise<void> {
  const beats = new Int32Array(slice.beats);
  const report = await runFuzzCampaign({
    count: slice.count,
    seed: slice.seed,
    start: slice.start,
    end: slice.end,
    caseTimeoutMs: slice.capMs,
    onCase: (index) => {
      Atomics.store(beats, slice.slot * 2, index);
      Atomics.store(beats, slice.slot * 2 + 1, Date.now() - slice.began);
    },
  });
  parentPort?.postMessage(report);
}

/** Run the slices on worker threads; a worker silent for longer than the cap is a hang. */
async function runWorkers(count: number, seed: number, workers: number, capMs: number) {
  const beats = new SharedArrayBuffer(8 * workers);
  const view = new Int32Array(beats).fill(-1);
  const began = Date.now();
  const reports: FuzzReport[] = [];
  const hung: string[] = [];
  await Promise.all(
    Array.from({ length: workers }, (_, slot) => {
      const start = Math.floor((count * slot) / workers);
      const end = Math.floor((count * (slot + 1)) / workers);
      const data: Slice = { count, seed, start, end, capMs, beats, slot, began };
      const worker = new Worker(new URL(import.meta.url), { workerData: data });
      return new Promise<void>((resolve) => {
        const watchdog = setInterval(() => {
          const index = Atomics.load(view, slot * 2);
          const at = Atomics.load(view, slot * 2 + 1);
          // Setup (keys, the corpus) comes before the first heartbeat: allowed two minutes.
          const silentMs = Date.now() - began - (index < 0 ? 0 : at);
          if (silentMs > (index < 0 ? 120_000 : capMs + 5000)) {
            hung.push(`worker ${slot} stuck in case ${index} for ${silentMs} ms`);
            console.error(
              `FAIL hang case ${index}: replay: FUZZ_SEED=${seed} FUZZ_CASE=${index} npm run fuzz`,
            );
            void worker.terminate();
          }
        }, 1000);
        worker.on('message', (report: FuzzReport) => reports.push(report));
        worker.on('error', (error) => {
          hung.push(`worker ${slot} failed: ${error.message}`);
        });
        worker.on('exit', () => {
          clearInterval(watchdog);
          resolve();
        });
      });
    }),
  );
  return { report: mergeFuzzReports(reports), problems: hung };
}

async function main(): Promise<void> {
  const count = envInt('FUZZ_COUNT', 1_000_000);
  const seed = envInt('FUZZ_SEED', randomInt(2 ** 31));
  const capMs = envInt('FUZZ_CASE_TIMEOUT_MS', 5000);
  const replay = process.env['FUZZ_CASE'];
  console.log(`fuzz: seed ${seed} (replay with FUZZ_SEED=${seed})`);
  if (replay !== undefined && replay !== '') {
    const index = envInt('FUZZ_CASE', 0);
    const report = await runFuzzCampaign({
      count: Math.max(count, index + 1),
      seed,
      start: index,
      end: index + 1,
      caseTimeoutMs: capMs,
      onResult: (r) => {
        console.log(
          `case ${r.index}: ${r.format} ${r.mutator} ${r.mutant.variant} (${r.mutant.meaning})`,
        );
        console.log(`presenter ${r.mutant.presenter.id}`);
        console.log(`token ${r.mutant.token}`);
        console.log(`decision ${JSON.stringify(r.decision, null, 1)}`);
        console.log(`verdict ${JSON.stringify(r.verdict)}`);
      },
    });
    console.log(formatFuzzReport(report, seed));
    process.exitCode = report.accepted + report.crashes + report.hangs > 0 ? 1 : 0;
    return;
  }
  const workers = Math.max(
    1,
    Math.min(envInt('FUZZ_WORKERS', Math.min(availableParallelism(), 4)), Math.ceil(count / 1000)),
  );
  const began = performance.now();
  const { report, problems } =
    workers === 1
      ? {
          report: await runFuzzCampaign({ count, seed, caseTimeoutMs: capMs }),
          problems: [] as string[],
        }
      : await runWorkers(count, seed, workers, capMs);
  const wallS = (performance.now() - began) / 1000;
  console.log(
    `fuzz: ${workers} worker(s), ${wallS.toFixed(1)} s wall (setup included), ${(report.mutations / wallS).toFixed(0)} mutations/s overall`,
  );
  for (const problem of problems) console.log(`FAIL ${problem}`);
  console.log(formatFuzzReport(report, seed));
  const failed = report.accepted + report.crashes + report.hangs + problems.length > 0;
  process.exitCode = failed ? 1 : 0;
}

if (isMainThread) await main();
else await runWorker(workerData as Slice);
