/**
 * `npm run soak`: the verifier under sustained, realistic traffic, with memory watched.
 *
 * Three phases, one after the other, each on a fresh verifier with default caches and bounded
 * stores: 1,000,000 JWS verifications and 100,000 Biscuit ones through `verifier.verify`, then
 * 100,000 requests (four JWS to one Biscuit, mixed) through `mandate/http`'s node:http middleware
 * over loopback keep-alive connections. The traffic (bench/soak/workload.ts) mixes repeated,
 * never-seen, fresh-key and delegated-on-the-fly chains with eight kinds of attack, each with the
 * exact decision it must get; it is generated in a child process (one per phase), so the verifying
 * process's memory holds only what verification keeps.
 *
 * Every phase samples rss, heapUsed, external and arrayBuffers after a forced GC at fixed
 * intervals, with the size of every bounded cache and store, and judges growth after warm-up
 * (bench/soak/growth.ts). Exits 1 when any decision was not the expected one (a false denial or
 * an unexpected allow), when memory grew, or when a cache passed its bound; 2 when it cannot
 * judge (no forced GC, or a phase too short for enough samples after its warm-up). Sizes and knobs: bench/soak/settings.ts. Writes a JSON result (SOAK_OUT).
 *
 * Run: `npm run soak` (node --expose-gc); `SOAK_SCALE=0.1 npm run soak` for a tenth.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { biscuitInstanceStats } from '../src/format/biscuit/wasm.js';
import { observeCaches } from './soak/caches.js';
import { BatchSource } from './soak/generator.js';
import { CAN_COLLECT } from './soak/memory.js';
import { runPhase, type PhaseResult } from './soak/phase.js';
import { formatPhase, mib } from './soak/report.js';
import { httpTarget, leaking, verifierTarget, type Target } from './soak/service.js';
import type { Share } from './soak/workload.js';
import type { TrustAnchor } from '../src/index.js';
import { readSettings } from './soak/settings.js';

const settings = readSettings();
if (!CAN_COLLECT) {
  console.error('the soak needs a forced GC: run it with node --expose-gc (npm run soak)');
  process.exit(2);
}
observeCaches();
const started = new Date();
const load = { start: loadavg(), end: [] as number[] };
console.log(
  `soak: ${settings.jws} JWS, ${settings.biscuit} Biscuit, ${settings.http} HTTP verifications ` +
    `(scale ${settings.scale}); seed ${settings.seed}; node ${process.version}; ` +
    `${cpus().length} cores, load average ${load.start.map((l) => l.toFixed(1)).join(' ')}`,
);

const phases: PhaseResult[] = [];
let httpConnections = 0;

/**
 * Runs one phase on its own traffic (a fresh generator: no replay or key crosses phases) and
 * its own service, made by `serve` for the traffic's trust anchors.
 */
async function phase(
  name: string,
  count: number,
  shares: readonly Share[],
  serve: (anchors: readonly TrustAnchor[]) => Promise<Target>,
): Promise<void> {
  if (count === 0) return;
  const source = await BatchSource.start(shares, settings.seed + phases.length);
  const target = await serve(source.trustAnchors);
  try {
    const result = await runPhase({
      name,
      count,
      samples: settings.samples,
      warmup: settings.warmup,
      source,
      target: leaking(target, settings.leak),
      progress: (sample, interval) =>
        console.log(
          `${name} ${sample.at}/${count}: ${interval.perSecond.toFixed(0)}/s, ` +
            `median ${interval.medianMicros.toFixed(0)} µs, heapUsed ${mib(sample.heapUsed)}, rss ${mib(sample.rss)}`,
        ),
    });
    phases.push(result);
    console.log(`\n${formatPhase(result)}`);
  } finally {
    await Promise.all([target.close(), source.close()]);
  }
}

await phase('jws', settings.jws, [{ format: 'jws', weight: 1 }], (anchors) =>
  Promise.resolve(verifierTarget(anchors)),
);
await phase('biscuit', settings.biscuit, [{ format: 'biscuit', weight: 1 }], (anchors) =>
  Promise.resolve(verifierTarget(anchors)),
);
// Four JWS requests to one Biscuit, mixed request by request.
const HTTP_SHARES = [
  { format: 'jws', weight: 4 },
  { format: 'biscuit', weight: 1 },
] as const;
await phase('http', settings.http, HTTP_SHARES, async (anchors) => {
  const target = await httpTarget(anchors, settings.connections);
  return {
    ...target,
    close: async () => {
      httpConnections = target.connectionsOpened();
      await target.close();
    },
  };
});
load.end = loadavg();

const wasm = biscuitInstanceStats();
const mismatches = phases.reduce((sum, p) => sum + p.mismatches, 0);
const grew = phases.filter((p) => p.growth.grew).map((p) => p.name);
const unjudged = phases.filter((p) => !p.growth.judged).map((p) => p.name);
const overBound = phases.flatMap((p) =>
  p.caches.filter((c) => c.peak > c.capacity).map((c) => `${p.name}: ${c.name}`),
);
console.log(
  `\nbiscuit-wasm instances loaded during the soak: ${wasm.loaded} (Biscuit verification runs in JS; ` +
    `wasm is for minting checks and the standard-verifier tests)`,
);
if (httpConnections > 0)
  console.log(
    `HTTP connections opened: ${httpConnections} (keep-alive, ${settings.connections} at most at once)`,
  );

// A phase too short to judge after its warm-up proves nothing either way: inconclusive (exit 2).
const verdict =
  mismatches > 0 || grew.length > 0 || overBound.length > 0
    ? 'fail'
    : unjudged.length > 0
      ? 'inconclusive'
      : 'pass';
const result = {
  verdict,
  started: started.toISOString(),
  finished: new Date().toISOString(),
  node: process.version,
  cores: cpus().length,
  loadAverage: load,
  settings,
  mismatches,
  grew,
  unjudged,
  overBound,
  httpConnections,
  biscuitWasm: wasm,
  phases,
};
await mkdir(dirname(settings.out), { recursive: true });
await writeFile(settings.out, `${JSON.stringify(result, null, 2)}\n`);
console.log(
  `\nsoak ${verdict}: ${mismatches} decisions not as expected; memory grew in ${grew.length === 0 ? 'no phase' : grew.join(', ')}` +
    `${unjudged.length > 0 ? ` (too few samples to judge: ${unjudged.join(', ')})` : ''}; ` +
    `${overBound.length} caches past their bound. Result: ${settings.out}`,
);
// Exit now: the verdict is out, and nothing left running may hold the process open.
process.exit(verdict === 'pass' ? 0 : verdict === 'fail' ? 1 : 2);
