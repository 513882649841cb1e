/**
 * Intersection of constraints: a constraint accepting exactly the values two accept, kept in
 * the same kind where the kind is closed under intersection, distributing over `any` within a
 * bound.
 */
import { spend, withBudget } from '../budget.js';
import { uniqueJson } from '../json.js';
import type { Constraint, ConstraintInput } from '../types.js';
import { emptyConstraint } from './forms.js';
import { narrowerMandate } from './narrowing.js';
import { normalizeConstraint } from './parse.js';
import { conjoinClauses, finiteValues, unsat } from './satisfiability.js';

/** Most alternatives `intersectConstraints` creates when distributing over `any`. */
const MAX_DISTRIBUTED = 64;

/** Intersection on normalised constraints. */
export function intersectNormalized(a: Constraint, b: Constraint): Constraint {
  return withBudget(() => meet(a, b));
}

function meet(a: Constraint, b: Constraint): Constraint {
  if (unsat(a) || unsat(b)) return emptyConstraint();
  if (narrowerMandate(a, b)) return a;
  if (narrowerMandate(b, a)) return b;
  if (a.constraint_type === 'any' || b.constraint_type === 'any') {
    const [x, y] = a.constraint_type === 'any' ? [a, b] : [b, a];
    const xs = x.constraint_type === 'any' ? x.constraints : [x];
    const ys = y.constraint_type === 'any' ? y.constraints : [y];
    // Distribution multiplies sizes; past the bound (or the budget) the plain conjunction
    // is just as exact.
    if (xs.length * ys.length <= MAX_DISTRIBUTED && spend(xs.length * ys.length)) {
      // (x1 ∨ x2) ∧ Y = (x1 ∧ Y) ∨ (x2 ∧ Y): exact, and each alternative is narrower than
      // both sides, which the `any` rules can verify.
      const parts: Constraint[] = [];
      for (const xi of xs) {
        for (const yj of ys) {
          const r = meet(xi, yj);
          if (!unsat(r)) parts.push(r);
        }
      }
      if (parts.length === 0) return emptyConstraint();
      if (parts.length === 1 && parts[0] !== undefined) return parts[0];
      const finite = parts.map(finiteValues);
      if (finite.every((f) => f !== undefined)) {
        return { constraint_type: 'one_of', values: uniqueJson(finite.flatMap((f) => f ?? [])) };
      }
      return { constraint_type: 'any', constraints: parts };
    }
  }
  return conjoinClauses([a, b]);
}

/**
 * A constraint accepting exactly the values both accept, narrower than each under the
 * `'mandate'` profile. Same-kind inputs give same-kind results where the kind is closed
 * under intersection (range ∩ range = range, one_of ∩ one_of = one_of, exact ∩ X = exact
 * or empty); otherwise an `all`. The empty result is `{ constraint_type: 'one_of', values: [] }`.
 *
 * @throws MandateError `MANDATE_MALFORMED` / `MANDATE_LIMIT_EXCEEDED` for an invalid constraint.
 */
export function intersectConstraints(a: ConstraintInput, b: ConstraintInput): Constraint {
  const na = normalizeConstraint(a, { path: 'a' });
  const nb = normalizeConstraint(b, { path: 'b' });
  return intersectNormalized(na, nb);
}
