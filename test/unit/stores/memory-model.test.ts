/**
 * The memory stores against a model (fast-check `commands`, test/helpers/store-model.ts):
 * revokes, look-ups, proof checks and a moving clock, with room to spare and with tiny caps
 * (so that `StoreFullError` and `StoreQuotaError` happen), answer as the model says.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { MemoryReplayStore, MemoryRevocationStore } from '../../../src/stores/memory.js';
import { NUM_RUNS } from '../../../src/testing/config.js';
import {
  emptyModel,
  manualClock,
  replayCommands,
  revocationCommands,
} from '../../helpers/store-model.js';

const CAPS = [
  { name: 'room to spare', maxEntries: 1000, maxEntriesPerGrant: 1000 },
  { name: 'tiny caps', maxEntries: 4, maxEntriesPerGrant: 2 },
] as const;

describe.each(CAPS)('memory stores against the model ($name)', (caps) => {
  it('MemoryRevocationStore: revoked exactly while in force, never forgotten early', async () => {
    const limits = { grace: 5, maxEntries: caps.maxEntries, lazySweep: true };
    await fc.assert(
      fc.asyncProperty(revocationCommands(manualClock(), limits), async (commands) => {
        const clock = manualClock();
        const store = new MemoryRevocationStore({
          maxEntries: caps.maxEntries,
          graceSeconds: limits.grace,
          now: clock.now,
        });
        await fc.asyncModelRun(() => ({ model: emptyModel(clock), real: store }), commands);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('MemoryReplayStore: fresh exactly once per proof id in force, within its caps', async () => {
    const limits = { grace: 0, ...caps, lazySweep: true };
    await fc.assert(
      fc.asyncProperty(replayCommands(manualClock(), limits), async (commands) => {
        const clock = manualClock();
        const store = new MemoryReplayStore({
          maxEntries: caps.maxEntries,
          maxEntriesPerGrant: caps.maxEntriesPerGrant,
          now: clock.now,
        });
        await fc.asyncModelRun(() => ({ model: emptyModel(clock), real: store }), commands);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
