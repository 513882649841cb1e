/**
 * Narrowing of constraints: is every value a derived (child) constraint accepts accepted by
 * its parent? Semantics follow the IETF AAT draft (draft-niyikiza-oauth-attenuating-agent-
 * tokens-02, section 4.5 / invariant I4) plus Mandate's `glob` extension, in two profiles:
 *
 * - `'aat'`: exactly the draft's structural rules (`aat-profile.ts`, apart, because it
 *   follows a draft that changes).
 * - `'mandate'` (default, here): the draft's rules extended by further pairs that are sound
 *   by construction (never accept a widening) and that make narrowing exact for the terse
 *   forms (`eq`, `in`, `min`/`max`, `glob`): a finite derived constraint is narrower when
 *   each of its values passes the parent's `check`; a derived `any` when each alternative
 *   is narrower; anything is narrower than an `all` it is narrower than clause by clause;
 *   an unsatisfiable derived constraint is narrower than everything.
 *
 * Numbers are treated as reals (a range is an interval of reals); this is sound for IEEE
 * doubles, which are a subset.
 */
import { RULE_UNITS, spend, withBudget } from '../budget.js';
import { globIncluded } from '../glob.js';
import { endsExclude } from '../glob-ends.js';
import { globForm } from '../glob-form.js';
import { jsonEqual, jsonIncludes } from '../json.js';
import type { Constraint, ConstraintInput } from '../types.js';
import { narrowerAat } from './aat-profile.js';
import { checkNormalized } from './check.js';
import { checkCharged } from './check-charged.js';
import { normalizeConstraint } from './parse.js';
import { rangeWithin } from './range.js';
import { conjoinClauses, finiteValues, unsat } from './satisfiability.js';

/** Which subsumption rules to apply; see the module documentation. */
export type NarrowingProfile = 'mandate' | 'aat';

/** Options of {@link isConstraintNarrower}. */
export interface NarrowingOptions {
  /** Default `'mandate'`. */
  readonly profile?: NarrowingProfile | undefined;
}

/**
 * Most rule applications in one mandate-profile narrowing decision. Past it the answer is
 * `false` (sound: a widening is never accepted); it bounds work on hostile trees.
 */
const NARROWING_BUDGET = 50_000;

function sameConstraint(a: Constraint, b: Constraint): boolean {
  // Constraints are JSON values themselves.
  return a === b || jsonEqual(a, b);
}

interface NarrowingContext {
  steps: number;
  readonly memo: Map<Constraint, Map<Constraint, boolean>>;
  readonly conjoined: Map<Constraint, Constraint>;
}

function newContext(): NarrowingContext {
  return { steps: 0, memo: new Map(), conjoined: new Map() };
}

/** Mandate profile: the draft's rules plus sound extensions (module documentation). */
export function narrowerMandate(
  c: Constraint,
  p: Constraint,
  ctx: NarrowingContext = newContext(),
): boolean {
  if (++ctx.steps > NARROWING_BUDGET || !spend(RULE_UNITS)) return false;
  let row = ctx.memo.get(c);
  const known = row?.get(p);
  if (known !== undefined) return known;
  const result = decideMandate(c, p, ctx);
  if (row === undefined) {
    row = new Map();
    ctx.memo.set(c, row);
  }
  row.set(p, result);
  return result;
}

function decideMandate(c: Constraint, p: Constraint, ctx: NarrowingContext): boolean {
  if (sameConstraint(c, p)) return true;
  if (p.constraint_type === 'wildcard') return true;
  if (unsat(c)) return true;
  const finite = finiteValues(c);
  if (finite !== undefined) return finite.every((v) => checkCharged(p, v));
  // The next three rules are exact (iff), so their verdict is final.
  // not_one_of(E) accepts everything outside E: c is narrower iff it accepts no e in E.
  if (p.constraint_type === 'not_one_of') return p.excluded.every((e) => !checkNormalized(c, e));
  if (c.constraint_type === 'any') return c.constraints.every((x) => narrowerMandate(x, p, ctx));
  if (p.constraint_type === 'all') return p.constraints.every((q) => narrowerMandate(c, q, ctx));
  // For a conjunction child or a disjunction parent the rules are only sufficient: try each.
  if (c.constraint_type === 'all') {
    let s = ctx.conjoined.get(c);
    if (s === undefined) {
      s = conjoinClauses(c.constraints);
      ctx.conjoined.set(c, s);
    }
    if (s.constraint_type !== 'all') return narrowerMandate(s, p, ctx);
    if (s.constraints.some((x) => narrowerMandate(x, p, ctx))) return true;
  }
  if (p.constraint_type === 'any') {
    return p.constraints.some((q) => !globsApart(c, q) && narrowerMandate(c, q, ctx));
  }
  if (c.constraint_type === 'all') return false;
  switch (c.constraint_type) {
    case 'range':
      return p.constraint_type === 'range' && rangeWithin(c, p);
    case 'contains':
      return (
        p.constraint_type === 'contains' && p.required.every((r) => jsonIncludes(c.required, r))
      );
    case 'subset':
      if (p.constraint_type === 'subset') return c.allowed.every((a) => jsonIncludes(p.allowed, a));
      // Every array contains the empty requirement; a non-empty one rejects `[]`.
      return p.constraint_type === 'contains' && p.required.length === 0;
    case 'glob':
      return p.constraint_type === 'glob' && globIncluded(c.pattern, p.pattern);
    default:
      // wildcard and not_one_of accept values of every type and infinitely many of each.
      return false;
  }
}

/**
 * Whether a glob child is provably not narrower than a glob parent clause from their ends
 * alone (glob-ends.ts): every rule would answer `false` for the pair (a glob is never empty,
 * and a literal child's one string is the ends test's witness), so the clause is skipped
 * before the rule machinery runs. Charged as a rule application, and its comparisons.
 */
function globsApart(c: Constraint, q: Constraint): boolean {
  if (c.constraint_type !== 'glob' || q.constraint_type !== 'glob') return false;
  if (!spend(RULE_UNITS)) return false;
  const ends = endsExclude(globForm(c.pattern), globForm(q.pattern));
  return spend(ends.steps) && ends.excluded;
}

/** Narrowing on normalised constraints. */
export function isNormalizedNarrower(
  child: Constraint,
  parent: Constraint,
  profile: NarrowingProfile = 'mandate',
): boolean {
  return withBudget(() =>
    profile === 'aat' ? narrowerAat(child, parent) : narrowerMandate(child, parent),
  );
}

/**
 * True when every value `child` accepts is accepted by `parent` according to the chosen
 * profile's rules (sound in both: `true` always means narrower-or-equal). The `'mandate'`
 * profile is exact for the terse forms (`eq`, `in`, `min`/`max`, `glob`); the `'aat'`
 * profile reproduces the draft's structural verdicts, including its rejections of
 * semantically narrower but undeclared pairs.
 *
 * @throws MandateError `MANDATE_MALFORMED` / `MANDATE_LIMIT_EXCEEDED` for an invalid constraint.
 */
export function isConstraintNarrower(
  child: ConstraintInput,
  parent: ConstraintInput,
  options: NarrowingOptions = {},
): boolean {
  const c = normalizeConstraint(child, { path: 'child' });
  const p = normalizeConstraint(parent, { path: 'parent' });
  return isNormalizedNarrower(c, p, options.profile);
}
