/**
 * A fleet of verifiers on a real Redis Cluster: three primaries with one replica each, started
 * here (`redis-cluster.ts`). The fleet contract of `fleet.test.ts` holds unchanged (two
 * verifier processes sharing revocations and seen proofs, exactly one winner per raced proof),
 * the keys land where the layout says, and a primary killed mid-run gives fast fail-closed
 * denials, recovery after its replica takes over, and never a proof accepted twice.
 */
import fc from 'fast-check';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  RedisReplayStore,
  RedisRevocationStore,
  createRedisClient,
} from '../../../src/stores/redis/index.js';
import { revocationKeyFor, keyFor } from '../../../src/stores/redis/keys.js';
import {
  BOUND_MS,
  FLEET_PREFIX,
  fleetContract,
  loadFleet,
  sleep,
  startFleet,
  type Fleet,
} from './fleet-harness.js';
import { cli } from '../../helpers/cli.js';
import { emptyModel, replayCommands } from '../../helpers/store-model.js';
import type { ReplayEntry } from '../../../src/stores/types.js';
import { NUM_RUNS } from '../../../src/testing/config.js';
import { replayNamespaceContract } from '../../helpers/replay-namespaces.js';
import { RedisCluster, skipWithoutCluster } from './redis-cluster.js';

const SUITE = 'a fleet of two verifier processes sharing one Redis Cluster';
/**
 * The bound on one verification while a node is down. Each store call is bounded by the
 * stores' 1 s `timeoutMs`, and a verification makes two in turn (revocation, then replay): on
 * a cluster the first may answer from a live primary just before the second waits out its
 * bound on the dead one (one server fails both at once instead: the client knows it is down).
 */
const VERIFY_BOUND_MS = 2 * 1000 + (BOUND_MS - 1000);

describe.skipIf(skipWithoutCluster(SUITE))(SUITE, () => {
  let cluster: RedisCluster;
  let fleet: Fleet;
  let client: Cluster;
  /** The parent's own store: an operator revoking, outside both verifiers. */
  let operator: RedisRevocationStore;

  beforeAll(async () => {
    cluster = await RedisCluster.start(3, 1);
    // Every write waits for its replica, so a failover cannot forget a seen proof.
    fleet = await startFleet(cluster.seeds, 1);
    client = createRedisClient(cluster.seeds);
    operator = new RedisRevocationStore({ client, prefix: FLEET_PREFIX, replicas: 1 });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([fleet?.stop(), operator?.close()]);
    client?.disconnect();
    await cluster?.dispose();
  });

  fleetContract(() => ({ fleet, operator }));

  describe('proof, approval and single-use ids in their own namespaces, on several primaries', () => {
    const stores: RedisReplayStore[] = [];
    afterAll(() => Promise.all(stores.map((store) => store.close())));
    replayNamespaceContract(() => {
      const store = new RedisReplayStore({ client, prefix: `namespaces:${stores.length}:` });
      stores.push(store);
      return store;
    });
  });

  it('keeps every revocation of a prefix in one slot and spreads proof ids over the primaries', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `block-${i}`);
    const revocationSlots = new Set(
      await Promise.all(
        ids.map((id) => client.cluster('KEYSLOT', revocationKeyFor(FLEET_PREFIX, id, true))),
      ),
    );
    expect(revocationSlots.size).toBe(1);
    // Another prefix (another deployment) gets its own slot, so tenants spread.
    const other = await client.cluster('KEYSLOT', revocationKeyFor('tenant-2:', 'x', true));
    expect(revocationSlots.has(other)).toBe(false);
    const owners = new Set(
      await Promise.all(
        ids.map(async (id) => (await cluster.primaryOf(keyFor(FLEET_PREFIX, 'jti', id))).port),
      ),
    );
    expect(owners.size).toBe(3);
  });

  it('a chain of many blocks is one lookup (no CROSSSLOT), and a revocation anywhere in it is found', async () => {
    const store = new RedisRevocationStore({ client, prefix: 'chain:' });
    const ids = Array.from({ length: 8 }, (_, i) => `hop-${i}`);
    await expect(store.firstRevoked(ids)).resolves.toBeUndefined();
    await store.revoke('hop-5');
    await store.revoke('hop-3');
    await expect(store.firstRevoked(ids)).resolves.toBe('hop-3');
    await expect(store.isRevoked('hop-5')).resolves.toBe(true);
    await store.close();
  });

  it('acknowledges a write only once a replica holds it (replicas: 1)', async () => {
    const replay = new RedisReplayStore({ client, prefix: 'wait:', replicas: 1 });
    const expiresAt = Date.now() / 1000 + 60;
    await expect(replay.checkAndStore('p-1', expiresAt)).resolves.toBe(true);
    await expect(replay.checkAndStore('p-1', expiresAt)).resolves.toBe(false);
    // Asking for more replicas than the cluster has: the write is not acknowledged.
    const greedy = new RedisReplayStore({ client, prefix: 'wait:', replicas: 2, timeoutMs: 400 });
    await expect(greedy.checkAndStore('p-2', expiresAt)).rejects.toMatchObject({
      name: 'StoreUnavailableError',
      reason: 'unreplicated',
    });
    await Promise.all([replay.close(), greedy.close()]);
  });

  it('`mandate revoke --redis-cluster` publishes a revocation every verifier of the fleet denies', async () => {
    const mandate = await fleet.freshChain();
    expect(
      (await fleet.a.verify(mandate, await fleet.freshRequest(mandate))).decision.allowed,
    ).toBe(true);
    const seeds = cluster.seeds.map(({ host, port }) => `${host}:${port}`).join(',');
    const run = await cli([
      'revoke',
      mandate.blocks[1]!.id,
      '--redis-cluster',
      seeds,
      '--prefix',
      FLEET_PREFIX,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const member of [fleet.a, fleet.b]) {
      const { decision } = await member.verify(mandate, await fleet.freshRequest(mandate));
      expect(decision, member.name).toMatchObject({
        allowed: false,
        code: 'MANDATE_REVOKED',
        hop: 1,
        check: 'revocation',
      });
    }
  });

  it('checkAndStoreAll with ids on several primaries: all or none, as the replay model says (with and without a quota)', async () => {
    const realClock = { now: () => Date.now() / 1000 };
    let run = 0;
    for (const maxEntriesPerGrant of [undefined, 2]) {
      const limits = {
        grace: 0,
        lazySweep: false,
        ...(maxEntriesPerGrant === undefined ? {} : { maxEntriesPerGrant }),
      };
      await fc.assert(
        fc.asyncProperty(replayCommands(realClock, limits), async (commands) => {
          const store = new RedisReplayStore({
            client,
            prefix: `model:${run++}:`,
            ...(maxEntriesPerGrant === undefined ? {} : { maxEntriesPerGrant }),
          });
          await fc.asyncModelRun(() => ({ model: emptyModel(realClock), real: store }), commands);
        }),
        { numRuns: Math.min(NUM_RUNS, 30) },
      );
    }
  }, 120_000);

  it('two stores racing on overlapping sets of ids on several primaries: exactly one wins, the loser records nothing', async () => {
    const [one, two] = [0, 1].map(
      () => new RedisReplayStore({ client, prefix: 'race-all:', maxEntriesPerGrant: 1000 }),
    ) as [RedisReplayStore, RedisReplayStore];
    const expiresAt = Date.now() / 1000 + 60;
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const [x, y, z] = [`r${i}x`, `r${i}y`, `r${i}z`].map((jti) => ({ jti, expiresAt })) as [
          ReplayEntry,
          ReplayEntry,
          ReplayEntry,
        ];
        const context = { grant: 'G' };
        const [first, second] = await Promise.all([
          one.checkAndStoreAll([x, y], context),
          two.checkAndStoreAll([y, z], context),
        ]);
        const lost = first === undefined ? z : x;
        return {
          won: [first, second].filter((seen) => seen === undefined).length,
          fresh: await one.checkAndStore(lost.jti, expiresAt, context),
        };
      }),
    );
    expect(outcomes.filter(({ won }) => won !== 1)).toEqual([]);
    expect(outcomes.filter(({ fresh }) => !fresh)).toEqual([]);
    await Promise.all([one.close(), two.close()]);
  });

  it('the revocation slot moved to another primary mid-run: revocations hold throughout, every answer within the bound', async () => {
    const { a, b } = fleet;
    const revoked = await fleet.freshChain();
    await operator.revoke(revoked.blocks[1]!.id, revoked.blocks[1]!.expiresAt);
    const mandate = await fleet.freshChain();
    const slotKey = revocationKeyFor(FLEET_PREFIX, 'any', true);
    const slot = Number(await client.cluster('KEYSLOT', slotKey));
    const owner = await cluster.primaryOf(slotKey);
    const to = (await cluster.primaryPorts()).find((port) => port !== owner.port);
    expect(to).toBeDefined();
    const { outcomes, stop } = loadFleet(fleet, mandate);
    const revokedChecks: string[] = [];
    let moving = true;
    const watcher = (async () => {
      while (moving) {
        for (const member of [a, b]) {
          const { decision } = await member.verify(revoked, await fleet.freshRequest(revoked));
          revokedChecks.push(decision.allowed ? 'allowed' : decision.code);
        }
      }
    })();
    let movedAt = 0;
    const start = performance.now();
    try {
      await sleep(300);
      await cluster.moveSlot(slot, to!, 20);
      movedAt = performance.now();
      await sleep(500);
    } finally {
      moving = false;
      await watcher;
      await stop();
    }
    expect((await cluster.primaryOf(slotKey)).port).not.toBe(owner.port);
    // The revoked chain was never allowed, before, during or after the move.
    expect(revokedChecks.length).toBeGreaterThan(4);
    expect(revokedChecks.filter((code) => code === 'allowed')).toEqual([]);
    expect(outcomes.filter((o) => o.error !== undefined).map((o) => o.error)).toEqual([]);
    const wrong = outcomes.filter(
      (o) =>
        o.verified?.decision.allowed === false &&
        o.verified.decision.code !== 'MANDATE_STORE_UNAVAILABLE',
    );
    expect(wrong.map((o) => o.verified?.decision)).toEqual([]);
    const slow = outcomes.filter((o) => o.end - o.start > VERIFY_BOUND_MS);
    expect(slow.map((o) => `${o.member} ${(o.end - o.start).toFixed(0)} ms`)).toEqual([]);
    expect(outcomes.some((o) => o.start > movedAt && o.verified?.decision.allowed)).toBe(true);
    const denied = outcomes.filter((o) => o.verified?.decision.allowed === false).length;
    console.log(
      `cluster slot move: ${outcomes.length} requests over ${(performance.now() - start).toFixed(0)} ms ` +
        `(${denied} fail-closed denials), the revoked chain denied in all ${revokedChecks.length} checks`,
    );
  }, 60_000);

  it('a primary killed mid-run: fail-closed denials within the bound, recovery after failover, no proof accepted twice', async () => {
    const { a, b } = fleet;
    const mandate = await fleet.freshChain();
    // The primary that every verification needs: the one holding the revocation slot.
    const victim = await cluster.primaryOf(revocationKeyFor(FLEET_PREFIX, 'any', true));
    const { outcomes, stop } = loadFleet(fleet, mandate);
    let killedAt = 0;
    let healedAt = 0;
    try {
      await sleep(500);
      expect(outcomes.filter((o) => o.verified?.decision.allowed).length).toBeGreaterThan(0);

      await victim.kill();
      killedAt = performance.now();
      // The replica is promoted once the other primaries agree the node failed (node timeout
      // 1 s); the killed node then comes back and rejoins as the new primary's replica.
      await cluster.waitHealthy(20_000, false);
      await victim.start();
      await cluster.waitHealthy(20_000, true);
      healedAt = performance.now();

      const recovery: Record<string, number> = {};
      while (Object.keys(recovery).length < 2) {
        if (performance.now() - healedAt > 10_000) {
          throw new Error(`no recovery within 10 s: ${JSON.stringify(recovery)}`);
        }
        for (const o of outcomes) {
          if (o.start >= healedAt && o.verified?.decision.allowed === true) {
            recovery[o.member] ??= o.end - healedAt;
          }
        }
        await sleep(25);
      }

      // Between the kill and the healed cluster: every answer is an allowance (a slot whose
      // primary lives) or a fail-closed store denial, each within the bound, never a hang.
      const during = outcomes.filter((o) => o.end >= killedAt && o.start < healedAt);
      expect(during.filter((o) => o.error !== undefined).map((o) => o.error)).toEqual([]);
      const odd = during.filter(
        (o) =>
          o.verified?.decision.allowed !== true &&
          !(
            o.verified?.decision.allowed === false &&
            o.verified.decision.code === 'MANDATE_STORE_UNAVAILABLE' &&
            o.verified.decision.check === 'revocation'
          ) &&
          !(
            o.verified?.decision.allowed === false &&
            o.verified.decision.code === 'MANDATE_STORE_UNAVAILABLE' &&
            o.verified.decision.check === 'possession'
          ),
      );
      expect(odd.map((o) => o.verified?.decision)).toEqual([]);
      const denied = during.filter((o) => o.verified?.decision.allowed === false);
      expect(denied.length).toBeGreaterThan(5);
      const slow = during.filter((o) => o.end - o.start > VERIFY_BOUND_MS);
      expect(slow.map((o) => `${o.member} ${(o.end - o.start).toFixed(0)} ms`)).toEqual([]);
      const firstDenial = denied[0];
      expect(firstDenial!.end - killedAt).toBeLessThan(VERIFY_BOUND_MS);
      expect(a.alive && b.alive).toBe(true);
      console.log(
        `cluster failover: ${during.length} requests between the kill and a healed cluster ` +
          `(${denied.length} denied MANDATE_STORE_UNAVAILABLE, slowest ` +
          `${Math.max(...during.map((o) => o.end - o.start)).toFixed(0)} ms); healed ` +
          `${(healedAt - killedAt).toFixed(0)} ms after the kill; allowed again ` +
          `${recovery.A?.toFixed(0)} ms (A) / ${recovery.B?.toFixed(0)} ms (B) after that`,
      );
    } finally {
      await stop();
    }

    // No proof accepted twice: every proof that was accepted, before, during or after the
    // failover, is a replay now, at both verifiers.
    const accepted = outcomes.filter((o) => o.verified?.decision.allowed === true);
    expect(accepted.length).toBeGreaterThan(10);
    const again = await Promise.all(
      accepted.flatMap((o) => [a.verify(mandate, o.request), b.verify(mandate, o.request)]),
    );
    const notReplay = again.filter(
      (v) => v.decision.allowed || v.decision.code !== 'MANDATE_REPLAYED',
    );
    expect(notReplay.map((v) => v.decision)).toEqual([]);
    // And within the run itself no proof was accepted twice.
    const proofs = accepted.map((o) => o.request.proof);
    expect(new Set(proofs).size).toBe(proofs.length);
  }, 90_000);
});
