/**
 * The soak's verdict on memory: does a series of post-GC samples grow after warm-up? Pure
 * functions, unit-tested with synthetic flat, leaking and noisy series
 * (test/unit/bench/soak-growth.test.ts).
 *
 * Two measures over the samples taken after warm-up, both robust to what a GC'd heap does on
 * its own (a spike, a step as a bounded cache fills, allocator noise):
 * - `delta`: the median of the last quarter of the samples minus the median of the first
 *   quarter (medians, so a single spike in either quarter moves nothing);
 * - `slope`: the least-squares slope over all of them, in bytes per 1,000 verifications.
 * A metric grows when BOTH exceed its threshold: a material rise that is also a trend. A
 * series with fewer than 8 samples after warm-up cannot be judged (`judged: false`).
 *
 * @module
 */
import { leastSquaresSlope, median } from '../common.js';

export { leastSquaresSlope };

/** One memory reading after a forced GC, `at` verifications into the phase. */
export interface MemorySample {
  readonly at: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** V8's committed heap: not judged, it explains rss. */
  readonly heapTotal?: number;
}

/** The readings judged. */
export const METRICS = ['rss', 'heapUsed', 'external', 'arrayBuffers'] as const;
export type Metric = (typeof METRICS)[number];

/** How much a metric may rise after warm-up before it counts as growth. */
export interface GrowthThreshold {
  /** Most the last quarter's median may exceed the first quarter's, in bytes. */
  readonly deltaBytes: number;
  /** Most the fitted slope may be, in bytes per 1,000 verifications. */
  readonly slopePer1k: number;
}

const MiB = 1024 * 1024;

/**
 * The soak's thresholds. The JS heap and the buffers outside it are held tight (2 MiB, and a
 * trend of 1 byte per verification); rss, which the allocator returns to the system lazily, looser.
 */
export const THRESHOLDS: Readonly<Record<Metric, GrowthThreshold>> = Object.freeze({
  heapUsed: { deltaBytes: 2 * MiB, slopePer1k: 1024 },
  external: { deltaBytes: 2 * MiB, slopePer1k: 1024 },
  arrayBuffers: { deltaBytes: 2 * MiB, slopePer1k: 1024 },
  rss: { deltaBytes: 16 * MiB, slopePer1k: 8 * 1024 },
});

/** Fewest post-warm-up samples a verdict needs (two per quarter). */
export const MIN_SAMPLES = 8;

/** The verdict on one metric. */
export interface MetricGrowth {
  readonly metric: Metric;
  /** Samples after warm-up. */
  readonly samples: number;
  readonly firstQuarterMedian: number;
  readonly lastQuarterMedian: number;
  /** `lastQuarterMedian - firstQuarterMedian`, bytes. */
  readonly delta: number;
  /** Least-squares slope, bytes per 1,000 verifications. */
  readonly slopePer1k: number;
  /** Whether there were enough samples to judge. */
  readonly judged: boolean;
  readonly grew: boolean;
}

/**
 * Judges one metric over `samples` (in order), ignoring those taken before `warmup`
 * verifications.
 */
export function judgeMetric(
  samples: readonly MemorySample[],
  metric: Metric,
  warmup: number,
  threshold: GrowthThreshold = THRESHOLDS[metric],
): MetricGrowth {
  const after = samples.filter((s) => s.at >= warmup);
  const quarter = Math.max(1, Math.floor(after.length / 4));
  const firstQuarterMedian = median(after.slice(0, quarter).map((s) => s[metric]));
  const lastQuarterMedian = median(after.slice(-quarter).map((s) => s[metric]));
  const delta = lastQuarterMedian - firstQuarterMedian;
  const slopePer1k = 1000 * leastSquaresSlope(after.map((s) => ({ x: s.at, y: s[metric] })));
  const judged = after.length >= MIN_SAMPLES;
  return {
    metric,
    samples: after.length,
    firstQuarterMedian,
    lastQuarterMedian,
    delta,
    slopePer1k,
    judged,
    grew: judged && delta > threshold.deltaBytes && slopePer1k > threshold.slopePer1k,
  };
}

/** Judges every metric; `grew` when any did. */
export function judgeGrowth(
  samples: readonly MemorySample[],
  warmup: number,
  thresholds: Readonly<Record<Metric, GrowthThreshold>> = THRESHOLDS,
): { readonly metrics: readonly MetricGrowth[]; readonly grew: boolean; readonly judged: boolean } {
  const metrics = METRICS.map((metric) => judgeMetric(samples, metric, warmup, thresholds[metric]));
  return {
    metrics,
    grew: metrics.some((m) => m.grew),
    judged: metrics.every((m) => m.judged),
  };
}
