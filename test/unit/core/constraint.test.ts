import { describe, expect, it } from 'vitest';
import { MandateError } from '../../../src/core/errors.js';
import { isArgMapNarrower } from '../../../src/core/constraint/arg-map.js';
import { checkConstraint } from '../../../src/core/constraint/check.js';
import { intersectConstraints } from '../../../src/core/constraint/intersection.js';
import { isConstraintNarrower } from '../../../src/core/constraint/narrowing.js';
import { normalizeConstraint } from '../../../src/core/constraint/parse.js';
import { InadmissibleNumber } from '../../../src/core/numbers.js';
import type { Constraint, ConstraintInput, Json } from '../../../src/core/types.js';

function failure(fn: () => unknown): {
  code: string;
  check: string;
  path: unknown;
  reason: unknown;
} {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MandateError);
    const e = err as MandateError;
    return { code: e.code, check: e.check, path: e.detail['path'], reason: e.detail['reason'] };
  }
  throw new Error('expected a MandateError');
}

const exact = (value: Json): Constraint => ({
  constraint_type: 'exact',
  value,
});
const range = (
  r: Omit<Extract<Constraint, { constraint_type: 'range' }>, 'constraint_type'>,
): Constraint => ({
  constraint_type: 'range',
  ...r,
});

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

describe('isArgMapNarrower', () => {
  const p = { path: { in: ['/a', '/b'] }, limit: { max: 100 } } as const;
  it('accepts the same keys, each narrowed', () => {
    expect(isArgMapNarrower({ path: { eq: '/a' }, limit: { min: 0, max: 10 } }, p)).toBe(true);
  });
  it('lets a child close an open parent (4p3)', () => {
    expect(isArgMapNarrower({ path: { eq: '/a' } }, {})).toBe(true);
    expect(isArgMapNarrower({ path: { eq: '/a' } }, undefined, { profile: 'aat' })).toBe(true);
  });
  it('rejects a dropped key (4p2)', () => {
    expect(isArgMapNarrower({ path: { eq: '/a' } }, p)).toEqual({
      step: '4p2',
      arg: 'limit',
      reason: 'argument-removed',
    });
  });
  it('rejects an added key (4p2)', () => {
    expect(isArgMapNarrower({ ...p, mode: { eq: 'r' } }, p, { profile: 'aat' })).toEqual({
      step: '4p2',
      arg: 'mode',
      reason: 'argument-added',
    });
  });
  it('rejects an open child under a closed parent', () => {
    expect(isArgMapNarrower({}, p)).toEqual({
      step: '4p2',
      arg: 'limit',
      reason: 'child-unconstrained',
    });
  });
  it('rejects a widened constraint (4p4)', () => {
    expect(isArgMapNarrower({ path: { eq: '/c' }, limit: { max: 10 } }, p)).toEqual({
      step: '4p4',
      arg: 'path',
      reason: 'constraint-not-narrower',
    });
  });
  it('handles optional arguments (AAT 3.3, both profiles; 4p3)', () => {
    for (const profile of ['mandate', 'aat'] as const) {
      expect(
        isArgMapNarrower({ limit: { max: 5 } }, p, { profile, parentOptional: ['path'] }),
      ).toBe(true);
      expect(isArgMapNarrower(p, p, { profile, childOptional: ['path'] })).toEqual({
        step: '4p3',
        arg: 'path',
        reason: 'argument-made-optional',
      });
      expect(
        isArgMapNarrower(p, p, { profile, childOptional: ['path'], parentOptional: ['path'] }),
      ).toBe(true);
      // The inline form is the same as the list.
      const inline = { ...p, path: { in: ['/a', '/b'], optional: true } };
      expect(isArgMapNarrower(inline, p, { profile })).toMatchObject({ step: '4p3' });
      expect(isArgMapNarrower(p, inline, { profile })).toBe(true);
    }
  });

  it('handles the reserved "*" key (AAT 3.3, 4p2)', () => {
    const star = { constraint_type: 'wildcard' } as const;
    for (const profile of ['mandate', 'aat'] as const) {
      // A key named only under the parent's "*" narrows.
      expect(isArgMapNarrower({ ...p, mode: { eq: 'r' } }, { ...p, '*': star }, { profile })).toBe(
        true,
      );
      // Adding "*" widens; dropping it narrows.
      expect(isArgMapNarrower({ ...p, '*': star }, p, { profile })).toEqual({
        step: '4p2',
        arg: '*',
        reason: 'unnamed-added',
      });
      expect(isArgMapNarrower(p, { ...p, '*': star }, { profile })).toBe(true);
      // Omitting an optional argument while keeping "*" would let it back in with any value.
      expect(
        isArgMapNarrower(
          { limit: { max: 5 }, '*': star },
          { ...p, '*': star },
          {
            profile,
            parentOptional: ['path'],
          },
        ),
      ).toEqual({ step: '4p2', arg: 'path', reason: 'unnamed-kept' });
      // An empty map is "*".
      expect(isArgMapNarrower({ '*': star }, {}, { profile })).toBe(true);
      expect(isArgMapNarrower({}, { '*': star }, { profile })).toBe(true);
    }
  });

  it('refuses a "*" that is not a bare wildcard, and optional anywhere but the top level', () => {
    for (const bad of [
      { '*': { eq: 1 } },
      { '*': { constraint_type: 'wildcard', optional: true } },
      { '*': { constraint_type: 'wildcard', optional: false } },
      {
        x: {
          constraint_type: 'all',
          constraints: [{ constraint_type: 'wildcard', optional: true }],
        },
      },
      { x: { eq: 1, optional: 'yes' } },
    ]) {
      expect(() => isArgMapNarrower(bad as never, undefined), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ code: 'MANDATE_MALFORMED', check: 'limits' }),
      );
    }
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
