/**
 * The harness's environment: a malformed `MANDATE_NUM_RUNS` or `MANDATE_SEED` is an error,
 * never zero runs (issue 13: `MANDATE_NUM_RUNS=abc` made every property pass untested).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NUM_RUNS, numRunsFrom, seedFrom } from '../../../src/testing/config.js';

describe('MANDATE_NUM_RUNS', () => {
  it('unset or empty: 200 runs', () => {
    expect(numRunsFrom(undefined)).toBe(200);
    expect(numRunsFrom('')).toBe(200);
  });

  it('a positive integer is taken', () => {
    expect(numRunsFrom('1')).toBe(1);
    expect(numRunsFrom('2000')).toBe(2000);
  });

  it.each(['abc', '0', '-5', '1.5', '1e3', 'NaN', 'Infinity', '12abc', '9007199254740993'])(
    '%j throws a TypeError naming the variable',
    (value) => {
      expect(() => numRunsFrom(value)).toThrow(
        new TypeError(`MANDATE_NUM_RUNS must be a positive integer, not ${JSON.stringify(value)}`),
      );
    },
  );

  it('the run count in force is a positive integer', () => {
    expect(Number.isSafeInteger(NUM_RUNS) && NUM_RUNS > 0).toBe(true);
  });
});

describe('MANDATE_SEED', () => {
  it('unset or empty: none (random)', () => {
    expect(seedFrom(undefined)).toBeUndefined();
    expect(seedFrom(' ')).toBeUndefined();
  });

  it('a 32-bit integer, as fast-check prints it, is taken', () => {
    expect(seedFrom('42')).toBe(42);
    expect(seedFrom('-1836245717')).toBe(-1836245717);
  });

  it.each(['abc', '1.5', '4294967296', '-2147483649', '0x10'])('%j throws', (value) => {
    expect(() => seedFrom(value)).toThrow(
      new TypeError(`MANDATE_SEED must be a 32-bit integer, not ${JSON.stringify(value)}`),
    );
  });

  it('the setup file gives fast-check one global seed (MANDATE_SEED when set)', () => {
    const { seed } = fc.readConfigureGlobal();
    expect(Number.isInteger(seed)).toBe(true);
    const fromEnv = seedFrom(process.env['MANDATE_SEED']);
    if (fromEnv !== undefined) expect(seed).toBe(fromEnv);
  });
});
