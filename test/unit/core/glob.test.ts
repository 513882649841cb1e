/**
 * The glob matcher: equal to a plain regular-expression reference on generated patterns and
 * values, and bounded in steps (issue 11, finding 6: a holder delegating to itself
 * `"*" + "a"×1000 + "b"` and calling with a 200 KB argument held the event loop for seconds
 * with the backtracking matcher).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globMatch, globMatchSteps } from '../../../src/core/glob.js';
import { NUM_RUNS } from '../../../src/testing/index.js';

/** The reference: `*` any run of code points, `?` one code point, the rest literal. */
function reference(pattern: string, value: string): boolean {
  const body = Array.from(pattern)
    .map((ch) =>
      ch === '*'
        ? '[\\s\\S]*'
        : ch === '?'
          ? '[\\s\\S]'
          : ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${body}$`, 'u').test(value);
}

// Small alphabets make near-misses likely; astral and combining characters test code points.
const CHARS = ['a', 'b', 'é', '😀', '/'];
const arbValue = fc.array(fc.constantFrom(...CHARS), { maxLength: 24 }).map((xs) => xs.join(''));
const arbPattern = fc
  .array(fc.constantFrom(...CHARS, '*', '?'), { maxLength: 12 })
  .map((xs) => xs.join(''));

/** The longest run between stars that contains a `?`, in code points. */
function longestAnySegment(pattern: string): number {
  return Math.max(
    0,
    ...pattern
      .split('*')
      .filter((seg) => seg.includes('?'))
      .map((seg) => Array.from(seg).length),
  );
}

/** The bound globMatchSteps documents: c·(n + m), times the words of a long `?` segment. */
function bound(pattern: string, value: string): number {
  const n = Array.from(value).length;
  const m = Array.from(pattern).length;
  const words = Math.max(1, Math.ceil(longestAnySegment(pattern) / 31));
  return 6 * (n + m) * words + 6;
}

describe('globMatch', () => {
  it('equals the regular-expression reference (law)', () => {
    fc.assert(
      fc.property(arbPattern, arbValue, (pattern, value) => {
        expect(globMatch(pattern, value)).toBe(reference(pattern, value));
      }),
      { numRuns: NUM_RUNS * 5 },
    );
  });

  it('equals the reference on values built to nearly match (law)', () => {
    // A value made from the pattern itself (stars filled, `?` replaced), then perhaps changed.
    const arbCase = arbPattern.chain((pattern) =>
      fc
        .tuple(
          fc.array(arbValue, { minLength: 12, maxLength: 12 }),
          fc.array(fc.constantFrom(...CHARS), { minLength: 12, maxLength: 12 }),
          fc.nat(),
          fc.boolean(),
        )
        .map(([fills, ones, cut, change]) => {
          let star = 0;
          let one = 0;
          const value = Array.from(pattern)
            .map((ch) => (ch === '*' ? fills[star++ % 12] : ch === '?' ? ones[one++ % 12] : ch))
            .join('');
          const chars = Array.from(value);
          if (change && chars.length > 0) chars.splice(cut % chars.length, 1);
          return [pattern, chars.join('')] as const;
        }),
    );
    fc.assert(
      fc.property(arbCase, ([pattern, value]) => {
        expect(globMatch(pattern, value)).toBe(reference(pattern, value));
      }),
      { numRuns: NUM_RUNS * 5 },
    );
  });

  it('stays within c·(n + m)·⌈L/31⌉ steps for every pattern and value (law)', () => {
    fc.assert(
      fc.property(arbPattern, arbValue, (pattern, value) => {
        expect(globMatchSteps(pattern, value).steps).toBeLessThanOrEqual(bound(pattern, value));
      }),
      { numRuns: NUM_RUNS * 5 },
    );
  });

  it('regression: "*" + "a"×1000 + "b" against 200 KB of "a" costs linear steps', () => {
    const pattern = `*${'a'.repeat(1000)}b`;
    const value = 'a'.repeat(200_000);
    const { matched, steps } = globMatchSteps(pattern, value);
    expect(matched).toBe(false);
    // The backtracking matcher took about n·m = 2·10^8 steps here.
    expect(steps).toBeLessThanOrEqual(6 * (200_000 + 1002));
    expect(globMatchSteps(pattern, `${value}b`).matched).toBe(true);
  });

  it('regression: the same attack with a middle segment, a `?` and many stars stays bounded', () => {
    const value = 'a'.repeat(200_000);
    const cases = [
      `*${'a'.repeat(1000)}b*`,
      `*${'a'.repeat(500)}?${'a'.repeat(499)}b*`,
      `${'*a'.repeat(500)}*b`,
      `*${'?'.repeat(1000)}b`,
    ];
    for (const pattern of cases) {
      const { matched, steps } = globMatchSteps(pattern, value);
      expect(matched, pattern.slice(0, 20)).toBe(false);
      expect(steps, pattern.slice(0, 20)).toBeLessThanOrEqual(bound(pattern, value));
    }
  });

  it('answers a repeated question from its memo and a changed value afresh', () => {
    const pattern = '*.pdf';
    expect(globMatch(pattern, 'a.pdf')).toBe(true);
    expect(globMatch(pattern, 'a.pdf')).toBe(true);
    expect(globMatch(pattern, 'a.pdx')).toBe(false);
    expect(globMatch(pattern, 'a.pdf')).toBe(true);
  });
});
