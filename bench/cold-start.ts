/**
 * Cold start: how long a fresh process takes from `import('mandate')` to its first decision, for
 * the JWS and the Biscuit encoding. Each run spawns `node` on the built package (`dist/`, as users
 * load it), which imports it, verifies one genuine mandate with a proof of possession, and reports
 * the import time and the first decision's time. Medians of several runs; a denial fails the bench
 * (a cold process must never deny a genuine request).
 *
 * `MANDATE_BENCH_BASELINE=<dir>/dist/index.js` (another build, e.g. of `main`) adds that build's
 * rows, measured in the same run with the runs interleaved (baseline, current, baseline, …), so
 * that both see the same load: before / after in one table.
 *
 * Run alone: `node --import tsx bench/cold-start.ts` (after `npm run build`); `npm run bench` runs
 * it first and last.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

import { delegate, generateKeyPair, mint, prove, type KeyPair } from '../src/index.js';
import { median, QUICK } from './common.js';

const RUNS = QUICK ? 3 : 7;
const DIST = new URL('../dist/index.js', import.meta.url);
const BASELINE = process.env.MANDATE_BENCH_BASELINE;
const AUD = 'https://cold.bench.example';
const ANCHOR = 'https://as.cold.bench.example';
const REQUEST = { method: 'POST', url: `${AUD}/pay` } as const;
const ACTION = { resource: 'billing:invoices/1', action: 'pay', args: { amount: 10 } } as const;

/** What the child process runs: import, then one verification; prints the two durations. */
const CHILD = `
const input = JSON.parse(process.env.MANDATE_COLD_INPUT);
const cpu = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1000; };
const t0 = performance.now();
const c0 = cpu();
const { createVerifier } = await import(input.dist);
const t1 = performance.now();
const c1 = cpu();
const verifier = createVerifier({ trustAnchors: input.anchors, audience: input.audience, clock: () => input.now });
const decision = await verifier.verify(input.token, { action: input.action, proof: input.proof, request: input.request });
const t2 = performance.now();
const c2 = cpu();
process.stdout.write(JSON.stringify({ importMs: t1 - t0, decisionMs: t2 - t1, importCpuMs: c1 - c0, decisionCpuMs: c2 - c1, allowed: decision.allowed, code: decision.code }));
`;

interface ChildResult {
  readonly importMs: number;
  readonly decisionMs: number;
  /** CPU time of the same spans (user + system, every thread): what a loaded machine distorts less. */
  readonly importCpuMs: number;
  readonly decisionCpuMs: number;
  readonly allowed: boolean;
  readonly code?: string;
}

interface Scenario {
  readonly token: string;
  readonly holder: KeyPair;
}

async function scenario(
  anchor: KeyPair,
  agents: KeyPair[],
  format: 'jws' | 'biscuit',
  now: number,
): Promise<Scenario> {
  const root = await mint({
    issuer: anchor,
    issuerId: ANCHOR,
    subject: 'alice',
    holder: agents[0]!.publicJwk,
    capabilities: [
      { resource: 'billing:invoices/**', actions: ['pay'], constraints: { amount: { max: 500 } } },
    ],
    expiresIn: 3600,
    audience: AUD,
    now,
    format,
  });
  const child = await delegate(root, { signer: agents[0]!, holder: agents[1]!.publicJwk, now });
  return { token: child.token, holder: agents[1]! };
}

const run = promisify(execFile);

async function coldRun(
  dist: URL,
  anchor: KeyPair,
  { token, holder }: Scenario,
  now: number,
): Promise<ChildResult> {
  const proof = await prove(token, { signer: holder, request: REQUEST, now });
  const input = {
    dist: dist.href,
    anchors: [{ id: ANCHOR, publicJwk: anchor.publicJwk }],
    audience: AUD,
    now,
    token,
    proof,
    action: ACTION,
    request: REQUEST,
  };
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', CHILD], {
    env: { ...process.env, MANDATE_COLD_INPUT: JSON.stringify(input) },
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
  return JSON.parse(stdout) as ChildResult;
}

/** The builds to compare: this one, and the baseline's when `MANDATE_BENCH_BASELINE` is set. */
function builds(): { readonly name: string; readonly dist: URL }[] {
  const current = { name: 'this build', dist: DIST };
  if (BASELINE === undefined || BASELINE === '') return [current];
  const baseline = pathToFileURL(BASELINE);
  if (!existsSync(baseline)) throw new Error(`MANDATE_BENCH_BASELINE: ${BASELINE} is missing`);
  return [{ name: 'baseline', dist: baseline }, current];
}

/**
 * The cold-start table: import → first decision in a fresh process, JWS and Biscuit (2-block
 * mandates with a proof), medians of several runs, for this build (and the baseline's, runs
 * interleaved). Returns Markdown; throws on a denial.
 */
export async function coldStartTable(): Promise<string> {
  if (!existsSync(DIST))
    return `\n(cold start: ${fileURLToPath(DIST)} is missing; run npm run build)\n`;
  const now = Math.floor(Date.now() / 1000);
  const anchor = await generateKeyPair();
  const agents = [await generateKeyPair(), await generateKeyPair()];
  const compared = builds();
  let table =
    '| encoding | build | import ms (CPU ms) | first decision ms (CPU ms) | import → first decision ms (CPU ms) |\n' +
    '|---|---|---:|---:|---:|\n';
  for (const format of ['jws', 'biscuit'] as const) {
    const fixture = await scenario(anchor, agents, format, now);
    const results = compared.map((): ChildResult[] => []);
    for (let i = 0; i < RUNS; i++) {
      for (const [b, build] of compared.entries()) {
        const result = await coldRun(build.dist, anchor, fixture, now);
        if (!result.allowed) {
          throw new Error(
            `cold ${format} verification denied (${build.name}): ${result.code ?? 'no code'}`,
          );
        }
        results[b]?.push(result);
      }
    }
    for (const [b, build] of compared.entries()) {
      const runs = results[b] ?? [];
      const cell = (wall: (r: ChildResult) => number, cpu: (r: ChildResult) => number) =>
        `${median(runs.map(wall)).toFixed(1)} (${median(runs.map(cpu)).toFixed(1)})`;
      table += `| ${format} | ${build.name} | ${cell(
        (r) => r.importMs,
        (r) => r.importCpuMs,
      )} | ${cell(
        (r) => r.decisionMs,
        (r) => r.decisionCpuMs,
      )} | ${cell(
        (r) => r.importMs + r.decisionMs,
        (r) => r.importCpuMs + r.decisionCpuMs,
      )} |\n`;
    }
  }
  return (
    table +
    `\nnode ${process.version}, a fresh \`node\` process per run on dist/, medians of ${RUNS} runs` +
    `${compared.length > 1 ? ` (baseline: ${BASELINE ?? ''}, runs interleaved)` : ''}; ` +
    '2-block mandate with a proof of possession, allowed every time.\n'
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`Cold start (import → first decision)\n\n${await coldStartTable()}`);
}
