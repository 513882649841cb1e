/** A store's synchronous answer as a promise, the way the store interfaces want it. */

/** Runs `work` and reports its result or its throw as a promise, never as a sync throw. */
export function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
