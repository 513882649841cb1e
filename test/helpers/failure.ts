/** What a unit test reads of a coded failure. */
import { expect } from 'vitest';
import { MandateError } from '../../src/core/errors.js';

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

/** The `MandateError` that `fn` throws, whole (its `hop` and `detail` included). */
export function mandateErrorOf(fn: () => unknown): MandateError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MandateError);
    return err as MandateError;
  }
  throw new Error('expected a MandateError');
}

/** The `{ code, hop, check, detail }` of the coded error `promise` rejects with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as { code?: string; hop?: number; check?: string; detail?: Record<string, unknown> };
  expect(error).toBeDefined();
  return { code: error.code, hop: error.hop, check: error.check, detail: error.detail };
}
