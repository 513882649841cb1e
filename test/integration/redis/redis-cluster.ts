/**
 * Test harness: a real Redis Cluster on loopback (three primaries, one replica each), started
 * and torn down by the tests: six `redis-server --cluster-enabled yes` processes on free ports,
 * each in its own temporary directory, joined by `redis-cli --cluster create`. The node timeout
 * is short (1 s) so a killed primary is failed over within a few seconds. Without
 * `redis-server` or `redis-cli` the cluster tests skip and say so (Debian's `redis-server`
 * package brings `redis-cli` through `redis-tools`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';

import { RedisServer, redisSkipReason } from './redis-server.js';

const CLI = process.env.MANDATE_REDIS_CLI ?? 'redis-cli';
/** Milliseconds before a silent node is failed (cluster-node-timeout). */
const NODE_TIMEOUT_MS = 1000;

/** Why the cluster tests cannot run here, or `undefined` when they can. */
export const clusterSkipReason: string | undefined =
  redisSkipReason ??
  (() => {
    const probe = spawnSync(CLI, ['--version'], { encoding: 'utf8', timeout: 5000 });
    if (probe.error !== undefined || probe.status !== 0) {
      return `\`${CLI}\` not found or not runnable; install redis-tools (apt-get install redis-server brings it) to run the Redis Cluster tests`;
    }
    return undefined;
  })();

/** Says plainly, once per test file, that `suite` is skipped and why; returns whether it is. */
export function skipWithoutCluster(suite: string): boolean {
  if (clusterSkipReason === undefined) return false;
  console.warn(`SKIPPED ${suite}: ${clusterSkipReason}`);
  return true;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `redis-cli` with `args`; resolves with its output, rejects on a non-zero exit. */
function cli(args: readonly string[], ms = 30_000): Promise<string> {
  const child = spawn(CLI, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`redis-cli ${args.join(' ')} exited ${String(code)}: ${out}`));
    });
  });
}

/** One command to one node, on a short-lived plain connection. */
async function ask(port: number, ...command: string[]): Promise<string> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectTimeout: 1000,
    commandTimeout: 1000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const [name, ...args] = command;
    return String(await client.call(name ?? 'PING', ...args));
  } finally {
    client.disconnect();
  }
}

/** A node as `CLUSTER NODES` describes it. */
interface NodeLine {
  readonly port: number;
  readonly primary: boolean;
  readonly failed: boolean;
  readonly slots: readonly (readonly [number, number])[];
}

function parseNodes(text: string): NodeLine[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [, address = '', flags = '', , , , , , ...slots] = line.split(' ');
      return {
        port: Number(address.split(':')[1]?.split('@')[0]),
        primary: flags.split(',').includes('master'),
        failed: /fail/.test(flags),
        slots: slots
          .filter((s) => /^\d/.test(s))
          .map((s) => {
            const [from = '0', to = from] = s.split('-');
            return [Number(from), Number(to)] as const;
          }),
      };
    });
}

/** A Redis Cluster of real processes on loopback. */
export class RedisCluster {
  readonly nodes: readonly RedisServer[];

  private constructor(nodes: readonly RedisServer[]) {
    this.nodes = nodes;
  }

  /** Starts `primaries` primaries with `replicas` replicas each and waits for `cluster_state:ok`. */
  static async start(primaries = 3, replicas = 1): Promise<RedisCluster> {
    const count = primaries * (1 + replicas);
    const nodes = await Promise.all(
      Array.from({ length: count }, () =>
        RedisServer.reserve([
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          String(NODE_TIMEOUT_MS),
          // Reachable only on loopback, as every test server here.
          '--cluster-announce-ip',
          '127.0.0.1',
        ]),
      ),
    );
    const cluster = new RedisCluster(nodes);
    try {
      await Promise.all(nodes.map((node) => node.start()));
      await cli([
        '--cluster',
        'create',
        ...nodes.map((node) => `127.0.0.1:${node.port}`),
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ]);
      await cluster.waitHealthy(30_000, replicas > 0);
    } catch (error) {
      await cluster.dispose();
      throw error;
    }
    return cluster;
  }

  /** Seed nodes for a cluster client (every node; a client needs only one that answers). */
  get seeds(): { host: string; port: number }[] {
    return this.nodes.map((node) => ({ host: '127.0.0.1', port: node.port }));
  }

  /**
   * Resolves once every running node says `cluster_state:ok`, every slot has a live primary
   * and every primary has an in-sync replica (so that a failover can happen); rejects after `ms`.
   */
  async waitHealthy(ms: number, needReplicas = true): Promise<void> {
    const deadline = Date.now() + ms;
    let last = '';
    while (Date.now() < deadline) {
      try {
        const live = this.nodes.filter((node) => node.running);
        const infos = await Promise.all(live.map((node) => ask(node.port, 'CLUSTER', 'INFO')));
        const ok = infos.every((info) => info.includes('cluster_state:ok'));
        const replication = await Promise.all(
          live.map((node) => ask(node.port, 'INFO', 'replication')),
        );
        const replicasUp = replication
          .filter((info) => info.includes('role:slave'))
          .every((info) => info.includes('master_link_status:up'));
        const primaries = replication.filter((info) => info.includes('role:master'));
        const synced =
          !needReplicas || primaries.every((info) => /connected_slaves:[1-9]/.test(info));
        last = `ok=${String(ok)} replicasUp=${String(replicasUp)} synced=${String(synced)}`;
        if (ok && replicasUp && synced) return;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await sleep(100);
    }
    throw new Error(`the cluster did not become healthy within ${ms} ms (${last})`);
  }

  /** The node that serves `key` as primary now. */
  async primaryOf(key: string): Promise<RedisServer> {
    const live = this.nodes.find((node) => node.running);
    if (live === undefined) throw new Error('no node is running');
    const slot = Number(await ask(live.port, 'CLUSTER', 'KEYSLOT', key));
    const lines = parseNodes(await ask(live.port, 'CLUSTER', 'NODES'));
    const owner = lines.find(
      (line) =>
        line.primary && !line.failed && line.slots.some(([from, to]) => slot >= from && slot <= to),
    );
    const node = this.nodes.find((candidate) => candidate.port === owner?.port);
    if (node === undefined) throw new Error(`no primary serves slot ${slot}`);
    return node;
  }

  /**
   * Moves `slot`, with its keys, from the primary that owns it to the primary on `toPort`,
   * the way `redis-cli --cluster reshard` moves each slot: IMPORTING/MIGRATING, `MIGRATE` in
   * batches (clients meanwhile get ASK and TRYAGAIN), then `SETSLOT NODE` on every primary.
   * `pauseMs` waits between batches so that a test sees the slot mid-move.
   */
  async moveSlot(slot: number, toPort: number, pauseMs = 0): Promise<void> {
    const lines = parseNodes(await ask(toPort, 'CLUSTER', 'NODES'));
    const from = lines.find(
      (line) => line.primary && !line.failed && line.slots.some(([a, b]) => slot >= a && slot <= b),
    );
    if (from === undefined) throw new Error(`no primary owns slot ${slot}`);
    const [fromId, toId] = await Promise.all([
      ask(from.port, 'CLUSTER', 'MYID'),
      ask(toPort, 'CLUSTER', 'MYID'),
    ]);
    await ask(toPort, 'CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', fromId);
    await ask(from.port, 'CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', toId);
    for (;;) {
      const client = new Redis({ port: from.port, host: '127.0.0.1' });
      try {
        const keys = await client.cluster('GETKEYSINSLOT', slot, 2);
        if (keys.length === 0) break;
        await client.migrate('127.0.0.1', toPort, '', 0, 5000, 'KEYS', ...keys);
      } finally {
        client.disconnect();
      }
      await sleep(pauseMs);
    }
    const primaries = parseNodes(await ask(toPort, 'CLUSTER', 'NODES')).filter(
      (line) => line.primary && !line.failed,
    );
    // The new owner first, as redis-cli does, so the old one redirects to a node that knows.
    await ask(toPort, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', toId);
    await ask(from.port, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', toId);
    await Promise.all(
      primaries
        .filter((line) => line.port !== toPort && line.port !== from.port)
        .map((line) => ask(line.port, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', toId)),
    );
  }

  /** The ports of the primaries that serve slots now. */
  async primaryPorts(): Promise<number[]> {
    const live = this.nodes.find((node) => node.running);
    if (live === undefined) throw new Error('no node is running');
    return parseNodes(await ask(live.port, 'CLUSTER', 'NODES'))
      .filter((line) => line.primary && !line.failed && line.slots.length > 0)
      .map((line) => line.port);
  }

  /** Stops every node and removes their directories. */
  async dispose(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.dispose()));
  }
}
