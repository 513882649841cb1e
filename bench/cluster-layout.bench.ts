/**
 * Revocation key layout on a Redis Cluster: the two ways of keeping a chain's revocation
 * lookup at one round trip per node, measured on a real three-primary cluster on loopback
 * (started here), with one Redis server as the baseline.
 *
 * - `one slot`: every revocation key carries the same hash tag (`{mandate:rev}`), so a chain's
 *   lookup is one `MGET` on one node, and every revocation lives on (and every lookup hits)
 *   that one primary: a hot slot.
 * - `spread`: keys hash to slots all over the cluster; a chain's lookup is one `EXISTS` per
 *   id, auto-pipelined by ioredis into one batch per node, sent in parallel.
 *
 * Each runs `CONCURRENCY` callers that look up a 3-id chain one after another for a few
 * seconds; reported: lookups per second, and how the lookups spread over the primaries.
 *
 * Run: node --import tsx bench/cluster-layout.bench.ts   (MANDATE_BENCH_QUICK=1: shorter)
 */
import { createHash, randomUUID } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';

import { RedisCluster, clusterSkipReason } from '../test/integration/redis/redis-cluster.js';
import { RedisServer } from '../test/integration/redis/redis-server.js';
import { median, QUICK } from './common.js';

const SECONDS = QUICK ? 1 : 3;
const ROUNDS = QUICK ? 1 : 3;
const CONCURRENCY = 32;
const CHAIN = 3;

const hashOf = (id: string): string => createHash('sha256').update(id).digest('base64url');

type Lookup = (ids: readonly string[]) => Promise<unknown>;

async function throughput(lookup: Lookup): Promise<number> {
  let done = 0;
  const until = performance.now() + SECONDS * 1000;
  const caller = async (): Promise<void> => {
    while (performance.now() < until) {
      const ids = Array.from({ length: CHAIN }, () => randomUUID());
      await lookup(ids);
      done++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, caller));
  return done / SECONDS;
}

/** Commands processed per primary since the last reset, as shares of the total. */
async function spreadOf(cluster: RedisCluster): Promise<string> {
  const counts: number[] = [];
  for (const node of cluster.nodes) {
    const client = new Redis({ port: node.port, host: '127.0.0.1' });
    const info = await client.info();
    if (info.includes('role:master')) {
      counts.push(Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0));
      await client.config('RESETSTAT');
    }
    client.disconnect();
  }
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => `${((100 * c) / total).toFixed(0)}%`).join(' / ');
}

async function main(): Promise<void> {
  if (clusterSkipReason !== undefined) {
    console.warn(`SKIPPED: ${clusterSkipReason}`);
    return;
  }
  const [cluster, single] = await Promise.all([RedisCluster.start(3, 0), RedisServer.start()]);
  const client = new Cluster(cluster.seeds, { enableAutoPipelining: true });
  const one = new Redis(single.url, { enableAutoPipelining: true });
  const results = new Map<string, number[]>();
  const spread = new Map<string, string>();
  try {
    await client.set('warm', '1');
    const layouts: [string, Lookup, boolean][] = [
      ['one Redis server, MGET', (ids) => one.mget(ids.map((id) => `rev:${hashOf(id)}`)), false],
      [
        'cluster, one slot (hash tag), MGET',
        (ids) => client.mget(ids.map((id) => `{mandate:rev}${hashOf(id)}`)),
        true,
      ],
      [
        'cluster, spread, EXISTS per id auto-pipelined per node',
        (ids) => Promise.all(ids.map((id) => client.exists(`mandate:rev:${hashOf(id)}`))),
        true,
      ],
    ];
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, lookup, onCluster] of layouts) {
        if (onCluster) await spreadOf(cluster);
        const rate = await throughput(lookup);
        results.set(name, [...(results.get(name) ?? []), rate]);
        if (onCluster) spread.set(name, await spreadOf(cluster));
        console.log(`round ${round + 1} ${name}: ${rate.toFixed(0)} lookups/s`);
      }
    }
  } finally {
    client.disconnect();
    one.disconnect();
    await Promise.all([cluster.dispose(), single.dispose()]);
  }
  console.log(
    `\n${ROUNDS} rounds × ${SECONDS} s, ${CONCURRENCY} concurrent callers, ${CHAIN} ids per lookup, node ${process.version}\n`,
  );
  console.log('| layout | lookups/s (median) | commands per primary |');
  console.log('| --- | ---: | --- |');
  for (const [name, rates] of results) {
    console.log(
      `| ${name} | ${median(rates).toFixed(0)} | ${spread.get(name) ?? '(one server)'} |`,
    );
  }
}

await main();
