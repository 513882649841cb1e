/** checkConstraint: a value against a constraint (AAT section 3.4, plus glob). */
import { describe, expect, it } from 'vitest';
import { checkConstraint } from '../../../../src/core/constraint/check.js';
import type { ConstraintInput } from '../../../../src/core/types.js';
import { failure } from '../../../helpers/failure.js';

describe('checkConstraint', () => {
  it.each<[ConstraintInput, unknown, boolean]>([
    [{ eq: 5 }, 5, true],
    [{ eq: 5 }, 5.0, true],
    [{ eq: 5 }, '5', false],
    [{ eq: { a: [1, 2] } }, { a: [1, 2] }, true],
    [{ eq: { a: 1, b: 2 } }, { b: 2, a: 1 }, true], // JSON equality ignores member order
    [{ eq: [1, 2] }, [2, 1], false],
    [{ in: ['a', 'b'] }, 'b', true],
    [{ in: [] }, 'b', false],
    [{ constraint_type: 'not_one_of', excluded: ['secret'] }, 'public', true],
    [{ constraint_type: 'not_one_of', excluded: ['secret'] }, 'secret', false],
    [{ min: 0, max: 10 }, 10, true],
    [{ min: 0, max: 10 }, 10.5, false],
    [{ min: 0, max: 10 }, '5', false],
    [{ constraint_type: 'range', min: 0, min_inclusive: false }, 0, false],
    [{ constraint_type: 'range', max: 10, max_inclusive: false }, 10, false],
    [{ constraint_type: 'range', max: 10, max_inclusive: false }, 9.99, true],
    [{ constraint_type: 'contains', required: ['public'] }, ['x', 'public'], true],
    [{ constraint_type: 'contains', required: ['public'] }, ['x'], false],
    [{ constraint_type: 'contains', required: ['public'] }, 'public', false],
    [{ constraint_type: 'subset', allowed: ['r', 'w'] }, ['r'], true],
    [{ constraint_type: 'subset', allowed: ['r', 'w'] }, [], true],
    [{ constraint_type: 'subset', allowed: ['r', 'w'] }, ['x'], false],
    [{ constraint_type: 'wildcard' }, { any: 'thing' }, true],
    [{ glob: '/data/*.pdf' }, '/data/q3/report.pdf', true], // * crosses '/'
    [{ glob: '/data/?.pdf' }, '/data/é.pdf', true], // ? is one code point
    [{ glob: '/data/?.pdf' }, '/data/ab.pdf', false],
    [{ glob: 'a*' }, 5, false],
    [
      {
        constraint_type: 'all',
        constraints: [
          { constraint_type: 'range', min: 0 },
          { constraint_type: 'range', max: 5 },
        ],
      },
      3,
      true,
    ],
    [
      {
        constraint_type: 'all',
        constraints: [
          { constraint_type: 'range', min: 0 },
          { constraint_type: 'range', max: 5 },
        ],
      },
      6,
      false,
    ],
    [
      {
        constraint_type: 'any',
        constraints: [
          { constraint_type: 'exact', value: 'pdf' },
          { constraint_type: 'exact', value: 'csv' },
        ],
      },
      'csv',
      true,
    ],
    [
      { constraint_type: 'any', constraints: [{ constraint_type: 'exact', value: 'pdf' }] },
      'xlsx',
      false,
    ],
  ])('%j accepts %j: %s', (c, v, expected) => {
    expect(checkConstraint(c, v as never)).toBe(expected);
  });

  it('accepts nothing that is not JSON', () => {
    expect(checkConstraint({ constraint_type: 'wildcard' }, Number.NaN)).toBe(false);
    expect(checkConstraint({ constraint_type: 'wildcard' }, undefined as never)).toBe(false);
  });

  it('rejects an unknown constraint type', () => {
    expect(failure(() => checkConstraint({ constraint_type: 'regex' } as never, 'x')).code).toBe(
      'MANDATE_MALFORMED',
    );
  });
});
