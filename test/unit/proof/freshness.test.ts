/**
 * Issue 11, finding 5 (the verifier's side): a proof id is remembered for at least as long
 * as the proof is fresh, on a whole-second clock and on a fractional one, so a proof at the
 * very edge of its window cannot be accepted twice.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isFresh, replayExpiry } from '../../../src/proof/freshness.js';
import { MemoryReplayStore, prove } from '../../../src/index.js';
import { NUM_RUNS } from '../../../src/testing/config.js';
import {
  NOW,
  READ,
  REQUEST,
  chainOf,
  createWorld,
  expectAcceptedOnce,
  verifierFor,
} from '../../helpers/fixture.js';

describe('replayExpiry', () => {
  it('law: while a proof is fresh on any clock reading, its replay entry is still held', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: 4_000_000_000 }),
          fc.double({ min: 0, max: 4e9, noNaN: true }),
        ),
        fc.integer({ min: 0, max: 3600 }),
        fc.double({ min: -4000, max: 4000, noNaN: true }),
        (iat, window, offset) => {
          const t = iat + offset; // the real instant, as a fractional clock reads it
          const until = replayExpiry(iat, window);
          // A store forgets an entry once its (fractional) clock reaches `until`.
          for (const reading of [t, Math.floor(t)]) {
            if (isFresh(iat, reading, window)) expect(t).toBeLessThan(until);
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('issue 11 finding 5 (verifier): a proof at the edge of its window is accepted once', () => {
  it('iat = now - window on a whole-second verifier clock and a fractional store clock', async () => {
    const world = await createWorld();
    const mandate = await chainOf(world, 0);
    // The verifier reads whole seconds; the store reads the same instant with its fraction.
    const replay = new MemoryReplayStore({ now: () => NOW + 0.999 });
    const verifier = verifierFor(world, { replay, proofWindow: 60 });
    const proof = await prove(mandate, {
      signer: world.agents[0],
      request: REQUEST,
      now: NOW - 60,
    });
    const decisions = [];
    for (let i = 0; i < 5; i++) {
      decisions.push(await verifier.verify(mandate, { action: READ, proof, request: REQUEST }));
    }
    expectAcceptedOnce(decisions, 0);
  });
});
