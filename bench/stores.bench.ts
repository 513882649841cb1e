/**
 * Stores under load: an HTTP verifier on loopback (`stores-server.ts`, its own process) under
 * concurrent load from autocannon (this process), with the in-memory stores, the Redis stores
 * on one redis-server and on a three-primary Redis Cluster (both real, on loopback, started
 * here), and a signed revocation list (published here over HTTP, 1,000 entries; memory replay
 * store). Then the size of a revocation list of 100,000 entries, full and as a delta. Every request carries the same
 * two-block mandate (`Authorization: DPoP ...`) and a fresh proof (`DPoP: ...`, a distinct
 * `jti`): the replay store sees every request, so proofs are signed beforehand and handed out
 * one per request by autocannon's `setupRequest`. Each configuration runs several rounds;
 * medians are reported (these machines are noisy).
 *
 * Run: npm run bench:stores   (MANDATE_BENCH_QUICK=1 for a short smoke run;
 *      MANDATE_BENCH_LIST_SIZE=1 for the list-size table alone;
 *      MANDATE_BENCH_REDIS_URL=redis://... to use a running Redis instead of starting one)
 */
import { fork, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

import {
  delegate,
  generateKeyPair,
  mint,
  prove,
  type KeyPair,
  type Mandate,
} from '../src/index.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  RevocationListPublisher,
  RevocationListStore,
} from '../src/stores/revocation-list/index.js';
import { RedisCluster, clusterSkipReason } from '../test/integration/redis/redis-cluster.js';
import { RedisServer, redisSkipReason } from '../test/integration/redis/redis-server.js';
import { median, QUICK } from './common.js';
import type { BenchServerConfig } from './stores-server.js';

const DURATION_S = QUICK ? 2 : 5;
const WARMUP_S = QUICK ? 1 : 2;
const ROUNDS = QUICK ? 1 : 3;
const CONNECTIONS = 16;
const AUDIENCE = 'https://tool.bench.example';
const ANCHOR_ID = 'https://as.bench.example';
const ACTION = { resource: 'docs:a', action: 'read' } as const;
/** Proofs signed per round: the most requests a round can make before it stops early. */
const MAX_PROOFS = 200_000;

type Kind = 'memory' | 'redis' | 'cluster' | 'list';

const LABELS: Record<Kind, string> = {
  memory: 'memory (`MemoryRevocationStore`, `MemoryReplayStore`)',
  redis: 'Redis (`RedisRevocationStore`, `RedisReplayStore`, one shared client)',
  cluster: 'Redis Cluster, 3 primaries (same stores on a `Cluster` client)',
  list: 'signed revocation list (`RevocationListStore`, 1,000 entries) + memory replay',
};

interface RoundResult {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly total: number;
  readonly ranOut: boolean;
  readonly decisions: Record<string, number>;
}

/** The verifier process: starts it and waits for its port. */
async function startServer(
  config: BenchServerConfig,
): Promise<{ port: number; stats: () => Promise<Record<string, number>>; stop: () => void }> {
  const child = fork(
    fileURLToPath(new URL('./stores-server.ts', import.meta.url)),
    [JSON.stringify(config)],
    {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  process.once('exit', () => child.kill('SIGKILL'));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port?: number }) => {
      if (typeof message.port === 'number') resolve(message.port);
      else reject(new Error('the verifier process did not start'));
    });
    child.once('exit', (code) =>
      reject(new Error(`the verifier process exited (${String(code)})`)),
    );
  });
  return {
    port,
    stats: () =>
      new Promise((resolve) => {
        child.once('message', (message: { stats: Record<string, number> }) =>
          resolve(message.stats),
        );
        child.send('stats');
      }),
    stop: () => {
      if (child.connected) child.disconnect();
    },
  };
}

/** `count` proofs, each with its own `jti`, for GET `url`. */
async function signProofs(
  mandate: Mandate,
  holder: KeyPair,
  url: string,
  count: number,
): Promise<string[]> {
  const proofs: string[] = [];
  for (let i = 0; i < count; i++) {
    proofs.push(await prove(mandate, { signer: holder, request: { method: 'GET', url } }));
  }
  return proofs;
}

/** One autocannon run against `url`; stops early (and says so) if the proofs run out. */
function load(
  url: string,
  token: string,
  proofs: readonly string[],
  seconds: number,
): Promise<autocannon.Result & { ranOut: boolean }> {
  let next = 0;
  let ranOut = false;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: CONNECTIONS,
        duration: seconds,
        headers: { authorization: `DPoP ${token}` },
        requests: [
          {
            method: 'GET',
            setupRequest: (request) => {
              const proof = proofs[next++];
              if (proof === undefined) {
                if (!ranOut) {
                  ranOut = true;
                  setImmediate(() => instance.stop());
                }
                // Never reuse a proof (it would be a replay, a 401): send one without.
                return { ...request, headers: { ...request.headers } };
              }
              return { ...request, headers: { ...request.headers, dpop: proof } };
            },
          },
        ],
      },
      (error, result) => {
        if (error !== null && error !== undefined) reject(error as Error);
        else resolve({ ...result, ranOut });
      },
    );
  });
}

async function main(): Promise<void> {
  let redis: RedisServer | undefined;
  let redisUrl = process.env.MANDATE_BENCH_REDIS_URL;
  if (redisUrl === undefined) {
    if (redisSkipReason === undefined) {
      redis = await RedisServer.start();
      redisUrl = redis.url;
    } else {
      console.warn(`Redis stores SKIPPED: ${redisSkipReason}`);
    }
  }
  let cluster: RedisCluster | undefined;
  if (clusterSkipReason === undefined) cluster = await RedisCluster.start(3, 0);
  else console.warn(`Redis Cluster SKIPPED: ${clusterSkipReason}`);
  const kinds: Kind[] = [
    'memory',
    ...(redisUrl === undefined ? [] : (['redis'] as const)),
    ...(cluster === undefined ? [] : (['cluster'] as const)),
    'list',
  ];

  const [anchor, first, second] = await Promise.all([
    generateKeyPair(),
    generateKeyPair(),
    generateKeyPair(),
  ]);
  const root = await mint({
    issuer: anchor,
    issuerId: ANCHOR_ID,
    subject: 'alice',
    holder: first.publicJwk,
    capabilities: [{ resource: 'docs:**', actions: ['read'] }],
    expiresIn: '1h',
    audience: AUDIENCE,
  });
  const mandate = await delegate(root, { signer: first, holder: second.publicJwk });

  // The issuer's list, served on loopback: revocations of other blocks, none of this chain's.
  const publisher = new RevocationListPublisher({ issuer: anchor, issuerId: ANCHOR_ID });
  for (let i = 0; i < 1000; i++) await publisher.revoke(`other-${i}`, Date.now() / 1000 + 3600);
  const listServer = createServer(publisher.handler);
  await new Promise<void>((resolve) => listServer.listen(0, '127.0.0.1', resolve));
  const listUrl = `http://127.0.0.1:${(listServer.address() as AddressInfo).port}/revocations`;

  // One verifier process per kind, so that neither's heap (the memory stores' maps) weighs
  // on the other's measurements.
  const base = {
    audience: AUDIENCE,
    anchor: { id: ANCHOR_ID, publicJwk: anchor.publicJwk },
    action: ACTION,
  };
  const extra: Record<Kind, Partial<BenchServerConfig>> = {
    memory: {},
    redis: { redisUrl: redisUrl ?? '' },
    cluster: { clusterSeeds: cluster?.seeds ?? [] },
    list: { listUrl },
  };
  const servers = new Map<Kind, Awaited<ReturnType<typeof startServer>>>();
  for (const kind of kinds) servers.set(kind, await startServer({ ...base, ...extra[kind] }));
  const results = new Map<Kind, RoundResult[]>(kinds.map((kind) => [kind, []]));
  let signed = 0;
  let signMs = 0;
  try {
    const run = async (kind: Kind, seconds: number, proofCount: number): Promise<RoundResult> => {
      const server = servers.get(kind);
      if (server === undefined) throw new Error(`no ${kind} verifier`);
      const url = `http://127.0.0.1:${server.port}/${kind}/docs/a`;
      const t = performance.now();
      const proofs = await signProofs(mandate, second, url, proofCount);
      signed += proofs.length;
      signMs += performance.now() - t;
      await server.stats(); // reset the counts
      const result = await load(url, mandate.token, proofs, seconds);
      const decisions = await server.stats();
      const total = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
      return {
        rps: total / ((result.finish.getTime() - result.start.getTime()) / 1000),
        p50: result.latency.p50,
        p99: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors,
        total,
        ranOut: result.ranOut,
        decisions,
      };
    };

    // Warm-up (JIT, connections, Redis): also sizes the proof supply of the measured rounds.
    // The quick run signs fewer proofs up front (a round that runs out is repeated with more).
    let supply = (QUICK ? 2_000 : 10_000) * DURATION_S;
    for (const kind of kinds) {
      const warm = await run(kind, WARMUP_S, QUICK ? 5_000 : 30_000);
      supply = Math.max(supply, Math.ceil(warm.rps * DURATION_S * 2));
      console.log(`warm-up ${kind}: ${warm.rps.toFixed(0)} req/s`);
    }
    supply = Math.min(supply, MAX_PROOFS);

    for (let round = 0; round < ROUNDS; round++) {
      // Alternate the order so that drift on a noisy machine does not favour one kind.
      const order = round % 2 === 0 ? kinds : [...kinds].reverse();
      for (const kind of order) {
        let result = await run(kind, DURATION_S, supply);
        // A round that ran out of proofs ended early (and its last requests had none): it does
        // not count; repeat it with twice the proofs.
        while (result.ranOut && supply < MAX_PROOFS) {
          supply = Math.min(supply * 2, MAX_PROOFS);
          console.log(`round ${round + 1} ${kind}: ran out of proofs; repeating with ${supply}`);
          result = await run(kind, DURATION_S, supply);
        }
        if (result.ranOut)
          throw new Error(`${kind}: ran out of ${MAX_PROOFS} proofs in ${DURATION_S} s`);
        results.get(kind)?.push(result);
        console.log(
          `round ${round + 1} ${kind}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50} ms, ` +
            `p99 ${result.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors} ` +
            JSON.stringify(result.decisions),
        );
      }
    }
  } finally {
    for (const server of servers.values()) server.stop();
    listServer.closeAllConnections();
    listServer.close();
    await Promise.all([redis?.dispose(), cluster?.dispose()]);
  }

  const redisVersion = spawnSync(
    process.env.MANDATE_REDIS_SERVER ?? 'redis-server',
    ['--version'],
    {
      encoding: 'utf8',
    },
  ).stdout.match(/v=(\S+)/)?.[1];
  const memoryRps = median(results.get('memory')?.map((r) => r.rps) ?? []);
  const rows = kinds.map((kind) => {
    const rounds = results.get(kind) ?? [];
    const rps = median(rounds.map((r) => r.rps));
    const sum = (pick: (r: RoundResult) => number): number =>
      rounds.reduce((s, r) => s + pick(r), 0);
    return `| ${LABELS[kind]} | ${rps.toFixed(0)} | ${Math.min(...rounds.map((r) => r.rps)).toFixed(0)}–${Math.max(...rounds.map((r) => r.rps)).toFixed(0)} | ${median(rounds.map((r) => r.p50)).toFixed(0)} | ${median(rounds.map((r) => r.p99)).toFixed(0)} | ${sum((r) => r.total)} | ${sum((r) => r.non2xx)} | ${sum((r) => r.errors)} | ${(rps / memoryRps).toFixed(2)}× |`;
  });
  console.log(
    `\nRun of ${new Date().toISOString().slice(0, 10)}, node ${process.version}` +
      `${redisVersion === undefined ? '' : `, redis-server ${redisVersion}`}; ${ROUNDS} rounds × ${DURATION_S} s per ` +
      `configuration after a ${WARMUP_S} s warm-up, ${CONNECTIONS} connections, pipelining 1; ` +
      `${signed} proofs signed in ${(signMs / 1000).toFixed(0)} s (before each round, not timed):\n`,
  );
  console.log(
    '| stores | req/s (median) | req/s (range) | p50 ms | p99 ms | requests | non-2xx | errors | vs memory |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const row of rows) console.log(row);
  await listSizes();
}

/** The size of a list of 100,000 entries, full and as a delta, and what a reader spends on it. */
async function listSizes(): Promise<void> {
  const ENTRIES = 100_000;
  const issuer = await generateKeyPair();
  let now = Math.floor(Date.now() / 1000);
  const publisher = new RevocationListPublisher({
    issuer,
    issuerId: ANCHOR_ID,
    now: () => now,
    reissueSeconds: 1,
  });
  // Block ids as Mandate mints them (UUIDs), each with its block's expiry.
  const { randomUUID } = await import('node:crypto');
  for (let i = 0; i < ENTRIES; i++) await publisher.revoke(randomUUID(), now + 900);
  let t = performance.now();
  const full = await publisher.list();
  const signMs = performance.now() - t;
  const reader = new RevocationListStore({
    anchors: [{ id: ANCHOR_ID, publicJwk: issuer.publicJwk, revocationListUrl: 'http://x/r' }],
    autoRefresh: false,
    now: () => now,
    fetch: (input, init) => publisher.fetchHandler(new Request(input, init)),
  });
  t = performance.now();
  await reader.refresh();
  const readMs = performance.now() - t;
  const held = full.version;
  for (let i = 0; i < 100; i++) await publisher.revoke(randomUUID(), now + 900);
  now += 1;
  const delta = await publisher.list(held);
  t = performance.now();
  await reader.refresh();
  const deltaMs = performance.now() - t;
  const { gzipSync } = await import('node:zlib');
  const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
  console.log(`
Signed revocation list of ${ENTRIES} entries (UUID block ids with their expiry):
`);
  console.log(
    '| form | bytes | gzip | publisher signs (ms) | reader fetches, verifies, applies (ms) |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: |');
  console.log(
    `| full list | ${kib(full.jws.length)} | ${kib(gzipSync(full.jws).length)} | ${signMs.toFixed(0)} | ${readMs.toFixed(0)} |`,
  );
  console.log(
    `| delta since the reader's version (100 new entries) | ${kib(delta.jws.length)} | ${kib(gzipSync(delta.jws).length)} | – | ${deltaMs.toFixed(1)} |`,
  );
  await reader.close();
}

// MANDATE_BENCH_LIST_SIZE=1: only the list-size table (no servers, a few seconds).
if (process.env.MANDATE_BENCH_LIST_SIZE === '1') await listSizes();
else await main();
