/**
 * The shapes of capabilities and constraints at the trust boundary: for each, its zod schema
 * (the reference, built on first use) and a quick parser for what the schema plainly accepts
 * (see `Shape` in `schemas.ts`). The capability algebra (`isSubset`, `intersect`, `allows`,
 * `normalizeCapabilities`) is synchronous and runs on every verification, so a genuine
 * capability never loads zod; any other input gets the schema's verdict, message and
 * `detail.path`, exactly as before. `test/unit/core/shapes.test.ts` holds each quick parser to
 * its schema.
 *
 * The schemas check shape only. Before they run, `assertJson` has already bounded the value
 * (depth, sizes, finite numbers, plain objects, data members), so zod never walks hostile
 * nesting; constraint trees are recursed by `constraint/parse.ts` with an explicit depth limit
 * rather than by `z.lazy`, for the same reason.
 */
import type { z } from 'zod';
import {
  isBoolean,
  isDefined,
  isFiniteNumber,
  isString,
  listOf,
  optionalMembers,
  plainRecord,
  scopeMembers,
  strictMembers,
  when,
  type Members,
} from './quick-parse.js';
import type { Shape } from './schemas.js';
import type { Json } from './types.js';
import { lazySchema } from './zod.js';

const wireSchemas = lazySchema((z) => {
  // Values were validated as JSON by assertJson before any schema runs.
  const json = z.custom<Json>(() => true);
  const jsonList = z.array(json);
  // zod 4 numbers reject NaN and ±Infinity.
  const finite = z.number();
  return {
    exact: z.strictObject({ constraint_type: z.literal('exact'), value: json }),
    one_of: z.strictObject({ constraint_type: z.literal('one_of'), values: jsonList }),
    not_one_of: z.strictObject({ constraint_type: z.literal('not_one_of'), excluded: jsonList }),
    range: z.strictObject({
      constraint_type: z.literal('range'),
      min: finite.optional(),
      max: finite.optional(),
      min_inclusive: z.boolean().optional(),
      max_inclusive: z.boolean().optional(),
    }),
    contains: z.strictObject({ constraint_type: z.literal('contains'), required: jsonList }),
    subset: z.strictObject({ constraint_type: z.literal('subset'), allowed: jsonList }),
    wildcard: z.strictObject({ constraint_type: z.literal('wildcard') }),
    all: z.strictObject({
      constraint_type: z.literal('all'),
      // An empty conjunction would accept everything while looking like a constraint
      // (AAT section 4.5, steps 3n/4o).
      constraints: z.array(z.unknown()).min(1, 'must not be empty'),
    }),
    any: z.strictObject({
      constraint_type: z.literal('any'),
      constraints: z.array(z.unknown()).min(1, 'must not be empty'),
    }),
    glob: z.strictObject({ constraint_type: z.literal('glob'), pattern: z.string() }),
  } as const;
});

const terseSchemas = lazySchema((z) => {
  const json = z.custom<Json>(() => true);
  const finite = z.number();
  return {
    eq: z.strictObject({ eq: json }),
    in: z.strictObject({ in: z.array(json) }),
    glob: z.strictObject({ glob: z.string() }),
    range: z
      .strictObject({ min: finite.optional(), max: finite.optional() })
      .refine((r) => r.min !== undefined || r.max !== undefined, 'needs min or max'),
  } as const;
});

const capabilitySchema = lazySchema((z) =>
  z.strictObject({
    resource: z.string(),
    actions: z.array(z.string()).min(1, 'must name at least one action'),
    constraints: z.record(z.string(), z.unknown()).optional(),
    optional: z.array(z.string()).optional(),
  }),
);

type Wire = ReturnType<typeof wireSchemas>;
type Terse = ReturnType<typeof terseSchemas>;
type ShapesOf<S> = { readonly [K in keyof S]: Shape<z.output<S[K] & z.ZodType>> };
type WireOut<T extends keyof Wire> = z.output<Wire[T]>;

/** The wire schema of `type` (typed per member: TypeScript cannot index the tuple generically). */
function wireSchema<T extends keyof Wire>(type: T): () => z.ZodType<WireOut<T>> {
  return () => wireSchemas()[type] as unknown as z.ZodType<WireOut<T>>;
}

/** Members of a strict object whose `constraint_type` is `type`, given its other members. */
function wireMembers(value: unknown, type: string, others: readonly string[]): Members | undefined {
  const m = strictMembers(value, new Set(['constraint_type', ...others]));
  return m !== undefined && m['constraint_type'] === type ? m : undefined;
}

/** A wire form whose only other member is a list of JSON values named `list`. */
function wireList<T extends 'one_of' | 'not_one_of' | 'contains' | 'subset'>(
  type: T,
  list: string,
): Shape<WireOut<T>> {
  return {
    schema: wireSchema(type),
    quick: (value) => {
      const m = wireMembers(value, type, [list]);
      const items = m === undefined ? undefined : listOf(m[list], isDefined);
      return items === undefined
        ? undefined
        : ({ constraint_type: type, [list]: items } as unknown as WireOut<T>);
    },
  };
}

/** A conjunction or disjunction: a non-empty list of sub-constraints (parsed separately). */
function wireJunction<T extends 'all' | 'any'>(type: T): Shape<WireOut<T>> {
  return {
    schema: wireSchema(type),
    quick: (value) => {
      const m = wireMembers(value, type, ['constraints']);
      const constraints = m === undefined ? undefined : listOf(m['constraints'], isDefined, 1);
      return constraints === undefined
        ? undefined
        : ({ constraint_type: type, constraints } as WireOut<T>);
    },
  };
}

/** Wire constraint shapes, keyed by `constraint_type`; nested clauses are parsed separately. */
export const WIRE_CONSTRAINT_SHAPES: ShapesOf<Wire> = {
  exact: {
    schema: () => wireSchemas().exact,
    quick: (value) => {
      const m = wireMembers(value, 'exact', ['value']);
      const v = m?.['value'];
      return v === undefined ? undefined : { constraint_type: 'exact', value: v as Json };
    },
  },
  one_of: wireList('one_of', 'values'),
  not_one_of: wireList('not_one_of', 'excluded'),
  range: {
    schema: () => wireSchemas().range,
    quick: (value) => {
      const m = wireMembers(value, 'range', ['min', 'max', 'min_inclusive', 'max_inclusive']);
      const out: Record<string, unknown> = { constraint_type: 'range' };
      const parsed =
        m !== undefined &&
        optionalMembers(m, out, {
          min: when(isFiniteNumber),
          max: when(isFiniteNumber),
          min_inclusive: when(isBoolean),
          max_inclusive: when(isBoolean),
        });
      return parsed ? (out as WireOut<'range'>) : undefined;
    },
  },
  contains: wireList('contains', 'required'),
  subset: wireList('subset', 'allowed'),
  wildcard: {
    schema: () => wireSchemas().wildcard,
    quick: (value) =>
      wireMembers(value, 'wildcard', []) === undefined
        ? undefined
        : { constraint_type: 'wildcard' },
  },
  all: wireJunction('all'),
  any: wireJunction('any'),
  glob: {
    schema: () => wireSchemas().glob,
    quick: (value) => {
      const pattern = wireMembers(value, 'glob', ['pattern'])?.['pattern'];
      return typeof pattern === 'string' ? { constraint_type: 'glob', pattern } : undefined;
    },
  },
};

const EQ = new Set(['eq']);
const IN = new Set(['in']);
const GLOB = new Set(['glob']);
const MIN_MAX = new Set(['min', 'max']);

/** The terse forms a TypeScript caller may write. */
export const TERSE_CONSTRAINT_SHAPES: ShapesOf<Terse> = {
  eq: {
    schema: () => terseSchemas().eq,
    quick: (value) => {
      const eq = strictMembers(value, EQ)?.['eq'];
      return eq === undefined ? undefined : { eq: eq as Json };
    },
  },
  in: {
    schema: () => terseSchemas().in,
    quick: (value) => {
      const m = strictMembers(value, IN);
      const items = m === undefined ? undefined : listOf(m['in'], isDefined);
      return items === undefined ? undefined : { in: items };
    },
  },
  glob: {
    schema: () => terseSchemas().glob,
    quick: (value) => {
      const glob = strictMembers(value, GLOB)?.['glob'];
      return typeof glob === 'string' ? { glob } : undefined;
    },
  },
  range: {
    schema: () => terseSchemas().range,
    quick: (value) => {
      const m = strictMembers(value, MIN_MAX);
      const out: { min?: number; max?: number } = {};
      const parsed =
        m !== undefined &&
        optionalMembers(m, out, { min: when(isFiniteNumber), max: when(isFiniteNumber) });
      return parsed && Object.keys(out).length > 0 ? out : undefined;
    },
  },
};

const CAPABILITY_MEMBERS = new Set(['resource', 'actions', 'constraints', 'optional']);

/** One capability as callers write it (names are validated separately). */
export const CAPABILITY_INPUT_SHAPE: Shape<z.output<ReturnType<typeof capabilitySchema>>> = {
  schema: capabilitySchema,
  quick: (value) => {
    const scope = scopeMembers(value, CAPABILITY_MEMBERS);
    if (scope === undefined) return undefined;
    const out: {
      resource: string;
      actions: string[];
      constraints?: Record<string, unknown>;
      optional?: string[];
    } = { resource: scope.resource, actions: scope.actions };
    const parsed = optionalMembers(scope.m, out, {
      constraints: plainRecord,
      optional: (v) => listOf(v, isString),
    });
    return parsed ? out : undefined;
  },
};
