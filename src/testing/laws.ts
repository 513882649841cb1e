/**
 * The laws of the capability algebra as reusable property checks. Each runs `fc.assert`
 * (which throws with the failing seed and a shrunk counterexample); pass your own
 * arbitraries to check the laws on your own policies, e.g.
 * `checkSubsetSound({ capabilities: fc.constantFrom(myPolicyA, myPolicyB) })`.
 */
import fc from 'fast-check';
import { allows, intersect, isSubset, normalizeCapabilities } from '../core/capability.js';
import { checkConstraint } from '../core/constraint/check.js';
import { intersectConstraints } from '../core/constraint/intersection.js';
import { isConstraintNarrower, type NarrowingProfile } from '../core/constraint/narrowing.js';
import { normalizeConstraint } from '../core/constraint/parse.js';
import type { Action, CapabilityInput, ConstraintInput } from '../core/types.js';
import {
  arbAction,
  arbCapabilities,
  arbConstraint,
  arbNarrowerConstraint,
  arbNarrowing,
  arbValueFor,
} from './arbitraries.js';
import { lawParams } from './config.js';

/** Options of the algebra laws: what to draw from, runs and seed. */
export interface LawOptions {
  /** Capability sets to draw from (default: {@link arbCapabilities}). */
  readonly capabilities?: fc.Arbitrary<CapabilityInput[]>;
  /** Constraints to draw from (default: {@link arbConstraint}). */
  readonly constraints?: fc.Arbitrary<ConstraintInput>;
  readonly numRuns?: number;
  readonly seed?: number;
}

const params = lawParams;

const caps = (o: LawOptions): fc.Arbitrary<CapabilityInput[]> =>
  o.capabilities ?? arbCapabilities();

/** Either unrelated, or derived from `base` (so that inclusion actually holds often). */
function related(o: LawOptions, base: CapabilityInput[]): fc.Arbitrary<CapabilityInput[]> {
  return fc.oneof({ weight: 1, arbitrary: caps(o) }, { weight: 3, arbitrary: arbNarrowing(base) });
}

/** Actions aimed at any of the given sets. */
function actionsFor(...sets: readonly CapabilityInput[][]): fc.Arbitrary<Action> {
  return arbAction(sets.flat());
}

/** isSubset(a, a). */
export function checkSubsetReflexive(o: LawOptions = {}): void {
  fc.assert(
    fc.property(caps(o), (a) => isSubset(a, a)),
    params(o),
  );
}

/** Every generated narrowing is recognised as a subset (completeness on known narrowings). */
export function checkNarrowingIsSubset(o: LawOptions = {}): void {
  fc.assert(
    fc.property(
      caps(o).chain((b) => fc.tuple(arbNarrowing(b), fc.constant(b))),
      ([a, b]) => isSubset(a, b),
    ),
    params(o),
  );
}

/** isSubset(a, b) && isSubset(b, c) => isSubset(a, c). */
export function checkSubsetTransitive(o: LawOptions = {}): void {
  const triple = caps(o).chain((c) =>
    related(o, c).chain((b) => related(o, b).map((a) => [a, b, c] as const)),
  );
  fc.assert(
    fc.property(triple, ([a, b, c]) => !(isSubset(a, b) && isSubset(b, c)) || isSubset(a, c)),
    params(o),
  );
}

/** isSubset(a, b) && allows(a, x) => allows(b, x): inclusion never hides a widening. */
export function checkSubsetSound(o: LawOptions = {}): void {
  const pair = caps(o).chain((b) => related(o, b).map((a) => [a, b] as const));
  fc.assert(
    fc.property(
      pair.chain(([a, b]) => actionsFor(a, b).map((x) => [a, b, x] as const)),
      ([a, b, x]) => !isSubset(a, b) || !allows(a, x) || allows(b, x),
    ),
    params(o),
  );
}

/** isSubset(a, b) && isSubset(b, a) => a and b decide every action alike. */
export function checkSubsetAntisymmetric(o: LawOptions = {}): void {
  const pair = caps(o).chain((b) =>
    fc
      .oneof(related(o, b), fc.constant(normalizeCapabilities(b)), fc.constant([...b].reverse()))
      .map((a) => [a, b] as const),
  );
  fc.assert(
    fc.property(
      pair.chain(([a, b]) =>
        fc.array(actionsFor(a, b), { minLength: 1, maxLength: 5 }).map((xs) => [a, b, xs] as const),
      ),
      ([a, b, xs]) =>
        !(isSubset(a, b) && isSubset(b, a)) || xs.every((x) => allows(a, x) === allows(b, x)),
    ),
    params(o),
  );
}

/** isSubset(intersect(a, b), a) and isSubset(intersect(a, b), b). */
export function checkIntersectLowerBound(o: LawOptions = {}): void {
  const pair = caps(o).chain((b) => related(o, b).map((a) => [a, b] as const));
  fc.assert(
    fc.property(pair, ([a, b]) => {
      const i = intersect(a, b);
      return isSubset(i, a) && isSubset(i, b);
    }),
    params(o),
  );
}

/** allows(intersect(a, b), x) === (allows(a, x) && allows(b, x)). */
export function checkIntersectExact(o: LawOptions = {}): void {
  const pair = caps(o).chain((b) => related(o, b).map((a) => [a, b] as const));
  fc.assert(
    fc.property(
      pair.chain(([a, b]) => actionsFor(a, b).map((x) => [a, b, x] as const)),
      ([a, b, x]) => allows(intersect(a, b), x) === (allows(a, x) && allows(b, x)),
    ),
    params(o),
  );
}

/**
 * isSubset(c, a) && isSubset(c, b) => isSubset(c, intersect(a, b)). Holds on the terse
 * forms (pass `arbCapabilities({ terse: true })`); with nested `all` / `any` the structural
 * narrowing rules are incomplete, so the law is not claimed there.
 */
export function checkIntersectGreatest(o: LawOptions = {}): void {
  const triple = caps(o).chain((a) =>
    related(o, a).chain((b) =>
      fc.oneof(arbNarrowing(b), arbNarrowing(a), caps(o)).map((c) => [a, b, c] as const),
    ),
  );
  fc.assert(
    fc.property(
      triple,
      ([a, b, c]) => !(isSubset(c, a) && isSubset(c, b)) || isSubset(c, intersect(a, b)),
    ),
    params(o),
  );
}

/** normalizeCapabilities is idempotent. */
export function checkNormalizationIdempotent(o: LawOptions = {}): void {
  fc.assert(
    fc.property(caps(o), (a) => {
      const once = normalizeCapabilities(a);
      return JSON.stringify(normalizeCapabilities(once)) === JSON.stringify(once);
    }),
    params(o),
  );
}

/**
 * isConstraintNarrower(c, p) && checkConstraint(c, v) => checkConstraint(p, v), for the
 * given profile; `c` is often derived from `p` so that the premise holds.
 */
export function checkConstraintNarrowingSound(
  o: LawOptions & { readonly profile?: NarrowingProfile } = {},
): void {
  const arbC = o.constraints ?? arbConstraint();
  const pair = arbC.chain((p) =>
    fc.oneof(arbNarrowerConstraint(p), arbC).map((c) => [c, p] as const),
  );
  fc.assert(
    fc.property(
      pair.chain(([c, p]) =>
        fc
          .array(fc.oneof(arbValueFor(c), arbValueFor(p)), { minLength: 1, maxLength: 6 })
          .map((vs) => [c, p, vs] as const),
      ),
      ([c, p, vs]) =>
        !isConstraintNarrower(c, p, { profile: o.profile }) ||
        vs.every((v) => !checkConstraint(c, v) || checkConstraint(p, v)),
    ),
    params(o),
  );
}

/** Narrowing derived constraints is recognised (mandate profile). */
export function checkConstraintNarrowingComplete(o: LawOptions = {}): void {
  const arbC = o.constraints ?? arbConstraint();
  fc.assert(
    fc.property(
      arbC.chain((p) => arbNarrowerConstraint(p).map((c) => [c, p] as const)),
      ([c, p]) => isConstraintNarrower(c, p),
    ),
    params(o),
  );
}

/**
 * intersectConstraints(a, b) accepts exactly what both accept, and is narrower than both
 * (mandate profile).
 */
export function checkConstraintIntersection(o: LawOptions = {}): void {
  const arbC = o.constraints ?? arbConstraint();
  const pair = arbC.chain((a) =>
    fc.oneof(arbNarrowerConstraint(a), arbC).map((b) => [a, b] as const),
  );
  fc.assert(
    fc.property(
      pair.chain(([a, b]) =>
        fc
          .array(fc.oneof(arbValueFor(a), arbValueFor(b)), { minLength: 1, maxLength: 6 })
          .map((vs) => [a, b, vs] as const),
      ),
      ([a, b, vs]) => {
        const i = intersectConstraints(a, b);
        return (
          isConstraintNarrower(i, a) &&
          isConstraintNarrower(i, b) &&
          vs.every(
            (v) => checkConstraint(i, v) === (checkConstraint(a, v) && checkConstraint(b, v)),
          )
        );
      },
    ),
    params(o),
  );
}

/** normalizeConstraint is idempotent and preserves `check`. */
export function checkConstraintNormalization(o: LawOptions = {}): void {
  const arbC = o.constraints ?? arbConstraint();
  fc.assert(
    fc.property(
      arbC.chain((c) => fc.array(arbValueFor(c), { maxLength: 4 }).map((vs) => [c, vs] as const)),
      ([c, vs]) => {
        const n = normalizeConstraint(c);
        return (
          JSON.stringify(normalizeConstraint(n)) === JSON.stringify(n) &&
          vs.every((v) => checkConstraint(n, v) === checkConstraint(c, v))
        );
      },
    ),
    params(o),
  );
}
