/**
 * Laws of the AAT draft's subsumption rules (profile `'aat'`, section 4.5), per core
 * constraint type and with `all` / `any` nesting: every derivation the draft allows is
 * recognised, and recognition is sound against `check` on generated values.
 */
import fc from 'fast-check';
import {
  checkConstraint,
  isConstraintNarrower,
  type Mutable,
  type Range,
} from '../core/constraint.js';
import type { Constraint, Json } from '../core/types.js';
import { arbJsonValue, arbValueFor, arbWireConstraint } from './arbitraries.js';
import { NUM_RUNS } from './config.js';
import { AAT_CORE_TYPES, type AatCoreType } from '../format/aat/claims.js';

export { AAT_CORE_TYPES, type AatCoreType };

function coreOnly(c: Constraint): boolean {
  if (c.constraint_type === 'glob') return false;
  return c.constraint_type === 'all' || c.constraint_type === 'any'
    ? c.constraints.every(coreOnly)
    : true;
}

/** Wire constraints of the draft's core types only, `all` / `any` nested up to `maxDepth`. */
export function arbAatConstraint(maxDepth = 2): fc.Arbitrary<Constraint> {
  return arbWireConstraint(maxDepth).filter(coreOnly);
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
export interface AatLawOptions {
  readonly numRuns?: number;
  readonly seed?: number;
}

function params(o: AatLawOptions): fc.Parameters<unknown> {
  return o.seed === undefined
    ? { numRuns: o.numRuns ?? NUM_RUNS }
    : { numRuns: o.numRuns ?? NUM_RUNS, seed: o.seed };
}

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
