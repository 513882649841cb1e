/**
 * A fleet of verifiers for the Redis tests: two verifier processes (`fleet-worker.ts`, forked
 * with tsx) on one Redis server or one Redis Cluster. The parent holds every signing key,
 * mints chains, signs proofs and sends verification requests to either process over IPC; the
 * processes know only the trust anchor's public JWK. `fleetContract` is what every backend
 * must show (`fleet.test.ts` on one server, `cluster.test.ts` on a cluster): what one process
 * learns (a revocation, a seen proof) the other knows at once, and a proof raced to both is
 * accepted exactly once.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

import {
  delegate,
  generateKeyPair,
  mint,
  prove,
  type Decision,
  type Mandate,
  type VerifyRequest,
} from '../../../src/index.js';
import type { RevocationStore } from '../../../src/stores/types.js';
import type { FleetReply, FleetRequest, FleetWorkerConfig } from './fleet-worker.js';

const WORKER = fileURLToPath(new URL('./fleet-worker.ts', import.meta.url));
const ANCHOR_ID = 'https://as.fleet.test';
const AUDIENCE = 'https://tool.fleet.test';
const REQUEST = { method: 'GET', url: 'https://tool.fleet.test/docs/a' } as const;
const READ = { resource: 'docs:a', action: 'read' } as const;
const PREFIX = 'fleet:';
/** The bound asserted on a denial during an outage (the stores' default timeout is 1 s). */
export const BOUND_MS = 1500;
/** A reply slower than this is a hang, reported as such instead of stalling the suite. */
const HANG_MS = 5000;
const ROUNDS = 200;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Safety net: never leave a verifier process behind a crashed or killed test run.
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** `Omit` over each member of a union. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export interface Verified {
  readonly decision: Decision;
  /** Milliseconds `verify` took inside the verifier process. */
  readonly ms: number;
  /** Milliseconds from the parent's send to its receipt of the answer. */
  readonly rtt: number;
}

/** The parent's handle on one verifier process. */
export class FleetMember {
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

/** Two verifier processes, the keys that mint for them, and an operator's revocation store. */
export interface Fleet {
  readonly a: FleetMember;
  readonly b: FleetMember;
  /** A fresh two-block chain (root held by agent 0, one hop to agent 1). */
  readonly freshChain: () => Promise<Mandate>;
  /** A verification request with a fresh proof (a new `jti`) by the last holder. */
  readonly freshRequest: (mandate: Mandate) => Promise<VerifyRequest>;
  /** Stops both processes. */
  stop(): Promise<void>;
}

/** Starts two verifier processes on `redis` (a URL, or cluster seeds) under the fleet prefix. */
export async function startFleet(redis: FleetWorkerConfig['redis'], replicas = 0): Promise<Fleet> {
  const [anchor, first, second] = await Promise.all([
    generateKeyPair(),
    generateKeyPair(),
    generateKeyPair(),
  ]);
  const config = (name: string): FleetWorkerConfig => ({
    name,
    redis,
    replicas,
    prefix: PREFIX,
    audience: AUDIENCE,
    // Only the anchor's public JWK crosses the process boundary.
    anchor: { id: ANCHOR_ID, publicJwk: anchor.publicJwk },
  });
  const [a, b] = await Promise.all([
    FleetMember.start(config('A')),
    FleetMember.start(config('B')),
  ]);
  return {
    a,
    b,
    freshChain: async () => {
      const root = await mint({
        issuer: anchor,
        issuerId: ANCHOR_ID,
        subject: 'alice',
        holder: first.publicJwk,
        capabilities: [{ resource: 'docs:**', actions: ['read'] }],
        expiresIn: 600,
        audience: AUDIENCE,
      });
      return delegate(root, { signer: first, holder: second.publicJwk });
    },
    freshRequest: async (mandate) => {
      const proof = await prove(mandate, { signer: second, request: REQUEST });
      return { action: READ, proof, request: REQUEST };
    },
    async stop() {
      await Promise.all([a.stop(), b.stop()]);
    },
  };
}

/** The fleet's prefix, for an operator's store outside the fleet. */
export const FLEET_PREFIX = PREFIX;

/** What one verification under load gave. */
export interface Outcome {
  readonly member: string;
  readonly start: number;
  readonly end: number;
  readonly request: VerifyRequest;
  readonly verified?: Verified;
  readonly error?: string;
}

/**
 * Load on both processes until `stop()`: two callers per process, each sending one request
 * after another with a fresh proof, recording every outcome.
 */
export function loadFleet(
  fleet: Fleet,
  mandate: Mandate,
): { outcomes: Outcome[]; stop: () => Promise<void> } {
  const outcomes: Outcome[] = [];
  let running = true;
  const caller = async (member: FleetMember): Promise<void> => {
    while (running) {
      const request = await fleet.freshRequest(mandate);
      const start = performance.now();
      try {
        const verified = await member.verify(mandate, request);
        outcomes.push({ member: member.name, start, end: performance.now(), request, verified });
        // A failing store answers fast; do not spin while it is down.
        if (!verified.decision.allowed) await sleep(10);
      } catch (error) {
        outcomes.push({
          member: member.name,
          start,
          end: performance.now(),
          request,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  };
  const { a, b } = fleet;
  const load = Promise.all([caller(a), caller(a), caller(b), caller(b)]);
  return {
    outcomes,
    stop: async () => {
      running = false;
      await load;
    },
  };
}

/**
 * The tests every Redis backend of a fleet must pass; `get` returns the fleet and an
 * operator's revocation store (outside both verifiers) once the suite's `beforeAll` ran.
 */
export function fleetContract(get: () => { fleet: Fleet; operator: RevocationStore }): void {
  it('runs the two verifiers as two separate processes', async () => {
    const { a, b } = get().fleet;
    const [pa, pb] = await Promise.all([a.ping(), b.ping()]);
    expect(pa).toBe(a.pid);
    expect(pb).toBe(b.pid);
    expect(new Set([pa, pb, process.pid]).size).toBe(3);
  });

  it('a hop revoked through one verifier is denied by the other at once', async () => {
    const { a, b, freshChain, freshRequest } = get().fleet;
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
    const { fleet, operator } = get();
    const { a, b, freshChain, freshRequest } = fleet;
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
    const { a, b, freshChain, freshRequest } = get().fleet;
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
    const { a, b, freshChain, freshRequest } = get().fleet;
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
}
