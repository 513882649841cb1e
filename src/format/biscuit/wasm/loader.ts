/**
 * Loads biscuit-wasm 0.6.0 on Node without its package entry: compiles its wasm once per process,
 * makes as many independent instances of it as asked ({@link loadInstance}), and unloads one so
 * that nothing can touch it again and its memory can be collected ({@link unloadInstance}).
 *
 * Why this file exists:
 * - The package entry (`module/biscuit.js`) does `import * as wasm from "./biscuit_bg.wasm"`, which
 *   Node refuses without ES module integration of wasm. So we compile `module/biscuit_bg.wasm`
 *   ourselves, wire the imports the module declares, and hand the instance to the wasm-bindgen JS
 *   glue (`module/biscuit_bg.js`, `__wbg_set_wasm`).
 * - Each instance needs its own copy of the glue (the glue keeps its wasm handle, heap and memory
 *   views in module state). The copies are not ES modules: Node never unloads a module, so a copy
 *   per instance would pin every unloaded instance for the life of the process. The glue's source
 *   is compiled once as a function body instead ({@link glueFactory}), and each call of it is a
 *   fresh, collectable copy.
 * - A Rust panic prints its message through the glue's console imports; those are silenced, keeping
 *   only the panic's source location. A JS throw through wasm frames marks the instance `tainted`.
 * - Nothing here is imported statically by the JWS path, and nothing is read or compiled before the
 *   first {@link loadInstance}.
 *
 * When an instance is retired or discarded is decided elsewhere (./instances.ts); how a call runs
 * and what counts as a fault, in ../wasm.ts.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileFunction } from 'node:vm';

import { MandateError } from '../../../core/errors.js';
import { BISCUIT_API_NAMES, type BiscuitApi } from './api.js';

const PACKAGE = '@biscuit-auth/biscuit-wasm';
const GLUE_MODULE = './biscuit_bg.js';

/** The part of the wasm-bindgen glue module this loader touches. */
interface Glue {
  readonly __wbg_set_wasm: (exports: object) => void;
  readonly [name: string]: unknown;
}

/** One instance of biscuit-wasm with its own glue, heap and linear memory. */
export interface WasmInstance {
  /** 1 for the first instance of the process, +1 per instance loaded after it. */
  readonly generation: number;
  readonly api: BiscuitApi;
  readonly glue: Glue;
  readonly memory: WebAssembly.Memory | undefined;
  /** Set when wasm threw a JS error through its own frames (`__wbindgen_throw`). */
  tainted: boolean;
  /** The source location of the last Rust panic, from the panic hook's message. */
  panicLocation: string | undefined;
}

interface Compiled {
  readonly dir: URL;
  readonly module: WebAssembly.Module;
  readonly imports: readonly WebAssembly.ModuleImportDescriptor[];
  readonly makeGlue: () => Record<string, unknown>;
}

let compiled: Promise<Compiled> | undefined;
let generation = 0;

/** The directory holding biscuit_bg.js/.wasm, found without evaluating the package entry. */
function moduleDir(): URL {
  // import.meta.resolve only resolves (Node >= 20.6); it is absent under some test transformers.
  const resolve = (import.meta as { resolve?: (specifier: string) => string }).resolve;
  if (typeof resolve === 'function') {
    try {
      return new URL('./', resolve(PACKAGE));
    } catch {
      // fall through to the node_modules walk
    }
  }
  // The package only exports an "import" condition, so require.resolve(PACKAGE) fails; walk the
  // same node_modules directories require would search instead.
  const require = createRequire(import.meta.url);
  for (const base of require.resolve.paths(PACKAGE) ?? []) {
    const dir = join(base, PACKAGE, 'module');
    if (existsSync(join(dir, 'biscuit_bg.wasm'))) return pathToFileURL(dir + '/');
  }
  throw new Error(`${PACKAGE} is not installed`);
}

const GLUE_EXPORT = /^export (function|class|const|let) ([A-Za-z_$][\w$]*)/gm;

/**
 * Compiles the glue (`biscuit_bg.js`) once as a function that returns a fresh copy of its exports
 * on every call. The 0.6.0 glue has no imports and only `export function|class|const NAME`
 * declarations at the start of a line, so dropping the `export` keyword and returning the names
 * gives the same bindings; anything else (an import, another export form) refuses to load rather
 * than guess.
 */
function glueFactory(source: string, file: URL): () => Record<string, unknown> {
  const names: string[] = [];
  const body = source.replace(GLUE_EXPORT, (_match, kind: string, name: string) => {
    names.push(name);
    return `${kind} ${name}`;
  });
  if (/^\s*(?:import|export)\b/m.test(body) || !names.includes('__wbg_set_wasm')) {
    throw new Error(`${PACKAGE}: unexpected glue module`);
  }
  // Module code is strict; so is the copy. The filename keeps stack traces pointing at the glue.
  const factory = compileFunction(`'use strict';\n${body}\nreturn { ${names.join(', ')} };`, [], {
    filename: fileURLToPath(file),
  });
  return () => {
    const glue: unknown = Reflect.apply(factory, undefined, []);
    if (!isRecord(glue)) throw new Error(`${PACKAGE}: unexpected glue module`);
    return glue;
  };
}

async function compile(): Promise<Compiled> {
  const dir = moduleDir();
  const glueFile = new URL('biscuit_bg.js', dir);
  const [bytes, glueSource] = await Promise.all([
    readFile(new URL('biscuit_bg.wasm', dir)),
    readFile(glueFile, 'utf8'),
  ]);
  // Compiled once per process; every fresh instance reuses both.
  const module = await WebAssembly.compile(bytes);
  return {
    dir,
    module,
    imports: WebAssembly.Module.imports(module),
    makeGlue: glueFactory(glueSource, glueFile),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

async function importModule(href: string): Promise<Record<string, unknown>> {
  const namespace: unknown = await import(/* @vite-ignore */ href);
  if (!isRecord(namespace)) throw new Error(`${PACKAGE}: ${href} is not a module`);
  return namespace;
}

const LOG_IMPORT = /^__wbg_(?:log|error|warn|info|debug)_/;
const THROW_IMPORT = /^__wbg_wbindgenthrow_/;
const PANIC_LOCATION = /panicked at ([^\s:]+:\d+:\d+)/;
const CONSOLE_METHODS = ['log', 'error', 'warn', 'info', 'debug'] as const;

/**
 * Runs a glue logging import with `console` redirected. The start function logs "biscuit-wasm
 * loading" and the panic hook prints the panic message and stack — noise, and the message can echo
 * caller data. We keep only the panic's source location.
 */
function silenced(state: { panicLocation: string | undefined }, call: () => unknown): unknown {
  // Saved unbound on purpose: restoring must put back the identical function objects.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const saved = CONSOLE_METHODS.map((method) => [method, console[method]] as const);
  const sink = (...parts: unknown[]): void => {
    for (const part of parts) {
      if (typeof part !== 'string') continue;
      const match = PANIC_LOCATION.exec(part);
      if (match?.[1] !== undefined) state.panicLocation = match[1];
    }
  };
  for (const method of CONSOLE_METHODS) console[method] = sink;
  try {
    return call();
  } finally {
    for (const [method, original] of saved) console[method] = original;
  }
}

/**
 * A fresh instance of biscuit-wasm. The module is read and compiled on the first call only (once
 * per process, shared by every instance); a failed compilation is retried by the next call.
 */
export async function loadInstance(): Promise<WasmInstance> {
  compiled ??= compile().catch((error: unknown) => {
    compiled = undefined; // let a later call retry (e.g. after a transient read error)
    throw error;
  });
  const { dir, module, imports, makeGlue } = await compiled;
  const gen = ++generation;
  // A fresh copy of the glue per instance: its wasm handle, heap and caches are module state.
  const glueNs = makeGlue();
  const setWasm = glueNs['__wbg_set_wasm'];
  if (typeof setWasm !== 'function') throw new Error(`${PACKAGE}: unexpected glue module`);
  const glue = glueNs as Glue;

  const state = { tainted: false, panicLocation: undefined as string | undefined };
  const importObject: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  for (const { module: from, name } of imports) {
    // Snippet modules (performance_now) are stateless: the normal module cache is fine for them.
    const source = from === GLUE_MODULE ? glueNs : await importModule(new URL(from, dir).href);
    const value = source[name];
    if (typeof value !== 'function') throw new Error(`${PACKAGE}: missing import ${from}#${name}`);
    const fn = value as (...args: unknown[]) => unknown;
    let wrapped = fn;
    if (LOG_IMPORT.test(name)) wrapped = (...args) => silenced(state, () => fn(...args));
    else if (THROW_IMPORT.test(name)) {
      // A JS throw unwinds the wasm frames without running Rust's epilogues: the shadow stack pointer
      // and any borrow flags stay displaced. Mark the instance so it is discarded.
      wrapped = (...args) => {
        state.tainted = true;
        return fn(...args);
      };
    }
    (importObject[from] ??= {})[name] = wrapped;
  }

  const instance = await WebAssembly.instantiate(module, importObject);
  const exports = instance.exports;
  glue.__wbg_set_wasm(exports);
  const start = exports['__wbindgen_start'];
  if (typeof start === 'function') (start as () => void)();
  const memory = exports['memory'];

  const api = pickApi(glueNs);
  return Object.assign(state, {
    generation: gen,
    api,
    glue,
    memory: memory instanceof WebAssembly.Memory ? memory : undefined,
  });
}

function pickApi(glue: Record<string, unknown>): BiscuitApi {
  const api: Record<string, unknown> = {};
  for (const name of BISCUIT_API_NAMES) {
    if (glue[name] === undefined) throw new Error(`${PACKAGE}: export ${name} is missing`);
    api[name] = glue[name];
  }
  // The one cast from the untyped glue to the facade; the names were checked just above and the
  // signatures are pinned by the exact dependency version (0.6.0).
  return Object.freeze(api) as unknown as BiscuitApi;
}

/** The glue imports used to make its memory views drop a discarded instance's memory. */
const CAST_BYTES_IMPORT = /^__wbindgen_cast_[0-9a-f]+$/;
const NUMBER_GET_IMPORT = /^__wbg_wbindgennumberget_[0-9a-f]+$/;
const DROP_REF_IMPORT = '__wbindgen_object_drop_ref';

/** A glue export by exact name or pattern, as a function (optionally whose source mentions `uses`). */
function glueFunction(
  glue: Glue,
  name: string | RegExp,
  uses?: string,
): ((...args: number[]) => unknown) | undefined {
  for (const [key, value] of Object.entries(glue)) {
    if (typeof value !== 'function') continue;
    if (typeof name === 'string' ? key !== name : !name.test(key)) continue;
    if (uses !== undefined && !String(value).includes(uses)) continue;
    return value as (...args: number[]) => unknown;
  }
  return undefined;
}

/**
 * Makes the glue module drop its cached `Uint8Array` and `DataView` over the instance's memory.
 *
 * Why: `grow(0)` detaches the memory's ArrayBuffer, but measured on Node 20 a detached view of a
 * wasm memory still pins the memory's backing store. When each glue copy was an ES module (never
 * unloaded), every retired instance kept its whole linear memory until the process ended. Glue
 * copies are now collectable ({@link glueFactory}), but a copy stays reachable as long as anything
 * of it does (a wasm object a caller kept, a pending FinalizationRegistry entry), so its views are
 * replaced too: the glue re-creates a view from `wasm.memory.buffer` whenever its cached one is
 * detached, so pointing it at a 16-byte buffer and calling two of its imports that read memory
 * replaces both. The imports are found by name pattern and source (their names carry a build
 * hash); if they are missing, nothing is replaced and {@link biscuitInstanceStats} reports an
 * instance that stays pinned.
 */
function releaseMemoryViews(glue: Glue): void {
  const castBytes = glueFunction(glue, CAST_BYTES_IMPORT, 'getArrayU8FromWasm0');
  const numberGet = glueFunction(glue, NUMBER_GET_IMPORT, 'getDataViewMemory0');
  const dropRef = glueFunction(glue, DROP_REF_IMPORT);
  if (castBytes === undefined || numberGet === undefined || dropRef === undefined) return;
  glue.__wbg_set_wasm({ memory: { buffer: new ArrayBuffer(16) } });
  try {
    // Heap slot 128 is the glue's constant `undefined`; both calls write only into the 16 bytes.
    const slot = castBytes(0, 0);
    if (typeof slot === 'number') dropRef(slot);
    numberGet(0, 128);
  } catch {
    // best effort: the views stay, and the stats report the instance as unreleased
  }
}

/** The memories of unloaded instances, to tell whether they were really released. */
let unloaded: WeakRef<WebAssembly.Memory>[] = [];
const unloadedInstances = new WeakSet<WasmInstance>();

/**
 * Unloads `instance`: its wasm exports are replaced with a stub, so frees (including those run later
 * by the glue's FinalizationRegistry) become no-ops and anything else fails with a coded error — a
 * stale object can never touch the old memory again. Then lets go of the memory itself (see
 * {@link releaseMemoryViews}), so that an unloaded instance costs no memory once collected.
 * Idempotent.
 */
export function unloadInstance(instance: WasmInstance): void {
  if (unloadedInstances.has(instance)) return;
  unloadedInstances.add(instance);
  try {
    // grow(0) detaches the current ArrayBuffer, so no view the glue holds can reach the memory.
    instance.memory?.grow(0);
  } catch {
    // best effort: a memory that cannot grow keeps its views until they are replaced below
  }
  releaseMemoryViews(instance.glue);
  const tombstone = new Proxy(
    {},
    {
      get(_target, property) {
        if (typeof property === 'string' && /^__wbg_\w+_free$/.test(property))
          return () => undefined;
        throw new MandateError(
          'MANDATE_INTERNAL',
          'biscuit-wasm object used after its instance was discarded',
          { check: 'internal', detail: { reason: 'wasm-discarded' } },
        );
      },
    },
  );
  instance.glue.__wbg_set_wasm(tombstone);
  // Pruned here too, so the list stays as short as the number of instances not yet collected.
  unloaded = unloaded.filter((ref) => ref.deref() !== undefined);
  if (instance.memory !== undefined) unloaded.push(new WeakRef(instance.memory));
}

/**
 * How many unloaded instances' memories are still reachable (not yet garbage collected). After a
 * full GC this should be 0; anything else means something still pins an old instance.
 */
export function unreleasedInstances(): number {
  unloaded = unloaded.filter((ref) => ref.deref() !== undefined);
  return unloaded.length;
}

/** The instance's linear memory in bytes (0 once unloaded or if it exports none). */
export function memoryBytes(instance: WasmInstance): number {
  return instance.memory?.buffer.byteLength ?? 0;
}
