/**
 * The constraint shapes every constraint module shares: the type of one kind, the constraint
 * that matches nothing, the one that matches everything, and the normal form of an argument
 * map (closed world, optional arguments, the reserved `"*"` key of AAT section 3.3).
 */
import type { Constraint, ConstraintType } from '../types.js';

/** The constraint of one `constraint_type`. */
export type Of<K extends ConstraintType> = Extract<Constraint, { readonly constraint_type: K }>;

/** The constraint that matches nothing. */
export function emptyConstraint(): Constraint {
  return { constraint_type: 'one_of', values: [] };
}

/** True for the constraint that matches nothing, as {@link emptyConstraint} writes it. */
export function isEmptyOneOf(c: Constraint): boolean {
  return c.constraint_type === 'one_of' && c.values.length === 0;
}

/** The constraint that matches every value. */
export const WILDCARD: Constraint = Object.freeze({ constraint_type: 'wildcard' });

/** The reserved constraint-map key for arguments the map does not name (AAT section 3.3). */
export const UNNAMED_ARGUMENTS = '*';

/**
 * A normalised argument map: the named constraints, the named arguments that may be absent,
 * and whether unnamed arguments are allowed (with any value: the map has `"*"`, or is empty,
 * which AAT section 3.3 makes shorthand for `"*"`).
 */
export interface ArgMap {
  readonly named: ReadonlyMap<string, Constraint>;
  readonly optional: ReadonlySet<string>;
  readonly open: boolean;
}

/** Why an argument map is not narrower, labelled with the AAT verification step (4p2-4p4). */
export interface ArgMapFailure {
  /**
   * `4p2`: the key rules (a named argument the parent neither names nor admits, a required
   * argument dropped, `"*"` added or kept over an omitted argument); `4p3`: a required
   * argument made optional; `4p4`: a constraint is not narrower.
   */
  readonly step: '4p2' | '4p3' | '4p4';
  readonly arg: string;
  readonly reason:
    | 'argument-added'
    | 'argument-removed'
    | 'argument-made-optional'
    | 'child-unconstrained'
    | 'unnamed-added'
    | 'unnamed-kept'
    | 'constraint-not-narrower';
}
