/**
 * The adversarial bench's growth verdict (bench/growth.ts) on synthetic timings: linear work
 * (with a fixed part, with noise) passes, quadratic work fails, and a single noisy sweep does
 * not fail a linear stage. No clock: the failure path is proven on numbers, not on real code.
 */
import { describe, expect, it } from 'vitest';
import {
  growthExponent,
  judgeGrowth,
  MAX_EXPONENT,
  MAX_SWEEPS,
  needsAnotherSweep,
  type GrowthPoint,
} from '../../../bench/growth.js';

const SIZES = [8192, 16384, 32768, 65536];

function sweep(cost: (n: number) => number, noise: readonly number[] = []): GrowthPoint[] {
  return SIZES.map((size, i) => ({ size, micros: cost(size) * (noise[i] ?? 1) }));
}

describe('growthExponent', () => {
  it('recovers the power of c·n^k', () => {
    for (const k of [0, 0.5, 1, 1.5, 2, 3]) {
      expect(growthExponent(sweep((n) => 3 * n ** k))).toBeCloseTo(k, 10);
    }
  });

  it('reads n·log n as barely super-linear, and a fixed part as sub-linear', () => {
    const nlogn = growthExponent(sweep((n) => n * Math.log2(n)));
    expect(nlogn).toBeGreaterThan(1);
    expect(nlogn).toBeLessThan(MAX_EXPONENT);
    expect(growthExponent(sweep((n) => 5000 + n))).toBeLessThan(1);
  });

  it('ignores points without a logarithm and needs two sizes', () => {
    expect(growthExponent([{ size: 10, micros: 5 }])).toBe(0);
    expect(
      growthExponent([
        { size: 0, micros: 1 },
        { size: 10, micros: 0 },
        { size: 10, micros: 5 },
      ]),
    ).toBe(0);
    expect(
      growthExponent([
        { size: 1, micros: 2 },
        { size: 1, micros: 3 },
      ]),
    ).toBe(0);
  });
});

describe('judgeGrowth', () => {
  it('fails quadratic work and passes linear work with ±30% noise', () => {
    const noisy = [1.3, 0.7, 1.3, 0.75];
    expect(judgeGrowth([sweep((n) => n * n)]).superLinear).toBe(true);
    expect(judgeGrowth([sweep((n) => 40 + n / 100, noisy)]).superLinear).toBe(false);
    expect(judgeGrowth([sweep((n) => n, [0.7, 1, 1, 1.3])]).superLinear).toBe(false);
  });

  it('fails only when every sweep is super-linear, and reports the least steep', () => {
    const linear = sweep((n) => n);
    const spike = sweep((n) => n, [1, 1, 1, 4]);
    const quadratic = sweep((n) => n * n);
    expect(growthExponent(spike)).toBeGreaterThan(MAX_EXPONENT);
    const recovered = judgeGrowth([spike, linear]);
    expect(recovered.superLinear).toBe(false);
    expect(recovered.exponent).toBeCloseTo(1, 10);
    expect(recovered.exponents).toHaveLength(2);
    const persistent = judgeGrowth([quadratic, spike, quadratic]);
    expect(persistent.superLinear).toBe(true);
    expect(persistent.exponent).toBeCloseTo(growthExponent(spike), 10);
    expect(judgeGrowth([]).superLinear).toBe(false);
  });

  it('asks for another sweep only while every sweep so far is super-linear', () => {
    const quadratic = sweep((n) => n * n);
    expect(needsAnotherSweep([])).toBe(false);
    expect(needsAnotherSweep([sweep((n) => n)])).toBe(false);
    expect(needsAnotherSweep([quadratic])).toBe(true);
    expect(needsAnotherSweep(Array.from({ length: MAX_SWEEPS }, () => quadratic))).toBe(false);
  });
});
