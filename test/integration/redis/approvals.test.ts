/**
 * Rule 9's all-or-none use of approvals on a real redis-server on loopback, shared by two
 * verifiers with their own connections (a fleet): a replayed approval beside a valid one burns
 * neither, N concurrent requests with the same approval let exactly one through, and two
 * clients racing on overlapping sets of ids never both win one (`checkAndStoreAll`, one Lua
 * script), with and without a per-grant quota; and proof, approval and single-use ids never
 * meet across their namespaces (test/helpers/replay-namespaces.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { approvalCall, approve } from '../../../src/index.js';
import { RedisReplayStore } from '../../../src/stores/redis/index.js';
import {
  NOW,
  approvalChain,
  approvalVerifier,
  callWith,
  createApprovalWorld,
  pay,
} from '../../helpers/approval-world.js';
import { replayNamespaceContract } from '../../helpers/replay-namespaces.js';
import { RedisServer, skipWithoutRedis } from './redis-server.js';

const SUITE = 'approvals used up all or none in Redis, by a fleet';
const REPLAYED = { allowed: false, code: 'MANDATE_APPROVAL_REPLAYED', hop: 1, check: 'authorize' };
const QUOTAS = [
  { name: 'no quota', maxEntriesPerGrant: undefined },
  { name: 'a quota per grant', maxEntriesPerGrant: 1000 },
] as const;

const world = await createApprovalWorld();
const [, holder] = world.agents;
const mandate = await approvalChain(world, 1);
const call = await approvalCall(mandate, { action: pay(250) });

describe.skipIf(skipWithoutRedis(SUITE))(SUITE, () => {
  let server: RedisServer;
  let run = 0;
  const stores: RedisReplayStore[] = [];

  beforeAll(async () => {
    server = await RedisServer.start();
  });

  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await server.dispose();
  });

  /** Two verifiers, each with its own connection to the same Redis and prefix. */
  function fleet(maxEntriesPerGrant: number | undefined) {
    const prefix = `approvals:${run++}:`;
    return [0, 1].map(() => {
      const store = new RedisReplayStore({
        url: server.url,
        prefix,
        ...(maxEntriesPerGrant === undefined ? {} : { maxEntriesPerGrant }),
      });
      stores.push(store);
      return { store, verifier: approvalVerifier(world, { replay: store }) };
    }) as [
      { store: RedisReplayStore; verifier: ReturnType<typeof approvalVerifier> },
      { store: RedisReplayStore; verifier: ReturnType<typeof approvalVerifier> },
    ];
  }

  describe.each(QUOTAS)('$name', ({ maxEntriesPerGrant }) => {
    it('valid A + replayed B is denied at either verifier and burns A; A alone is usable once', async () => {
      const [one, two] = fleet(maxEntriesPerGrant);
      const [a, b] = await Promise.all([
        approve(call, world.user, { now: NOW }),
        approve(call, world.user, { now: NOW }),
      ]);
      expect(await callWith(one.verifier, mandate, holder, pay(250), [b])).toMatchObject({
        allowed: true,
      });
      expect(await callWith(two.verifier, mandate, holder, pay(250), [a, b])).toMatchObject({
        ...REPLAYED,
        detail: { path: 'approvals.1' },
      });
      expect(await callWith(one.verifier, mandate, holder, pay(250), [a])).toMatchObject({
        allowed: true,
        approvedBy: [world.user.id],
      });
      expect(await callWith(two.verifier, mandate, holder, pay(250), [a])).toMatchObject({
        ...REPLAYED,
        detail: { path: 'approvals.0' },
      });
    });

    it('N concurrent requests with the same approval across the fleet: exactly one is allowed', async () => {
      const [one, two] = fleet(maxEntriesPerGrant);
      const approval = await approve(call, world.user, { now: NOW });
      const decisions = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          callWith((i % 2 === 0 ? one : two).verifier, mandate, holder, pay(250), [approval]),
        ),
      );
      expect(decisions.filter((d) => d.allowed)).toHaveLength(1);
      for (const decision of decisions.filter((d) => !d.allowed)) {
        expect(decision).toMatchObject(REPLAYED);
      }
    });

    it('two clients racing on overlapping sets of ids: no id is won twice, a loser records nothing', async () => {
      const [one, two] = fleet(maxEntriesPerGrant);
      const expiresAt = Date.now() / 1000 + 60;
      const rounds = 200;
      const outcomes = await Promise.all(
        Array.from({ length: rounds }, async (_, i) => {
          // {x, y} against {y, z}: they share y, so at most one may win.
          const [x, y, z] = [`r${i}x`, `r${i}y`, `r${i}z`].map((jti) => ({ jti, expiresAt }));
          const context = { grant: 'G' };
          const [first, second] = await Promise.all([
            one.store.checkAndStoreAll([x!, y!], context),
            two.store.checkAndStoreAll([y!, z!], context),
          ]);
          const won = [first, second].filter((seen) => seen === undefined).length;
          // The loser's other id was not recorded: it is still fresh now.
          const lost = first === undefined ? z! : x!;
          const fresh = await one.store.checkAndStore(lost.jti, expiresAt, context);
          return { won, fresh };
        }),
      );
      expect(outcomes.filter(({ won }) => won !== 1)).toEqual([]);
      expect(outcomes.filter(({ fresh }) => !fresh)).toEqual([]);
    });

    // Proof, approval and single-use ids each in their own namespace (src/verify/replay-keys.ts).
    replayNamespaceContract(() => fleet(maxEntriesPerGrant)[0].store);
  });
});
