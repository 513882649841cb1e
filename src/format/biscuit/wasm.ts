/**
 * Loads `@biscuit-auth/biscuit-wasm` 0.6.0 on Node 20, lazily and at most once per process, and
 * keeps a panicking instance from poisoning later calls.
 *
 * Why this file exists:
 * - The package entry (`module/biscuit.js`) does `import * as wasm from "./biscuit_bg.wasm"`, which
 *   Node 20 refuses (ES module integration of wasm is not available there). So we import the
 *   wasm-bindgen JS glue (`module/biscuit_bg.js`) ourselves, compile `module/biscuit_bg.wasm`, wire the
 *   imports the module declares, and hand the instance to the glue (`__wbg_set_wasm`).
 * - A Rust panic inside wasm executes `unreachable`; a deep recursion overflows the wasm shadow stack
 *   ("memory access out of bounds"). Either leaves the instance in an unknown state (leaked borrows,
 *   a displaced stack pointer) — a stack overflow leaves it permanently broken. {@link withBiscuit}
 *   discards such an instance and the next call gets a fresh one, with its own copy of the glue
 *   (the glue keeps its wasm handle, heap and memory views in module state). The copies are not ES
 *   modules: Node never unloads a module, so a copy per instance would pin every retired instance
 *   for the life of the process. The glue's source is compiled once as a function body instead
 *   ({@link glueFactory}), and each call of it is a fresh, collectable copy.
 * - Nothing here is imported statically by the JWS path: the package is reached only through the
 *   dynamic `import()` below, on first use.
 *
 * What this file does NOT do: map Biscuit errors to Mandate codes (beyond the wasm fault case), check
 * keys for weakness, or bound the size of Datalog a caller hands to the wasm API. Callers own that.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileFunction } from 'node:vm';

import { MandateError } from '../../core/errors.js';

// ---------------------------------------------------------------------------------------------
// Typed facade over module/biscuit.d.ts (0.6.0). The upstream d.ts uses `any` for every JS value
// crossing the boundary and declares `AuthorizerBuilder` twice; these interfaces say what 0.6.0
// actually accepts and returns (checked against its Rust source and by running it).
// ---------------------------------------------------------------------------------------------

/** Signature algorithm ids of biscuit-wasm (`SignatureAlgorithm.Ed25519` = 0). */
export type SignatureAlgorithmId = 0 | 1;

/** Anything biscuit-wasm hands out: it owns memory inside the wasm instance until freed. */
export interface WasmObject {
  /** Releases the wasm-side memory. Using the object afterwards throws. */
  free(): void;
}

/**
 * A Datalog term passed as a parameter. Anything else (a float, `null`, a function, an object with
 * another key) makes `addCodeWithParameters` panic inside wasm, because 0.6.0 `unwrap()`s the
 * deserialization (src/builder.rs:124 and :237); `Fact#set` and friends return an error instead.
 */
export type BiscuitTerm =
  | string
  | boolean
  | number
  | { readonly date: string }
  | { readonly bytes: string }
  | { readonly set: readonly BiscuitTerm[] }
  | readonly BiscuitTerm[];

/** Public-key parameters for `trusting {name}` scopes: `"ed25519/<hex>"` or `"secp256r1/<hex>"`. */
export type BiscuitKeyParameter = string;

/**
 * Run limits for `authorizeWithLimits` / `queryWithLimits`. The wire names are biscuit-wasm's own;
 * note `max_time_micro` (microseconds): an unknown field such as `max_time` is silently ignored and
 * the 20 ms default applies. Omitted fields take biscuit-auth's defaults (1000 facts, 100 iterations).
 */
export interface BiscuitRunLimits {
  readonly max_facts?: number | bigint;
  readonly max_iterations?: number | bigint;
  readonly max_time_micro?: number | bigint;
}

/** A Datalog fact (builder form). */
export interface WasmFact extends WasmObject {
  unboundParameters(): string[];
  set(name: string, value: BiscuitTerm): void;
  /** The fact's terms as JS values. */
  terms(): unknown[];
  toString(): string;
}

/** A Datalog rule, check or policy (builder form); all three share this shape. */
export interface WasmParameterized extends WasmObject {
  unboundParameters(): string[];
  unboundScopeParameters(): string[];
  set(name: string, value: BiscuitTerm): void;
  setScope(name: string, value: BiscuitKeyParameter): void;
  toString(): string;
}
/** A Datalog rule. */
export type WasmRule = WasmParameterized;
/** A Datalog check. */
export type WasmCheck = WasmParameterized;
/** An authorizer policy. */
export type WasmPolicy = WasmParameterized;

/** Datalog code sink shared by the token, block and authorizer builders. */
export interface WasmCodeBuilder extends WasmObject {
  addFact(fact: WasmFact): void;
  addRule(rule: WasmRule): void;
  addCheck(check: WasmCheck): void;
  addCode(source: string): void;
  addCodeWithParameters(
    source: string,
    parameters: Readonly<Record<string, BiscuitTerm>>,
    scopeParameters: Readonly<Record<string, BiscuitKeyParameter>>,
  ): void;
  toString(): string;
}

/** Builds the authority block of a new token. `build` consumes the builder. */
export interface WasmBiscuitBuilder extends WasmCodeBuilder {
  build(root: WasmPrivateKey): WasmBiscuit;
  merge(other: WasmBlockBuilder): void;
  setRootKeyId(rootKeyId: number): void;
}

/** Builds an attenuation block. `addFact`/`addRule`/`addCheck` consume their argument here. */
export type WasmBlockBuilder = WasmCodeBuilder;

/** A parsed (and, via `fromBytes`/`fromBase64`, signature-verified) token. */
export interface WasmBiscuit extends WasmObject {
  /** Appends a first-party block signed with the token's next key (a fresh ephemeral key follows). */
  appendBlock(block: WasmBlockBuilder): WasmBiscuit;
  /** An authorizer holding only the token's blocks (no authorizer code). */
  getAuthorizer(): WasmAuthorizer;
  sealToken(): WasmBiscuit;
  toBytes(): Uint8Array;
  toBase64(): string;
  /** One hex string per block, in block order. */
  getRevocationIdentifiers(): string[];
  countBlocks(): number;
  /** The block's Datalog as text (identical to the specification samples' `code`). */
  getBlockSource(index: number): string;
  getThirdPartyRequest(): WasmThirdPartyRequest;
  appendThirdPartyBlock(externalKey: WasmPublicKey, block: WasmThirdPartyBlock): WasmBiscuit;
  toString(): string;
}

/** Authorizer code waiting for a token; `buildAuthenticated` consumes it. */
export interface WasmAuthorizerBuilder extends WasmCodeBuilder {
  buildAuthenticated(token: WasmBiscuit): WasmAuthorizer;
  buildUnauthenticated(): WasmAuthorizer;
  addPolicy(policy: WasmPolicy): void;
  merge(other: WasmAuthorizerBuilder): void;
  mergeBlock(other: WasmBlockBuilder): void;
}

/** A token plus authorizer code, ready to run. */
export interface WasmAuthorizer extends WasmObject {
  /** Runs with a 20 ms time limit — too short for the first run in a fresh process; prefer limits. */
  authorize(): number;
  /** Returns the index of the matching allow policy; throws the Biscuit error object otherwise. */
  authorizeWithLimits(limits: BiscuitRunLimits): number;
  query(rule: WasmRule): WasmFact[];
  queryWithLimits(rule: WasmRule, limits: BiscuitRunLimits): WasmFact[];
  toString(): string;
}

/** A key pair. Note: 0.6.0 seeds its RNG with 8 random bytes; import keys instead of generating. */
export interface WasmKeyPair extends WasmObject {
  getPublicKey(): WasmPublicKey;
  getPrivateKey(): WasmPrivateKey;
}

/** A public key. */
export interface WasmPublicKey extends WasmObject {
  /** Writes the raw key into `out` (32 bytes for Ed25519). */
  toBytes(out: Uint8Array): void;
  /** `"ed25519/<hex>"`. */
  toString(): string;
  /** `"ed25519/<hex>"`, usable as a scope parameter. */
  toDatalogParameter(): string;
}

/** A private key. */
export interface WasmPrivateKey extends WasmObject {
  toBytes(out: Uint8Array): void;
  /** `"ed25519-private/<hex>"`. */
  toString(): string;
}

/** The request a token holder sends to a third party so it can sign a block for that token. */
export interface WasmThirdPartyRequest extends WasmObject {
  toBytes(): Uint8Array;
  toBase64(): string;
  /** Signs `blockBuilder` with the third party's key. Consumes the request. */
  createBlock(privateKey: WasmPrivateKey, blockBuilder: WasmBlockBuilder): WasmThirdPartyBlock;
}

/** A block signed by a third party, to be appended with `appendThirdPartyBlock`. */
export interface WasmThirdPartyBlock extends WasmObject {
  toBytes(): Uint8Array;
  /** Consumes the block. */
  toBase64(): string;
}

/** Provider of the root key by `root_key_id`. Must return a key and never throw (see below). */
export type RootKeyProvider = (rootKeyId: number | null) => WasmPublicKey;

/** The classes biscuit-wasm 0.6.0 exports, as this library uses them. */
export interface BiscuitApi {
  readonly SignatureAlgorithm: { readonly Ed25519: 0; readonly Secp256r1: 1 };
  readonly Biscuit: {
    builder(): WasmBiscuitBuilder;
    block_builder(): WasmBlockBuilder;
    fromBytes(data: Uint8Array, root: WasmPublicKey): WasmBiscuit;
    fromBase64(data: string, root: WasmPublicKey): WasmBiscuit;
    /**
     * Parses with a root key chosen by `root_key_id`. 0.6.0 `unwrap()`s the provider's result: a
     * provider that throws or returns anything but a `PublicKey` panics the instance (src/lib.rs:324).
     * The returned key is consumed.
     */
    fromBytesWithProvider(data: Uint8Array, provider: RootKeyProvider): WasmBiscuit;
    fromBase64WithProvider(data: string, provider: RootKeyProvider): WasmBiscuit;
  };
  readonly BiscuitBuilder: new () => WasmBiscuitBuilder;
  readonly BlockBuilder: new () => WasmBlockBuilder;
  readonly AuthorizerBuilder: new () => WasmAuthorizerBuilder;
  readonly KeyPair: {
    new (algorithm: SignatureAlgorithmId): WasmKeyPair;
    fromPrivateKey(key: WasmPrivateKey): WasmKeyPair;
  };
  readonly PublicKey: {
    fromBytes(data: Uint8Array, algorithm: SignatureAlgorithmId): WasmPublicKey;
    /** Bare hex (no `ed25519/` prefix). */
    fromString(hex: string, algorithm: SignatureAlgorithmId): WasmPublicKey;
  };
  readonly PrivateKey: {
    fromBytes(data: Uint8Array, algorithm: SignatureAlgorithmId): WasmPrivateKey;
    /** Prefixed hex: `"ed25519-private/<hex>"`. */
    fromString(data: string): WasmPrivateKey;
  };
  readonly Fact: { fromString(source: string): WasmFact };
  readonly Rule: { fromString(source: string): WasmRule };
  readonly Check: { fromString(source: string): WasmCheck };
  readonly Policy: { fromString(source: string): WasmPolicy };
  readonly ThirdPartyRequest: {
    fromBytes(data: Uint8Array): WasmThirdPartyRequest;
    fromBase64(data: string): WasmThirdPartyRequest;
  };
  /**
   * Upstream bug in 0.6.0: these deserialize a *request*, not a block, so a third-party block cannot
   * cross a serialization boundary; create it and append it in the same process.
   */
  readonly ThirdPartyBlock: {
    fromBytes(data: Uint8Array): WasmThirdPartyRequest;
    fromBase64(data: string): WasmThirdPartyRequest;
  };
}

// ---------------------------------------------------------------------------------------------
// Freeing
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

const PACKAGE = '@biscuit-auth/biscuit-wasm';
const GLUE_MODULE = './biscuit_bg.js';

/** The part of the wasm-bindgen glue module this loader touches. */
interface Glue {
  readonly __wbg_set_wasm: (exports: object) => void;
  readonly [name: string]: unknown;
}

interface Instance {
  readonly generation: number;
  readonly api: BiscuitApi;
  readonly glue: Glue;
  readonly memory: WebAssembly.Memory | undefined;
  /** Set when wasm threw a JS error through its own frames (`__wbindgen_throw`). */
  tainted: boolean;
  /** `file:line:col` of the last Rust panic, from the panic hook's message (never its text). */
  panicLocation: string | undefined;
}

interface Compiled {
  readonly dir: URL;
  readonly module: WebAssembly.Module;
  readonly imports: readonly WebAssembly.ModuleImportDescriptor[];
  /** Makes a fresh copy of the glue (its own module-level state). */
  readonly makeGlue: () => Record<string, unknown>;
}

let compiled: Promise<Compiled> | undefined;
let live: Instance | undefined;
let loading: Promise<Instance> | undefined;
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

async function instantiate(): Promise<Instance> {
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

const API_NAMES = [
  'SignatureAlgorithm',
  'Biscuit',
  'BiscuitBuilder',
  'BlockBuilder',
  'AuthorizerBuilder',
  'KeyPair',
  'PublicKey',
  'PrivateKey',
  'Fact',
  'Rule',
  'Check',
  'Policy',
  'ThirdPartyRequest',
  'ThirdPartyBlock',
] as const satisfies readonly (keyof BiscuitApi)[];

function pickApi(glue: Record<string, unknown>): BiscuitApi {
  const api: Record<string, unknown> = {};
  for (const name of API_NAMES) {
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

/**
 * Replaces a discarded instance's wasm exports with a stub: frees (including those run later by the
 * glue's FinalizationRegistry) become no-ops, anything else fails with a coded error, so a stale
 * object can never touch the broken memory again. Then lets go of the memory itself (see
 * {@link releaseMemoryViews}), so that a discarded instance costs no memory once collected.
 */
function neutralize(instance: Instance): void {
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
  discarded = discarded.filter((ref) => ref.deref() !== undefined);
  if (instance.memory !== undefined) discarded.push(new WeakRef(instance.memory));
}

/**
 * Linear memory above which an instance is retired after its current call. biscuit-wasm 0.6.0 uses
 * `wee_alloc` as its global allocator, which does not reuse freed memory reliably
 * (rustwasm/wee_alloc#106): measured on Node 20, one Mandate verification (parse a three-block token,
 * build an authorizer, authorize, free everything) leaves ~64 KiB of linear memory that is never
 * reused, and wasm memory never shrinks. Retiring the instance (the next call gets a fresh one from
 * the already-compiled module; {@link neutralize} makes the old one collectable) bounds the
 * process's memory. A smaller heap is also faster: allocation slows down as the free list grows.
 */
export const RETIRE_MEMORY_BYTES = 32 * 1024 * 1024;

/** Retired instances, for diagnostics (`biscuitInstanceStats`). */
let retired = 0;

/** The memories of discarded instances, to tell whether they were really released. */
let discarded: WeakRef<WebAssembly.Memory>[] = [];

function retireIfBloated(instance: Instance): void {
  if (instance.memory !== undefined && instance.memory.buffer.byteLength > RETIRE_MEMORY_BYTES) {
    retired++;
    discard(instance);
  }
}

/**
 * Diagnostic: how many instances were retired for their memory size, the live one's linear memory
 * size, and how many discarded instances' memories are still reachable (not yet garbage collected;
 * after a full GC this should be 0 — anything else means something still pins an old instance).
 */
export function biscuitInstanceStats(): {
  retired: number;
  memoryBytes: number | undefined;
  unreleased: number;
} {
  discarded = discarded.filter((ref) => ref.deref() !== undefined);
  return {
    retired,
    memoryBytes: live?.memory?.buffer.byteLength,
    unreleased: discarded.length,
  };
}

function discard(instance: Instance): void {
  if (live === instance) live = undefined;
  neutralize(instance);
}

async function acquire(): Promise<Instance> {
  if (live !== undefined) return live;
  loading ??= instantiate().then(
    (instance) => {
      live = instance;
      loading = undefined;
      return instance;
    },
    (error: unknown) => {
      loading = undefined;
      throw new MandateError('MANDATE_INTERNAL', 'biscuit-wasm could not be loaded', {
        check: 'internal',
        detail: { reason: 'wasm-load' },
        cause: error,
      });
    },
  );
  return loading;
}

/**
 * A failure that means the wasm instance can no longer be trusted: a trap (`unreachable` from a
 * panic, out-of-bounds access from a shadow-stack overflow), a JS stack overflow while wasm frames
 * were live, or a JS throw through wasm frames. A JS stack overflow in the caller's own code is
 * indistinguishable and is treated the same way (the cost is one re-instantiation).
 */
function isWasmFault(error: unknown, instance: Instance): boolean {
  if (instance.tainted) return true;
  if (error instanceof WebAssembly.RuntimeError) return true;
  return error instanceof RangeError && /call stack/i.test(error.message);
}

function faultError(error: unknown, instance: Instance): MandateError {
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

function isWasmObject(value: unknown): boolean {
  return isRecord(value) && typeof value['__wbg_ptr'] === 'number';
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return isRecord(value) && typeof value['then'] === 'function';
}

/**
 * The biscuit-wasm API of the current instance, loading it on first use (once per process).
 *
 * Prefer {@link withBiscuit}: objects obtained from this API become unusable if the instance is
 * later discarded after a wasm fault, and nothing here frees them for you.
 *
 * @throws MandateError `MANDATE_INTERNAL` (`detail.reason: 'wasm-load'`) if the package cannot be
 * loaded; the next call retries.
 */
export async function loadBiscuit(): Promise<BiscuitApi> {
  return (await acquire()).api;
}

/**
 * Runs `fn` synchronously with the biscuit-wasm API and a {@link WasmScope} that frees every object
 * registered with it when `fn` returns or throws.
 *
 * - Biscuit's own errors (the plain objects it throws, such as `{ Format: ... }`) and any other
 *   error from `fn` propagate unchanged; see {@link biscuitErrorKind}.
 * - A wasm fault (panic, trap, stack overflow, JS throw through wasm frames) discards the instance —
 *   the next call gets a fresh one — and is thrown as `MandateError('MANDATE_INTERNAL')` with
 *   `check: 'internal'` and `detail: { reason: 'wasm-fault', fault, instance, panicLocation? }`.
 *
 * `fn` must be synchronous and return plain data (bytes, strings, numbers), never a wasm object:
 * both are refused with a `TypeError`, because an object or pending work that outlives the call
 * could outlive its instance.
 */
export async function withBiscuit<T>(fn: (api: BiscuitApi, scope: WasmScope) => T): Promise<T> {
  const instance = await acquire();
  const scope = new WasmScope();
  let result: T;
  try {
    result = fn(instance.api, scope);
  } catch (error) {
    if (isWasmFault(error, instance)) {
      // Neutralize first: freeing into a broken instance could trap again.
      discard(instance);
      scope.close();
      throw faultError(error, instance);
    }
    const freeError = scope.close();
    if (freeError !== undefined && isWasmFault(freeError, instance)) discard(instance);
    else retireIfBloated(instance);
    throw error;
  }
  const freeError = scope.close();
  if (freeError !== undefined || instance.tainted) {
    const cause = freeError ?? new Error('wasm-throw');
    if (isWasmFault(cause, instance)) {
      discard(instance);
      throw faultError(cause, instance);
    }
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- a free's own error, unchanged
    throw cause;
  }
  retireIfBloated(instance);
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

/**
 * Diagnostic: the generation number of the live instance (1 for the first, +1 per re-instantiation),
 * or `undefined` when none is loaded.
 */
export function biscuitInstanceGeneration(): number | undefined {
  return live?.generation;
}

/**
 * The kind of an error thrown by biscuit-wasm: the variant name of its serialized Rust error
 * (`Format`, `FailedLogic`, `Execution`, `RunLimit`, `Language`, `InvalidKey`, ...), or `undefined`
 * for anything else (a JS `Error`, a `MandateError`).
 */
export function biscuitErrorKind(error: unknown): string | undefined {
  if (typeof error === 'string') return error; // unit variants serialize as bare strings
  if (!isRecord(error) || error instanceof Error) return undefined;
  const keys = Object.keys(error);
  return keys.length === 1 ? keys[0] : undefined;
}
