/**
 * Generated tool calls for the differential seam fuzz: a tool's input schema (zod fields that
 * default, coerce, trim, lowercase, transform, preprocess, catch, are optional or nullable,
 * nested objects that strip or keep unknown keys, unicode and prototype-named keys), the
 * arguments a model or client sends (plain JSON, near the constraints' edges), and the
 * capability a mandate grants (per-argument constraints, optional ones, open or closed).
 */
import fc from 'fast-check';
import { z } from 'zod';
import type { CapabilityInput, Json } from '../../../src/index.js';
import { authorize } from '../../../src/core/capability.js';

/** The resource and action every generated tool needs. */
export const TOOL_ACTION = { resource: 'fuzz:tools/fz', action: 'call' } as const;

/** Argument names: plain, unicode (NFC and NFD), look-alikes, prototype names, the empty one. */
export const KEYS = [
  'to',
  'amount',
  'memo',
  'é',
  'e\u0301',
  'ａｍｏｕｎｔ',
  'amount\u200b',
  '__proto__',
  'constructor',
  'toString',
  '*',
  '',
] as const;

/** A zod field kind: how the schema reads one argument. */
const FIELDS = {
  string: () => z.string(),
  trim: () => z.string().trim(),
  lower: () => z.string().toLowerCase(),
  coerceString: () => z.coerce.string(),
  number: () => z.number(),
  int: () => z.number().int(),
  coerceNumber: () => z.coerce.number(),
  coerceBoolean: () => z.coerce.boolean(),
  boolean: () => z.boolean(),
  defaultNumber: () => z.number().default(5000),
  defaultString: () => z.string().default('mallory'),
  optionalNumber: () => z.number().optional(),
  optionalString: () => z.string().optional(),
  nullable: () => z.string().nullable(),
  nullish: () => z.number().nullish(),
  transform: () => z.number().transform((n) => n * 100),
  transformString: () => z.string().transform((s) => s.replaceAll('-', '')),
  preprocess: () =>
    z.preprocess((v) => (typeof v === 'string' ? v.normalize('NFKC') : v), z.string()),
  catchNumber: () => z.number().catch(0),
  catchEnum: () => z.enum(['bob', 'mallory']).catch('mallory'),
  enum: () => z.enum(['bob', 'carol', 'mallory']),
  literal: () => z.literal('bob'),
  union: () => z.union([z.string(), z.number()]),
  pipe: () => z.string().pipe(z.coerce.number()),
  date: () => z.coerce.date(),
  array: () => z.array(z.string()),
  arrayDefault: () => z.array(z.number()).default([]),
  nested: () => z.object({ x: z.number() }),
  nestedLoose: () => z.looseObject({ x: z.number() }),
  nestedStrict: () => z.strictObject({ x: z.number().default(1) }),
  record: () => z.record(z.string(), z.number()),
  unknown: () => z.unknown(),
  any: () => z.any(),
} as const;

export type FieldKind = keyof typeof FIELDS;

/** A generated input schema: its fields and how the object treats unknown keys. */
export interface SchemaSpec {
  readonly fields: readonly (readonly [string, FieldKind])[];
  readonly mode: 'shape' | 'strip' | 'loose' | 'strict';
}

/** The zod fields of a spec, as an object with own data members (a `__proto__` key included). */
export function shapeOf(spec: SchemaSpec): Record<string, z.ZodType> {
  return Object.fromEntries(spec.fields.map(([key, kind]) => [key, FIELDS[kind]()]));
}

/** The object schema a spec describes (a raw shape is read as `z.object`, as the SDKs do). */
export function objectSchemaOf(spec: SchemaSpec): z.ZodObject {
  const shape = shapeOf(spec);
  switch (spec.mode) {
    case 'shape':
    case 'strip':
      return z.object(shape);
    case 'loose':
      return z.looseObject(shape);
    case 'strict':
      return z.strictObject(shape);
  }
}

export const schemaSpec: fc.Arbitrary<SchemaSpec> = fc.record({
  fields: fc.uniqueArray(
    fc.tuple(
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom('to', 'amount', 'memo') },
        fc.constantFrom(...KEYS),
      ),
      fc.constantFrom(...(Object.keys(FIELDS) as FieldKind[])),
    ),
    { minLength: 1, maxLength: 4, selector: ([key]) => key },
  ),
  mode: fc.constantFrom('shape', 'strip', 'loose', 'strict'),
});

/** Values near what the schemas change and the constraints bound. */
const leaf: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom(
    'bob',
    ' bob',
    'BOB',
    'mallory',
    ' MALLORY',
    'mal-lory',
    'ｍａｌｌｏｒｙ',
    'carol',
    '5',
    '50',
    '5000',
    'true',
    'false',
    '',
    '2026-03-01T00:00:00.000Z',
    'é',
    'e\u0301',
  ),
  fc.constantFrom(0, 1, 5, 50, 100, 101, 5000, -1, 1.5, 0.1, 1e21, 2 ** 53),
  fc.boolean(),
  fc.constant(null),
);

export const argValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 6, arbitrary: leaf },
  fc.array(leaf, { maxLength: 3 }),
  fc.record({ x: leaf }, { requiredKeys: [] }),
  fc.constantFrom<Json>(
    { x: 1, y: 'extra' },
    { x: 5000 },
    JSON.parse('{"__proto__":{"amount":5000}}') as Json,
  ),
);

/** Values each field kind leaves exactly as they are (so a call can be genuine). */
const FITTING: Partial<Record<FieldKind, readonly Json[]>> = {
  string: ['bob', 'carol', 'é'],
  trim: ['bob', 'carol'],
  lower: ['bob', 'carol'],
  coerceString: ['bob', 'carol'],
  number: [0, 1, 50, 100, 5000],
  int: [0, 1, 50],
  coerceNumber: [1, 50],
  coerceBoolean: [true, false],
  boolean: [true, false],
  defaultNumber: [1, 50],
  defaultString: ['bob'],
  optionalNumber: [1, 50],
  optionalString: ['bob'],
  nullable: ['bob', null],
  nullish: [1, null],
  transform: [0],
  transformString: ['bob'],
  preprocess: ['bob', 'é'],
  catchNumber: [1, 50],
  catchEnum: ['bob', 'mallory'],
  enum: ['bob', 'carol', 'mallory'],
  literal: ['bob'],
  union: ['bob', 1],
  array: [['a'], []],
  arrayDefault: [[1], []],
  nested: [{ x: 1 }],
  nestedLoose: [{ x: 1 }, { x: 1, y: 'extra' }],
  nestedStrict: [{ x: 1 }],
  record: [{ a: 1 }, {}],
  unknown: ['bob', 1, null, { x: 1 }],
  any: ['bob', 1],
};

/** Arguments that fit the schema: every field with a value its kind leaves as it is. */
function fittingArgs(spec: SchemaSpec): fc.Arbitrary<Record<string, Json>> {
  return fc
    .tuple(
      ...spec.fields.map(([key, kind]) =>
        fc.tuple(fc.constant(key), fc.constantFrom(...(FITTING[kind] ?? [leafSample]))),
      ),
    )
    .map((entries) => Object.fromEntries(entries.filter(([, value]) => value !== leafSample)));
}
const leafSample = 'no fitting value';

/** Sent arguments: fitting ones, or mostly the schema's own keys with any values. */
export function argsFor(spec: SchemaSpec): fc.Arbitrary<Record<string, Json>> {
  const own = spec.fields.map(([key]) => key);
  const any = fc
    .array(
      fc.tuple(
        fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...own) }, fc.constantFrom(...KEYS)),
        argValue,
      ),
      { maxLength: 5 },
    )
    .map((entries) => Object.fromEntries(entries));
  return fc.oneof(fittingArgs(spec), any);
}

/** A generated tool and one call to it: its schema, the arguments sent, the capability held. */
export const toolCall = schemaSpec.chain((spec) => fc.tuple(fc.constant(spec), callFor(spec)));

/** A capability that allows `args` (each argument wildcarded, pinned or listed), or none. */
function fittedCapability(args: Record<string, Json>): fc.Arbitrary<CapabilityInput> {
  const keys = Object.keys(args);
  return fc
    .tuple(
      ...keys.map((key) =>
        fc.constantFrom<unknown>(
          { constraint_type: 'wildcard' },
          { eq: args[key] },
          { in: [args[key], 'mallory'] },
        ),
      ),
    )
    .map(
      (constraints) =>
        ({
          resource: TOOL_ACTION.resource,
          actions: [TOOL_ACTION.action],
          ...(keys.length === 0
            ? {}
            : {
                constraints: Object.fromEntries(keys.map((k, i) => [k, constraints[i]])),
              }),
        }) as CapabilityInput,
    )
    .map(validOrUnconstrained);
}

/** A call to the generated tool: its arguments and the capability the mandate grants. */
export function callFor(
  spec: SchemaSpec,
): fc.Arbitrary<readonly [Record<string, Json>, CapabilityInput]> {
  return argsFor(spec).chain((args) =>
    fc.tuple(fc.constant(args), fc.oneof(fittedCapability(args), capabilityFor(spec))),
  );
}

/** One argument's constraint, in the input forms a mandate takes. */
const constraint = fc.oneof(
  fc.constant({ constraint_type: 'wildcard' }),
  leaf.map((eq) => ({ eq })),
  fc.array(leaf, { minLength: 1, maxLength: 3 }).map((values) => ({ in: values })),
  fc.constantFrom(0, 1, 100, 5000).map((max) => ({ max })),
  fc.constantFrom(0, 1, 50).map((min) => ({ min })),
  fc.constantFrom(['mallory'], ['mallory', 'MALLORY'], [5000]).map((excluded) => ({
    constraint_type: 'not_one_of',
    excluded,
  })),
  fc.constantFrom('b*', '*o*', 'mallory', '?ob').map((glob) => ({ glob })),
);

/** A capability for the generated tool: no constraints, or some per argument, maybe optional. */
export const capabilityFor = (spec: SchemaSpec): fc.Arbitrary<CapabilityInput> =>
  fc
    .tuple(
      fc.array(
        fc.tuple(
          fc.oneof(
            { weight: 3, arbitrary: fc.constantFrom(...spec.fields.map(([key]) => key)) },
            fc.constantFrom(...KEYS),
          ),
          constraint,
          fc.boolean(),
        ),
        { maxLength: 4 },
      ),
      fc.boolean(),
    )
    .map(([entries, open]) => {
      const constraints: Record<string, unknown> = {};
      const optional: string[] = [];
      for (const [key, c, isOptional] of entries) {
        if (key === '*') continue;
        Object.defineProperty(constraints, key, { value: c, enumerable: true, writable: true });
        if (isOptional) optional.push(key);
      }
      if (open && entries.length > 0) constraints['*'] = { constraint_type: 'wildcard' };
      return {
        resource: TOOL_ACTION.resource,
        actions: [TOOL_ACTION.action],
        ...(entries.length === 0 ? {} : { constraints, optional: [...new Set(optional)] }),
      } as CapabilityInput;
    })
    .map(validOrUnconstrained);

/**
 * A capability a mandate can carry (`authorize` reads a malformed one as MALFORMED, say a
 * constraint on a name that is not NFC), else the tool's capability with no constraints.
 */
function validOrUnconstrained(cap: CapabilityInput): CapabilityInput {
  const decision = authorize([cap], { resource: 'fuzz:probe', action: 'none' });
  return decision.allowed || decision.code === 'MANDATE_FORBIDDEN'
    ? cap
    : { resource: TOOL_ACTION.resource, actions: [TOOL_ACTION.action] };
}

/**
 * Plain JSON data, exactly: null, booleans, finite numbers, strings, arrays and objects whose
 * prototype is `Object.prototype` or null with own enumerable data members only. Independent of
 * the library's own check, so the oracle does not borrow the code under test.
 */
export function isPlainJson(value: unknown): value is Json {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    return value.every((v, i) => Object.hasOwn(value, i) && isPlainJson(v));
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Reflect.ownKeys(value).every((key) => {
    if (typeof key !== 'string') return false;
    const d = Object.getOwnPropertyDescriptor(value, key);
    return d !== undefined && 'value' in d && d.enumerable === true && isPlainJson(d.value);
  });
}

/** Deep equality of two plain JSON values (numbers by value, `-0` equal to `0`; key order free). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (!isPlainJson(a) || !isPlainJson(b)) return false;
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((x, i) => sameJson(x, b[i]))
    );
  }
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  return (
    ak.length === bk.length &&
    ak.every((k) => Object.hasOwn(b, k) && sameJson((a as never)[k], (b as never)[k]))
  );
}

/** Whether the mandate's capability allows the tool to run with `args`. */
export function allows(cap: CapabilityInput, args: unknown): boolean {
  return (
    isPlainJson(args) &&
    authorize([cap], { ...TOOL_ACTION, args: args as Record<string, Json> }).allowed
  );
}
