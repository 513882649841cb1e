/** normalizeConstraint: terse and wire forms into the wire form, every failure coded with `detail.path`. */
import { describe, expect, it } from 'vitest';
import { normalizeConstraint } from '../../../../src/core/constraint/parse.js';
import { InadmissibleNumber } from '../../../../src/core/numbers.js';
import type { Constraint } from '../../../../src/core/types.js';
import { failure } from '../../../helpers/failure.js';
import { exact, range } from '../../../helpers/constraint.js';

describe('normalizeConstraint', () => {
  it('maps the terse forms onto wire forms', () => {
    expect(normalizeConstraint({ eq: 5 })).toEqual({ constraint_type: 'exact', value: 5 });
    expect(normalizeConstraint({ in: ['a', 'b'] })).toEqual({
      constraint_type: 'one_of',
      values: ['a', 'b'],
    });
    expect(normalizeConstraint({ min: 1, max: 9 })).toEqual({
      constraint_type: 'range',
      min: 1,
      max: 9,
    });
    expect(normalizeConstraint({ max: 9 })).toEqual({ constraint_type: 'range', max: 9 });
    expect(normalizeConstraint({ glob: 'a*' })).toEqual({ constraint_type: 'glob', pattern: 'a*' });
  });

  it('passes wire forms through', () => {
    const c: Constraint = {
      constraint_type: 'all',
      constraints: [
        range({ min: 0, min_inclusive: false }),
        { constraint_type: 'not_one_of', excluded: [3] },
      ],
    };
    expect(normalizeConstraint(c)).toEqual(c);
    expect(normalizeConstraint(normalizeConstraint(c))).toEqual(c);
  });

  it('does not alias the input', () => {
    const input = { constraint_type: 'one_of', values: [[1]] } as const;
    const out = normalizeConstraint(input) as Extract<Constraint, { constraint_type: 'one_of' }>;
    expect(out.values[0]).not.toBe(input.values[0]);
  });

  it.each<[string, unknown, string, string]>([
    [
      'unknown type (fail closed)',
      { constraint_type: 'no_such_type' },
      'constraint.constraint_type',
      'unknown-constraint-type',
    ],
    ['unknown terse form', { regex: 'a.*' }, 'constraint', 'unknown-constraint-form'],
    [
      'extra member',
      { constraint_type: 'exact', value: 1, extra: true },
      'constraint',
      'unrecognized_keys',
    ],
    ['missing member', { constraint_type: 'one_of' }, 'constraint.values', 'invalid_type'],
    [
      'empty all',
      { constraint_type: 'all', constraints: [] },
      'constraint.constraints',
      'too_small',
    ],
    [
      'empty any',
      { constraint_type: 'any', constraints: [] },
      'constraint.constraints',
      'too_small',
    ],
    [
      'bad clause',
      { constraint_type: 'any', constraints: [{ eq: 1 }, { bogus: 1 }] },
      'constraint.constraints[1]',
      'unknown-constraint-form',
    ],
    ['string bound', { min: '1' }, 'constraint.min', 'invalid_type'],
    ['empty terse range', {}, 'constraint', 'unknown-constraint-form'],
    ['NaN', { eq: Number.NaN }, 'constraint.eq', 'non-finite-number'],
    ['Infinity', { max: Number.POSITIVE_INFINITY }, 'constraint.max', 'non-finite-number'],
    ['lone surrogate', { eq: 'a\uD800' }, 'constraint.eq', 'lone-surrogate'],
    ['undefined value', { eq: undefined }, 'constraint.eq', 'type'],
    ['function', { eq: () => 1 }, 'constraint.eq', 'type'],
    ['class instance', { eq: new Date(0) }, 'constraint.eq', 'not-plain-object'],
    ['array', [], 'constraint', 'type'],
    // AAT 3.4, in every format: a range whose min is greater than its max.
    ['inverted range', range({ min: 5, max: 1 }), 'constraint', 'range-inverted'],
    ['inverted terse range', { min: 5, max: 1 }, 'constraint', 'range-inverted'],
    [
      'inclusivity without its bound',
      range({ max: 5, min_inclusive: false }),
      'constraint.min_inclusive',
      'range-flag-without-bound',
    ],
    [
      'inverted range in a clause',
      { constraint_type: 'any', constraints: [{ eq: 1 }, range({ min: 2, max: 1 })] },
      'constraint.constraints[1]',
      'range-inverted',
    ],
    [
      'optional nested in a clause',
      { constraint_type: 'all', constraints: [{ constraint_type: 'wildcard', optional: true }] },
      'constraint.constraints[0]',
      'unrecognized_keys',
    ],
    [
      'inadmissible number (a lossless parse marker)',
      { eq: new InadmissibleNumber('9007199254740993') },
      'constraint.eq',
      'inadmissible-number',
    ],
  ])('rejects %s with MANDATE_MALFORMED', (_name, input, path, reason) => {
    expect(failure(() => normalizeConstraint(input))).toEqual({
      code: 'MANDATE_MALFORMED',
      check: 'limits',
      path,
      reason,
    });
  });

  it('rejects a getter instead of running it', () => {
    const input = {
      get eq(): number {
        throw new Error('boom');
      },
    };
    expect(failure(() => normalizeConstraint(input)).reason).toBe('accessor');
  });

  it('limits nesting depth', () => {
    let c: Constraint = exact(1);
    for (let i = 0; i < 7; i++) c = { constraint_type: 'all', constraints: [c] };
    expect(() => normalizeConstraint(c)).not.toThrow(); // depth 8
    const deeper: Constraint = { constraint_type: 'any', constraints: [c] };
    expect(failure(() => normalizeConstraint(deeper))).toMatchObject({
      code: 'MANDATE_LIMIT_EXCEEDED',
      reason: 'constraint-depth',
    });
  });

  it('survives hostile nesting and cycles', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(failure(() => normalizeConstraint({ eq: deep })).code).toBe('MANDATE_LIMIT_EXCEEDED');
    const cyclic: { eq: unknown } = { eq: null };
    cyclic.eq = cyclic;
    expect(failure(() => normalizeConstraint(cyclic)).code).toBe('MANDATE_LIMIT_EXCEEDED');
  });

  it('limits array and string sizes', () => {
    expect(
      failure(() => normalizeConstraint({ in: Array.from({ length: 257 }, (_, i) => i) })),
    ).toMatchObject({
      code: 'MANDATE_LIMIT_EXCEEDED',
      path: 'constraint.in',
    });
    expect(failure(() => normalizeConstraint({ glob: 'a'.repeat(1025) })).code).toBe(
      'MANDATE_LIMIT_EXCEEDED',
    );
  });
});
