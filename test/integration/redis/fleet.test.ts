/**
 * A fleet of verifiers: two verifier processes (`fleet-worker.ts`, forked with tsx) share one
 * real redis-server. The parent holds every signing key, mints chains, signs proofs and sends
 * verification requests to either process over IPC; the processes know only the trust
 * anchor's public JWK. What one process learns (a revocation, a seen proof) the other must
 * know at once; a proof raced to both is accepted exactly once; a Redis outage is a fast,
 * fail-closed denial in both, and they heal by themselves when Redis comes back.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  delegate,
  generateKeyPair,
  mint,
  prove,
  type Decision,
  type KeyPair,
  type Mandate,
  type VerifyRequest,
} from '../../../src/index.js';
import { RedisRevocationStore } from '../../../src/stores/redis/index.js';
import type { FleetReply, FleetRequest, FleetWorkerConfig } from './fleet-worker.js';
import { RedisServer, skipWithoutRedis } from './redis-server.js';

const SUITE = 'a fleet of two verifier processes sharing one Redis';
const WORKER = fileURLToPath(new URL('./fleet-worker.ts', import.meta.url));
const ANCHOR_ID = 'https://as.fleet.test';
const AUDIENCE = 'https://tool.fleet.test';
const REQUEST = { method: 'GET', url: 'https://tool.fleet.test/docs/a' } as const;
const READ = { resource: 'docs:a', action: 'read' } as const;
const PREFIX = 'fleet:';
/** The bound asserted on a denial during an outage (the stores' default timeout is 1 s). */
const BOUND_MS = 1500;
/** A reply slower than this is a hang, reported as such instead of stalling the suite. */
const HANG_MS = 5000;
const ROUNDS = 200;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Safety net: never leave a verifier process behind a crashed or killed test run.
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** `Omit` over each member of a union. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

interface Verified {
  readonly decision: Decision;
  /** Milliseconds `verify` took inside the verifier process. */
  readonly ms: number;
  /** Milliseconds from the parent's send to its receipt of the answer. */
  readonly rtt: number;
}

/** The parent's handle on one verifier process. */
class FleetMember {
  readonly name: string;
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, (reply: FleetReply | Error) => void>();
  #next = 0;

  private constructor(name: string, child: ChildProcess) {
    this.name = name;
    this.#child = child;
    child.on('message', (reply: FleetReply) => {
      const settle = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      settle?.(reply);
    });
    child.once('exit', (code, signal) => {
      children.delete(child);
      const error = new Error(`${name} exited (${String(code ?? signal)})`);
      for (const settle of this.#pending.values()) settle(error);
      this.#pending.clear();
    });
  }

  static start(config: FleetWorkerConfig): Promise<FleetMember> {
    const child = fork(WORKER, [JSON.stringify(config)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(child);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${config.name} did not start`));
      }, 30_000);
      child.once('message', (message: { ready?: boolean; pid?: number }) => {
        clearTimeout(timer);
        if (message.ready === true) resolve(new FleetMember(config.name, child));
        else reject(new Error(`${config.name}: unexpected first message`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${config.name} exited during start-up (${String(code)})`));
      });
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Whether the process is still running (no crash). */
  get alive(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  #call(message: WithoutId<FleetRequest>): Promise<FleetReply> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${this.name}: no answer within ${HANG_MS} ms (hang)`));
      }, HANG_MS);
      this.#pending.set(id, (reply) => {
        clearTimeout(timer);
        if (reply instanceof Error) reject(reply);
        else if (!reply.ok) reject(new Error(`${this.name}: ${reply.error}`));
        else resolve(reply);
      });
      this.#child.send({ ...message, id });
    });
  }

  async verify(mandate: Mandate, request: VerifyRequest): Promise<Verified> {
    const start = performance.now();
    const reply = await this.#call({ op: 'verify', token: mandate.token, request });
    if (!('decision' in reply)) throw new Error(`${this.name}: not a decision`);
    return { decision: reply.decision, ms: reply.ms, rtt: performance.now() - start };
  }

  async revoke(blockId: string): Promise<void> {
    await this.#call({ op: 'revoke', blockId });
  }

  /** Resolves with the process id when the process answers over IPC. */
  async ping(): Promise<number> {
    const reply = await this.#call({ op: 'ping' });
    if (!('pong' in reply)) throw new Error(`${this.name}: not a pong`);
    return reply.pong;
  }

  /** Disconnects (the worker then closes its stores and exits); SIGKILL after 5 s. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!this.alive) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    if (child.connected) child.disconnect();
    else child.kill('SIGTERM');
    await exited;
    clearTimeout(timer);
  }
}

describe.skipIf(skipWithoutRedis(SUITE))(SUITE, () => {
  let server: RedisServer;
  let anchor: KeyPair;
  let agents: [KeyPair, KeyPair];
  let a: FleetMember;
  let b: FleetMember;
  /** The parent's own store: an operator revoking, outside both verifiers. */
  let operator: RedisRevocationStore;

  /** A fresh two-block chain (root held by agents[0], one hop to agents[1]). */
  async function freshChain(): Promise<Mandate> {
    const root = await mint({
      issuer: anchor,
      issuerId: ANCHOR_ID,
      subject: 'alice',
      holder: agents[0].publicJwk,
      capabilities: [{ resource: 'docs:**', actions: ['read'] }],
      expiresIn: 600,
      audience: AUDIENCE,
    });
    return delegate(root, { signer: agents[0], holder: agents[1].publicJwk });
  }

  /** A verification request with a fresh proof (a new `jti`) by the last holder. */
  async function freshRequest(mandate: Mandate): Promise<VerifyRequest> {
    const proof = await prove(mandate, { signer: agents[1], request: REQUEST });
    return { action: READ, proof, request: REQUEST };
  }

  beforeAll(async () => {
    server = await RedisServer.start();
    let first: KeyPair;
    let second: KeyPair;
    [anchor, first, second] = await Promise.all([
      generateKeyPair(),
      generateKeyPair(),
      generateKeyPair(),
    ]);
    agents = [first, second];
    const config = (name: string): FleetWorkerConfig => ({
      name,
      redisUrl: server.url,
      prefix: PREFIX,
      audience: AUDIENCE,
      // Only the anchor's public JWK crosses the process boundary.
      anchor: { id: ANCHOR_ID, publicJwk: anchor.publicJwk },
    });
    [a, b] = await Promise.all([FleetMember.start(config('A')), FleetMember.start(config('B'))]);
    operator = new RedisRevocationStore({ url: server.url, prefix: PREFIX });
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), operator?.close()]);
    await server?.dispose();
  });

  it('runs the two verifiers as two separate processes', async () => {
    const [pa, pb] = await Promise.all([a.ping(), b.ping()]);
    expect(pa).toBe(a.pid);
    expect(pb).toBe(b.pid);
    expect(new Set([pa, pb, process.pid]).size).toBe(3);
  });

  it('a hop revoked through one verifier is denied by the other at once', async () => {
    const mandate = await freshChain();
    expect((await b.verify(mandate, await freshRequest(mandate))).decision.allowed).toBe(true);
    const hop1 = mandate.blocks[1]!.id;

    await a.revoke(hop1);

    // The very next request at the other process: no cache, no propagation delay.
    const atB = await b.verify(mandate, await freshRequest(mandate));
    expect(atB.decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_REVOKED',
      hop: 1,
      check: 'revocation',
    });
    const atA = await a.verify(mandate, await freshRequest(mandate));
    expect(atA.decision).toMatchObject({ allowed: false, code: 'MANDATE_REVOKED', hop: 1 });
  });

  it('a root revoked by an operator outside the fleet is denied by both', async () => {
    const mandate = await freshChain();
    expect((await a.verify(mandate, await freshRequest(mandate))).decision.allowed).toBe(true);

    await operator.revoke(mandate.blocks[0]!.id, mandate.blocks[0]!.expiresAt);

    for (const member of [a, b]) {
      const { decision } = await member.verify(mandate, await freshRequest(mandate));
      expect(decision, member.name).toMatchObject({
        allowed: false,
        code: 'MANDATE_REVOKED',
        hop: 0,
        check: 'revocation',
      });
    }
  });

  it('a proof accepted by one verifier is MANDATE_REPLAYED at the other', async () => {
    const mandate = await freshChain();
    for (const [first, second] of [
      [a, b],
      [b, a],
    ] as const) {
      const request = await freshRequest(mandate);
      expect((await first.verify(mandate, request)).decision.allowed, first.name).toBe(true);
      const replayed = await second.verify(mandate, request);
      expect(replayed.decision, second.name).toMatchObject({
        allowed: false,
        code: 'MANDATE_REPLAYED',
        hop: 1,
        check: 'possession',
      });
      // And it stays a replay where it was first accepted.
      expect((await first.verify(mandate, request)).decision).toMatchObject({
        code: 'MANDATE_REPLAYED',
      });
    }
  });

  it(`the same proof sent to both at once is accepted exactly once (${ROUNDS} rounds)`, async () => {
    const mandate = await freshChain();
    const requests = await Promise.all(Array.from({ length: ROUNDS }, () => freshRequest(mandate)));
    // Every round's two sends leave in the same tick; all rounds are in flight together,
    // so both processes are busy racing each other on every proof.
    const rounds = await Promise.all(
      requests.map(async (request, round) => {
        // Alternate which process is sent the proof first, so neither always leads.
        if (round % 2 === 0)
          return Promise.all([a.verify(mandate, request), b.verify(mandate, request)]);
        const [atB, atA] = await Promise.all([
          b.verify(mandate, request),
          a.verify(mandate, request),
        ]);
        return [atA, atB] as const;
      }),
    );
    const wrong = rounds
      .map(([atA, atB], round) => ({ round, atA: atA.decision, atB: atB.decision }))
      .filter(({ atA, atB }) => {
        const winners = [atA, atB].filter((d) => d.allowed).length;
        const loser = [atA, atB].find((d) => !d.allowed);
        return winners !== 1 || loser?.allowed !== false || loser.code !== 'MANDATE_REPLAYED';
      });
    expect(wrong).toEqual([]);
    const winsA = rounds.filter(([atA]) => atA.decision.allowed).length;
    console.log(
      `fleet race: ${ROUNDS} rounds, exactly one acceptance in each (A won ${winsA}, B won ${ROUNDS - winsA})`,
    );
  });

  it('Redis killed mid-run: fast MANDATE_STORE_UNAVAILABLE in both, no crash, no hang; then recovery by itself', async () => {
    const mandate = await freshChain();
    interface Outcome {
      readonly member: string;
      readonly start: number;
      readonly end: number;
      readonly verified?: Verified;
      readonly error?: string;
    }
    const outcomes: Outcome[] = [];
    let running = true;
    // Two callers per verifier process, each sending one request after another, with a fresh
    // proof each time, until stopped.
    const caller = async (member: FleetMember): Promise<void> => {
      while (running) {
        const request = await freshRequest(mandate);
        const start = performance.now();
        try {
          const verified = await member.verify(mandate, request);
          outcomes.push({ member: member.name, start, end: performance.now(), verified });
          // A failing store answers fast; do not spin while it is down.
          if (!verified.decision.allowed) await sleep(10);
        } catch (error) {
          outcomes.push({
            member: member.name,
            start,
            end: performance.now(),
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
    };
    const load = Promise.all([caller(a), caller(a), caller(b), caller(b)]);
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
      running = false;
      await load;
    }
    expect(outcomes.filter((o) => o.error !== undefined).map((o) => o.error)).toEqual([]);
    expect(a.alive && b.alive).toBe(true);
  }, 60_000);
});
