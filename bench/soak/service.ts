/**
 * The service under soak: one verifier with the default caches, its own bounded stores on the
 * traffic's virtual clock, and two ways in: `verifier.verify` directly, or HTTP requests over
 * loopback keep-alive connections to a node:http server guarded by `mandate/http`
 * (`withMandateNode`), route table and JSON body included.
 */
import { createServer, request as httpRequest, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createVerifier,
  MemoryReplayStore,
  MemoryRevocationStore,
  type TrustAnchor,
  type Verifier,
} from '../../src/index.js';
import { withMandateNode, type RouteTable } from '../../src/adapters/http/index.js';
import type { CacheReading } from './caches.js';
import { AUDIENCE, requestOf, type Batch, type SoakRequest } from './types.js';

/** Most proof ids the replay store holds: ~4× what is in force at the traffic's virtual rate. */
const REPLAY_ENTRIES = 1024;
/** Most revocations held: ~10× what is in force. */
const REVOCATION_ENTRIES = 64;

/** What the service answered: a Decision's outcome (and over HTTP, the status). */
export interface Outcome {
  readonly allowed: boolean;
  readonly code?: string;
  readonly hop?: number;
  readonly check?: string;
  readonly status?: number;
}

/** One way of sending the soak's requests to the service. */
export interface Target {
  readonly name: 'verifier' | 'http';
  /** Requests in flight at once. */
  readonly concurrency: number;
  /** Sets the clock and applies the batch's revocations. */
  prepare(batch: Batch): Promise<void>;
  send(request: SoakRequest): Promise<Outcome>;
  /** The stores' sizes against their bounds. */
  stores(): CacheReading[];
  close(): Promise<void>;
}

/** The verifier and its stores, on a clock the batches set. */
class Service {
  now = 0;
  readonly verifier: Verifier;
  readonly #replay: MemoryReplayStore;
  readonly #revocation: MemoryRevocationStore;

  constructor(trustAnchors: readonly TrustAnchor[]) {
    const clock = (): number => this.now;
    this.#replay = new MemoryReplayStore({ maxEntries: REPLAY_ENTRIES, now: clock });
    this.#revocation = new MemoryRevocationStore({
      maxEntries: REVOCATION_ENTRIES,
      graceSeconds: 0,
      now: clock,
    });
    // Everything else as a user gets it: default limits, caches (1024) and proof window (60 s).
    this.verifier = createVerifier({
      trustAnchors,
      audience: AUDIENCE,
      clock,
      replay: this.#replay,
      revocation: this.#revocation,
    });
  }

  async prepare(batch: Batch): Promise<void> {
    this.now = batch.now;
    for (const { id, expiresAt } of batch.revocations) await this.#revocation.revoke(id, expiresAt);
  }

  stores(): CacheReading[] {
    return [
      {
        name: 'replay store (proof ids)',
        kind: 'store',
        size: this.#replay.size,
        capacity: REPLAY_ENTRIES,
      },
      {
        name: 'revocation store',
        kind: 'store',
        size: this.#revocation.size,
        capacity: REVOCATION_ENTRIES,
      },
    ];
  }
}

/** `verifier.verify`, one request at a time. */
export function verifierTarget(trustAnchors: readonly TrustAnchor[]): Target {
  const service = new Service(trustAnchors);
  return {
    name: 'verifier',
    concurrency: 1,
    prepare: (batch) => service.prepare(batch),
    async send(request) {
      const { http, action } = requestOf(request);
      const decision = await service.verifier.verify(request.token, {
        action,
        proof: request.proof,
        request: http,
      });
      return decision.allowed
        ? { allowed: true }
        : { allowed: false, code: decision.code, hop: decision.hop, check: decision.check };
    },
    stores: () => service.stores(),
    close: () => Promise.resolve(),
  };
}

const ROUTES: RouteTable = {
  'POST /invoices/:id/pay': {
    resource: 'billing:invoices/:id',
    action: 'pay',
    args: async (c) => ({ amount: ((await c.json()) as { amount: number }).amount }),
  },
};

/** What a denial's JSON body carries (mandate/http's challenge body). */
interface DenialBody {
  readonly code?: string;
  readonly hop?: number;
  readonly check?: string;
}

/**
 * A node:http server on 127.0.0.1 (a free port) guarded by `withMandateNode`, and a client
 * whose keep-alive agent holds `connections` sockets, each carrying one request at a time.
 */
export async function httpTarget(
  trustAnchors: readonly TrustAnchor[],
  connections: number,
): Promise<Target & { readonly connectionsOpened: () => number }> {
  const service = new Service(trustAnchors);
  const guarded = withMandateNode(
    { verifier: service.verifier, publicOrigin: AUDIENCE, routes: ROUTES },
    (_req, res, context) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ paid: true, user: context?.decision.subject }));
    },
  );
  const server: Server = createServer({ keepAliveTimeout: 60_000 }, guarded);
  let opened = 0;
  server.on('connection', () => opened++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: connections });

  function send(request: SoakRequest): Promise<Outcome> {
    const body = JSON.stringify({ amount: request.amount });
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          agent,
          method: 'POST',
          path: new URL(requestOf(request).http.url).pathname,
          headers: {
            authorization: `DPoP ${request.token}`,
            dpop: request.proof,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status === 200) return resolve({ allowed: true, status });
            const denial = JSON.parse(Buffer.concat(chunks).toString('utf8')) as DenialBody;
            resolve({ allowed: false, status, ...denial });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  return {
    name: 'http',
    concurrency: connections,
    prepare: (batch) => service.prepare(batch),
    send,
    stores: () => service.stores(),
    connectionsOpened: () => opened,
    async close() {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

/** What `leaking` retains: reachable for the rest of the process, as a leak would be. */
const retained: number[][] = [];

/**
 * `target`, retaining `bytes` of heap per request sent: a deliberate leak, so that a test can
 * check the soak's verdict fails when memory grows.
 */
export function leaking<T extends Target>(target: T, bytes: number): T {
  if (bytes <= 0) return target;
  return {
    ...target,
    send(request) {
      // Doubles, 8 bytes each on the heap (a padded string would be a rope of shared pieces).
      retained.push(new Array<number>(Math.ceil(bytes / 8)).fill(retained.length + 0.5));
      return target.send(request);
    },
  };
}
