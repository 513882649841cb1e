/**
 * Glob inclusion and intersection after the exploration was made cheaper per state (issue 18:
 * a forged delegation pairing `*a*a*…*` with `a?a?…` made the verifier spend its whole
 * exploration budget, the slowest input of the narrowing stage): the same answers as the former
 * procedure, on generated patterns and on patterns large enough to exhaust the budget.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globIncluded, globsIntersect } from '../../../src/core/glob.js';
import { NUM_RUNS } from '../../../src/testing/index.js';
import {
  referenceGlobIncluded,
  referenceGlobsIntersect,
} from '../../helpers/glob-exploration-reference.js';

// Few characters, so stars and `?` overlap often; an astral one for code points.
const arbPattern = fc
  .array(fc.constantFrom('a', 'b', '😀', '*', '?'), { maxLength: 14 })
  .map((xs) => xs.join(''));

describe('glob inclusion and intersection', () => {
  it('answer as the former exploration did (law)', () => {
    fc.assert(
      fc.property(arbPattern, arbPattern, (a, b) => {
        expect(globIncluded(a, b)).toBe(referenceGlobIncluded(a, b));
        expect(globsIntersect(a, b)).toBe(referenceGlobsIntersect(a, b));
      }),
      { numRuns: NUM_RUNS * 4 },
    );
  });

  it('give up exactly where the former exploration gave up (the budget)', () => {
    for (const n of [8, 16, 24, 40, 64, 128]) {
      const parent = `*${'a*'.repeat(n)}`;
      for (const child of [`${'a?'.repeat(n)}b`, `${'a?'.repeat(n - 1)}b`, `?${'a*'.repeat(n)}`]) {
        expect(globIncluded(child, parent), `${child} ⊆ ${parent}`).toBe(
          referenceGlobIncluded(child, parent),
        );
        expect(globsIntersect(child, parent)).toBe(referenceGlobsIntersect(child, parent));
      }
    }
    // The bench's pair: beyond the budget, so "not included" (sound: never a widening).
    expect(globIncluded(`${'a?'.repeat(499)}1`, `*${'a*'.repeat(499)}`)).toBe(false);
    expect(globsIntersect(`${'a?'.repeat(499)}1`, `*${'a*'.repeat(499)}`)).toBeUndefined();
  });
});
