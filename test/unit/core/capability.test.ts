import { describe, expect, it } from 'vitest';
import { MandateError } from '../../../src/core/errors.js';
import {
  allows,
  authorize,
  findWidening,
  intersect,
  isSubset,
  normalizeCapabilities,
} from '../../../src/core/capability.js';
import type { Action, CapabilityInput } from '../../../src/core/types.js';

function failure(fn: () => unknown): { code: string; check: string; path: unknown } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MandateError);
    const e = err as MandateError;
    return { code: e.code, check: e.check, path: e.detail['path'] };
  }
  throw new Error('expected a MandateError');
}

const pay: CapabilityInput = {
  resource: 'billing:invoices/*',
  actions: ['pay', 'read'],
  constraints: { amount: { max: 500 }, currency: { in: ['EUR', 'USD'] } },
  optional: ['currency'],
};
const readAll: CapabilityInput = { resource: 'billing:**', actions: ['read'] };

describe('normalizeCapabilities', () => {
  it('sorts and de-duplicates, maps terse forms, drops empties', () => {
    expect(
      normalizeCapabilities([
        { resource: 'billing:a', actions: ['write', 'read', 'write'], constraints: {} },
        { resource: 'billing:a', actions: ['read', 'write'] },
        {
          resource: 'docs:x',
          actions: ['read'],
          constraints: { z: { eq: 1 }, a: { glob: 'x*' } },
          optional: ['z', 'z'],
        },
      ]),
    ).toEqual([
      { resource: 'billing:a', actions: ['read', 'write'] },
      {
        resource: 'docs:x',
        actions: ['read'],
        constraints: {
          a: { constraint_type: 'glob', pattern: 'x*' },
          z: { constraint_type: 'exact', value: 1 },
        },
        optional: ['z'],
      },
    ]);
  });

  it('keeps an argument named __proto__ as data', () => {
    const input = JSON.parse(
      '[{"resource":"a:b","actions":["read"],"constraints":{"__proto__":{"eq":1}}}]',
    ) as CapabilityInput[];
    const [cap] = normalizeCapabilities(input);
    expect(Object.getPrototypeOf(cap?.constraints)).toBe(Object.prototype);
    expect(Object.keys(cap?.constraints ?? {})).toEqual(['__proto__']);
    expect(
      allows(input, {
        resource: 'a:b',
        action: 'read',
        args: JSON.parse('{"__proto__":1}') as never,
      }),
    ).toBe(true);
    expect(allows(input, { resource: 'a:b', action: 'read', args: { toString: 1 } })).toBe(false);
  });

  it.each<[string, unknown, string, string]>([
    ['not an array', { resource: 'a:b' }, 'MANDATE_MALFORMED', 'capabilities'],
    [
      'unknown member',
      [{ resource: 'a:b', actions: ['read'], scope: 'x' }],
      'MANDATE_MALFORMED',
      'capabilities[0]',
    ],
    [
      'no actions',
      [{ resource: 'a:b', actions: [] }],
      'MANDATE_MALFORMED',
      'capabilities[0].actions',
    ],
    [
      'bad action',
      [{ resource: 'a:b', actions: ['re ad'] }],
      'MANDATE_MALFORMED',
      'capabilities[0].actions[0]',
    ],
    [
      'bad resource',
      [{ resource: 'a:x/../y', actions: ['read'] }],
      'MANDATE_MALFORMED',
      'capabilities[0].resource',
    ],
    [
      'resource type',
      [{ resource: 7, actions: ['read'] }],
      'MANDATE_MALFORMED',
      'capabilities[0].resource',
    ],
    [
      'unknown constraint',
      [{ resource: 'a:b', actions: ['read'], constraints: { x: { like: 'a%' } } }],
      'MANDATE_MALFORMED',
      'capabilities[0].constraints.x',
    ],
    [
      'optional not constrained',
      [{ resource: 'a:b', actions: ['read'], constraints: { x: { eq: 1 } }, optional: ['y'] }],
      'MANDATE_MALFORMED',
      'capabilities[0].optional[0]',
    ],
    [
      'bidi argument name',
      [{ resource: 'a:b', actions: ['read'], constraints: { 'x\u202E': { eq: 1 } } }],
      'MANDATE_MALFORMED',
      'capabilities[0].constraints["x\u202E"]',
    ],
    [
      'too many',
      Array.from({ length: 65 }, () => readAll),
      'MANDATE_LIMIT_EXCEEDED',
      'capabilities',
    ],
    [
      'huge action list',
      [{ resource: 'a:b', actions: Array.from({ length: 300 }, () => 'read') }],
      'MANDATE_LIMIT_EXCEEDED',
      'capabilities[0].actions',
    ],
  ])('rejects %s', (_name, input, code, path) => {
    expect(failure(() => normalizeCapabilities(input as CapabilityInput[]))).toEqual({
      code,
      check: 'limits',
      path,
    });
  });

  it('never lets a ZodError escape', () => {
    for (const bad of [
      null,
      1,
      'x',
      [null],
      [1],
      [[]],
      [{}],
      [{ resource: 'a:b', actions: 'read' }],
    ]) {
      expect(() => normalizeCapabilities(bad as never)).toThrow(MandateError);
    }
  });
});

describe('authorize', () => {
  const caps = [pay, readAll];
  const act = (a: Partial<Action>): Action => ({
    resource: 'billing:invoices/7',
    action: 'pay',
    ...a,
  });

  it('allows a request inside a capability', () => {
    expect(authorize(caps, act({ args: { amount: 20, currency: 'EUR' } }))).toEqual({
      allowed: true,
    });
    expect(allows(caps, act({ args: { amount: 500 } }))).toBe(true); // currency is optional
  });

  it('denies a resource outside every capability', () => {
    const r = authorize(caps, act({ resource: 'docs:x', args: { amount: 1 } }));
    expect(r).toMatchObject({
      allowed: false,
      code: 'MANDATE_FORBIDDEN',
      detail: { resource: 'docs:x', action: 'pay' },
    });
  });

  it('denies an action not granted', () => {
    expect(authorize(caps, act({ action: 'refund', args: { amount: 1 } }))).toMatchObject({
      allowed: false,
      code: 'MANDATE_FORBIDDEN',
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a constraint violation', { amount: 501 }, 'constraint'],
    ['an unnamed argument (closed world)', { amount: 1, memo: 'hi' }, 'unknown'],
    ['a missing constrained argument', { currency: 'EUR' }, 'missing'],
    ['a type confusion', { amount: '1' }, 'constraint'],
  ])('denies %s', (_name, args, why) => {
    const r = authorize(caps, act({ args: args as never }));
    expect(r).toMatchObject({ allowed: false, code: 'MANDATE_FORBIDDEN' });
    if (!r.allowed)
      expect(r.detail['problems']).toEqual([expect.objectContaining({ capability: 0, why })]);
  });

  it('lets an unconstrained capability accept any arguments', () => {
    expect(allows(caps, act({ action: 'read', args: { anything: [1, { x: 2 }] } }))).toBe(true);
  });

  it('applies constraints to every action of the capability', () => {
    expect(allows([pay], act({ action: 'read', args: { amount: 900 } }))).toBe(false);
  });

  it.each<[string, Action, string]>([
    ['a wildcard resource', { resource: 'billing:invoices/*', action: 'pay' }, 'MANDATE_MALFORMED'],
    ['a traversal', { resource: 'billing:invoices/../x', action: 'pay' }, 'MANDATE_MALFORMED'],
    [
      'an invisible character',
      { resource: 'billing:invoices/7\u200B', action: 'pay' },
      'MANDATE_MALFORMED',
    ],
    ['a bad action name', { resource: 'billing:invoices/7', action: 'p*y' }, 'MANDATE_MALFORMED'],
    [
      'NaN argument',
      { resource: 'billing:invoices/7', action: 'pay', args: { amount: Number.NaN } },
      'MANDATE_MALFORMED',
    ],
    [
      'array args',
      { resource: 'billing:invoices/7', action: 'pay', args: [] as never },
      'MANDATE_MALFORMED',
    ],
  ])('denies %s as malformed, without throwing', (_name, action, code) => {
    expect(authorize(caps, action)).toMatchObject({ allowed: false, code });
  });

  it('denies (not throws) on malformed capabilities', () => {
    expect(authorize([{ resource: 'x', actions: ['read'] }], act({}))).toMatchObject({
      allowed: false,
      code: 'MANDATE_MALFORMED',
    });
    expect(authorize(null as never, act({}))).toMatchObject({
      allowed: false,
      code: 'MANDATE_MALFORMED',
    });
  });

  it('denies hostile argument nesting', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    expect(
      authorize([readAll], { resource: 'billing:x', action: 'read', args: { deep } as never }),
    ).toMatchObject({
      allowed: false,
      code: 'MANDATE_LIMIT_EXCEEDED',
    });
  });
});

describe('isSubset', () => {
  it('is reflexive and accepts narrower resources, actions and constraints', () => {
    expect(isSubset([pay], [pay])).toBe(true);
    expect(
      isSubset(
        [
          {
            resource: 'billing:invoices/7',
            actions: ['pay'],
            constraints: { amount: { max: 100 }, currency: { eq: 'EUR' } },
          },
        ],
        [pay],
      ),
    ).toBe(true);
    expect(isSubset([], [pay])).toBe(true);
  });

  it('checks each (capability, action) against any one parent capability', () => {
    const parent: CapabilityInput[] = [
      { resource: 'billing:**', actions: ['read'] },
      { resource: 'billing:invoices/*', actions: ['pay'], constraints: { amount: { max: 10 } } },
    ];
    expect(
      isSubset(
        [
          {
            resource: 'billing:invoices/1',
            actions: ['read', 'pay'],
            constraints: { amount: { max: 5 } },
          },
        ],
        parent,
      ),
    ).toBe(true);
  });

  it.each<[string, CapabilityInput, string]>([
    ['wider resource', { ...pay, resource: 'billing:**' }, 'resource'],
    ['extra action', { ...pay, actions: ['pay', 'refund'] }, 'resource'],
    [
      'looser constraint',
      { ...pay, constraints: { amount: { max: 501 }, currency: { eq: 'EUR' } } },
      'arguments',
    ],
    [
      'dropped constraint (child unconstrained)',
      { resource: 'billing:invoices/1', actions: ['pay'] },
      'arguments',
    ],
    ['required argument made optional', { ...pay, optional: ['amount', 'currency'] }, 'arguments'],
    [
      'added argument the parent does not name',
      { ...pay, constraints: { ...pay.constraints, memo: { eq: 'x' } } },
      'arguments',
    ],
  ])('rejects a %s', (_name, child, reason) => {
    expect(isSubset([child], [pay])).toBe(false);
    expect(findWidening([child], [pay])).toMatchObject({ capability: 0, reason });
  });

  it('lets a child constrain arguments of an unconstrained parent', () => {
    expect(
      isSubset(
        [{ resource: 'billing:a', actions: ['read'], constraints: { x: { eq: 1 } } }],
        [readAll],
      ),
    ).toBe(true);
  });

  it('lets a child drop (forbid) an optional argument or require it', () => {
    expect(isSubset([{ ...pay, constraints: { amount: { max: 5 } }, optional: [] }], [pay])).toBe(
      true,
    );
    expect(isSubset([{ ...pay, optional: [] }], [pay])).toBe(true);
  });

  it('treats a capability that allows nothing as a subset of anything', () => {
    expect(
      isSubset([{ resource: 'docs:**', actions: ['pay'], constraints: { x: { in: [] } } }], [pay]),
    ).toBe(true);
  });

  it('is exact on the terse forms', () => {
    const parent: CapabilityInput = {
      resource: 'a:*',
      actions: ['read'],
      constraints: { n: { min: 0, max: 10 }, s: { glob: 'ab*' } },
    };
    expect(
      isSubset([{ ...parent, constraints: { n: { in: [0, 10] }, s: { glob: 'abc?' } } }], [parent]),
    ).toBe(true);
    expect(
      isSubset([{ ...parent, constraints: { n: { min: 3, max: 3 }, s: { eq: 'ab' } } }], [parent]),
    ).toBe(true);
    expect(
      isSubset([{ ...parent, constraints: { n: { in: [0, 11] }, s: { glob: 'ab*' } } }], [parent]),
    ).toBe(false);
    expect(
      isSubset([{ ...parent, constraints: { n: { min: 0 }, s: { glob: 'ab*' } } }], [parent]),
    ).toBe(false);
    expect(
      isSubset(
        [{ ...parent, constraints: { n: { min: 0, max: 10 }, s: { glob: 'a*b' } } }],
        [parent],
      ),
    ).toBe(false);
  });

  it('throws MANDATE_MALFORMED on invalid input', () => {
    expect(
      failure(() =>
        isSubset(
          [{ resource: 'a:b', actions: ['read'] }],
          [{ resource: 'a:b*', actions: ['read'] }],
        ),
      ),
    ).toMatchObject({
      code: 'MANDATE_MALFORMED',
      path: 'capabilities[0].resource',
    });
  });
});

describe('intersect', () => {
  it('intersects resources, actions and constraints', () => {
    const other: CapabilityInput = {
      resource: 'billing:*/7',
      actions: ['pay'],
      constraints: { amount: { min: 100, max: 900 }, currency: { eq: 'EUR' } },
      optional: ['currency'],
    };
    expect(intersect([pay], [other])).toEqual([
      {
        resource: 'billing:invoices/7',
        actions: ['pay'],
        constraints: {
          amount: { constraint_type: 'range', min: 100, max: 500 },
          currency: { constraint_type: 'exact', value: 'EUR' },
        },
        optional: ['currency'],
      },
    ]);
  });

  it('drops disjoint pairs', () => {
    expect(intersect([pay], [{ resource: 'docs:**', actions: ['pay'] }])).toEqual([]);
    expect(intersect([pay], [{ resource: 'billing:**', actions: ['write'] }])).toEqual([]);
    expect(
      intersect([pay], [{ ...pay, constraints: { amount: { min: 600 } }, optional: [] }]),
    ).toEqual([]);
  });

  it('keeps the constrained side when the other is unconstrained', () => {
    const [c] = intersect([readAll], [pay]);
    expect(c).toMatchObject({
      resource: 'billing:invoices/*',
      actions: ['read'],
      optional: ['currency'],
    });
  });

  it('forbids arguments only one closed-world side names', () => {
    const a: CapabilityInput = {
      resource: 'a:b',
      actions: ['read'],
      constraints: { x: { eq: 1 } },
      optional: ['x'],
    };
    const b: CapabilityInput = {
      resource: 'a:b',
      actions: ['read'],
      constraints: { y: { eq: 2 } },
      optional: ['y'],
    };
    const i = intersect([a], [b]);
    // Only the empty argument map is allowed by both.
    expect(allows(i, { resource: 'a:b', action: 'read', args: {} })).toBe(true);
    expect(allows(i, { resource: 'a:b', action: 'read', args: { x: 1 } })).toBe(false);
    expect(allows(i, { resource: 'a:b', action: 'read', args: { y: 2 } })).toBe(false);
    expect(allows(i, { resource: 'a:b', action: 'read', args: { z: 2 } })).toBe(false);
    // A required argument the other side does not name empties the pair.
    expect(intersect([{ ...a, optional: [] }], [b])).toEqual([]);
  });
});
