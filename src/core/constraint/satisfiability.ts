/**
 * Satisfiability and conjunction, decided together: whether a constraint matches nothing is
 * decided for an `all` by simplifying the conjunction, and simplifying a conjunction drops to
 * the empty constraint as soon as one clause matches nothing. Also the finite sets a
 * constraint may denote, which both (and narrowing) use.
 */
import { memoUnsat, spend, withBudget } from '../budget.js';
import { globIncluded, globsIntersect, isLiteralGlob } from '../glob.js';
import { jsonIncludes, uniqueJson } from '../json.js';
import type { Constraint, Json } from '../types.js';
import { checkNormalized } from './check.js';
import { emptyConstraint, isEmptyOneOf, type Of } from './forms.js';
import { maxInclusive, minInclusive, rangeEmpty, rangeMeet, type Range } from './range.js';

/** Most globs of one conjunction compared pairwise for inclusion / disjointness. */
const MAX_GLOB_MERGE = 8;

/** The values of a constraint that denotes a finite set, else `undefined`. */
export function finiteValues(c: Constraint): readonly Json[] | undefined {
  switch (c.constraint_type) {
    case 'exact':
      return [c.value];
    case 'one_of':
      return c.values;
    case 'glob':
      return isLiteralGlob(c.pattern) ? [c.pattern] : undefined;
    case 'range':
      return c.min !== undefined && c.min === c.max && minInclusive(c) && maxInclusive(c)
        ? [c.min]
        : undefined;
    case 'subset':
      // Only the empty array has all its elements in the empty set.
      return c.allowed.length === 0 ? [[]] : undefined;
    default:
      return undefined;
  }
}

/**
 * True when the constraint provably matches no value. Sound (never true for a satisfiable
 * constraint); exact for the terse forms.
 */
export function isUnsatisfiable(c: Constraint): boolean {
  return withBudget(() => unsat(c));
}

/** {@link isUnsatisfiable} inside a running budget (the constraint modules call it). */
export function unsat(c: Constraint): boolean {
  switch (c.constraint_type) {
    case 'one_of':
      return c.values.length === 0;
    case 'range':
      return rangeEmpty(c);
    case 'any':
      return memoUnsat(c, (x) => (x as Of<'any'>).constraints.every(unsat));
    case 'all':
      return memoUnsat(c, (x) => isEmptyOneOf(conjoinClauses((x as Of<'all'>).constraints)));
    default:
      return false;
  }
}

type JsonKind = 'number' | 'string' | 'array';

/** The only JSON type a constraint can accept, when it is restricted to one. */
function kindOf(c: Constraint): JsonKind | undefined {
  switch (c.constraint_type) {
    case 'range':
      return 'number';
    case 'glob':
      return 'string';
    case 'contains':
    case 'subset':
      return 'array';
    default:
      return undefined;
  }
}

/**
 * A simplified constraint equivalent to the conjunction of `clauses`: nested `all`s are
 * flattened, a finite clause filters down to the values every clause accepts, same-kind
 * clauses merge (ranges meet, exclusions and requirements unite, allowed sets intersect,
 * included globs drop), clauses restricted to different JSON types yield the empty
 * constraint. It never distributes over `any` clauses (they are kept as they are), so its
 * cost stays linear in the clauses apart from the bounded glob comparisons.
 */
export function conjoin(clauses: readonly Constraint[]): Constraint {
  return withBudget(() => conjoinClauses(clauses));
}

/** {@link conjoin} inside a running budget (the constraint modules call it). */
export function conjoinClauses(clauses: readonly Constraint[]): Constraint {
  const flat: Constraint[] = [];
  const stack = [...clauses].reverse();
  while (stack.length > 0) {
    const c = stack.pop();
    if (c === undefined) break;
    if (c.constraint_type === 'all') stack.push(...[...c.constraints].reverse());
    else if (c.constraint_type !== 'wildcard') flat.push(c);
  }
  if (flat.length === 0) return { constraint_type: 'wildcard' };
  if (flat.some(unsat)) return emptyConstraint();
  // Out of budget: the plain conjunction is exact, only not simplified.
  if (!spend(flat.length)) return { constraint_type: 'all', constraints: flat };

  // A finite clause bounds the whole conjunction: keep its values that every clause accepts.
  // Prefer an `exact` source so exact ∩ X stays exact, then the smallest finite clause.
  let source = flat.findIndex((c) => c.constraint_type === 'exact');
  if (source < 0) {
    let best = Infinity;
    flat.forEach((c, i) => {
      const n = finiteValues(c)?.length;
      if (n !== undefined && n < best) {
        best = n;
        source = i;
      }
    });
  }
  const src = flat[source];
  const srcValues = src === undefined ? undefined : finiteValues(src);
  if (src !== undefined && srcValues !== undefined) {
    const vals = uniqueJson(srcValues).filter((v) =>
      flat.every((c, i) => i === source || checkNormalized(c, v)),
    );
    if (src.constraint_type === 'one_of') return { constraint_type: 'one_of', values: vals };
    // exact, a literal glob, a one-point range, subset([]): a single value, kept or not.
    return vals.length === 1 ? src : emptyConstraint();
  }

  const kinds = new Set(flat.map(kindOf).filter((k) => k !== undefined));
  if (kinds.size > 1) return emptyConstraint();

  let range: Range | undefined;
  let excluded: Json[] | undefined;
  let required: Json[] | undefined;
  let allowed: Json[] | undefined;
  let globs: string[] = [];
  const rest: Constraint[] = [];
  for (const c of flat) {
    switch (c.constraint_type) {
      case 'range':
        range = range === undefined ? c : rangeMeet(range, c);
        break;
      case 'not_one_of':
        excluded = uniqueJson([...(excluded ?? []), ...c.excluded]);
        break;
      case 'contains':
        required = uniqueJson([...(required ?? []), ...c.required]);
        break;
      case 'subset':
        allowed =
          allowed === undefined
            ? uniqueJson(c.allowed)
            : allowed.filter((a) => jsonIncludes(c.allowed, a));
        break;
      case 'glob': {
        const g = c.pattern;
        // Merging is quadratic in the number of globs; past a few, keep them as they are.
        if (globs.length >= MAX_GLOB_MERGE) globs.push(g);
        else if (!globs.some((k) => globIncluded(k, g))) {
          globs = [...globs.filter((k) => !globIncluded(g, k)), g];
        }
        break;
      }
      default:
        rest.push(c);
    }
  }
  if (range !== undefined && rangeEmpty(range)) return emptyConstraint();
  if (required !== undefined && allowed !== undefined) {
    const a = allowed;
    if (!required.every((r) => jsonIncludes(a, r))) return emptyConstraint();
  }
  for (let i = 0; i < Math.min(globs.length, MAX_GLOB_MERGE); i++) {
    for (let j = i + 1; j < Math.min(globs.length, MAX_GLOB_MERGE); j++) {
      if (globsIntersect(globs[i] ?? '', globs[j] ?? '') === false) return emptyConstraint();
    }
  }
  const typed: Constraint[] = [];
  if (range !== undefined) typed.push(range);
  for (const pattern of globs) typed.push({ constraint_type: 'glob', pattern });
  if (required !== undefined) typed.push({ constraint_type: 'contains', required });
  if (allowed !== undefined) typed.push({ constraint_type: 'subset', allowed });
  const out: Constraint[] = [...typed];
  if (excluded !== undefined) {
    // Exclusions the typed clauses already reject are redundant.
    const ex = excluded.filter((e) => typed.every((t) => checkNormalized(t, e)));
    if (ex.length > 0) out.push({ constraint_type: 'not_one_of', excluded: ex });
  }
  out.push(...rest);
  if (out.length === 0) return { constraint_type: 'wildcard' };
  if (out.length === 1 && out[0] !== undefined) return out[0];
  return { constraint_type: 'all', constraints: out };
}
