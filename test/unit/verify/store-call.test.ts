/**
 * `askStore`: every store call is bounded and fails closed. A store that has answered already
 * is read without arming a timer; one that answers later is raced against the timeout.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StoreUnavailableError } from '../../../src/stores/errors.js';
import { askStore } from '../../../src/verify/store-call.js';
import { rejectionOf } from '../../helpers/failure.js';

afterEach(() => vi.restoreAllMocks());

const later = <T>(ms: number, value: T) =>
  new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('askStore', () => {
  it('reads an answer that is already there without arming a timer', async () => {
    const timers = vi.spyOn(globalThis, 'setTimeout');
    await expect(askStore(50, 'possession', 2, () => Promise.resolve(true))).resolves.toBe(true);
    await expect(askStore(50, 'possession', 2, () => Promise.resolve(false))).resolves.toBe(false);
    expect(timers).not.toHaveBeenCalled();
  });

  it('waits for a later answer within the bound, and clears its timer', async () => {
    const cleared = vi.spyOn(globalThis, 'clearTimeout');
    await expect(askStore(1000, 'possession', 2, () => later(5, 'id-1'))).resolves.toBe('id-1');
    expect(cleared).toHaveBeenCalled();
  });

  it('denies a store that does not answer in time', async () => {
    const started = Date.now();
    expect(await rejectionOf(askStore(20, 'revocation', 0, () => new Promise(() => {})))).toEqual({
      code: 'MANDATE_STORE_UNAVAILABLE',
      check: 'revocation',
      hop: 0,
      detail: {},
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
  });

  it('denies a store that fails, at once, later or synchronously, keeping its reason', async () => {
    const quota = () => new StoreUnavailableError('full share', 'quota');
    const failing: (() => Promise<unknown>)[] = [
      () => Promise.reject(quota()),
      () => later(5, undefined).then(() => Promise.reject(quota())),
      () => {
        throw quota();
      },
    ];
    for (const call of failing) {
      expect(await rejectionOf(askStore(1000, 'possession', 3, call))).toEqual({
        code: 'MANDATE_STORE_UNAVAILABLE',
        check: 'possession',
        hop: 3,
        detail: { reason: 'quota' },
      });
    }
  });
});
