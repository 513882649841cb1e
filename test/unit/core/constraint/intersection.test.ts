/** intersectConstraints: exactly the values both accept. */
import { describe, expect, it } from 'vitest';
import { checkConstraint } from '../../../../src/core/constraint/check.js';
import { intersectConstraints } from '../../../../src/core/constraint/intersection.js';
import { isConstraintNarrower } from '../../../../src/core/constraint/narrowing.js';
import type { Constraint, ConstraintInput } from '../../../../src/core/types.js';
import { exact, range } from '../../../helpers/constraint.js';

describe('intersectConstraints', () => {
  it.each<[string, ConstraintInput, ConstraintInput, Constraint]>([
    ['range ∩ range', { min: 0, max: 10 }, { min: 5, max: 20 }, range({ min: 5, max: 10 })],
    [
      'exclusive bounds win at equal values',
      range({ min: 0, min_inclusive: false }),
      range({ min: 0, max: 3 }),
      range({ min: 0, min_inclusive: false, max: 3 }),
    ],
    [
      'disjoint ranges',
      { min: 0, max: 1 },
      { min: 2, max: 3 },
      { constraint_type: 'one_of', values: [] },
    ],
    [
      'one_of ∩ one_of',
      { in: [1, 2, 3] },
      { in: [2, 3, 4] },
      { constraint_type: 'one_of', values: [2, 3] },
    ],
    ['exact ∩ range', { eq: 5 }, { min: 0, max: 10 }, exact(5)],
    [
      'exact ∩ range, empty',
      { eq: 50 },
      { min: 0, max: 10 },
      { constraint_type: 'one_of', values: [] },
    ],
    [
      'one_of ∩ range',
      { in: [1, 20] },
      { min: 0, max: 10 },
      { constraint_type: 'one_of', values: [1] },
    ],
    [
      'glob ∩ wider glob',
      { glob: 'ab*' },
      { glob: 'a*' },
      { constraint_type: 'glob', pattern: 'ab*' },
    ],
    ['disjoint globs', { glob: 'a*' }, { glob: 'b*' }, { constraint_type: 'one_of', values: [] }],
    [
      'glob ∩ range (different types)',
      { glob: '*' },
      { min: 0 },
      { constraint_type: 'one_of', values: [] },
    ],
    [
      'not_one_of ∪',
      { constraint_type: 'not_one_of', excluded: ['a'] },
      { constraint_type: 'not_one_of', excluded: ['b'] },
      { constraint_type: 'not_one_of', excluded: ['a', 'b'] },
    ],
  ])('%s', (_name, a, b, expected) => {
    const i = intersectConstraints(a, b);
    expect(i).toEqual(expected);
    expect(isConstraintNarrower(i, a)).toBe(true);
    expect(isConstraintNarrower(i, b)).toBe(true);
  });

  it('falls back to all for overlapping, incomparable globs', () => {
    const i = intersectConstraints({ glob: 'a*' }, { glob: '*b' });
    expect(i).toEqual({
      constraint_type: 'all',
      constraints: [
        { constraint_type: 'glob', pattern: 'a*' },
        { constraint_type: 'glob', pattern: '*b' },
      ],
    });
    expect(checkConstraint(i, 'axb')).toBe(true);
    expect(checkConstraint(i, 'ax')).toBe(false);
  });

  it('distributes over any', () => {
    const i = intersectConstraints(
      { constraint_type: 'any', constraints: [range({ max: 0 }), range({ min: 10 })] },
      { min: -5, max: 12 },
    );
    expect(i).toEqual({
      constraint_type: 'any',
      constraints: [range({ min: -5, max: 0 }), range({ min: 10, max: 12 })],
    });
  });
});
