/**
 * The measurement of issue 15, as a test: 8 genuine verifications at a time, 3,000 in all, each of
 * a never-seen 2-block Biscuit mandate, with a retirement threshold low enough that the wasm
 * instance is retired dozens of times during the run. On the unleased lifecycle, 55 of them were
 * denied `MANDATE_INTERNAL: biscuit-wasm object used after its instance was discarded`; now none is,
 * and every retired instance is unloaded and, once garbage collected, releases its memory.
 *
 * Each item also verifies a never-seen 2-block token with biscuit-wasm as a standard Biscuit verifier
 * does (root key, authorizer), so the instances are retired during the run whatever part of
 * Mandate's own verification runs in wasm.
 *
 * `MANDATE_STRESS_MANDATES` sets the count (default 3000).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createVerifier, delegate, generateKeyPair, type KeyPair } from '../../../src/index.js';
import { biscuitInstanceStats, setRetireMemoryBytes } from '../../../src/format/biscuit/wasm.js';
import { mintPayRoot, PAY } from '../../helpers/biscuit-pay.js';
import { authorizeStandard, mintStandardTokens } from '../../helpers/biscuit-standard.js';
import { collectGarbage } from '../../helpers/gc.js';

const COUNT = Number(process.env['MANDATE_STRESS_MANDATES'] ?? 3000);
const CONCURRENCY = 8;
const NOW = 1_800_000_000;
const ISSUER = 'https://as.stress.test';
const AUDIENCE = 'https://tool.stress.test';
/** A fresh instance holds ~1.6 MiB; each verification leaves some behind: retire every few dozen. */
const LOW_THRESHOLD = 4 * 1024 * 1024;

let anchor: KeyPair;
let agents: KeyPair[];
let previousThreshold: number;

beforeAll(async () => {
  if (!Number.isSafeInteger(COUNT) || COUNT < 1) throw new Error('MANDATE_STRESS_MANDATES');
  anchor = await generateKeyPair();
  agents = await Promise.all(Array.from({ length: 2 }, () => generateKeyPair()));
  previousThreshold = setRetireMemoryBytes(LOW_THRESHOLD);
});

afterAll(() => {
  setRetireMemoryBytes(previousThreshold);
});

describe('biscuit-wasm under concurrent load', () => {
  it(`${CONCURRENCY} concurrent verifications of ${COUNT} never-seen 2-block mandates: none denied`, async () => {
    const tokens: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      const root = await mintPayRoot(
        { anchor, issuer: ISSUER, audience: AUDIENCE, now: NOW },
        agents[0]!,
        `user-${i}`,
      );
      const child = await delegate(root, {
        signer: agents[0]!,
        holder: agents[1]!.publicJwk,
        now: NOW,
      });
      tokens.push(child.token);
    }
    const verifier = createVerifier({
      trustAnchors: [{ id: ISSUER, publicJwk: anchor.publicJwk }],
      audience: AUDIENCE,
      requireProof: false,
      clock: () => NOW,
    });
    const standard = await mintStandardTokens(COUNT);
    const before = biscuitInstanceStats();

    const denials = new Map<string, number>();
    let next = 0;
    let allowed = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < tokens.length) {
          const i = next++;
          const decision = await verifier.verify(tokens[i]!, { action: PAY });
          const plain = await authorizeStandard(standard.tokens[i]!, standard.rootPublicKey).catch(
            (error: unknown) =>
              `standard: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
          );
          if (decision.allowed && plain === 'allowed') allowed++;
          const key = decision.allowed
            ? plain
            : `${decision.code} (${decision.check}): ${decision.reason}`;
          if (key !== 'allowed') denials.set(key, (denials.get(key) ?? 0) + 1);
        }
      }),
    );

    expect(Object.fromEntries(denials)).toEqual({});
    expect(allowed).toBe(COUNT);
    const after = biscuitInstanceStats();
    // Retired many times, each retired instance unloaded, nothing left leased or draining.
    expect(after.retired - before.retired).toBeGreaterThanOrEqual(Math.floor(COUNT / 300));
    expect(after).toMatchObject({ leases: 0, draining: 0, faults: 0 });
    expect(after.unloaded).toBe(after.loaded - 1);
    expect(after.memoryBytes).toBeLessThanOrEqual(2 * LOW_THRESHOLD);
    await collectGarbage();
    expect(biscuitInstanceStats().unreleased).toBe(0);
  }, 600_000);
});
