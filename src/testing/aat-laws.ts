/**
 * Laws of the AAT draft's subsumption rules (profile `'aat'`, section 4.5), per core
 * constraint type and with `all` / `any` nesting, and for whole argument maps with optional
 * arguments and the reserved `"*"` key (section 3.3): every derivation the draft allows is
 * recognised, and recognition is sound against `check` / closed-world authorization on
 * generated values.
 */
import fc from 'fast-check';
import { allows } from '../core/capability.js';
import { isArgMapNarrower } from '../core/constraint/arg-map.js';
import { checkConstraint } from '../core/constraint/check.js';
import { isConstraintNarrower, type NarrowingProfile } from '../core/constraint/narrowing.js';
import type { Mutable, Range } from '../core/constraint/range.js';
import type { CapabilityInput, Constraint, Json } from '../core/types.js';
import { ARG_NAMES, arbJsonValue, arbValueFor, arbWireConstraint } from './arbitraries.js';
import { lawParams, type RunOptions } from './config.js';
import { AAT_CORE_TYPES, type AatCoreType } from '../format/aat/claims.js';

export { AAT_CORE_TYPES, type AatCoreType };

function coreOnly(c: Constraint): boolean {
  if (c.constraint_type === 'glob') return false;
  return c.constraint_type === 'all' || c.constraint_type === 'any'
    ? c.constraints.every(coreOnly)
    : true;
}

/**
 * Well-formed constraints of the draft's core types only (section 3.4: no empty `one_of`, a
 * scalar `exact`), `all` / `any` nested up to `maxDepth`.
 */
export function arbAatConstraint(maxDepth = 2): fc.Arbitrary<Constraint> {
  return arbWireConstraint(maxDepth).filter((c) => coreOnly(c) && aatWellFormed(c));
}

/** Core constraints whose root has type `type`. */
export function arbAatConstraintOf(type: AatCoreType, maxDepth = 2): fc.Arbitrary<Constraint> {
  if (type === 'all' || type === 'any') {
    return fc
      .array(arbAatConstraint(maxDepth - 1), { minLength: 1, maxLength: 3 })
      .map((constraints): Constraint => ({ constraint_type: type, constraints }));
  }
  return arbAatConstraint(0).filter((c) => c.constraint_type === type);
}

const arbExtra = fc.uniqueArray(
  fc.oneof(fc.integer({ min: -2, max: 12 }), fc.string({ maxLength: 2 })),
  {
    maxLength: 2,
    selector: (v) => JSON.stringify(v),
  },
);

function union(a: readonly Json[], b: readonly Json[]): Json[] {
  const seen = new Set(a.map((v) => JSON.stringify(v)));
  return [...a, ...b.filter((v) => !seen.has(JSON.stringify(v)))];
}

/** Derived constraints the draft's rules accept under `p` (section 4.5, type by type). */
export function arbAatNarrower(p: Constraint, depth = 2): fc.Arbitrary<Constraint> {
  const same = fc.constant(p);
  switch (p.constraint_type) {
    case 'wildcard':
      return fc.oneof(same, arbAatConstraint(Math.max(0, depth - 1)));
    case 'exact':
      return same;
    case 'one_of': {
      const subsets = fc
        .subarray([...p.values])
        .map((values): Constraint => ({ constraint_type: 'one_of', values }));
      if (p.values.length === 0) return subsets;
      const exact = fc
        .constantFrom(...p.values)
        .map((value): Constraint => ({ constraint_type: 'exact', value }));
      return fc.oneof(subsets, exact);
    }
    case 'not_one_of':
      return arbExtra.map((extra): Constraint => ({
        constraint_type: 'not_one_of',
        excluded: union(p.excluded, extra),
      }));
    case 'contains':
      return arbExtra.map((extra): Constraint => ({
        constraint_type: 'contains',
        required: union(p.required, extra),
      }));
    case 'subset':
      return fc
        .subarray([...p.allowed])
        .map((allowed): Constraint => ({ constraint_type: 'subset', allowed }));
    case 'range':
      return fc
        .record({
          up: fc.nat({ max: 3 }),
          down: fc.nat({ max: 3 }),
          minInc: fc.boolean(),
          maxInc: fc.boolean(),
          exact: fc.boolean(),
        })
        .map(({ up, down, minInc, maxInc, exact }): Constraint => {
          const out: Mutable<Range> = { constraint_type: 'range' };
          if (p.min !== undefined) {
            out.min = p.min + up;
            // Same bound: only as inclusive as the parent's; a higher bound: free choice.
            out.min_inclusive = up > 0 ? minInc : p.min_inclusive !== false && minInc;
          }
          if (p.max !== undefined) {
            out.max = p.max - down;
            out.max_inclusive = down > 0 ? maxInc : p.max_inclusive !== false && maxInc;
          }
          if (exact && p.min !== undefined && p.max !== undefined && p.min < p.max) {
            // A derived exact number that the parent range's check accepts.
            const value = (p.min + p.max) / 2;
            return { constraint_type: 'exact', value };
          }
          // Tightened past empty: keep the parent (a range with min > max is malformed).
          if (out.min !== undefined && out.max !== undefined && out.min > out.max) return p;
          return out;
        });
    case 'all':
      // Each parent clause subsumes a derived clause; extra clauses only restrict more.
      return fc
        .tuple(
          fc.tuple(...p.constraints.map((q) => arbAatNarrower(q, depth - 1))),
          fc.array(arbAatConstraint(0), { maxLength: 1 }),
        )
        .map(([narrowed, extra]): Constraint => ({
          constraint_type: 'all',
          constraints: [...narrowed, ...extra],
        }));
    case 'any':
      // Each derived alternative is subsumed by a parent alternative; dropping is allowed.
      return fc
        .subarray([...p.constraints], { minLength: 1 })
        .chain((kept) => fc.tuple(...kept.map((q) => arbAatNarrower(q, depth - 1))))
        .map((constraints): Constraint => ({ constraint_type: 'any', constraints }));
    case 'glob':
      return same;
  }
}

/** Options of the AAT constraint laws: fast-check runs and an optional seed. */
export type AatLawOptions = RunOptions;

const params = lawParams;

/** Every derivation the draft allows under a parent of type `type` is recognised. */
export function checkAatNarrowingComplete(type: AatCoreType, o: AatLawOptions = {}): void {
  fc.assert(
    fc.property(
      arbAatConstraintOf(type).chain((p) => arbAatNarrower(p).map((c) => [c, p] as const)),
      ([c, p]) => isConstraintNarrower(c, p, { profile: 'aat' }),
    ),
    params(o),
  );
}

/**
 * Soundness against `check`: when the `'aat'` rules accept `c` under a parent of type
 * `type`, every generated value `c` accepts, the parent accepts. Children are both allowed
 * derivations and arbitrary constraints; values are drawn to satisfy either side.
 */
export function checkAatNarrowingSound(type: AatCoreType, o: AatLawOptions = {}): void {
  const pairs = arbAatConstraintOf(type).chain((p) =>
    fc.oneof(arbAatNarrower(p), arbAatConstraint()).map((c) => [c, p] as const),
  );
  fc.assert(
    fc.property(
      pairs.chain(([c, p]) =>
        fc
          .array(fc.oneof(arbValueFor(c), arbValueFor(p), arbJsonValue()), {
            minLength: 1,
            maxLength: 8,
          })
          .map((values) => [c, p, values] as const),
      ),
      ([c, p, values]) =>
        !isConstraintNarrower(c, p, { profile: 'aat' }) ||
        values.every((v) => !checkConstraint(c, v) || checkConstraint(p, v)),
    ),
    params(o),
  );
}

// ---------------------------------------------------------------------------------------
// Argument maps: optional arguments and the reserved "*" key (section 3.3, steps 4p2-4p4)

/** An AAT argument constraint map: entries may carry `optional: true`; `"*"` sometimes. */
export type AatArgMap = Readonly<Record<string, Constraint & { readonly optional?: boolean }>>;

/** Constraints an AAT token may carry (section 3.4: no empty `one_of`, scalar `exact`). */
function aatWellFormed(c: Constraint): boolean {
  switch (c.constraint_type) {
    case 'one_of':
      return c.values.length > 0;
    case 'exact':
      return c.value === null || typeof c.value !== 'object';
    case 'all':
    case 'any':
      return c.constraints.every(aatWellFormed);
    default:
      return true;
  }
}

const arbWellFormed = (depth: number) => arbAatConstraint(depth);
const STAR = { constraint_type: 'wildcard' } as const;

/** Argument maps over the arbitraries' names (`x`, `y`, `z`), optional entries and `"*"`. */
export function arbAatArgMap(): fc.Arbitrary<AatArgMap> {
  return fc
    .tuple(
      fc.subarray([...ARG_NAMES]),
      fc.array(fc.tuple(arbWellFormed(1), fc.boolean()), { minLength: 3, maxLength: 3 }),
      fc.boolean(),
    )
    .map(([names, entries, open]) => {
      const map: Record<string, Constraint & { optional?: boolean }> = {};
      names.forEach((name, i) => {
        const [c, optional] = entries[i] ?? [STAR, false];
        map[name] = optional ? { ...c, optional: true } : c;
      });
      if (open) map['*'] = STAR;
      return map;
    });
}

/**
 * Derived maps the draft's key rules allow under `parent` (section 4.5): each named
 * argument kept with a narrower constraint (an optional one may become required) or, when
 * optional, omitted (then `"*"` goes); under the parent's `"*"`, new arguments may be named
 * with any constraint, and `"*"` kept (when nothing was omitted) or dropped.
 */
export function arbAatArgMapNarrower(parent: AatArgMap): fc.Arbitrary<AatArgMap> {
  const open = Object.hasOwn(parent, '*');
  const named = Object.entries(parent).filter(([k]) => k !== '*');
  const kept = fc.tuple(
    ...named.map(([, p]) => {
      const { optional, ...constraint } = p;
      const narrower = arbAatNarrower(constraint).filter(aatWellFormed);
      return fc.record({
        c: narrower,
        fate:
          optional === true
            ? fc.constantFrom('optional', 'required', 'omitted')
            : fc.constant('required'),
      });
    }),
  );
  const added = open
    ? fc.option(fc.tuple(arbWellFormed(1), fc.boolean()), { nil: undefined })
    : fc.constant(undefined);
  return fc.tuple(kept, added, fc.boolean()).map(([entries, extra, keepStar]) => {
    const map: Record<string, Constraint & { optional?: boolean }> = {};
    let omitted = false;
    named.forEach(([k], i) => {
      const e = entries[i];
      if (e === undefined || e.fate === 'omitted') {
        omitted = true;
        return;
      }
      map[k] = e.fate === 'optional' ? { ...e.c, optional: true } : e.c;
    });
    if (extra !== undefined) map['w'] = extra[1] ? { ...extra[0], optional: true } : extra[0];
    if (open && keepStar && !omitted) map['*'] = STAR;
    // An empty map is "*" (section 3.3), which would readmit what was omitted: keep one.
    const [first] = named;
    if (Object.keys(map).length === 0 && first !== undefined && entries[0] !== undefined) {
      map[first[0]] = entries[0].c;
    }
    return map;
  });
}

/**
 * A derived map the rules allow, then possibly loosened one way (an argument made optional
 * or dropped, a new one named, `"*"` added): near misses for the soundness law.
 */
function arbAatArgMapNearMiss(parent: AatArgMap): fc.Arbitrary<AatArgMap> {
  return fc
    .tuple(
      arbAatArgMapNarrower(parent),
      fc.constantFrom('optional', 'drop', 'add', 'star'),
      fc.constantFrom(...ARG_NAMES),
      arbWellFormed(0),
    )
    .map(([child, how, name, extra]) => {
      const map: Record<string, Constraint & { optional?: boolean }> = { ...child };
      const entry = map[name];
      if (how === 'optional' && entry !== undefined) map[name] = { ...entry, optional: true };
      else if (how === 'drop') delete map[name];
      else if (how === 'add') map[name] = extra;
      else map['*'] = STAR;
      return map;
    });
}

/** Argument objects over the names the maps use (and `*`, a name that is always unnamed). */
function arbArgsFor(...maps: AatArgMap[]): fc.Arbitrary<Record<string, Json>> {
  const names = [...ARG_NAMES, 'w', '*'];
  const valueFor = (name: string): fc.Arbitrary<Json> => {
    const cs = maps.flatMap((m) => {
      const c = name === '*' ? undefined : m[name];
      if (c === undefined) return [];
      const { optional: _o, ...rest } = c;
      return [arbValueFor(rest)];
    });
    return cs.length === 0 ? arbJsonValue() : fc.oneof(...cs, arbJsonValue());
  };
  return fc
    .tuple(...names.map((n) => fc.option(valueFor(n), { nil: undefined, freq: 2 })))
    .map((values) => {
      const out: Record<string, Json> = {};
      names.forEach((n, i) => {
        const v = values[i];
        // The names are fixed (x, y, z, w, *): plain assignment defines them.
        if (v !== undefined) out[n] = v;
      });
      return out;
    });
}

const toolCapability = (map: AatArgMap): CapabilityInput => ({
  resource: 'tool:t',
  actions: ['call'],
  constraints: map,
});

/** Whether a map allows an invocation's arguments (closed world, as step 6b). */
export function argMapAllows(map: AatArgMap, args: Readonly<Record<string, Json>>): boolean {
  return allows([toolCapability(map)], { resource: 'tool:t', action: 'call', args });
}

/** Every derived map the draft's key rules allow is recognised, under both profiles. */
export function checkAatArgMapNarrowingComplete(o: AatLawOptions = {}): void {
  fc.assert(
    fc.property(
      arbAatArgMap().chain((p) => arbAatArgMapNarrower(p).map((c) => [c, p] as const)),
      ([c, p]) =>
        isArgMapNarrower(c, p, { profile: 'aat' }) === true &&
        isArgMapNarrower(c, p, { profile: 'mandate' }) === true,
    ),
    params(o),
  );
}

/**
 * Soundness of the key rules and subsumption together: when a profile accepts the derived
 * map, every generated invocation it allows (present, absent and unnamed arguments, `"*"`
 * as an argument name included) the parent allows too.
 */
export function checkAatArgMapNarrowingSound(
  profile: NarrowingProfile,
  o: AatLawOptions = {},
): void {
  const pairs = arbAatArgMap().chain((p) =>
    fc
      .oneof(arbAatArgMapNarrower(p), arbAatArgMapNearMiss(p), arbAatArgMap())
      .map((c) => [c, p] as const),
  );
  fc.assert(
    fc.property(
      pairs.chain(([c, p]) =>
        fc.array(arbArgsFor(c, p), { minLength: 1, maxLength: 6 }).map((xs) => [c, p, xs] as const),
      ),
      ([c, p, xs]) =>
        isArgMapNarrower(c, p, { profile }) !== true ||
        xs.every((args) => !argMapAllows(c, args) || argMapAllows(p, args)),
    ),
    params(o),
  );
}
