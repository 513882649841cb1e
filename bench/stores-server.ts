/**
 * The HTTP verifier that `stores.bench.ts` loads, in its own process so that the load generator
 * does not share its event loop. A node:http server on 127.0.0.1 whose handler reads
 * `Authorization: DPoP <mandate>` and `DPoP: <proof>`, verifies with `createVerifier`, and
 * answers 200 (allowed), 401 (not authenticated: bad chain or proof, revoked, replayed),
 * 403 (authenticated but not allowed) or 503 (a store could not answer: fail closed).
 *
 * Verifiers chosen by the first path segment: `/memory/...` uses the in-memory stores,
 * `/redis/...` the Redis stores on `redisUrl`, `/cluster/...` the Redis stores on a Redis
 * Cluster (`clusterSeeds`), `/list/...` a `RevocationListStore` following `listUrl` with
 * memory replay (each when given). argv[2] is the JSON of
 * `BenchServerConfig`; `{ ready: true, port }` is sent over IPC once listening, and a `'stats'`
 * message is answered with the decision counts since the last one.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

import {
  MemoryReplayStore,
  MemoryRevocationStore,
  createVerifier,
  type Decision,
  type Verifier,
} from '../src/index.js';

export interface BenchServerConfig {
  readonly audience: string;
  readonly anchor: { readonly id: string; readonly publicJwk: JWK };
  readonly redisUrl?: string;
  readonly clusterSeeds?: readonly { readonly host: string; readonly port: number }[];
  readonly listUrl?: string;
  /** The action every request asks for. */
  readonly action: { readonly resource: string; readonly action: string };
}

const config = JSON.parse(process.argv[2] ?? '') as BenchServerConfig;
const base = { trustAnchors: [config.anchor], audience: config.audience };

const verifiers = new Map<string, Verifier>([
  [
    'memory',
    createVerifier({
      ...base,
      revocation: new MemoryRevocationStore(),
      // Every request carries the same mandate (one grant): its share is the whole store, so
      // the bench measures throughput, not the per-grant quota.
      replay: new MemoryReplayStore({ maxEntries: 1_000_000, maxEntriesPerGrant: 1_000_000 }),
    }),
  ],
]);
const closers: (() => Promise<void>)[] = [];
/** A verifier on Redis stores (one server or a cluster), sharing one fail-closed client. */
async function addRedisVerifier(
  name: string,
  target: string | readonly { readonly host: string; readonly port: number }[],
): Promise<void> {
  const { RedisReplayStore, RedisRevocationStore, createRedisClient } =
    await import('../src/stores/redis/index.js');
  // One fail-closed client shared by both stores, as a deployment would run it.
  const client = typeof target === 'string' ? createRedisClient(target) : createRedisClient(target);
  const revocation = new RedisRevocationStore({ client, prefix: 'bench:' });
  const replay = new RedisReplayStore({ client, prefix: 'bench:' });
  verifiers.set(name, createVerifier({ ...base, revocation, replay }));
  closers.push(async () => {
    await Promise.all([revocation.close(), replay.close()]);
    await client.quit();
  });
}
if (config.redisUrl !== undefined) await addRedisVerifier('redis', config.redisUrl);
if (config.clusterSeeds !== undefined) await addRedisVerifier('cluster', config.clusterSeeds);
if (config.listUrl !== undefined) {
  const { RevocationListStore } = await import('../src/stores/revocation-list/index.js');
  const anchor = { ...config.anchor, revocationListUrl: config.listUrl };
  const revocation = new RevocationListStore({ anchors: [anchor], refreshSeconds: 5 });
  await revocation.refresh();
  verifiers.set(
    'list',
    createVerifier({
      trustAnchors: [anchor],
      audience: config.audience,
      revocation,
      replay: new MemoryReplayStore({ maxEntries: 1_000_000, maxEntriesPerGrant: 1_000_000 }),
    }),
  );
  closers.push(() => revocation.close());
}

let counts: Record<string, number> = {};
let origin = '';

function statusOf(decision: Decision): number {
  if (decision.allowed) return 200;
  if (decision.code === 'MANDATE_STORE_UNAVAILABLE' || decision.code === 'MANDATE_INTERNAL') {
    return 503;
  }
  return decision.code === 'MANDATE_FORBIDDEN' || decision.code === 'MANDATE_AUDIENCE' ? 403 : 401;
}

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = req.url ?? '/';
  const verifier = verifiers.get(path.split('/')[1] ?? '');
  if (verifier === undefined) return reply(res, 404, '{}');
  const authorization = req.headers.authorization;
  const proof = req.headers.dpop;
  if (authorization?.startsWith('DPoP ') !== true || typeof proof !== 'string') {
    counts.missing = (counts.missing ?? 0) + 1;
    return reply(res, 401, '{"error":"invalid_token"}');
  }
  const decision = await verifier.verify(authorization.slice(5), {
    action: config.action,
    proof,
    request: { method: req.method ?? 'GET', url: origin + path },
  });
  const key = decision.allowed ? 'allowed' : decision.code;
  counts[key] = (counts[key] ?? 0) + 1;
  const status = statusOf(decision);
  reply(
    res,
    status,
    status === 200 ? '{"ok":true}' : `{"error":"${decision.allowed ? '' : decision.code}"}`,
  );
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => reply(res, 500, '{}'));
});
server.keepAliveTimeout = 60_000;

process.on('message', (message: unknown) => {
  if (message === 'stats') {
    process.send?.({ stats: counts });
    counts = {};
  }
});
process.on('disconnect', () => {
  server.close();
  server.closeAllConnections();
  void Promise.all(closers.map((close) => close())).finally(() => process.exit(0));
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  process.send?.({ ready: true, port });
});
