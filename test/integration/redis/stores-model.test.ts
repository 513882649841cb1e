/**
 * The Redis stores against a model (fast-check `commands`, test/helpers/store-model.ts), on a
 * real redis-server on loopback: revokes, look-ups and proof checks (with a per-grant quota)
 * answer as the model says. Redis expires keys on the real clock, so every expiry here is far
 * ahead (the memory stores' model test moves a clock instead); each run gets its own prefix.
 */
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  RedisReplayStore,
  RedisRevocationStore,
  createRedisClient,
} from '../../../src/stores/redis/index.js';
import { NUM_RUNS } from '../../../src/testing/config.js';
import { emptyModel, replayCommands, revocationCommands } from '../../helpers/store-model.js';
import { RedisServer, skipWithoutRedis } from './redis-server.js';

const SUITE = 'Redis stores against the model, on a real redis-server';
// Each run is a few dozen round trips on loopback.
const RUNS = Math.min(NUM_RUNS, 100);
const realClock = { now: () => Date.now() / 1000 };

describe.skipIf(skipWithoutRedis(SUITE))(SUITE, () => {
  let server: RedisServer;
  let client: Redis;
  let run = 0;

  beforeAll(async () => {
    server = await RedisServer.start();
    client = createRedisClient(server.url);
  });

  afterAll(async () => {
    await client.quit();
    await server.dispose();
  });

  it('RedisRevocationStore: revoked exactly once revoked, until its expiry', async () => {
    const limits = { grace: 300, lazySweep: false };
    await fc.assert(
      fc.asyncProperty(revocationCommands(realClock, limits), async (commands) => {
        const store = new RedisRevocationStore({ client, prefix: `model:rev:${run++}:` });
        await fc.asyncModelRun(() => ({ model: emptyModel(realClock), real: store }), commands);
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it.each([
    { name: 'no quota', maxEntriesPerGrant: undefined },
    { name: 'a quota of 2 per grant', maxEntriesPerGrant: 2 },
  ])(
    'RedisReplayStore ($name): fresh exactly once per proof id in force',
    async (quota) => {
      const limits = {
        grace: 0,
        lazySweep: false,
        ...(quota.maxEntriesPerGrant === undefined
          ? {}
          : { maxEntriesPerGrant: quota.maxEntriesPerGrant }),
      };
      await fc.assert(
        fc.asyncProperty(replayCommands(realClock, limits), async (commands) => {
          const store = new RedisReplayStore({
            client,
            prefix: `model:replay:${run++}:`,
            ...(quota.maxEntriesPerGrant === undefined
              ? {}
              : { maxEntriesPerGrant: quota.maxEntriesPerGrant }),
          });
          await fc.asyncModelRun(() => ({ model: emptyModel(realClock), real: store }), commands);
        }),
        { numRuns: RUNS },
      );
    },
    120_000,
  );
});
