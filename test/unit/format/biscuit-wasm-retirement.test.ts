/**
 * Retirement never breaks a call in flight, with the real biscuit-wasm: verifications, mints,
 * delegations, plain biscuit-wasm authorizations (test/helpers/biscuit-standard.ts, which use wasm
 * whatever Mandate's own paths do) and retirements of the live instance (asked for, and for memory size, with a low
 * threshold) start in an order fast-check's scheduler chooses and run concurrently. Every genuine
 * verification is allowed, every mint and delegation succeeds, and once all have ended no instance
 * is leased or draining: each retired instance was unloaded.
 *
 * (Before instances were leased, a call that had picked the live instance and yielded once found it
 * unloaded by another call's retirement: `MANDATE_INTERNAL: biscuit-wasm object used after its
 * instance was discarded`.)
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  createVerifier,
  delegate,
  generateKeyPair,
  type KeyPair,
  type Mandate,
} from '../../../src/index.js';
import {
  biscuitInstanceStats,
  retireBiscuitInstance,
  setRetireMemoryBytes,
} from '../../../src/format/biscuit/wasm.js';
import { NUM_RUNS } from '../../../src/testing/config.js';
import { mintPayRoot, PAY } from '../../helpers/biscuit-pay.js';
import {
  authorizeStandard,
  mintStandardTokens,
  type StandardTokens,
} from '../../helpers/biscuit-standard.js';

const NOW = 1_800_000_000;
const ISSUER = 'https://as.retirement.test';
const AUDIENCE = 'https://tool.retirement.test';
/** Low enough that an instance serves only a few calls before it is retired for its memory. */
const LOW_THRESHOLD = 2 * 1024 * 1024;

let anchor: KeyPair;
let agents: KeyPair[];
let mandates: Mandate[];
let previousThreshold: number;
let standard: StandardTokens;

function mintRoot(): Promise<Mandate> {
  return mintPayRoot({ anchor, issuer: ISSUER, audience: AUDIENCE, now: NOW }, agents[0]!, 'alice');
}

beforeAll(async () => {
  anchor = await generateKeyPair();
  agents = await Promise.all(Array.from({ length: 3 }, () => generateKeyPair()));
  mandates = [];
  for (let i = 0; i < 4; i++) {
    mandates.push(
      await delegate(await mintRoot(), {
        signer: agents[0]!,
        holder: agents[1]!.publicJwk,
        now: NOW,
      }),
    );
  }
  standard = await mintStandardTokens(4);
  previousThreshold = setRetireMemoryBytes(LOW_THRESHOLD);
});

afterAll(() => {
  setRetireMemoryBytes(previousThreshold);
});

type Op =
  | { readonly kind: 'verify'; readonly token: number }
  | { readonly kind: 'mint' }
  | { readonly kind: 'delegate'; readonly token: number }
  | { readonly kind: 'standard'; readonly token: number }
  | { readonly kind: 'retire' };

const token = fc.integer({ min: 0, max: 3 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('verify' as const), token }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'mint' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delegate' as const), token }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('standard' as const), token }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'retire' as const }) },
);

describe('biscuit-wasm retirement under concurrency', () => {
  it('interleaved verifications, mints, delegations and retirements: no call fails', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(op, { minLength: 2, maxLength: 12 }),
        async (s, ops) => {
          const verifier = createVerifier({
            trustAnchors: [{ id: ISSUER, publicJwk: anchor.publicJwk }],
            audience: AUDIENCE,
            requireProof: false,
            clock: () => NOW,
          });
          const run = async (o: Op): Promise<unknown> => {
            switch (o.kind) {
              case 'retire':
                retireBiscuitInstance();
                return 'retired';
              case 'standard':
                return authorizeStandard(standard.tokens[o.token]!, standard.rootPublicKey);
              case 'mint':
                return (await mintRoot()).format;
              case 'delegate': {
                const child = await delegate(mandates[o.token]!, {
                  signer: agents[1]!,
                  holder: agents[2]!.publicJwk,
                  now: NOW,
                });
                return child.format;
              }
              case 'verify': {
                const decision = await verifier.verify(mandates[o.token]!, { action: PAY });
                return decision.allowed
                  ? 'allowed'
                  : { code: decision.code, reason: decision.reason };
              }
            }
          };
          const outcomes = await s.waitFor(
            Promise.all(
              ops.map((o, i) =>
                s.schedule(Promise.resolve(), `start ${i} ${o.kind}`).then(() => run(o)),
              ),
            ),
          );
          const expected = ops.map((o) =>
            o.kind === 'retire'
              ? 'retired'
              : o.kind === 'verify' || o.kind === 'standard'
                ? 'allowed'
                : 'biscuit',
          );
          expect(outcomes).toEqual(expected);
          const stats = biscuitInstanceStats();
          expect(stats).toMatchObject({ leases: 0, draining: 0, faults: 0 });
          expect(stats.unloaded).toBe(stats.loaded - (stats.memoryBytes === undefined ? 0 : 1));
        },
      ),
      { numRuns: Math.max(10, Math.floor(NUM_RUNS / 10)) },
    );
    // Retirement really happened, many times, and every retired instance was unloaded.
    expect(biscuitInstanceStats().retired).toBeGreaterThan(5);
  }, 120_000);
});
