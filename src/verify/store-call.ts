/** One bounded, fail-closed way to ask a store anything (every rule and checker uses it). */
import { MandateError, type Check } from '../core/errors.js';
import { StoreUnavailableError } from '../stores/errors.js';

/** What {@link askStore}'s first look finds when the store has not answered yet. */
const NOT_ANSWERED = Symbol('not answered');
const NOT_YET = Promise.resolve(NOT_ANSWERED);

/**
 * Await a store call within `timeoutMs`; any failure (a throw, a rejection, a timeout) is a
 * `MANDATE_STORE_UNAVAILABLE` denial at `check` and `hop`. A store's own reason
 * (`StoreUnavailableError.reason`: `full`, `quota`, `timeout`, ...) is kept in
 * `detail.reason`, so a holder over its quota is told apart from an outage.
 */
export async function askStore<T>(
  timeoutMs: number,
  check: Check,
  hop: number,
  call: () => Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const pending = call();
    // A store that has answered already (the in-memory stores settle at once) needs no timer: a
    // race with an answer that is already there tells so in the same turn, without arming one.
    const early = await Promise.race([pending, NOT_YET]);
    if (early !== NOT_ANSWERED) return early;
    return await Promise.race([
      pending,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('store timed out')), timeoutMs);
      }),
    ]);
  } catch (cause) {
    const reason = cause instanceof StoreUnavailableError ? cause.reason : undefined;
    throw new MandateError(
      'MANDATE_STORE_UNAVAILABLE',
      reason === 'quota'
        ? "this holder's share of the replay store is full; denied to fail closed"
        : 'a store could not answer; denied to fail closed',
      { check, hop, cause, ...(reason === undefined ? {} : { detail: { reason } }) },
    );
  } finally {
    clearTimeout(timer);
  }
}
