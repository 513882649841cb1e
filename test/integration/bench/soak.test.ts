/**
 * `npm run soak` (bench/soak.ts) at a tiny size, as its own process: it runs all three phases
 * with every decision as expected and memory judged flat; with a deliberate leak it fails; and
 * without a forced GC it refuses to judge. The full-size figures are in docs/performance.md.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/vectors.js';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function soak(env: Readonly<Record<string, string>>, flags = ['--expose-gc']): Promise<Run> {
  const child = spawn(
    process.execPath,
    [...flags, '--import', import.meta.resolve('tsx'), join(REPO_ROOT, 'bench', 'soak.ts')],
    // Killed if it hangs, so a broken run cannot outlive the test.
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
      timeout: 240_000,
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The JSON result's parts these tests read. */
interface Result {
  readonly verdict: 'pass' | 'fail';
  readonly mismatches: number;
  readonly grew: readonly string[];
  readonly httpConnections: number;
  readonly biscuitWasm: { readonly loaded: number };
  readonly phases: readonly {
    readonly name: string;
    readonly count: number;
    readonly mismatches: number;
    readonly kinds: Readonly<Record<string, { allowed: number; denied: number }>>;
    readonly samples: readonly unknown[];
    readonly caches: readonly { name: string; size: number; peak: number; capacity: number }[];
    readonly growth: {
      readonly judged: boolean;
      readonly grew: boolean;
      readonly metrics: readonly { metric: string; grew: boolean }[];
    };
  }[];
}

const SMALL = { SOAK_SCALE: '1', SOAK_SAMPLES: '12', SOAK_WARMUP: '0.25', SOAK_CONNECTIONS: '4' };
const DENIALS = [
  'forbidden-root',
  'forbidden-last',
  'replayed',
  'stolen',
  'audience',
  'untrusted',
  'expired',
];

describe('npm run soak at a tiny size', () => {
  let dir: string;
  let genuine: Run;
  let leak: Run;
  let noGc: Run;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mandate-soak-'));
    [genuine, leak, noGc] = await Promise.all([
      soak({
        ...SMALL,
        SOAK_JWS: '600',
        SOAK_BISCUIT: '120',
        SOAK_HTTP: '120',
        SOAK_SEED: '7',
        SOAK_OUT: join(dir, 'genuine.json'),
      }),
      // 32 KiB kept per verification: ~14 MiB over the judged part of the phase.
      soak({
        ...SMALL,
        SOAK_JWS: '600',
        SOAK_BISCUIT: '0',
        SOAK_HTTP: '0',
        SOAK_LEAK: '32768',
        SOAK_OUT: join(dir, 'leak.json'),
      }),
      soak({ ...SMALL, SOAK_JWS: '10', SOAK_OUT: join(dir, 'no-gc.json') }, []),
    ]);
  }, 300_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes: every decision as expected, memory judged flat, caches within their bounds', async () => {
    expect(genuine.stderr).toBe('');
    expect(genuine.code).toBe(0);
    expect(genuine.stdout).toMatch(
      /soak pass: 0 decisions not as expected; memory grew in no phase/,
    );
    const result = JSON.parse(await readFile(join(dir, 'genuine.json'), 'utf8')) as Result;
    expect(result).toMatchObject({ verdict: 'pass', mismatches: 0, grew: [] });
    expect(result.phases.map((p) => [p.name, p.count])).toEqual([
      ['jws', 600],
      ['biscuit', 120],
      ['http', 120],
    ]);
    const jws = result.phases[0]!;
    // The mix ran: genuine kinds allowed, every kind of attack denied (as expected).
    for (const kind of ['repeated', 'never-seen', 'fresh-keys', 'delegated']) {
      expect(jws.kinds[kind]?.allowed, kind).toBeGreaterThan(0);
      expect(jws.kinds[kind]?.denied, kind).toBe(0);
    }
    for (const kind of DENIALS) {
      expect(jws.kinds[kind]?.denied, kind).toBeGreaterThan(0);
      expect(jws.kinds[kind]?.allowed, kind).toBe(0);
    }
    for (const phase of result.phases) {
      expect(phase.samples).toHaveLength(13);
      expect(phase.growth).toMatchObject({ judged: true, grew: false });
      for (const cache of phase.caches) expect(cache.peak).toBeLessThanOrEqual(cache.capacity);
    }
    // The verifier's own caches and stores were observed.
    expect(jws.caches.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'decoded JWS blocks',
        'imported keys',
        'replay store (proof ids)',
        'revocation store',
      ]),
    );
    expect(result.phases[1]!.caches.map((c) => c.name)).toContain('decoded Biscuit prefixes');
    // Keep-alive: no more connections than the agent holds; Biscuit verification loads no wasm.
    expect(result.httpConnections).toBeGreaterThan(0);
    expect(result.httpConnections).toBeLessThanOrEqual(4);
    expect(result.biscuitWasm.loaded).toBe(0);
  });

  it('fails when memory grows (a deliberate leak) and says where', async () => {
    expect(leak.code).toBe(1);
    expect(leak.stdout).toMatch(/soak fail: 0 decisions not as expected; memory grew in jws/);
    const result = JSON.parse(await readFile(join(dir, 'leak.json'), 'utf8')) as Result;
    expect(result).toMatchObject({ verdict: 'fail', mismatches: 0, grew: ['jws'] });
    const heap = result.phases[0]!.growth.metrics.find((m) => m.metric === 'heapUsed');
    expect(heap?.grew).toBe(true);
  });

  it('refuses to judge without a forced GC', () => {
    expect(noGc.code).toBe(2);
    expect(noGc.stderr).toMatch(/needs a forced GC/);
  });
});
