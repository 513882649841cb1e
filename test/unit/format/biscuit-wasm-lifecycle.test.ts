/**
 * The biscuit-wasm instance's life:
 * - a Biscuit verification never calls into wasm (layout 2: signatures in node:crypto, no
 *   Datalog run), so not even a wasm instance that panics on every call can deny one;
 * - a genuine Rust panic is a coded error (`MANDATE_INTERNAL`), and the next call gets a fresh
 *   instance;
 * - an instance retired for its memory size (biscuit-wasm 0.6.0's allocator never reuses some
 *   freed memory) is really released: once garbage collected, none of its linear memory remains.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';

import {
  createVerifier,
  delegate,
  generateKeyPair,
  mint,
  sealMandate,
  type Action,
  type KeyPair,
  type Mandate,
} from '../../../src/index.js';
import { fromTokenText } from '../../../src/format/biscuit/token.js';
import * as wasm from '../../../src/format/biscuit/wasm.js';
import { collectGarbage } from '../../helpers/gc.js';

/** When set, the next `withBiscuit` call panics inside wasm instead of running its callback. */
const trap = vi.hoisted(() => ({ panicOn: undefined as Uint8Array | undefined }));

vi.mock('../../../src/format/biscuit/wasm.js', async (importOriginal) => {
  const actual = await importOriginal<typeof wasm>();
  return {
    ...actual,
    withBiscuit<T>(fn: (api: wasm.BiscuitApi, scope: wasm.WasmScope) => T): Promise<T> {
      const bytes = trap.panicOn;
      if (bytes === undefined) return actual.withBiscuit(fn);
      trap.panicOn = undefined;
      return actual.withBiscuit((api) => {
        // A genuine panic: 0.6.0 unwraps the root-key provider's answer (src/lib.rs:324).
        const noKey = (() => undefined) as unknown as wasm.RootKeyProvider;
        api.Biscuit.fromBytesWithProvider(bytes, noKey).free();
        return fn(api, new actual.WasmScope());
      });
    },
  };
});

const NOW = 1_800_000_000;
const ISSUER = 'https://as.lifecycle.test';
const AUDIENCE = 'https://tool.lifecycle.test';
const READ: Action = { resource: 'docs:reports/q1', action: 'read' };

let anchor: KeyPair;
let mandate: Mandate;
/** The mandate sealed (biscuit-wasm reads this form up to the root-key provider, where it panics). */
let sealedBytes: Uint8Array;

function verify() {
  return createVerifier({
    trustAnchors: [{ id: ISSUER, publicJwk: anchor.publicJwk }],
    audience: AUDIENCE,
    requireProof: false,
    clock: () => NOW,
  }).verify(mandate, { action: READ });
}

beforeAll(async () => {
  const [root, a, b] = await Promise.all(Array.from({ length: 3 }, () => generateKeyPair()));
  anchor = root!;
  const minted = await mint({
    issuer: anchor,
    issuerId: ISSUER,
    subject: 'alice',
    holder: a!.publicJwk,
    capabilities: [{ resource: 'docs:**', actions: ['read'] }],
    audience: AUDIENCE,
    expiresIn: 3600,
    now: NOW,
    format: 'biscuit',
  });
  mandate = await delegate(minted, { signer: a!, holder: b!.publicJwk, now: NOW });
  sealedBytes = fromTokenText((await sealMandate(mandate, { signer: b! })).token);
});

/** One call into wasm while the trap is set: it panics, and the error is what the caller sees. */
function panicOnce(): Promise<unknown> {
  trap.panicOn = sealedBytes;
  return wasm
    .withBiscuit(() => undefined)
    .then(
      () => undefined,
      (error: unknown) => error,
    );
}

describe('biscuit-wasm and verifications', () => {
  it('a Biscuit verification never calls into wasm, so a panicking instance cannot deny it', async () => {
    trap.panicOn = sealedBytes;
    expect(await verify()).toMatchObject({ allowed: true });
    expect(await verify()).toMatchObject({ allowed: true });
    // The trap is still armed: no verification reached withBiscuit.
    expect(trap.panicOn).toBeDefined();
    trap.panicOn = undefined;
  });

  it('a wasm panic is a coded error; the next call gets a fresh instance', async () => {
    await wasm.withBiscuit(() => undefined);
    const before = wasm.biscuitInstanceGeneration();
    expect(before).toBeDefined();
    expect(await panicOnce()).toMatchObject({
      code: 'MANDATE_INTERNAL',
      detail: { reason: 'wasm-fault', fault: 'unreachable', panicLocation: 'src/lib.rs:324:54' },
    });
    expect(trap.panicOn).toBeUndefined();
    expect(wasm.biscuitInstanceGeneration()).toBeUndefined();
    await wasm.withBiscuit(() => undefined);
    expect(wasm.biscuitInstanceGeneration()).toBe(before! + 1);
  });

  it('an instance retired for its memory is released, and so is a discarded one', async () => {
    await collectGarbage();
    const start = wasm.biscuitInstanceStats();
    expect(start.unreleased).toBe(0);
    for (let i = 0; i < 4; i++) {
      // Passing more bytes than the retirement threshold grows the instance's memory past it;
      // biscuit-wasm then refuses the bytes (a Format error), and the instance is retired.
      const refused = await wasm.withBiscuit((api, scope) => {
        const key = scope.own(api.PublicKey.fromBytes(new Uint8Array(32).fill(1), 0));
        try {
          api.Biscuit.fromBytes(new Uint8Array(wasm.RETIRE_MEMORY_BYTES + 1), key).free();
          return undefined;
        } catch (error) {
          return wasm.biscuitErrorKind(error);
        }
      });
      expect(refused).toBe('Format');
      expect(wasm.biscuitInstanceGeneration()).toBeUndefined();
    }
    // The discarded one: a panic.
    expect(await panicOnce()).toMatchObject({ code: 'MANDATE_INTERNAL' });
    await wasm.withBiscuit(() => undefined);

    const retired = wasm.biscuitInstanceStats();
    expect(retired.retired).toBe(start.retired + 4);
    await collectGarbage();
    // Each retired instance held more than RETIRE_MEMORY_BYTES; none of them is reachable now.
    expect(wasm.biscuitInstanceStats().unreleased).toBe(0);
    expect(process.memoryUsage().external).toBeLessThan(2 * wasm.RETIRE_MEMORY_BYTES);
  });
});
