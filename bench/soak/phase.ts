/**
 * One phase of the soak: `count` requests from one or more generators through one target, with
 * every decision checked against what it must be, latency and throughput per interval, and a
 * memory sample (after a forced GC) plus every bounded cache's size at fixed intervals.
 */
import { HTTP_DENIALS } from '../../src/adapters/http/index.js';
import type { MandateErrorCode } from '../../src/index.js';
import { median } from '../common.js';
import { readCaches, type CacheReading } from './caches.js';
import type { BatchSource } from './generator.js';
import { judgeGrowth, type MemorySample, type MetricGrowth } from './growth.js';
import { sampleMemory } from './memory.js';
import type { Outcome, Target } from './service.js';
import {
  virtualTime,
  type Batch,
  type Expected,
  type RequestKind,
  type SoakRequest,
} from './types.js';

/** Requests per generated batch (a batch shares one virtual time). */
const BATCH = 100;
/** Mismatches kept as examples in the result. */
const EXAMPLES = 10;

export interface PhaseOptions {
  readonly name: string;
  readonly count: number;
  /** Memory samples after the one at 0. */
  readonly samples: number;
  /** Fraction of `count` before which samples are not judged. */
  readonly warmup: number;
  /** The traffic. */
  readonly source: BatchSource;
  readonly target: Target;
  /** Told after each sample (the soak prints a line). */
  readonly progress?: (sample: PhaseSample, interval: Interval) => void;
}

/** A sample: memory after GC, and the caches' sizes. */
export interface PhaseSample extends MemorySample {
  readonly caches: readonly CacheReading[];
}

/** Throughput and latency over one sampling interval. */
export interface Interval {
  readonly at: number;
  readonly perSecond: number;
  readonly medianMicros: number;
}

/** A decision that was not the expected one. */
export interface Mismatch {
  readonly index: number;
  readonly kind: RequestKind;
  readonly format: string;
  readonly expected: Expected;
  readonly got: Outcome | { readonly threw: string };
}

/** A bounded cache over the phase: its bound, its size at the end, its peak, when it filled. */
export interface CacheSummary extends CacheReading {
  readonly peak: number;
  /** Verifications into the phase at the first sample where it was at its bound. */
  readonly filledAt: number | undefined;
}

export interface PhaseResult {
  readonly name: string;
  readonly target: Target['name'];
  readonly count: number;
  readonly concurrency: number;
  /**
   * Verifications before which samples are not judged: the configured fraction of the phase,
   * or later, the sample at which the last cache that fills reached its bound (see `warmupEnd`).
   */
  readonly warmup: number;
  /** Seconds spent verifying (waiting for the generator and sampling excluded). */
  readonly seconds: number;
  readonly perSecond: number;
  /** The median over intervals of each interval's median latency, µs. */
  readonly medianMicros: number;
  readonly intervals: readonly Interval[];
  readonly kinds: Readonly<Record<string, { allowed: number; denied: number }>>;
  readonly mismatches: number;
  readonly mismatchExamples: readonly Mismatch[];
  readonly samples: readonly PhaseSample[];
  readonly caches: readonly CacheSummary[];
  readonly growth: {
    readonly metrics: readonly MetricGrowth[];
    readonly grew: boolean;
    readonly judged: boolean;
  };
}

/** Whether `got` is exactly what `expected` says (over HTTP, the status too). */
export function matches(expected: Expected, got: Outcome): boolean {
  if (expected.allowed) return got.allowed && (got.status === undefined || got.status === 200);
  if (got.allowed) return false;
  const status = HTTP_DENIALS[expected.code as MandateErrorCode]?.status;
  return (
    got.code === expected.code &&
    got.hop === expected.hop &&
    got.check === expected.check &&
    (got.status === undefined || got.status === status)
  );
}

function cacheKey(reading: CacheReading): string {
  return `${reading.name}/${reading.capacity}`;
}

/** Peak and fill point of every cache seen in `samples`; sizes at the last sample. */
function summarizeCaches(samples: readonly PhaseSample[]): CacheSummary[] {
  const last = samples.at(-1)?.caches ?? [];
  return last.map((reading) => {
    const key = cacheKey(reading);
    let peak = 0;
    let filledAt: number | undefined;
    for (const sample of samples) {
      const seen = sample.caches.find((c) => cacheKey(c) === key);
      if (seen === undefined) continue;
      peak = Math.max(peak, seen.size);
      if (filledAt === undefined && seen.size >= seen.capacity) filledAt = sample.at;
    }
    return { ...reading, peak, filledAt };
  });
}

/**
 * When warm-up ends: not before `configured`, nor before every cache that reaches its bound has
 * reached it. A cache filling is a bounded, one-time rise (its entries' worth of memory), not
 * growth; judging across it would report growth that stops at the bound (the HTTP phase's
 * Biscuit prefixes, a fifth of the traffic, fill only after ~4,750 requests). Caches that never
 * fill, and the stores (which sweep expired entries when full), do not move it. A cache that
 * fills late leaves too few samples, and the phase is reported as not judged.
 */
export function warmupEnd(configured: number, caches: readonly CacheSummary[]): number {
  return Math.max(configured, ...caches.map((c) => (c.kind === 'cache' ? (c.filledAt ?? 0) : 0)));
}

/** Runs a phase. */
export async function runPhase(options: PhaseOptions): Promise<PhaseResult> {
  const { count, target, source } = options;
  const every = Math.max(1, Math.ceil(count / options.samples));
  // Allocated before the first sample, so they are part of the baseline.
  const latencies = new Float64Array(every);
  const kinds: Record<string, { allowed: number; denied: number }> = {};
  const examples: Mismatch[] = [];
  const intervals: Interval[] = [];
  let mismatches = 0;
  let busy = 0;
  let intervalBusy = 0;
  let inInterval = 0;
  const stores = (): CacheReading[] => [...readCaches(), ...target.stores()];
  const samples: PhaseSample[] = [{ ...(await sampleMemory(0)), caches: stores() }];

  const check = (index: number, request: SoakRequest, got: Outcome | { threw: string }): void => {
    const tally = (kinds[request.kind] ??= { allowed: 0, denied: 0 });
    if ('threw' in got || !matches(request.expect, got)) {
      mismatches++;
      if (examples.length < EXAMPLES) {
        examples.push({
          index,
          kind: request.kind,
          format: request.format,
          expected: request.expect,
          got,
        });
      }
      return;
    }
    if (got.allowed) tally.allowed++;
    else tally.denied++;
  };

  /** Sends the batch's requests, `target.concurrency` at a time, timing each. */
  const run = async (batch: Batch, offset: number): Promise<void> => {
    await target.prepare(batch);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < batch.requests.length) {
        const i = next++;
        const request = batch.requests[i]!;
        const started = performance.now();
        let got: Outcome | { threw: string };
        try {
          got = await target.send(request);
        } catch (error) {
          got = { threw: String(error) };
        }
        latencies[inInterval++] = (performance.now() - started) * 1000;
        check(offset + i, request, got);
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: target.concurrency }, lane));
    const took = (performance.now() - started) / 1000;
    busy += took;
    intervalBusy += took;
  };

  let done = 0;
  const size = (from: number): number => Math.min(BATCH, count - from, every - (from % every));
  // The next batch is made while this one is verified.
  let pending: Promise<Batch> | undefined = source.next(size(0), virtualTime(0));
  while (pending !== undefined) {
    const batch: Batch = await pending;
    const after: number = done + batch.requests.length;
    pending = after < count ? source.next(size(after), virtualTime(after)) : undefined;
    await run(batch, done);
    done = after;
    if (done % every === 0 || done === count) {
      intervals.push({
        at: done,
        perSecond: inInterval / intervalBusy,
        medianMicros: median(Array.from(latencies.subarray(0, inInterval))),
      });
      inInterval = 0;
      intervalBusy = 0;
      const sample = { ...(await sampleMemory(done)), caches: stores() };
      samples.push(sample);
      options.progress?.(sample, intervals.at(-1)!);
    }
  }

  const caches = summarizeCaches(samples);
  const warmup = warmupEnd(Math.floor(count * options.warmup), caches);
  return {
    name: options.name,
    target: target.name,
    count,
    concurrency: target.concurrency,
    warmup,
    seconds: busy,
    perSecond: count / busy,
    medianMicros: median(intervals.map((i) => i.medianMicros)),
    intervals,
    kinds,
    mismatches,
    mismatchExamples: examples,
    samples,
    caches,
    growth: judgeGrowth(samples, warmup),
  };
}
