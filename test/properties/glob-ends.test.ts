/**
 * The quick test on two globs' lengths and fixed ends (glob-ends.ts) answers only "not
 * included", and only when that is true: held to the full exploration (the former procedure,
 * exact on patterns this small) and to a witness, a string the child matches and the parent
 * does not, on random patterns; and the inclusion procedure with the quick test answers as
 * the one without it did.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isConstraintNarrower } from '../../src/core/constraint/narrowing.js';
import { globIncluded, globMatch, isLiteralGlob } from '../../src/core/glob.js';
import { endsExclude } from '../../src/core/glob-ends.js';
import { ANY, globForm, ONE, type GlobForm } from '../../src/core/glob-form.js';
import { NUM_RUNS } from '../../src/testing/config.js';
import { referenceGlobIncluded } from '../helpers/glob-exploration-reference.js';

// Literals that differ at the ends often, stars and `?` between them; an astral code point.
const arbPattern = fc
  .array(fc.constantFrom('a', 'b', 'c', '😀', '*', '?', '*', '?'), { maxLength: 12 })
  .map((xs) => xs.join(''));

// Pairs that share much of an end, so the test has to look past the first position.
const arbRelated = fc
  .tuple(arbPattern, arbPattern, arbPattern, arbPattern)
  .map(([stem, a, b, end]) => [`${stem}${a}${end}`, `${stem}${b}${end}`] as const);

/**
 * The child strings the quick test's proof names as witnesses: each `?` a character no
 * pattern here uses, the stars empty, or the first star one such character.
 */
function witnesses(form: GlobForm): string[] {
  const spell = (starFill: string) => {
    let first = true;
    return form.tokens
      .map((t) => {
        if (t !== ANY) return t === ONE ? 'z' : t;
        const fill = first ? starFill : '';
        first = false;
        return fill;
      })
      .join('');
  };
  return form.starred ? [spell(''), spell('z')] : [spell('')];
}

describe('the quick test on the ends of two globs', () => {
  it('says "not included" only when the exploration says so, and a witness exists (law)', () => {
    let excluded = 0;
    fc.assert(
      fc.property(fc.oneof(fc.tuple(arbPattern, arbPattern), arbRelated), ([child, parent]) => {
        const verdict = endsExclude(globForm(child), globForm(parent));
        expect(verdict.steps).toBeGreaterThan(0);
        if (!verdict.excluded) return;
        excluded++;
        expect(referenceGlobIncluded(child, parent)).toBe(false);
        const shown = witnesses(globForm(child));
        expect(shown.every((s) => globMatch(child, s))).toBe(true);
        expect(shown.some((s) => !globMatch(parent, s))).toBe(true);
      }),
      { numRuns: NUM_RUNS * 8 },
    );
    // The law is not vacuous: the quick test decides a good share of random pairs.
    expect(excluded).toBeGreaterThan(NUM_RUNS);
  });

  it('leaves every inclusion answer as the exploration alone gave it (law)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.tuple(arbPattern, arbPattern), arbRelated), ([child, parent]) => {
        expect(globIncluded(child, parent)).toBe(referenceGlobIncluded(child, parent));
      }),
      { numRuns: NUM_RUNS * 8 },
    );
  });

  it('an `any` of globs under an `any` of globs: the clauses the quick test skips change no verdict (law)', () => {
    // What each pair is without any quick test: the former exploration, or for a literal
    // child (narrowing checks its one string) the matcher.
    const pairNarrower = (c: string, p: string) =>
      c === p || (isLiteralGlob(c) ? globMatch(p, c) : referenceGlobIncluded(c, p));
    const anyOf = (xs: readonly string[]) => ({
      constraint_type: 'any' as const,
      constraints: xs.map((pattern) => ({ constraint_type: 'glob' as const, pattern })),
    });
    const arbClauses = fc.array(fc.oneof(arbPattern, fc.constantFrom('abc', 'ab', 'a?c')), {
      minLength: 1,
      maxLength: 4,
    });
    fc.assert(
      fc.property(arbClauses, arbClauses, (child, parent) => {
        const expected = child.every((c) => parent.some((p) => pairNarrower(c, p)));
        for (const profile of ['mandate', 'aat'] as const) {
          expect(isConstraintNarrower(anyOf(child), anyOf(parent), { profile })).toBe(expected);
        }
      }),
      { numRuns: NUM_RUNS * 4 },
    );
  });

  it('decides the pairs of an `any` under an `any` that differ in a literal', () => {
    expect(endsExclude(globForm('x0a5*'), globForm('x63*')).excluded).toBe(true);
    expect(endsExclude(globForm('*.pdf'), globForm('*.txt')).excluded).toBe(true);
    expect(endsExclude(globForm('a?c'), globForm('abc')).excluded).toBe(true);
    expect(endsExclude(globForm('*'), globForm('abc*')).excluded).toBe(true);
    // Included pairs, and a pair only the exploration can settle, are left to it.
    expect(endsExclude(globForm('x5a5*'), globForm('x5*')).excluded).toBe(false);
    expect(endsExclude(globForm('abc'), globForm('a?c')).excluded).toBe(false);
    expect(endsExclude(globForm('a*b*c'), globForm('a*c*c')).excluded).toBe(false);
  });
});
