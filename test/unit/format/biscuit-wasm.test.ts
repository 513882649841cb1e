/**
 * The biscuit-wasm loader: lazy loading on Node 20, freeing, and recovery from wasm faults.
 *
 * The faults here are genuine, found by probing biscuit-wasm 0.6.0 (no forced traps):
 * - Rust panics (`unreachable`): a root-key provider that returns something other than a PublicKey
 *   (src/lib.rs:324, `try_from_js_value(..).unwrap()`), and a Datalog parameter that is not a term
 *   (src/builder.rs:237 for BlockBuilder, `serde_wasm_bindgen::from_value(..).unwrap()`).
 * - A shadow-stack overflow: Datalog source with ~600+ nested parentheses makes the recursive-descent
 *   parser run out of wasm stack ("memory access out of bounds"); after it, every call on that
 *   instance fails, which is what makes "the next call gets a fresh instance" observable.
 */
import { describe, expect, it, vi } from 'vitest';

import { MandateError } from '../../../src/core/errors.js';
import {
  biscuitErrorKind,
  biscuitInstanceGeneration,
  loadBiscuit,
  usingWasm,
  withBiscuit,
} from '../../../src/format/biscuit/wasm.js';
import type { BiscuitApi, BiscuitTerm, WasmScope } from '../../../src/format/biscuit/wasm.js';

/** Deep enough to overflow the 1 MiB wasm stack on every run (the threshold is about 600). */
const DEEP_DATALOG = `check if ${'('.repeat(3000)}true${')'.repeat(3000)};`;

/** A tiny signed token, as bytes, plus its root public key (hex). */
function mintSample(api: BiscuitApi, scope: WasmScope) {
  const keyPair = scope.own(new api.KeyPair(api.SignatureAlgorithm.Ed25519));
  const builder = scope.own(api.Biscuit.builder());
  builder.addCode('user("alice");');
  const token = scope.own(builder.build(scope.own(keyPair.getPrivateKey())));
  const publicKey = scope.own(keyPair.getPublicKey());
  return { bytes: token.toBytes(), rootHex: publicKey.toString().replace(/^ed25519\//, '') };
}

/** Asserts the coded denial every wasm fault must become. */
async function expectFault(promise: Promise<unknown>, fault: string, panicLocation?: string) {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MandateError);
  const coded = error as MandateError;
  expect(coded.code).toBe('MANDATE_INTERNAL');
  expect(coded.check).toBe('internal');
  expect(coded.hop).toBeUndefined();
  expect(coded.detail).toMatchObject({ reason: 'wasm-fault', fault });
  if (panicLocation !== undefined) expect(coded.detail['panicLocation']).toBe(panicLocation);
  return coded;
}

describe('biscuit-wasm loader', () => {
  it('loads nothing until first use, then exactly one instance for concurrent callers', async () => {
    expect(biscuitInstanceGeneration()).toBeUndefined();
    const [a, b] = await Promise.all([loadBiscuit(), loadBiscuit()]);
    expect(a).toBe(b);
    expect(biscuitInstanceGeneration()).toBe(1);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it('round-trips a token through the typed API and frees what the scope owns', async () => {
    let owned: object | undefined;
    const result = await withBiscuit((api, scope) => {
      const { bytes, rootHex } = mintSample(api, scope);
      const root = scope.own(api.PublicKey.fromString(rootHex, api.SignatureAlgorithm.Ed25519));
      const token = scope.own(api.Biscuit.fromBytes(bytes, root));
      owned = token;
      const authorizer = scope.own(new api.AuthorizerBuilder());
      authorizer.addCode('allow if user("alice");');
      const run = scope.own(authorizer.buildAuthenticated(token));
      return {
        policy: run.authorizeWithLimits({ max_time_micro: 5_000_000 }),
        blocks: token.countBlocks(),
        revocationIds: token.getRevocationIdentifiers(),
        source: token.getBlockSource(0),
      };
    });
    expect(result.policy).toBe(0);
    expect(result.blocks).toBe(1);
    expect(result.revocationIds).toHaveLength(1);
    expect(result.revocationIds[0]).toMatch(/^[0-9a-f]{128}$/);
    expect(result.source).toBe('user("alice");\n');
    // wasm-bindgen zeroes the pointer on free: the scope really released the token.
    expect((owned as { __wbg_ptr: number }).__wbg_ptr).toBe(0);
    expect(biscuitInstanceGeneration()).toBe(1);
  });

  it('usingWasm frees after success and after a throw, and tolerates consumed objects', async () => {
    const api = await loadBiscuit();
    const keyPair = new api.KeyPair(api.SignatureAlgorithm.Ed25519);
    const hex = usingWasm(keyPair, (kp) => usingWasm(kp.getPublicKey(), (pk) => pk.toString()));
    expect(hex).toMatch(/^ed25519\/[0-9a-f]{64}$/);
    expect((keyPair as unknown as { __wbg_ptr: number }).__wbg_ptr).toBe(0);

    const other = new api.KeyPair(api.SignatureAlgorithm.Ed25519);
    expect(() =>
      usingWasm(other, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect((other as unknown as { __wbg_ptr: number }).__wbg_ptr).toBe(0);

    // buildUnauthenticated consumes the builder; freeing it afterwards must not throw.
    const consumed = usingWasm(new api.AuthorizerBuilder(), (builder) => {
      builder.addCode('allow if true;');
      return usingWasm(builder.buildUnauthenticated(), (authorizer) =>
        authorizer.authorizeWithLimits({ max_time_micro: 5_000_000 }),
      );
    });
    expect(consumed).toBe(0);
    expect(biscuitInstanceGeneration()).toBe(1);
  });

  it("propagates Biscuit's own errors unchanged and keeps the instance", async () => {
    const error: unknown = await withBiscuit((api, scope) => {
      scope.own(new api.AuthorizerBuilder()).addCode('allow if (;');
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).not.toBeInstanceOf(MandateError);
    expect(biscuitErrorKind(error)).toBe('Language');

    const format: unknown = await withBiscuit((api, scope) => {
      const root = scope.own(new api.KeyPair(0)).getPublicKey();
      scope.own(root);
      return api.Biscuit.fromBytes(new Uint8Array([1, 2, 3]), root);
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(biscuitErrorKind(format)).toBe('Format');
    expect(biscuitErrorKind(new Error('x'))).toBeUndefined();
    expect(biscuitInstanceGeneration()).toBe(1);
  });

  it('refuses async callbacks and escaping wasm objects', async () => {
    await expect(withBiscuit(async () => Promise.resolve(1))).rejects.toThrow(TypeError);
    await expect(withBiscuit((api) => new api.KeyPair(0))).rejects.toThrow(
      /must not return a wasm object/,
    );
    expect(biscuitInstanceGeneration()).toBe(1);
  });

  it('a Rust panic (root-key provider returns no key) becomes MANDATE_INTERNAL; the next call gets a fresh instance', async () => {
    await loadBiscuit(); // the previous test may have left no live instance
    const before = biscuitInstanceGeneration()!;
    const staleApi = await loadBiscuit();
    const bytes = await withBiscuit((api, scope) => mintSample(api, scope).bytes);
    const consoleError = vi.spyOn(console, 'error');
    const consoleLog = vi.spyOn(console, 'log');
    try {
      await expectFault(
        withBiscuit((api) =>
          api.Biscuit.fromBytesWithProvider(
            bytes,
            // A provider that does not know the key id: 0.6.0 unwraps its result and panics.
            (() => undefined) as unknown as Parameters<
              BiscuitApi['Biscuit']['fromBytesWithProvider']
            >[1],
          ).countBlocks(),
        ),
        'unreachable',
        'src/lib.rs:324:54',
      );
      // The panic hook's message (which can echo caller data) never reached the console.
      expect(consoleError).not.toHaveBeenCalled();
      expect(consoleLog).not.toHaveBeenCalled();
    } finally {
      consoleError.mockRestore();
      consoleLog.mockRestore();
    }
    expect(biscuitInstanceGeneration()).toBeUndefined();

    const blocks = await withBiscuit((api, scope) => {
      const { bytes: fresh, rootHex } = mintSample(api, scope);
      const root = scope.own(api.PublicKey.fromString(rootHex, 0));
      return scope.own(api.Biscuit.fromBytes(fresh, root)).countBlocks();
    });
    expect(blocks).toBe(1);
    expect(biscuitInstanceGeneration()).toBe(before + 1);

    // Objects and classes of the discarded instance fail with a coded error, never touch its memory.
    let stale: unknown;
    try {
      new staleApi.KeyPair(0);
    } catch (error) {
      stale = error;
    }
    expect(stale).toBeInstanceOf(MandateError);
    expect(stale).toMatchObject({
      code: 'MANDATE_INTERNAL',
      check: 'internal',
      detail: { reason: 'wasm-discarded' },
    });
  });

  it('a Rust panic (a parameter that is not a Datalog term) is recovered the same way', async () => {
    await loadBiscuit(); // the previous test may have left no live instance
    const before = biscuitInstanceGeneration()!;
    await expectFault(
      withBiscuit((api, scope) => {
        const builder = scope.own(new api.BlockBuilder());
        const notATerm = { user: (() => 'alice') as unknown as BiscuitTerm };
        builder.addCodeWithParameters('user({user});', notATerm, {});
      }),
      'unreachable',
      'src/builder.rs:237:92',
    );
    expect(await withBiscuit((api, scope) => scope.own(new api.KeyPair(0)) && 'ok')).toBe('ok');
    expect(biscuitInstanceGeneration()).toBe(before + 1);
  });

  it('a wasm stack overflow poisons the instance for good; withBiscuit replaces it', async () => {
    await loadBiscuit(); // the previous test may have left no live instance
    const before = biscuitInstanceGeneration()!;
    let afterFaultOnSameInstance: unknown;
    const fault = await expectFault(
      withBiscuit((api) => {
        const builder = new api.AuthorizerBuilder();
        try {
          builder.addCode(DEEP_DATALOG);
        } catch (error) {
          // Show the poisoning: on the same instance, even a trivial call now fails.
          try {
            new api.KeyPair(0).free();
          } catch (second) {
            afterFaultOnSameInstance = second;
          }
          throw error;
        }
      }),
      'memory access out of bounds',
    );
    expect(fault.cause).toBeInstanceOf(WebAssembly.RuntimeError);
    expect(afterFaultOnSameInstance).toBeInstanceOf(WebAssembly.RuntimeError);

    const ok = await withBiscuit((api, scope) => {
      const builder = scope.own(new api.AuthorizerBuilder());
      builder.addCode(`check if ${'('.repeat(50)}true${')'.repeat(50)}; allow if true;`);
      return scope.own(builder.buildUnauthenticated()).authorizeWithLimits({
        max_time_micro: 5_000_000,
      });
    });
    expect(ok).toBe(0);
    expect(biscuitInstanceGeneration()).toBe(before + 1);
  });

  it('a JS throw through wasm frames (use after free) also discards the instance', async () => {
    await loadBiscuit(); // the previous test may have left no live instance
    const before = biscuitInstanceGeneration()!;
    await expectFault(
      withBiscuit((api) => {
        const keyPair = new api.KeyPair(0);
        keyPair.free();
        return keyPair.getPublicKey(); // "null pointer passed to rust", thrown via __wbindgen_throw
      }),
      'wasm-throw',
    );
    expect(await withBiscuit(() => 'ok')).toBe('ok');
    expect(biscuitInstanceGeneration()).toBe(before + 1);
  });
});
