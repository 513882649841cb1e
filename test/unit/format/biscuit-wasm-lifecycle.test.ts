/**
 * The biscuit-wasm instance's life inside verifications:
 * - a genuine Rust panic during a verification's Datalog authorization is a coded denial
 *   (`MANDATE_INTERNAL`), and the next verification gets a fresh instance and is allowed;
 * - an instance retired for its memory size (biscuit-wasm 0.6.0's allocator never reuses some
 *   freed memory) is really released: once garbage collected, none of its linear memory remains.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';

import {
  createVerifier,
  delegate,
  generateKeyPair,
  mint,
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
});

describe('biscuit-wasm inside verifications', () => {
  it('a wasm panic during authorization is a coded denial; the next verification is allowed', async () => {
    expect(await verify()).toMatchObject({ allowed: true });
    const before = wasm.biscuitInstanceGeneration();
    expect(before).toBeDefined();

    trap.panicOn = fromTokenText(mandate.token);
    expect(await verify()).toMatchObject({
      allowed: false,
      code: 'MANDATE_INTERNAL',
      check: 'internal',
      detail: { reason: 'wasm-fault', fault: 'unreachable', panicLocation: 'src/lib.rs:324:54' },
    });
    expect(trap.panicOn).toBeUndefined();
    expect(wasm.biscuitInstanceGeneration()).toBeUndefined();

    expect(await verify()).toMatchObject({ allowed: true });
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
    trap.panicOn = fromTokenText(mandate.token);
    expect(await verify()).toMatchObject({ allowed: false, code: 'MANDATE_INTERNAL' });
    expect(await verify()).toMatchObject({ allowed: true });

    const retired = wasm.biscuitInstanceStats();
    expect(retired.retired).toBe(start.retired + 4);
    await collectGarbage();
    // Each retired instance held more than RETIRE_MEMORY_BYTES; none of them is reachable now.
    expect(wasm.biscuitInstanceStats().unreleased).toBe(0);
    expect(process.memoryUsage().external).toBeLessThan(2 * wasm.RETIRE_MEMORY_BYTES);
  });
});
