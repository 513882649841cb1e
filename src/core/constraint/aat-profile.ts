/**
 * The AAT profile of narrowing: exactly the structural rules of the IETF AAT draft
 * (draft-niyikiza-oauth-attenuating-agent-tokens-02, section 4.5 for constraints, steps
 * 4p2-4p4 for argument maps). Every (parent, derived) type pair the draft does not list is
 * rejected, even when semantically narrower (the draft's vectors J.8.4 and J.18.1 require
 * this). Mandate's `glob` declares its own pairs: glob/glob, and a derived `exact` /
 * `one_of` whose strings all match the parent glob.
 *
 * Kept apart from Mandate's own profile (`narrowing.ts`) because it follows a draft that
 * changes: a new draft revision changes this module only.
 */
import { RULE_UNITS, spend } from '../budget.js';
import { globIncluded } from '../glob.js';
import { jsonEqual, jsonIncludes } from '../json.js';
import type { Constraint } from '../types.js';
import { globMatchCharged } from './check-charged.js';
import { UNNAMED_ARGUMENTS, WILDCARD, type ArgMap, type ArgMapFailure } from './forms.js';
import { inRange, rangeWithin } from './range.js';

/** AAT profile: exactly the pairs the draft lists (section 4.5), plus glob's own pairs. */
export function narrowerAat(c: Constraint, p: Constraint): boolean {
  // Every application is charged to the call's budget; once it is spent the answer is the
  // conservative one (not narrower), so an `any` under an `any` costs at most the budget.
  if (!spend(RULE_UNITS)) return false;
  if (p.constraint_type === 'wildcard') return true;
  switch (c.constraint_type) {
    case 'exact':
      switch (p.constraint_type) {
        case 'exact':
          return jsonEqual(c.value, p.value);
        case 'range':
          return typeof c.value === 'number' && inRange(p, c.value);
        case 'one_of':
          return jsonIncludes(p.values, c.value);
        case 'glob':
          return typeof c.value === 'string' && globMatchCharged(p.pattern, c.value);
        default:
          return false;
      }
    case 'range':
      return p.constraint_type === 'range' && rangeWithin(c, p);
    case 'one_of':
      if (p.constraint_type === 'one_of') return c.values.every((v) => jsonIncludes(p.values, v));
      return (
        p.constraint_type === 'glob' &&
        c.values.every((v) => typeof v === 'string' && globMatchCharged(p.pattern, v))
      );
    case 'not_one_of':
      return (
        p.constraint_type === 'not_one_of' && p.excluded.every((e) => jsonIncludes(c.excluded, e))
      );
    case 'wildcard':
      return false;
    case 'all':
      // Every parent clause subsumes at least one derived clause; reuse permitted.
      return (
        p.constraint_type === 'all' &&
        p.constraints.every((q) => c.constraints.some((x) => narrowerAat(x, q)))
      );
    case 'any':
      // Every derived alternative is subsumed by some parent alternative.
      return (
        p.constraint_type === 'any' &&
        c.constraints.every((x) => p.constraints.some((q) => narrowerAat(x, q)))
      );
    case 'contains':
      return (
        p.constraint_type === 'contains' && p.required.every((r) => jsonIncludes(c.required, r))
      );
    case 'subset':
      return p.constraint_type === 'subset' && c.allowed.every((a) => jsonIncludes(p.allowed, a));
    case 'glob':
      return p.constraint_type === 'glob' && globIncluded(c.pattern, p.pattern);
  }
}

/** The draft's steps 4p2-4p4 on normalised argument maps (see `argMapNarrowerNormalized`). */
export function argMapDecideAat(child: ArgMap, parent: ArgMap): true | ArgMapFailure {
  for (const k of child.named.keys()) {
    if (!parent.named.has(k) && !parent.open) {
      return { step: '4p2', arg: k, reason: 'argument-added' };
    }
  }
  for (const k of parent.named.keys()) {
    if (child.named.has(k)) continue;
    if (!parent.optional.has(k)) return { step: '4p2', arg: k, reason: 'argument-removed' };
    if (child.open) return { step: '4p2', arg: k, reason: 'unnamed-kept' };
  }
  if (child.open && !parent.open) {
    return { step: '4p2', arg: UNNAMED_ARGUMENTS, reason: 'unnamed-added' };
  }
  for (const k of child.named.keys()) {
    if (child.optional.has(k) && parent.named.has(k) && !parent.optional.has(k)) {
      return { step: '4p3', arg: k, reason: 'argument-made-optional' };
    }
  }
  for (const [k, c] of child.named) {
    if (!narrowerAat(c, parent.named.get(k) ?? WILDCARD)) {
      return { step: '4p4', arg: k, reason: 'constraint-not-narrower' };
    }
  }
  return true;
}
