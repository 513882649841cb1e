/**
 * The lifetime of biscuit-wasm objects: every object owns memory inside its wasm instance until it
 * is freed, and wasm-bindgen's FinalizationRegistry is no substitute (it runs late, or never).
 * {@link usingWasm} frees one object, {@link WasmScope} every object of one call.
 *
 * @module
 */
import type { WasmObject } from './api.js';

/**
 * wasm-bindgen zeroes an object's `__wbg_ptr` when a Rust method consumes it (e.g.
 * `buildAuthenticated`, `build`, `createBlock`); calling `free()` then throws "null pointer passed to
 * rust" through the wasm frames. Skipping consumed objects keeps cleanup quiet and the instance clean.
 */
function isConsumed(value: WasmObject): boolean {
  return (value as { __wbg_ptr?: unknown }).__wbg_ptr === 0;
}

/** Frees `value` unless already consumed; returns the error a failed free threw, if any. */
function freeQuietly(value: WasmObject): unknown {
  if (isConsumed(value)) return undefined;
  try {
    value.free();
    return undefined;
  } catch (error) {
    return error;
  }
}

/**
 * Runs `fn(value)` and frees `value` afterwards, whatever happens (a try/finally you cannot forget).
 * If `fn` throws, its error wins; if only the free fails, that error is thrown.
 *
 * @example `const n = usingWasm(api.Biscuit.fromBytes(bytes, root), (t) => t.countBlocks());`
 */
export function usingWasm<T extends WasmObject, R>(value: T, fn: (value: T) => R): R {
  let result: R;
  try {
    result = fn(value);
  } catch (error) {
    freeQuietly(value);
    throw error;
  }
  const freeError = freeQuietly(value);
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrown unchanged for withBiscuit
  if (freeError !== undefined) throw freeError;
  return result;
}

/**
 * Owns the wasm objects created during one {@link withBiscuit} call and frees them (newest first)
 * when the call ends. Register every object you create or receive: `scope.own(kp.getPublicKey())`.
 */
export class WasmScope {
  readonly #owned: WasmObject[] = [];
  #closed = false;

  /** Registers `value` for freeing at the end of the scope and returns it. */
  own<T extends WasmObject>(value: T): T {
    if (this.#closed) {
      // Registering after the end would leak silently; free now and refuse.
      freeQuietly(value);
      throw new TypeError('WasmScope.own called after the scope ended');
    }
    this.#owned.push(value);
    return value;
  }

  /** Frees everything owned; returns the first error a free threw. */
  close(): unknown {
    this.#closed = true;
    let first: unknown;
    for (let value = this.#owned.pop(); value !== undefined; value = this.#owned.pop()) {
      const error = freeQuietly(value);
      first ??= error;
    }
    return first;
  }
}

/** Whether `value` is a wasm-bindgen object (a class instance holding a pointer into wasm). */
export function isWasmObject(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { __wbg_ptr?: unknown }).__wbg_ptr === 'number'
  );
}
