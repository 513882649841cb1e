/**
 * The soak's verdicts (bench/soak/growth.ts, bench/soak/phase.ts `matches`): a growth detector
 * that passes flat and noisy series and fails leaking ones, and a decision check that takes
 * nothing but the exact expected outcome.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  judgeGrowth,
  judgeMetric,
  leastSquaresSlope,
  MIN_SAMPLES,
  THRESHOLDS,
  type MemorySample,
} from '../../../bench/soak/growth.js';
import { matches, warmupEnd, type CacheSummary } from '../../../bench/soak/phase.js';
import { NUM_RUNS } from '../../../src/testing/config.js';

const MiB = 1024 * 1024;
const BASE = 20 * MiB;

/** A phase of `count` verifications sampled 40 times; `heap(at, i)` gives heapUsed. */
function series(count: number, heap: (at: number, i: number) => number): MemorySample[] {
  return Array.from({ length: 41 }, (_, i) => {
    const at = Math.round((count * i) / 40);
    const heapUsed = heap(at, i);
    return { at, heapUsed, rss: 100 * MiB, external: 5 * MiB, arrayBuffers: MiB };
  });
}

const COUNT = 100_000;
const WARMUP = COUNT / 4;

describe('judgeMetric', () => {
  it('passes a flat heap', () => {
    const verdict = judgeMetric(
      series(COUNT, () => BASE),
      'heapUsed',
      WARMUP,
    );
    expect(verdict).toMatchObject({ judged: true, grew: false, delta: 0, slopePer1k: 0 });
    expect(verdict.samples).toBe(31);
  });

  it('fails a heap that keeps 100 bytes per verification', () => {
    const verdict = judgeMetric(
      series(COUNT, (at) => BASE + 100 * at),
      'heapUsed',
      WARMUP,
    );
    expect(verdict.grew).toBe(true);
    expect(verdict.slopePer1k).toBeCloseTo(100_000, 0);
    // The quarters' medians are ~56,000 verifications apart.
    expect(verdict.delta).toBeGreaterThan(5 * MiB);
  });

  it('ignores growth during warm-up: caches filling, then flat', () => {
    const filling = (at: number): number => BASE + Math.min(at, WARMUP) * 400;
    expect(judgeMetric(series(COUNT, filling), 'heapUsed', WARMUP).grew).toBe(false);
    // The same series judged from the start grows.
    expect(judgeMetric(series(COUNT, filling), 'heapUsed', 0).grew).toBe(true);
  });

  it('fails a step after warm-up (memory that did not stay at its bound)', () => {
    const step = (at: number): number => BASE + (at > COUNT / 2 ? 8 * MiB : 0);
    expect(judgeMetric(series(COUNT, step), 'heapUsed', WARMUP).grew).toBe(true);
  });

  it('passes a single spike in either quarter (medians)', () => {
    const spikes = (_: number, i: number): number => BASE + (i === 11 || i === 40 ? 64 * MiB : 0);
    const verdict = judgeMetric(series(COUNT, spikes), 'heapUsed', WARMUP);
    expect(verdict.delta).toBe(0);
    expect(verdict.grew).toBe(false);
  });

  it('passes a material rise that is no trend, and a trend below its threshold', () => {
    // A slow trend: 0.5 byte per verification, below 1 KiB per 1,000.
    expect(
      judgeMetric(
        series(10_000_000, (at) => BASE + at / 2),
        'heapUsed',
        0,
      ).grew,
    ).toBe(false);
    // A big trend over a short run: below the 2 MiB a rise must reach.
    expect(
      judgeMetric(
        series(1000, (at) => BASE + 1000 * at),
        'heapUsed',
        0,
      ).grew,
    ).toBe(false);
  });

  it('cannot judge fewer than MIN_SAMPLES samples after warm-up, and then never fails', () => {
    const leaking = series(COUNT, (at) => BASE + 1000 * at);
    // From this sample on, exactly MIN_SAMPLES remain.
    const warmup = leaking[leaking.length - MIN_SAMPLES]!.at;
    expect(judgeMetric(leaking, 'heapUsed', warmup + 1)).toMatchObject({
      judged: false,
      grew: false,
    });
    expect(judgeMetric(leaking, 'heapUsed', warmup)).toMatchObject({ judged: true, grew: true });
  });

  it('holds rss to its own, looser threshold', () => {
    const rss = series(COUNT, () => BASE).map((s) => ({ ...s, rss: 100 * MiB + 400 * s.at }));
    const verdict = judgeGrowth(rss, WARMUP);
    expect(verdict.grew).toBe(true);
    expect(verdict.metrics.filter((m) => m.grew).map((m) => m.metric)).toEqual(['rss']);
    // 100 bytes per verification: ~5.5 MiB between the quarters, below rss's 16 MiB.
    const slower = series(COUNT, () => BASE).map((s) => ({ ...s, rss: 100 * MiB + 100 * s.at }));
    expect(judgeGrowth(slower, WARMUP).grew).toBe(false);
  });
});

describe('judgeGrowth laws', () => {
  /** Noise on each of the 41 samples, up to half the heap's threshold. */
  const noise = fc.array(fc.integer({ min: 0, max: THRESHOLDS.heapUsed.deltaBytes / 2 }), {
    minLength: 41,
    maxLength: 41,
  });

  it('a flat series with noise below half the threshold never grows', () => {
    fc.assert(
      fc.property(noise, fc.integer({ min: 1000, max: 10_000_000 }), (offsets, count) => {
        const samples = series(count, (_, i) => BASE + offsets[i]!);
        expect(judgeGrowth(samples, count / 4).grew).toBe(false);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('any leak of at least 2 × (threshold / window) per verification, under that noise, grows', () => {
    fc.assert(
      fc.property(
        noise,
        fc.integer({ min: 40_000, max: 10_000_000 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        (offsets, count, factor) => {
          // The quarters' medians are ~0.56 × count apart: 2 × threshold / (0.5 × count) covers it.
          const perVerification = Math.max(
            (factor * 2 * THRESHOLDS.heapUsed.deltaBytes) / (0.5 * count),
            (factor * THRESHOLDS.heapUsed.slopePer1k) / 1000 + 1,
          );
          const samples = series(count, (at, i) => BASE + offsets[i]! + perVerification * at);
          expect(judgeGrowth(samples, count / 4).grew).toBe(true);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('leastSquaresSlope', () => {
  it('is exact on a line and 0 without spread', () => {
    const line = [0, 1, 2, 3].map((x) => ({ x, y: 3 * x + 7 }));
    expect(leastSquaresSlope(line)).toBeCloseTo(3, 12);
    expect(leastSquaresSlope([{ x: 1, y: 5 }])).toBe(0);
    expect(
      leastSquaresSlope([
        { x: 1, y: 5 },
        { x: 1, y: 9 },
      ]),
    ).toBe(0);
  });
});

describe('matches (each decision against the one it must be)', () => {
  const denial = { allowed: false, code: 'MANDATE_REPLAYED', hop: 2, check: 'possession' } as const;

  it('takes the expected allow, and the exact expected denial', () => {
    expect(matches({ allowed: true }, { allowed: true })).toBe(true);
    expect(matches({ allowed: true }, { allowed: true, status: 200 })).toBe(true);
    expect(matches(denial, { ...denial })).toBe(true);
    expect(matches(denial, { ...denial, status: 401 })).toBe(true);
  });

  it('refuses a false denial, an unexpected allow, and any other code, hop, rule or status', () => {
    expect(matches({ allowed: true }, denial)).toBe(false);
    expect(matches({ allowed: true }, { allowed: true, status: 204 })).toBe(false);
    expect(matches(denial, { allowed: true })).toBe(false);
    expect(matches(denial, { ...denial, code: 'MANDATE_PROOF_INVALID' })).toBe(false);
    expect(matches(denial, { ...denial, hop: 1 })).toBe(false);
    expect(matches(denial, { ...denial, check: 'authorize' })).toBe(false);
    expect(matches(denial, { ...denial, status: 403 })).toBe(false);
  });
});

describe('warmupEnd (steady state: every cache that fills is full)', () => {
  const cache = (kind: 'cache' | 'store', filledAt: number | undefined): CacheSummary => ({
    name: kind,
    kind,
    size: 1024,
    capacity: 1024,
    peak: 1024,
    filledAt,
  });

  it('is the configured warm-up, or the last cache reaching its bound if later', () => {
    expect(warmupEnd(2500, [cache('cache', 1250), cache('cache', undefined)])).toBe(2500);
    expect(warmupEnd(2500, [cache('cache', 1250), cache('cache', 4750)])).toBe(4750);
  });

  it('is not moved by a store (it sweeps expired entries when full)', () => {
    expect(warmupEnd(2500, [cache('store', 9000)])).toBe(2500);
  });

  it('judged after it, a cache filling is no growth; judged across it, it is', () => {
    // external rises 2 KiB per request while a cache fills (to 5,000), then stays.
    const filling = series(10_000, () => BASE).map((s) => ({
      ...s,
      external: 5 * MiB + 2048 * Math.min(s.at, 5000),
    }));
    expect(judgeMetric(filling, 'external', 2500).grew).toBe(true);
    expect(judgeMetric(filling, 'external', warmupEnd(2500, [cache('cache', 5000)])).grew).toBe(
      false,
    );
  });
});
