/**
 * fast-check arbitraries for capabilities, constraints and actions. Alphabets are tiny on
 * purpose (two schemes, three segment names, three actions, small integers, strings over
 * `a`/`b`) so that generated patterns, constraints and requests overlap often and the laws
 * exercise both verdicts.
 */
import fc from 'fast-check';
import type { ArgConstraintInput } from '../core/constraint/arg-map.js';
import type { Mutable, Range } from '../core/constraint/range.js';
import type { Action, CapabilityInput, Constraint, ConstraintInput, Json } from '../core/types.js';
import { deepFreeze } from '../core/freeze.js';

/** Resource schemes the arbitraries draw from (tiny alphabets make collisions likely). */
export const SCHEMES = deepFreeze(['billing', 'docs'] as const);
/** Resource path segments the arbitraries draw from. */
export const SEGMENTS = deepFreeze(['a', 'b', 'c'] as const);
/** Action names the arbitraries draw from. */
export const ACTIONS = deepFreeze(['read', 'write', 'pay'] as const);
/** Argument names the arbitraries draw from. */
export const ARG_NAMES = deepFreeze(['x', 'y', 'z'] as const);
/** An argument name no generated capability constrains. */
const STRAY_ARG = 'w';

const arbScheme = fc.constantFrom(...SCHEMES);
const arbSegment = fc.constantFrom(...SEGMENTS);
const arbInt = fc.integer({ min: -2, max: 12 });
const arbString = fc.constantFrom('', 'a', 'b', 'ab', 'ba', 'aa', 'abb', 'bab');
const arbScalar: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: arbInt },
  { weight: 4, arbitrary: arbString },
  { weight: 1, arbitrary: fc.constantFrom<Json>(null, true, false, 2.5) },
);

/** Small JSON values: mostly scalars, sometimes short arrays of scalars (for contains/subset). */
export function arbJsonValue(): fc.Arbitrary<Json> {
  return fc.oneof(
    { weight: 4, arbitrary: arbScalar },
    { weight: 1, arbitrary: fc.array(fc.oneof(arbInt, arbString), { maxLength: 3 }) },
  );
}

function formatPattern(scheme: string, segments: readonly string[], rest: boolean): string {
  const segs = rest ? [...segments, '**'] : segments;
  return `${scheme}:${segs.join('/')}`;
}

/** Resource patterns such as `billing:a/*`, `docs:**`, `billing:b/c/**`. */
export function arbResourcePattern(): fc.Arbitrary<string> {
  return fc
    .record({
      scheme: arbScheme,
      segments: fc.array(fc.oneof(arbSegment, fc.constant('*')), { maxLength: 3 }),
      rest: fc.boolean(),
    })
    .filter((p) => p.rest || p.segments.length > 0)
    .map((p) => formatPattern(p.scheme, p.segments, p.rest));
}

/** A concrete resource matching `pattern` (wildcards filled from the tiny alphabet). */
export function arbConcreteFor(pattern: string): fc.Arbitrary<string> {
  const colon = pattern.indexOf(':');
  const scheme = pattern.slice(0, colon);
  const parts = pattern.slice(colon + 1).split('/');
  const rest = parts[parts.length - 1] === '**';
  const fixed = rest ? parts.slice(0, -1) : parts;
  const min = rest && fixed.length === 0 ? 1 : 0;
  return fc
    .tuple(
      fc.tuple(...fixed.map((s) => (s === '*' ? arbSegment : fc.constant(s)))),
      rest ? fc.array(arbSegment, { minLength: min, maxLength: 2 }) : fc.constant([]),
    )
    .map(([head, tail]) => `${scheme}:${[...head, ...tail].join('/')}`);
}

/**
 * Concrete resources; given patterns, biased towards resources they match.
 */
export function arbConcreteResource(patterns: readonly string[] = []): fc.Arbitrary<string> {
  const random = fc
    .tuple(arbScheme, fc.array(arbSegment, { minLength: 1, maxLength: 4 }))
    .map(([s, segs]) => `${s}:${segs.join('/')}`);
  if (patterns.length === 0) return random;
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...patterns).chain(arbConcreteFor) },
    { weight: 1, arbitrary: random },
  );
}

const arbGlobPattern = fc
  .array(fc.constantFrom('a', 'b', '*', '?'), { maxLength: 4 })
  .map((cs) => cs.join(''));
const arbValues = fc.uniqueArray(arbScalar, { maxLength: 3, selector: (v) => JSON.stringify(v) });
const arbBound = fc.option(arbInt, { nil: undefined });

/** The terse forms: `{ eq }`, `{ in }`, `{ min, max }`, `{ glob }`. */
export function arbTerseConstraint(): fc.Arbitrary<ConstraintInput> {
  return fc.oneof(
    arbScalar.map((eq): ConstraintInput => ({ eq })),
    arbValues.map((values): ConstraintInput => ({ in: values })),
    fc
      .tuple(arbBound, arbBound)
      .filter(([min, max]) => min !== undefined || max !== undefined)
      // Well-formed (AAT 3.4): min is never greater than max.
      .map(([a, b]) => (a !== undefined && b !== undefined && a > b ? [b, a] : [a, b]))
      .map(([min, max]): ConstraintInput => {
        const r: { min?: number; max?: number } = {};
        if (min !== undefined) r.min = min;
        if (max !== undefined) r.max = max;
        return r;
      }),
    arbGlobPattern.map((glob): ConstraintInput => ({ glob })),
  );
}

function arbRange(): fc.Arbitrary<Constraint> {
  return fc
    .record({
      min: arbBound,
      max: arbBound,
      minInc: fc.option(fc.boolean(), { nil: undefined }),
      maxInc: fc.option(fc.boolean(), { nil: undefined }),
    })
    .map((r) => {
      // Well-formed (AAT 3.4): min <= max, and an inclusivity flag only with its bound.
      const swap = r.min !== undefined && r.max !== undefined && r.min > r.max;
      const min = swap ? r.max : r.min;
      const max = swap ? r.min : r.max;
      const out: Mutable<Range> = { constraint_type: 'range' };
      if (min !== undefined) out.min = min;
      if (max !== undefined) out.max = max;
      if (r.minInc !== undefined && min !== undefined) out.min_inclusive = r.minInc;
      if (r.maxInc !== undefined && max !== undefined) out.max_inclusive = r.maxInc;
      return out;
    });
}

/** Wire-form leaf constraints of every type. */
function arbWireLeaf(): fc.Arbitrary<Constraint> {
  const items = fc.uniqueArray(fc.oneof(arbInt, arbString), {
    maxLength: 3,
    selector: (v) => JSON.stringify(v),
  });
  return fc.oneof(
    arbScalar.map((value): Constraint => ({ constraint_type: 'exact', value })),
    arbValues.map((values): Constraint => ({ constraint_type: 'one_of', values })),
    arbValues.map((excluded): Constraint => ({ constraint_type: 'not_one_of', excluded })),
    arbRange(),
    items.map((required): Constraint => ({ constraint_type: 'contains', required })),
    items.map((allowed): Constraint => ({ constraint_type: 'subset', allowed })),
    fc.constant<Constraint>({ constraint_type: 'wildcard' }),
    arbGlobPattern.map((pattern): Constraint => ({ constraint_type: 'glob', pattern })),
  );
}

/**
 * Constraints: terse forms, every AAT type, and `all` / `any` nested up to `maxDepth`
 * levels (default 2).
 */
export function arbConstraint(maxDepth = 2): fc.Arbitrary<ConstraintInput> {
  const leaf: fc.Arbitrary<ConstraintInput> = fc.oneof(arbTerseConstraint(), arbWireLeaf());
  if (maxDepth <= 0) return leaf;
  return fc.oneof(
    { weight: 4, arbitrary: leaf },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom('all' as const, 'any' as const),
          fc.array(arbWireConstraint(maxDepth - 1), { minLength: 1, maxLength: 3 }),
        )
        .map(([t, constraints]): ConstraintInput => ({ constraint_type: t, constraints })),
    },
  );
}

/** Wire-form constraints only (composites require wire-form clauses). */
export function arbWireConstraint(maxDepth = 2): fc.Arbitrary<Constraint> {
  if (maxDepth <= 0) return arbWireLeaf();
  return fc.oneof(
    { weight: 4, arbitrary: arbWireLeaf() },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom('all' as const, 'any' as const),
          fc.array(arbWireConstraint(maxDepth - 1), { minLength: 1, maxLength: 3 }),
        )
        .map(([t, constraints]): Constraint => ({ constraint_type: t, constraints })),
    },
  );
}

/** Options of {@link arbCapability} and {@link arbCapabilities}. */
export interface CapabilityArbOptions {
  /** Only the terse constraint forms (the fragment where the algebra is exact). */
  readonly terse?: boolean;
}

/**
 * One capability over the tiny alphabets, with closed-world constraints, optional arguments
 * (listed in `optional`, or marked `optional: true` on their entry) and, sometimes, the
 * reserved `"*"` entry that lets unnamed arguments through.
 */
export function arbCapability(options: CapabilityArbOptions = {}): fc.Arbitrary<CapabilityInput> {
  const arbC = options.terse === true ? arbTerseConstraint() : arbConstraint(1);
  return fc
    .record({
      resource: arbResourcePattern(),
      actions: fc.subarray([...ACTIONS], { minLength: 1 }),
      args: fc.option(
        fc.subarray([...ARG_NAMES]).chain((names) =>
          fc.tuple(
            fc
              .tuple(...names.map(() => arbC))
              .map((cs) => names.map((n, i) => [n, cs[i]] as const)),
            fc.subarray(names),
            fc.boolean(),
            fc.boolean(),
          ),
        ),
        { nil: undefined, freq: 3 },
      ),
    })
    .map(({ resource, actions, args }) => {
      if (args === undefined) return { resource, actions };
      const [entries, optional, inline, open] = args;
      const constraints = Object.fromEntries(
        entries.map(([n, c]) => [n, inline && optional.includes(n) ? { ...c, optional: true } : c]),
      ) as Record<string, ArgConstraintInput>;
      if (open) constraints['*'] = { constraint_type: 'wildcard' };
      return optional.length > 0 && !inline
        ? { resource, actions, constraints, optional }
        : { resource, actions, constraints };
    });
}

/** Zero to three capabilities. */
export function arbCapabilities(
  options: CapabilityArbOptions = {},
): fc.Arbitrary<CapabilityInput[]> {
  return fc.array(arbCapability(options), { maxLength: 3 });
}

// ---------------------------------------------------------------------------------------
// Values and actions biased to satisfy constraints

function asWire(c: ConstraintInput): Constraint | undefined {
  if ('constraint_type' in c) return c;
  if ('eq' in c) return { constraint_type: 'exact', value: c.eq };
  if ('in' in c) return { constraint_type: 'one_of', values: c.in };
  if ('glob' in c) return { constraint_type: 'glob', pattern: c.glob };
  if ('min' in c || 'max' in c) {
    const r = c as { min?: number; max?: number };
    const out: { constraint_type: 'range'; min?: number; max?: number } = {
      constraint_type: 'range',
    };
    if (r.min !== undefined) out.min = r.min;
    if (r.max !== undefined) out.max = r.max;
    return out;
  }
  return undefined;
}

/** Values that certainly satisfy `c`, when such a generator is easy to write. */
function arbSatisfying(c: Constraint): fc.Arbitrary<Json> | undefined {
  switch (c.constraint_type) {
    case 'exact':
      return fc.constant(c.value);
    case 'one_of':
      return c.values.length > 0 ? fc.constantFrom(...c.values) : undefined;
    case 'range': {
      let lo = Math.ceil(c.min ?? -3);
      let hi = Math.floor(c.max ?? 13);
      if (lo === c.min && c.min_inclusive === false) lo += 1;
      if (hi === c.max && c.max_inclusive === false) hi -= 1;
      return lo <= hi ? fc.integer({ min: lo, max: hi }) : undefined;
    }
    case 'glob': {
      const chars = Array.from(c.pattern);
      return fc
        .tuple(
          ...chars.map((ch) =>
            ch === '*'
              ? fc.constantFrom('', 'a', 'b', 'ab')
              : ch === '?'
                ? fc.constantFrom('a', 'b')
                : fc.constant(ch),
          ),
        )
        .map((parts) => parts.join(''));
    }
    case 'contains':
      return fc
        .array(fc.oneof(arbInt, arbString), { maxLength: 2 })
        .map((extra) => [...c.required, ...extra]);
    case 'subset':
      return fc.subarray([...c.allowed]);
    case 'wildcard':
      return arbJsonValue();
    case 'any': {
      const gens = c.constraints.map(arbSatisfying).filter((g) => g !== undefined);
      return gens.length > 0 ? fc.oneof(...gens) : undefined;
    }
    default:
      // all, not_one_of: no cheap exact generator.
      return undefined;
  }
}

/** Values that often satisfy `constraint` (and sometimes do not). */
export function arbValueFor(constraint: ConstraintInput): fc.Arbitrary<Json> {
  const c = asWire(constraint);
  const random = arbJsonValue();
  if (c === undefined) return random;
  let likely = arbSatisfying(c);
  if (likely === undefined && c.constraint_type === 'all' && c.constraints.length > 0) {
    likely = fc.constantFrom(...c.constraints).chain(arbValueFor);
  }
  if (likely === undefined) return random;
  return fc.oneof({ weight: 3, arbitrary: likely }, { weight: 1, arbitrary: random });
}

function arbArgsFor(cap: CapabilityInput | undefined): fc.Arbitrary<Record<string, Json>> {
  const names = [...ARG_NAMES, STRAY_ARG];
  const random = fc
    .subarray(names)
    .chain((ns) =>
      fc
        .tuple(...ns.map(() => arbJsonValue()))
        .map(
          (vs) => Object.fromEntries(ns.map((n, i) => [n, vs[i] as Json])) as Record<string, Json>,
        ),
    );
  const constraints = cap?.constraints;
  if (constraints === undefined) return random;
  const entries = Object.entries(constraints).filter(([k]) => k !== '*');
  const likely = fc
    .tuple(
      fc.tuple(...entries.map(([, c]) => arbValueFor(c))),
      // Drop an argument now and then (tests `optional`), add a stray one rarely.
      fc.subarray(
        entries.map(([k]) => k),
        { maxLength: Math.min(1, entries.length) },
      ),
      fc.option(arbJsonValue(), { nil: undefined, freq: 5 }),
    )
    .map(([values, dropped, stray]) => {
      const out: Record<string, Json> = {};
      entries.forEach(([k], i) => {
        if (!dropped.includes(k)) out[k] = values[i] as Json;
      });
      if (stray !== undefined) out[STRAY_ARG] = stray;
      return out;
    });
  return fc.oneof({ weight: 4, arbitrary: likely }, { weight: 1, arbitrary: random });
}

/**
 * Actions; given capabilities, mostly aimed at one of them (a matching resource, one of its
 * actions, arguments that tend to satisfy its constraints) so that both verdicts are common.
 */
export function arbAction(caps: readonly CapabilityInput[] = []): fc.Arbitrary<Action> {
  const random = fc
    .record({
      resource: arbConcreteResource(),
      action: fc.constantFrom(...ACTIONS),
      args: arbArgsFor(undefined),
    })
    .map((a): Action => a);
  if (caps.length === 0) return random;
  const aimed = fc.constantFrom(...caps).chain((cap) =>
    fc
      .record({
        resource: arbConcreteFor(cap.resource),
        action: fc.constantFrom(...(cap.actions.length > 0 ? cap.actions : ACTIONS)),
        args: arbArgsFor(cap),
      })
      .map((a): Action => a),
  );
  return fc.oneof({ weight: 4, arbitrary: aimed }, { weight: 1, arbitrary: random });
}

// ---------------------------------------------------------------------------------------
// Narrowing

/** A pattern whose matches are a subset of `pattern`'s. */
export function arbNarrowerPattern(pattern: string): fc.Arbitrary<string> {
  const colon = pattern.indexOf(':');
  const scheme = pattern.slice(0, colon);
  const parts = pattern.slice(colon + 1).split('/');
  const rest = parts[parts.length - 1] === '**';
  const fixed = rest ? parts.slice(0, -1) : parts;
  const head = fc.tuple(
    ...fixed.map((s) => (s === '*' ? fc.oneof(fc.constant('*'), arbSegment) : fc.constant(s))),
  );
  if (!rest) return head.map((h) => formatPattern(scheme, h, false));
  return fc
    .tuple(head, fc.array(fc.oneof(arbSegment, fc.constant('*')), { maxLength: 2 }), fc.boolean())
    .filter(([h, tail, keepRest]) => h.length + tail.length > 0 || keepRest)
    .map(([h, tail, keepRest]) => formatPattern(scheme, [...h, ...tail], keepRest));
}

/** A constraint whose accepted values are a subset of `constraint`'s. */
export function arbNarrowerConstraint(
  constraint: ConstraintInput,
  depth = 2,
): fc.Arbitrary<ConstraintInput> {
  const c = asWire(constraint);
  const same = fc.constant(constraint);
  if (c === undefined) return same;
  const options: fc.Arbitrary<ConstraintInput>[] = [same];
  switch (c.constraint_type) {
    case 'one_of':
      options.push(fc.subarray([...c.values]).map((values) => ({ in: values })));
      if (c.values.length > 0) options.push(fc.constantFrom(...c.values).map((eq) => ({ eq })));
      break;
    case 'range': {
      options.push(
        fc.tuple(fc.nat(3), fc.nat(3)).map(([dl, dh]): Constraint => {
          const out: {
            constraint_type: 'range';
            min: number;
            max: number;
            min_inclusive?: boolean;
            max_inclusive?: boolean;
          } = { constraint_type: 'range', min: (c.min ?? 0) + dl, max: (c.max ?? 10) - dh };
          // Narrowed past empty: keep the parent (a range with min > max is malformed).
          if (out.min > out.max) return c;
          if (dl === 0 && c.min_inclusive === false) out.min_inclusive = false;
          if (dh === 0 && c.max_inclusive === false) out.max_inclusive = false;
          return out;
        }),
      );
      const sat = arbSatisfying(c);
      if (sat !== undefined) options.push(sat.map((eq) => ({ eq })));
      break;
    }
    case 'glob': {
      // Replace one `*` by a narrower piece, or pick a matching literal.
      const i = c.pattern.indexOf('*');
      if (i >= 0) {
        options.push(
          fc
            .constantFrom('', 'a', 'a*', '*b', '?*')
            .map((piece) => ({ glob: c.pattern.slice(0, i) + piece + c.pattern.slice(i + 1) })),
        );
      }
      const sat = arbSatisfying(c);
      if (sat !== undefined) options.push(sat.map((eq) => ({ eq })));
      break;
    }
    case 'not_one_of':
      options.push(
        arbScalar.map((extra): Constraint => ({
          constraint_type: 'not_one_of',
          excluded: [...c.excluded, extra],
        })),
      );
      break;
    case 'contains':
      options.push(
        fc.oneof(arbInt, arbString).map((extra): Constraint => ({
          constraint_type: 'contains',
          required: [...c.required, extra],
        })),
      );
      break;
    case 'subset':
      options.push(
        fc
          .subarray([...c.allowed])
          .map((allowed): Constraint => ({ constraint_type: 'subset', allowed })),
      );
      break;
    case 'wildcard':
      options.push(arbConstraint(depth));
      break;
    case 'all':
      if (depth > 0) {
        options.push(
          fc.tuple(fc.nat(c.constraints.length - 1), arbWireConstraint(1)).chain(([i, extra]) =>
            arbNarrowerConstraint(c.constraints[i] as Constraint, depth - 1).map(
              (narrowed): Constraint => ({
                constraint_type: 'all',
                constraints: [
                  ...c.constraints.slice(0, i),
                  asWire(narrowed) ?? extra,
                  ...c.constraints.slice(i + 1),
                  extra,
                ],
              }),
            ),
          ),
        );
      }
      break;
    case 'any':
      if (depth > 0) {
        options.push(
          fc.subarray([...c.constraints], { minLength: 1 }).chain((kept) =>
            fc
              .tuple(...kept.map((k) => arbNarrowerConstraint(k, depth - 1)))
              .map((ns): Constraint => ({
                constraint_type: 'any',
                constraints: ns.map((n, i) => asWire(n) ?? (kept[i] as Constraint)),
              })),
          ),
        );
      }
      break;
    default:
      break;
  }
  return fc.oneof(...options);
}

/** A constraint entry without its `optional` flag, and whether it had `optional: true`. */
function splitOptional(entry: ArgConstraintInput): [ConstraintInput, boolean] {
  if (!('optional' in entry)) return [entry, false];
  const { optional, ...rest } = entry;
  return [rest, optional === true];
}

function arbNarrowerCapability(cap: CapabilityInput): fc.Arbitrary<CapabilityInput> {
  const resource = arbNarrowerPattern(cap.resource);
  const actions = fc.subarray([...cap.actions], { minLength: 1 });
  const all = Object.entries(cap.constraints ?? {});
  const open = all.some(([k]) => k === '*');
  const entries = all.filter(([k]) => k !== '*').map(([k, e]) => [k, ...splitOptional(e)] as const);
  if (entries.length === 0) {
    // An unconstrained parent allows any closed-world child.
    return fc
      .tuple(resource, actions, fc.option(arbCapability(), { nil: undefined }))
      .map(([r, a, extra]) => {
        if (extra?.constraints === undefined) return { resource: r, actions: a };
        return extra.optional === undefined
          ? { resource: r, actions: a, constraints: extra.constraints }
          : { resource: r, actions: a, constraints: extra.constraints, optional: extra.optional };
      });
  }
  const optional = new Set([
    ...(cap.optional ?? []),
    ...entries.filter(([, , o]) => o).map(([k]) => k),
  ]);
  return fc
    .tuple(
      resource,
      actions,
      fc.tuple(...entries.map(([, c]) => arbNarrowerConstraint(c))),
      // Optional arguments may stay optional, become required, or be dropped (forbidden).
      fc.tuple(...entries.map(() => fc.constantFrom('keep', 'require', 'drop'))),
      // Under a parent "*": keep it, and name a new argument (any constraint) now and then.
      fc.boolean(),
      fc.option(fc.tuple(arbTerseConstraint(), fc.boolean()), { nil: undefined }),
    )
    .map(([r, a, cs, fate, keepOpen, named]) => {
      const constraints: Record<string, ArgConstraintInput> = {};
      const opt: string[] = [];
      // Keeping "*" admits every value of an argument the child does not name: keep them all.
      const stayOpen = open && keepOpen;
      entries.forEach(([k], i) => {
        const isOpt = optional.has(k);
        if (isOpt && fate[i] === 'drop' && !stayOpen) return;
        constraints[k] = cs[i] as ConstraintInput;
        if (isOpt && fate[i] !== 'require') opt.push(k);
      });
      if (open && named !== undefined && !Object.hasOwn(constraints, STRAY_ARG)) {
        constraints[STRAY_ARG] = named[0];
        if (named[1]) opt.push(STRAY_ARG);
      }
      if (stayOpen) constraints['*'] = { constraint_type: 'wildcard' };
      if (Object.keys(constraints).length === 0) {
        // Everything dropped: forbid every argument by keeping one that matches nothing.
        const [k] = entries[0] ?? ['x'];
        return { resource: r, actions: a, constraints: { [k]: { in: [] } }, optional: [k] };
      }
      return opt.length > 0
        ? { resource: r, actions: a, constraints, optional: opt }
        : { resource: r, actions: a, constraints };
    });
}

/** Capability sets that allow no more than `caps` (each derived from one of them). */
export function arbNarrowing(caps: readonly CapabilityInput[]): fc.Arbitrary<CapabilityInput[]> {
  if (caps.length === 0) return fc.constant([]);
  return fc.array(fc.constantFrom(...caps).chain(arbNarrowerCapability), { maxLength: 3 });
}
