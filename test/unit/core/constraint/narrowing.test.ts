/** isConstraintNarrower in both profiles, and the work budget on hostile trees. */
import { describe, expect, it } from 'vitest';
import { checkConstraint } from '../../../../src/core/constraint/check.js';
import { intersectConstraints } from '../../../../src/core/constraint/intersection.js';
import { isConstraintNarrower } from '../../../../src/core/constraint/narrowing.js';
import type { Constraint, ConstraintInput } from '../../../../src/core/types.js';
import { exact, range } from '../../../helpers/constraint.js';

describe('isConstraintNarrower (draft rules, both profiles)', () => {
  const both = (c: ConstraintInput, p: ConstraintInput): [boolean, boolean] => [
    isConstraintNarrower(c, p),
    isConstraintNarrower(c, p, { profile: 'aat' }),
  ];
  it.each<[string, ConstraintInput, ConstraintInput, boolean]>([
    ['exact under identical exact', exact('a'), exact('a'), true],
    ['exact under different exact', exact('a'), exact('b'), false],
    ['exact under range', exact(5), range({ min: 0, max: 10 }), true],
    ['exact outside range', exact(11), range({ min: 0, max: 10 }), false],
    ['exact under one_of', exact('pdf'), { in: ['pdf', 'csv'] }, true],
    ['one_of subset', { in: ['pdf'] }, { in: ['pdf', 'csv'] }, true],
    ['one_of widened', { in: ['pdf', 'doc'] }, { in: ['pdf', 'csv'] }, false],
    ['range tighter', range({ min: 10, max: 50 }), range({ min: 0, max: 100 }), true],
    [
      'range missing bound under bounded parent',
      range({ min: 10 }),
      range({ min: 0, max: 100 }),
      false,
    ],
    [
      'range exclusive at the same bound',
      range({ min: 0, min_inclusive: false }),
      range({ min: 0 }),
      true,
    ],
    [
      'range inclusive under exclusive',
      range({ min: 0 }),
      range({ min: 0, min_inclusive: false }),
      false,
    ],
    [
      'not_one_of adds exclusion',
      { constraint_type: 'not_one_of', excluded: ['a', 'b'] },
      { constraint_type: 'not_one_of', excluded: ['a'] },
      true,
    ],
    [
      'not_one_of drops exclusion',
      { constraint_type: 'not_one_of', excluded: [] },
      { constraint_type: 'not_one_of', excluded: ['a'] },
      false,
    ],
    [
      'not_one_of under one_of',
      { constraint_type: 'not_one_of', excluded: ['a'] },
      { in: ['a', 'b'] },
      false,
    ],
    [
      'contains adds',
      { constraint_type: 'contains', required: ['a', 'b'] },
      { constraint_type: 'contains', required: ['a'] },
      true,
    ],
    [
      'contains drops',
      { constraint_type: 'contains', required: [] },
      { constraint_type: 'contains', required: ['a'] },
      false,
    ],
    [
      'subset shrinks',
      { constraint_type: 'subset', allowed: ['a'] },
      { constraint_type: 'subset', allowed: ['a', 'b'] },
      true,
    ],
    [
      'subset grows',
      { constraint_type: 'subset', allowed: ['a', 'c'] },
      { constraint_type: 'subset', allowed: ['a', 'b'] },
      false,
    ],
    ['anything under wildcard', range({ max: 1 }), { constraint_type: 'wildcard' }, true],
    ['wildcard under one_of', { constraint_type: 'wildcard' }, { in: ['a'] }, false],
    ['glob under same glob', { glob: 'a*' }, { glob: 'a*' }, true],
    ['glob narrower glob', { glob: 'ab*' }, { glob: 'a*' }, true],
    ['glob wider glob', { glob: '*' }, { glob: 'a*' }, false],
    ['exact under glob', exact('abc'), { glob: 'a*' }, true],
    [
      'all: extra clause',
      {
        constraint_type: 'all',
        constraints: [range({ max: 100 }), range({ min: 0 }), range({ min: 1 })],
      },
      { constraint_type: 'all', constraints: [range({ max: 100 }), range({ min: 0 })] },
      true,
    ],
    [
      'all: dropped clause',
      { constraint_type: 'all', constraints: [range({ max: 100 })] },
      { constraint_type: 'all', constraints: [range({ max: 100 }), range({ min: 0 })] },
      false,
    ],
    [
      'all: clause reuse',
      { constraint_type: 'all', constraints: [range({ min: 10, max: 50 })] },
      { constraint_type: 'all', constraints: [range({ max: 100 }), range({ min: 0 })] },
      true,
    ],
    [
      'any: fewer alternatives',
      { constraint_type: 'any', constraints: [exact('pdf')] },
      { constraint_type: 'any', constraints: [exact('pdf'), exact('csv')] },
      true,
    ],
    [
      'any: new alternative',
      { constraint_type: 'any', constraints: [exact('pdf'), exact('docx')] },
      { constraint_type: 'any', constraints: [exact('pdf'), exact('csv')] },
      false,
    ],
  ])('%s', (_name, c, p, expected) => {
    expect(both(c, p)).toEqual([expected, expected]);
  });
});

describe('isConstraintNarrower: where the profiles differ', () => {
  it.each<[string, ConstraintInput, ConstraintInput]>([
    // Draft J.8.4: flattening all into a bare (narrower) range is an undeclared pair.
    [
      'bare range under all',
      range({ min: 10, max: 50 }),
      { constraint_type: 'all', constraints: [range({ min: 0 }), range({ max: 100 })] },
    ],
    // Draft J.18.1: all under any is an undeclared pair.
    [
      'all under any',
      { constraint_type: 'all', constraints: [exact('pdf')] },
      { constraint_type: 'any', constraints: [exact('pdf'), exact('csv')] },
    ],
    ['one_of under range', { in: [1, 2] }, range({ min: 0, max: 5 })],
    ['exact under not_one_of', exact('a'), { constraint_type: 'not_one_of', excluded: ['b'] }],
    [
      'range under not_one_of',
      range({ min: 0, max: 5 }),
      { constraint_type: 'not_one_of', excluded: [9, 'x'] },
    ],
    ['empty one_of under anything', { in: [] }, exact(1)],
    ['empty range under anything', range({ min: 1, max: 1, min_inclusive: false }), exact(1)],
    ['one-point range under exact', range({ min: 3, max: 3 }), exact(3)],
    [
      'subset under empty contains',
      { constraint_type: 'subset', allowed: ['a'] },
      { constraint_type: 'contains', required: [] },
    ],
  ])('%s: mandate accepts, aat rejects', (_name, c, p) => {
    expect(isConstraintNarrower(c, p)).toBe(true);
    expect(isConstraintNarrower(c, p, { profile: 'aat' })).toBe(false);
  });

  it('never accepts a widening in either profile', () => {
    expect(
      isConstraintNarrower(range({ min: 0, max: 6 }), {
        constraint_type: 'not_one_of',
        excluded: [5],
      }),
    ).toBe(false);
    expect(
      isConstraintNarrower(
        { constraint_type: 'not_one_of', excluded: [] },
        { constraint_type: 'wildcard' },
      ),
    ).toBe(true);
    expect(
      isConstraintNarrower(
        { constraint_type: 'wildcard' },
        { constraint_type: 'not_one_of', excluded: [] },
      ),
    ).toBe(true);
  });
});

describe('hostile constraint trees', () => {
  // Alternating all/any trees of globs whose decision procedures would take minutes without
  // the per-call work budget: they must finish, and conservatively.
  const g = (i: number): Constraint => ({
    constraint_type: 'glob',
    pattern: `${'*a*b*'.repeat(20)}${i}`,
  });
  const tree = (k: number, d: number, t: 'all' | 'any'): Constraint =>
    d === 0
      ? g(k)
      : {
          constraint_type: t,
          constraints: Array.from({ length: 4 }, (_, i) =>
            tree(k * 4 + i, d - 1, t === 'all' ? 'any' : 'all'),
          ),
        };

  it('narrowing terminates and never accepts what it cannot prove', () => {
    expect(isConstraintNarrower(tree(0, 7, 'any'), tree(1, 7, 'all'))).toBe(false);
    expect(isConstraintNarrower(tree(0, 7, 'any'), tree(1, 7, 'all'), { profile: 'aat' })).toBe(
      false,
    );
  });

  it('intersection terminates and stays exact', () => {
    const a = tree(0, 5, 'any');
    const b = tree(1, 5, 'any');
    const i = intersectConstraints(a, b);
    for (const v of ['ab0', `${'ab'.repeat(20)}0`, `${'ab'.repeat(20)}5`]) {
      expect(checkConstraint(i, v)).toBe(checkConstraint(a, v) && checkConstraint(b, v));
    }
  });
});
