/**
 * The quick parsers in front of the capability, constraint and approval-requirement schemas
 * (issue 13: a genuine request loads no zod) decide exactly as their zod schema, the reference:
 * - whatever a quick parser accepts, the schema accepts, with the same output;
 * - `parseShape` (quick parser, else schema) and `parseWith` (the schema alone) return the
 *   same value or throw the same coded error (code, check, message, `detail.path` and reason)
 *   on arbitrary and hostile values: missing, extra, `__proto__` and `constructor` members,
 *   `undefined` and holes, NaN and ±Infinity, null prototypes, class instances, arrays;
 * - they accept the ordinary input (the capabilities the testing arbitraries generate), so
 *   that input never reaches zod.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  CAPABILITY_INPUT_SHAPE,
  TERSE_CONSTRAINT_SHAPES,
  WIRE_CONSTRAINT_SHAPES,
} from '../../../src/core/capability-shapes.js';
import {
  REQUIREMENT_SHAPE,
  normalizeApprovalRequirements,
} from '../../../src/core/approval-requirement.js';
import { normalizeCapabilities } from '../../../src/core/capability.js';
import { isMandateError } from '../../../src/core/errors.js';
import { parseShape, parseWith, type Shape } from '../../../src/core/schemas.js';
import { arbCapabilities } from '../../../src/testing/arbitraries.js';
import { NUM_RUNS } from '../../../src/testing/config.js';

const RUNS = Math.max(NUM_RUNS, 300);

/** Each shape, the members it knows and (for a wire form) its `constraint_type`. */
interface Case {
  readonly name: string;
  readonly shape: Shape<unknown>;
  readonly members: readonly string[];
  readonly tag?: string;
}

const WIRE_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  exact: ['value'],
  one_of: ['values'],
  not_one_of: ['excluded'],
  range: ['min', 'max', 'min_inclusive', 'max_inclusive'],
  contains: ['required'],
  subset: ['allowed'],
  wildcard: [],
  all: ['constraints'],
  any: ['constraints'],
  glob: ['pattern'],
};

const SHAPES: readonly Case[] = [
  ...Object.entries(WIRE_CONSTRAINT_SHAPES).map(([type, shape]): Case => ({
    name: `wire ${type}`,
    shape: shape,
    members: ['constraint_type', ...(WIRE_MEMBERS[type] ?? [])],
    tag: type,
  })),
  ...Object.entries(TERSE_CONSTRAINT_SHAPES).map(([form, shape]): Case => ({
    name: `terse ${form}`,
    shape: shape,
    members: form === 'range' ? ['min', 'max'] : [form],
  })),
  {
    name: 'capability',
    shape: CAPABILITY_INPUT_SHAPE,
    members: ['resource', 'actions', 'constraints', 'optional'],
  },
  {
    name: 'approval requirement',
    shape: REQUIREMENT_SHAPE,
    members: ['resource', 'actions', 'when', 'approvers', 'threshold'],
  },
];

const CONSTRAINT_TYPES = Object.keys(WIRE_CONSTRAINT_SHAPES);

class Thing {
  constructor(readonly resource = 'billing:x') {}
}

/** A sparse array: a hole where an item should be. */
function holey(): unknown[] {
  const a: unknown[] = ['a'];
  a[2] = 'b';
  return a;
}

/** Member values: plausible ones (so that many objects are valid) and hostile ones. */
const arbMember: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom(...CONSTRAINT_TYPES), weight: 4 },
  { arbitrary: fc.string({ maxLength: 8 }), weight: 3 },
  { arbitrary: fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }), weight: 4 },
  { arbitrary: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }), weight: 2 },
  { arbitrary: fc.integer({ min: -3, max: 20 }), weight: 3 },
  { arbitrary: fc.double(), weight: 1 },
  { arbitrary: fc.boolean(), weight: 2 },
  { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 2 },
  {
    arbitrary: fc.constantFrom<unknown>(
      undefined,
      null,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      [],
      {},
      Object.create(null),
      new Thing(),
      { amount: { max: 5 } },
      { __proto__: null, amount: { eq: 1 } },
      JSON.parse('{"__proto__": {"eq": 1}}'),
      [undefined],
      1.5,
      17,
      '',
    ),
    weight: 3,
  },
  { arbitrary: fc.constant(0).map(holey), weight: 1 },
);

/** Values a member of that name usually holds, so that whole objects are often valid. */
const PLAUSIBLE: Readonly<Record<string, fc.Arbitrary<unknown>>> = {
  resource: fc.string({ maxLength: 8 }),
  actions: fc.array(fc.string({ maxLength: 4 }), { minLength: 1, maxLength: 3 }),
  approvers: fc.array(fc.string({ maxLength: 4 }), { minLength: 1, maxLength: 3 }),
  // Mostly within the 1 to 3 approvers above (0 and 4 still refused), and a `when` that
  // is valid or absent: else an accepted requirement is rare enough that a run may see none.
  threshold: fc.integer({ min: 0, max: 4 }),
  when: fc.constantFrom<unknown>({}, { amount: { max: 5 } }),
};

/** An object built member by member (own data members, so `__proto__` is a real member). */
function arbObject(names: readonly string[], tag?: string): fc.Arbitrary<unknown> {
  // Mostly the right tag, so that the rest of the object decides.
  const member = (k: string): fc.Arbitrary<unknown> => {
    const likely =
      k === 'constraint_type' && tag !== undefined
        ? fc.constant(tag)
        : Object.hasOwn(PLAUSIBLE, k)
          ? PLAUSIBLE[k]
          : undefined;
    return likely === undefined
      ? arbMember
      : fc.oneof({ arbitrary: likely, weight: 4 }, { arbitrary: arbMember, weight: 1 });
  };
  return fc
    .tuple(
      fc.uniqueArray(
        fc
          .oneof(
            { arbitrary: fc.constantFrom(...names), weight: 12 },
            { arbitrary: fc.constantFrom('__proto__', 'constructor', 'extra'), weight: 1 },
          )
          .chain((k) => member(k).map((v): [string, unknown] => [k, v])),
        { selector: ([k]) => k, maxLength: names.length + 1 },
      ),
      fc.constantFrom<'plain' | 'null' | 'array'>('plain', 'plain', 'plain', 'null', 'array'),
    )
    .map(([members, kind]) => {
      const target: object = kind === 'null' ? Object.create(null) : kind === 'array' ? [] : {};
      for (const [k, v] of members) {
        Object.defineProperty(target, k, {
          value: v,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return target;
    });
}

/** What a parse did: its value, or its error as data. */
function outcome(parse: () => unknown): unknown {
  try {
    return { value: parse() };
  } catch (error) {
    if (!isMandateError(error)) throw error;
    return {
      code: error.code,
      check: error.check,
      hop: error.hop,
      message: error.message,
      detail: error.detail,
    };
  }
}

describe.each(SHAPES)('the $name quick parser', ({ shape, members, tag }) => {
  const values = fc.oneof(
    { arbitrary: arbObject(members, tag), weight: 8 },
    { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
    { arbitrary: arbMember, weight: 1 },
  );

  it('accepts only what the schema accepts, with the same output', () => {
    let accepted = 0;
    fc.assert(
      fc.property(values, (value) => {
        const quick = shape.quick(value);
        if (quick === undefined) return;
        accepted++;
        const parsed = shape.schema().safeParse(value);
        expect(parsed.success).toBe(true);
        expect(quick).toEqual(parsed.data);
      }),
      { numRuns: RUNS },
    );
    // The generator reaches the accepting side (else the property says nothing).
    expect(accepted).toBeGreaterThan(0);
  });

  it('parseShape returns or throws exactly what the schema alone does (code, path, message)', () => {
    fc.assert(
      fc.property(values, (value) => {
        expect(outcome(() => parseShape(shape, value, 'x'))).toEqual(
          outcome(() => parseWith(shape.schema(), value, 'x')),
        );
      }),
      { numRuns: RUNS },
    );
  });
});

describe('ordinary input never reaches a schema', () => {
  it('normalizing the capabilities the testing arbitraries generate builds no schema', () => {
    const spies = SHAPES.map(({ shape }) => vi.spyOn(shape, 'schema'));
    try {
      fc.assert(
        fc.property(arbCapabilities(), (capabilities) => {
          normalizeCapabilities(capabilities);
        }),
        { numRuns: RUNS },
      );
      normalizeApprovalRequirements([
        {
          resource: 'billing:invoices/**',
          actions: ['pay'],
          when: { amount: { min: 100 } },
          approvers: ['user'],
          threshold: 1,
        },
      ]);
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
      // The spies do see a schema being built (so "not called" above means something).
      expect(() => normalizeCapabilities([{ resource: 'x:y', actions: [] }])).toThrow();
      expect(spies.some((spy) => spy.mock.calls.length > 0)).toBe(true);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});
