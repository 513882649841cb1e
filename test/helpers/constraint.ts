/** Shared by the constraint unit tests: a coded failure's essentials, and constraint builders. */
import { expect } from 'vitest';
import { MandateError } from '../../src/core/errors.js';
import type { Constraint, Json } from '../../src/core/types.js';

/** The `{ code, check, path, reason }` of the `MandateError` that `fn` throws. */
export function failure(fn: () => unknown): {
  code: string;
  check: string;
  path: unknown;
  reason: unknown;
} {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MandateError);
    const e = err as MandateError;
    return { code: e.code, check: e.check, path: e.detail['path'], reason: e.detail['reason'] };
  }
  throw new Error('expected a MandateError');
}

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
