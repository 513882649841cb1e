/** Constraint builders the constraint unit tests share. */
import type { Constraint, Json } from '../../src/core/types.js';

/** An `exact` constraint. */
export const exact = (value: Json): Constraint => ({
  constraint_type: 'exact',
  value,
});
/** A `range` constraint. */
export const range = (
  r: Omit<Extract<Constraint, { constraint_type: 'range' }>, 'constraint_type'>,
): Constraint => ({
  constraint_type: 'range',
  ...r,
});
