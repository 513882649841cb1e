/**
 * Checking a value against a constraint inside a narrowing decision, charged to the call's
 * work budget: a finite child (`exact`, `one_of`, a literal glob) is narrower when each of its
 * values passes the parent, and a parent `any` of many globs checked against many values is
 * work that grows with both (issue 18). Each clause visited is charged a rule application,
 * each glob match its own steps (`globMatchSteps`), each list scanned its length.
 *
 * The answer is {@link checkNormalized}'s until the budget is spent, and `false` after: inside
 * narrowing that is the conservative answer (not narrower). Never use it where a `false`
 * would allow something (a negated check).
 */
import { RULE_UNITS, spend } from '../budget.js';
import { globMatchSteps } from '../glob.js';
import type { Constraint, Json } from '../types.js';
import { checkNormalized } from './check.js';

/**
 * Matcher steps per budget unit: a step (a code point read, a failure link, a word of the
 * bit-parallel search) costs about an eighth of an automaton-state visit, the unit's reference.
 */
const MATCH_STEPS_PER_UNIT = 8;

/** Whether `value` matches the glob `pattern`, its steps charged; `false` past the budget. */
export function globMatchCharged(pattern: string, value: string): boolean {
  const { matched, steps } = globMatchSteps(pattern, value);
  return spend(Math.ceil(steps / MATCH_STEPS_PER_UNIT)) && matched;
}

/** {@link checkNormalized}, charged to the running budget; `false` once it is spent. */
export function checkCharged(c: Constraint, v: Json): boolean {
  if (!spend(RULE_UNITS)) return false;
  switch (c.constraint_type) {
    case 'all':
      return c.constraints.every((x) => checkCharged(x, v));
    case 'any':
      return c.constraints.some((x) => checkCharged(x, v));
    case 'glob':
      return typeof v === 'string' && globMatchCharged(c.pattern, v);
    case 'one_of':
      return spend(c.values.length) && checkNormalized(c, v);
    case 'not_one_of':
      return spend(c.excluded.length) && checkNormalized(c, v);
    default:
      return checkNormalized(c, v);
  }
}
