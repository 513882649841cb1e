/**
 * The algebra's laws (src/testing/laws.ts) on generated capabilities and constraints.
 * fast-check prints the seed and the shrunk counterexample of any failure; replay with
 * `seed` in the law's options. MANDATE_NUM_RUNS sets the number of runs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globIncluded, globMatch, globsIntersect } from '../../src/core/glob.js';
import { NUM_RUNS } from '../../src/testing/config.js';
import { arbCapabilities, arbTerseConstraint } from '../../src/testing/arbitraries.js';
import {
  checkConstraintIntersection,
  checkConstraintNarrowingComplete,
  checkConstraintNarrowingSound,
  checkConstraintNormalization,
  checkIntersectExact,
  checkIntersectGreatest,
  checkIntersectLowerBound,
  checkNarrowingIsSubset,
  checkNormalizationIdempotent,
  checkSubsetAntisymmetric,
  checkSubsetReflexive,
  checkSubsetSound,
  checkSubsetTransitive,
} from '../../src/testing/laws.js';

describe('isSubset is a partial order (up to equivalence)', () => {
  it('is reflexive', () => checkSubsetReflexive());
  it('is transitive', () => checkSubsetTransitive());
  it('is antisymmetric up to equivalence', () => checkSubsetAntisymmetric());
  it('recognises generated narrowings', () => checkNarrowingIsSubset());
});

describe('isSubset is sound', () => {
  it('isSubset(a, b) && allows(a, x) => allows(b, x)', () => checkSubsetSound());
  it('on the terse forms', () =>
    checkSubsetSound({ capabilities: arbCapabilities({ terse: true }) }));
});

describe('intersect is the greatest lower bound', () => {
  it('is a lower bound', () => checkIntersectLowerBound());
  it('is semantically exact', () => checkIntersectExact());
  it('is exact on the terse forms', () =>
    checkIntersectExact({ capabilities: arbCapabilities({ terse: true }) }));
  it('is the greatest lower bound on the terse forms', () =>
    checkIntersectGreatest({ capabilities: arbCapabilities({ terse: true }) }));
});

describe('constraints', () => {
  it('narrowing is sound (mandate profile)', () => checkConstraintNarrowingSound());
  it('narrowing is sound (aat profile)', () => checkConstraintNarrowingSound({ profile: 'aat' }));
  it('narrowing is sound on the terse forms', () =>
    checkConstraintNarrowingSound({ constraints: arbTerseConstraint() }));
  it('derived narrowings are recognised', () => checkConstraintNarrowingComplete());
  it('intersection is exact and narrower than both', () => checkConstraintIntersection());
  it('normalisation is idempotent and preserves check', () => checkConstraintNormalization());
});

describe('capability normalisation', () => {
  it('is idempotent', () => checkNormalizationIdempotent());
});

describe('glob inclusion and intersection are exact (brute force over short strings)', () => {
  // 'c' stands for every character neither pattern mentions.
  const strings: string[] = [''];
  for (let len = 1; len <= 6; len++) {
    for (const s of strings.filter((x) => x.length === len - 1)) {
      for (const ch of 'abc') strings.push(s + ch);
    }
  }
  const arbGlob = fc
    .array(fc.constantFrom('a', 'b', '*', '?'), { maxLength: 4 })
    .map((cs) => cs.join(''));

  it('globIncluded(c, p) iff every short string c matches, p matches', () => {
    fc.assert(
      fc.property(arbGlob, arbGlob, (c, p) => {
        const brute = strings.every((s) => !globMatch(c, s) || globMatch(p, s));
        expect(globIncluded(c, p)).toBe(brute);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('globsIntersect(a, b) iff some short string matches both', () => {
    fc.assert(
      fc.property(arbGlob, arbGlob, (a, b) => {
        expect(globsIntersect(a, b)).toBe(strings.some((s) => globMatch(a, s) && globMatch(b, s)));
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
