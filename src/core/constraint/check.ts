/**
 * Evaluation: does a value satisfy a constraint (AAT section 3.4, plus `glob`)?
 */
import { assertJson, isJsonArray, jsonEqual, jsonIncludes } from '../json.js';
import { globMatch } from '../glob.js';
import type { Constraint, ConstraintInput, Json } from '../types.js';
import { normalizeConstraint } from './parse.js';
import { inRange } from './range.js';

/** `check` on a normalised constraint (AAT section 3.4, plus `glob`). */
export function checkNormalized(c: Constraint, v: Json): boolean {
  switch (c.constraint_type) {
    case 'exact':
      return jsonEqual(c.value, v);
    case 'one_of':
      return jsonIncludes(c.values, v);
    case 'not_one_of':
      return !jsonIncludes(c.excluded, v);
    case 'range':
      return typeof v === 'number' && inRange(c, v);
    case 'contains':
      return isJsonArray(v) && c.required.every((r) => jsonIncludes(v, r));
    case 'subset':
      return isJsonArray(v) && v.every((e) => jsonIncludes(c.allowed, e));
    case 'wildcard':
      return true;
    case 'all':
      return c.constraints.every((x) => checkNormalized(x, v));
    case 'any':
      return c.constraints.some((x) => checkNormalized(x, v));
    case 'glob':
      return typeof v === 'string' && globMatch(c.pattern, v);
  }
}

/**
 * True when `value` satisfies the constraint. A value that is not plain JSON (NaN, a
 * function, a cycle...) satisfies nothing.
 *
 * @throws MandateError `MANDATE_MALFORMED` / `MANDATE_LIMIT_EXCEEDED` for an invalid constraint.
 */
export function checkConstraint(constraint: ConstraintInput, value: Json): boolean {
  const c = normalizeConstraint(constraint);
  try {
    assertJson(value, 'value', { maxArrayLength: Number.MAX_SAFE_INTEGER });
  } catch {
    return false;
  }
  return checkNormalized(c, value);
}
