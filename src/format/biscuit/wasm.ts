/**
 * Runs code against biscuit-wasm 0.6.0: {@link withBiscuit} leases an instance, runs a synchronous
 * callback with its API and a scope that frees every object the callback made, and turns a wasm
 * fault into a coded error and a fresh instance for the next call.
 *
 * The parts, one concept each:
 * - ./wasm/api.ts — the typed facade (what 0.6.0 accepts, returns and throws);
 * - ./wasm/objects.ts — object lifetime (freeing, scopes);
 * - ./wasm/loader.ts — compiling once, making and unloading instances;
 * - ./wasm/instances.ts — the instance lifecycle (leases, retirement): an instance retired for its
 *   memory size is unloaded only when its last lease ends, so no call ever sees its instance vanish.
 *
 * Nothing here is imported statically by the JWS path: the verifier reaches the Biscuit codec only
 * through a dynamic `import()`, and the wasm module is read and compiled on the first call.
 *
 * What this file does NOT do: map Biscuit errors to Mandate codes (beyond the wasm fault case), check
 * keys for weakness, or bound the size of Datalog a caller hands to the wasm API. Callers own that.
 *
 * @module
 */
import { MandateError } from '../../core/errors.js';
import type { BiscuitApi } from './wasm/api.js';
import { InstancePool, type Lease } from './wasm/instances.js';
import {
  loadInstance,
  memoryBytes,
  unloadInstance,
  unreleasedInstances,
  type WasmInstance,
} from './wasm/loader.js';
import { isWasmObject, WasmScope } from './wasm/objects.js';

export type {
  BiscuitApi,
  BiscuitKeyParameter,
  BiscuitRunLimits,
  BiscuitTerm,
  RootKeyProvider,
  SignatureAlgorithmId,
  WasmAuthorizer,
  WasmAuthorizerBuilder,
  WasmBiscuit,
  WasmBiscuitBuilder,
  WasmBlockBuilder,
  WasmCheck,
  WasmCodeBuilder,
  WasmFact,
  WasmKeyPair,
  WasmObject,
  WasmParameterized,
  WasmPolicy,
  WasmPrivateKey,
  WasmPublicKey,
  WasmRule,
  WasmThirdPartyBlock,
  WasmThirdPartyRequest,
} from './wasm/api.js';
export { biscuitErrorKind } from './wasm/api.js';
export { usingWasm, WasmScope } from './wasm/objects.js';

/**
 * Linear memory above which an instance is retired once its leases end. biscuit-wasm 0.6.0 uses
 * `wee_alloc` as its global allocator, which does not reuse freed memory reliably
 * (rustwasm/wee_alloc#106): measured on Node 20, one Mandate verification (parse a three-block token,
 * build an authorizer, authorize, free everything) leaves ~64 KiB of linear memory that is never
 * reused, and wasm memory never shrinks. Retiring the instance (the next call gets a fresh one from
 * the already-compiled module; the last lease's release unloads the old one) bounds the process's
 * memory. A smaller heap is also faster: allocation slows down as the free list grows.
 */
export const RETIRE_MEMORY_BYTES = 32 * 1024 * 1024;

let retireMemoryBytes = RETIRE_MEMORY_BYTES;

const pool = new InstancePool<WasmInstance>({
  load: loadInstance,
  unload: unloadInstance,
  bloated: (instance) => memoryBytes(instance) > retireMemoryBytes,
});

/**
 * Sets the retirement threshold (tests and soak benchmarks use a low one so that retirement happens
 * often); returns the previous one.
 *
 * @internal
 */
export function setRetireMemoryBytes(bytes: number): number {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError('invalid threshold');
  const previous = retireMemoryBytes;
  retireMemoryBytes = bytes;
  return previous;
}

/**
 * Retires the live instance now, as its memory size would: calls in flight keep it until their end.
 *
 * @internal
 */
export function retireBiscuitInstance(): void {
  pool.retire();
}

/** The memory, lease and retirement counters of the biscuit-wasm instances. */
export interface BiscuitInstanceStats {
  /** Instances retired (for their memory size, or asked for) so far. */
  readonly retired: number;
  /** The live instance's linear memory, if one is loaded. */
  readonly memoryBytes: number | undefined;
  /**
   * Unloaded instances whose memory is still reachable (not yet garbage collected). After a full
   * GC this should be 0; anything else means something still pins an old instance.
   */
  readonly unreleased: number;
  /** Instances loaded so far. */
  readonly loaded: number;
  /** Instances unloaded so far (retired or broken by a fault). */
  readonly unloaded: number;
  /** Instances discarded after a wasm fault. */
  readonly faults: number;
  /** Retired instances still loaded because calls on them are in flight. */
  readonly draining: number;
  /** Calls in flight holding an instance. */
  readonly leases: number;
}

/** Diagnostic: the lifecycle counters of the biscuit-wasm instances (see {@link BiscuitInstanceStats}). */
export function biscuitInstanceStats(): BiscuitInstanceStats {
  const stats = pool.stats();
  return {
    retired: stats.retired,
    memoryBytes: stats.live === undefined ? undefined : memoryBytes(stats.live),
    unreleased: unreleasedInstances(),
    loaded: stats.loaded,
    unloaded: stats.unloaded,
    faults: stats.broken,
    draining: stats.draining,
    leases: stats.leases,
  };
}

/**
 * Diagnostic: the generation number of the live instance (1 for the first, +1 per instance loaded
 * after it), or `undefined` when none is loaded.
 */
export function biscuitInstanceGeneration(): number | undefined {
  return pool.stats().live?.generation;
}

/** A lease on the live instance, loading one if needed; a load failure is a coded error. */
async function lease(): Promise<Lease<WasmInstance>> {
  try {
    return await pool.lease();
  } catch (error) {
    throw new MandateError('MANDATE_INTERNAL', 'biscuit-wasm could not be loaded', {
      check: 'internal',
      detail: { reason: 'wasm-load' },
      cause: error,
    });
  }
}

/**
 * The biscuit-wasm API of the live instance, loading it on first use (once per process).
 *
 * Prefer {@link withBiscuit}: this takes no lease, so objects obtained from this API become unusable
 * (a coded `MANDATE_INTERNAL` error) once the instance is retired or discarded, and nothing here
 * frees them for you.
 *
 * @throws MandateError `MANDATE_INTERNAL` (`detail.reason: 'wasm-load'`) if the package cannot be
 * loaded; the next call retries.
 */
export async function loadBiscuit(): Promise<BiscuitApi> {
  const leased = await lease();
  leased.release();
  return leased.instance.api;
}

/**
 * A failure that means the wasm instance can no longer be trusted: a trap (`unreachable` from a
 * panic, out-of-bounds access from a shadow-stack overflow), a JS stack overflow while wasm frames
 * were live, or a JS throw through wasm frames. A JS stack overflow in the caller's own code is
 * indistinguishable and is treated the same way (the cost is one re-instantiation).
 */
function isWasmFault(error: unknown, instance: WasmInstance): boolean {
  if (instance.tainted) return true;
  if (error instanceof WebAssembly.RuntimeError) return true;
  return error instanceof RangeError && /call stack/i.test(error.message);
}

function faultError(error: unknown, instance: WasmInstance): MandateError {
  const fault =
    error instanceof WebAssembly.RuntimeError || error instanceof RangeError
      ? error.message // engine messages ("unreachable", ...): no caller data
      : 'wasm-throw';
  const detail: Record<string, unknown> = {
    reason: 'wasm-fault',
    fault,
    instance: instance.generation,
  };
  if (instance.panicLocation !== undefined) detail['panicLocation'] = instance.panicLocation;
  return new MandateError(
    'MANDATE_INTERNAL',
    'biscuit-wasm failed unexpectedly; the instance was discarded',
    { check: 'internal', detail, cause: error },
  );
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Runs `fn` synchronously with the biscuit-wasm API and a {@link WasmScope} that frees every object
 * registered with it when `fn` returns or throws.
 *
 * - The call holds a lease on its instance from before `fn` starts until every object is freed:
 *   retirement (for memory size) never unloads an instance under a call in flight.
 * - Biscuit's own errors (the plain objects it throws, such as `{ Format: ... }`) and any other
 *   error from `fn` propagate unchanged; see {@link biscuitErrorKind}.
 * - A wasm fault (panic, trap, stack overflow, JS throw through wasm frames) discards the instance —
 *   the next call gets a fresh one — and is thrown as `MandateError('MANDATE_INTERNAL')` with
 *   `check: 'internal'` and `detail: { reason: 'wasm-fault', fault, instance, panicLocation? }`.
 *   A call that had leased that instance but not started yet runs on a fresh one instead.
 *
 * `fn` must be synchronous and return plain data (bytes, strings, numbers), never a wasm object:
 * both are refused with a `TypeError`, because an object or pending work that outlives the call
 * could outlive its instance.
 */
export async function withBiscuit<T>(fn: (api: BiscuitApi, scope: WasmScope) => T): Promise<T> {
  for (;;) {
    // Synchronous when an instance is live: no await between taking the lease and running `fn`.
    const leased = pool.tryLease() ?? (await lease());
    // Broken by a fault in another call while this one waited for the load: lease again.
    if (leased.usable) return runLeased(leased, fn);
    leased.release();
  }
}

function runLeased<T>(
  leased: Lease<WasmInstance>,
  fn: (api: BiscuitApi, scope: WasmScope) => T,
): T {
  const { instance } = leased;
  const scope = new WasmScope();
  let result: T;
  try {
    result = fn(instance.api, scope);
  } catch (error) {
    if (isWasmFault(error, instance)) {
      // Unload first (frees become no-ops): freeing into a broken instance could trap again.
      leased.release('broken');
      scope.close();
      throw faultError(error, instance);
    }
    const freeError = scope.close();
    leased.release(
      freeError !== undefined && isWasmFault(freeError, instance) ? 'broken' : undefined,
    );
    throw error;
  }
  const freeError = scope.close();
  if (freeError !== undefined || instance.tainted) {
    const cause = freeError ?? new Error('wasm-throw');
    if (isWasmFault(cause, instance)) {
      leased.release('broken');
      throw faultError(cause, instance);
    }
    leased.release();
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- a free's own error, unchanged
    throw cause;
  }
  leased.release();
  if (isThenable(result)) {
    // Swallow the late outcome: the caller gets the TypeError, not an unhandled rejection.
    void Promise.resolve(result).then(undefined, () => undefined);
    throw new TypeError('withBiscuit: fn must be synchronous');
  }
  if (isWasmObject(result)) {
    throw new TypeError('withBiscuit: fn must not return a wasm object (return its bytes instead)');
  }
  return result;
}
