/**
 * A fleet of verifiers on one Redis server: two verifier processes (`fleet-harness.ts`) share
 * one real redis-server. The fleet contract (revocations and seen proofs shared at once, a
 * proof raced to both accepted exactly once), then an outage: a Redis killed mid-run is a
 * fast, fail-closed denial in both, and they heal by themselves when Redis comes back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { RedisRevocationStore } from '../../../src/stores/redis/index.js';
import {
  BOUND_MS,
  FLEET_PREFIX,
  fleetContract,
  loadFleet,
  sleep,
  startFleet,
  type Fleet,
  type Outcome,
} from './fleet-harness.js';
import { RedisServer, skipWithoutRedis } from './redis-server.js';

const SUITE = 'a fleet of two verifier processes sharing one Redis';

describe.skipIf(skipWithoutRedis(SUITE))(SUITE, () => {
  let server: RedisServer;
  let fleet: Fleet;
  /** The parent's own store: an operator revoking, outside both verifiers. */
  let operator: RedisRevocationStore;

  beforeAll(async () => {
    server = await RedisServer.start();
    fleet = await startFleet(server.url);
    operator = new RedisRevocationStore({ url: server.url, prefix: FLEET_PREFIX });
  });

  afterAll(async () => {
    await Promise.all([fleet?.stop(), operator?.close()]);
    await server?.dispose();
  });

  fleetContract(() => ({ fleet, operator }));

  it('Redis killed mid-run: fast MANDATE_STORE_UNAVAILABLE in both, no crash, no hang; then recovery by itself', async () => {
    const { a, b } = fleet;
    const mandate = await fleet.freshChain();
    const { outcomes, stop } = loadFleet(fleet, mandate);
    const allowedIn = (from: number, to = Infinity): Outcome[] =>
      outcomes.filter((o) => o.start >= from && o.start < to && o.verified?.decision.allowed);

    try {
      await sleep(500);
      const upAllowed = allowedIn(0);
      expect(new Set(upAllowed.map((o) => o.member))).toEqual(new Set(['A', 'B']));

      const killAt = performance.now();
      await server.kill();
      const killedAt = performance.now();
      await sleep(3000);
      const restartAt = performance.now();

      // While Redis is down: every request started after it died is denied, with the store
      // code, within the bound, by a process that stays up and keeps answering.
      const down = outcomes.filter((o) => o.start >= killedAt && o.start < restartAt);
      expect(down.length).toBeGreaterThan(20);
      expect(down.filter((o) => o.error !== undefined).map((o) => o.error)).toEqual([]);
      const offCode = down.filter(
        (o) =>
          o.verified?.decision.allowed !== false ||
          o.verified.decision.code !== 'MANDATE_STORE_UNAVAILABLE',
      );
      expect(offCode.map((o) => o.verified?.decision)).toEqual([]);
      const slow = down.filter((o) => o.end - o.start > BOUND_MS);
      expect(slow.map((o) => `${o.member} ${(o.end - o.start).toFixed(0)} ms`)).toEqual([]);
      for (const member of [a, b]) {
        expect(member.alive, member.name).toBe(true);
        expect(
          down.some((o) => o.member === member.name),
          member.name,
        ).toBe(true);
        await expect(member.ping()).resolves.toBe(member.pid);
      }
      // Including requests in flight when it died: the first denial came within the bound.
      const firstDenial = outcomes.find(
        (o) =>
          o.end >= killAt &&
          o.verified?.decision.allowed === false &&
          o.verified.decision.code === 'MANDATE_STORE_UNAVAILABLE',
      );
      expect(firstDenial).toBeDefined();
      const firstDenialMs = firstDenial!.end - killAt;
      expect(firstDenialMs).toBeLessThan(BOUND_MS);

      // Redis back on the same port, nothing done to the verifiers: both allow again.
      await server.start();
      const restartedAt = performance.now();
      const recovery: Record<string, number> = {};
      while (Object.keys(recovery).length < 2) {
        if (performance.now() - restartedAt > 10_000) {
          throw new Error(`no recovery within 10 s: ${JSON.stringify(recovery)}`);
        }
        for (const o of allowedIn(restartedAt)) recovery[o.member] ??= o.end - restartedAt;
        await sleep(25);
      }
      const worstDown = Math.max(...down.map((o) => o.end - o.start));
      const worstInside = Math.max(...down.map((o) => o.verified?.ms ?? 0));
      console.log(
        `fleet outage: ${down.length} requests while Redis was down, all MANDATE_STORE_UNAVAILABLE; ` +
          `first denial ${firstDenialMs.toFixed(0)} ms after the kill; slowest denial ` +
          `${worstDown.toFixed(0)} ms round trip (${worstInside.toFixed(0)} ms inside verify); ` +
          `allowed again ${recovery.A?.toFixed(0)} ms (A) / ${recovery.B?.toFixed(0)} ms (B) after the restart`,
      );
    } finally {
      await stop();
    }
    expect(outcomes.filter((o) => o.error !== undefined).map((o) => o.error)).toEqual([]);
    expect(a.alive && b.alive).toBe(true);
  }, 60_000);
});
