/**
 * One verifier of a fleet, in its own process (started by `fleet-harness.ts` with
 * `child_process.fork(..., { execArgv: ['--import', 'tsx'] })`). It builds `createVerifier` with
 * Redis stores on the Redis server or Redis Cluster it is given and answers the parent's
 * requests over the IPC channel.
 * It holds only the trust anchor's public JWK: every key that signs lives in the parent.
 *
 * argv[2] is the JSON of `FleetWorkerConfig`. Messages are `FleetRequest` in,
 * `FleetReply` out; `{ ready: true, pid }` is sent once the verifier is built.
 */
import type { JWK } from 'jose';

import { createVerifier, type Decision, type VerifyRequest } from '../../../src/index.js';
import {
  RedisReplayStore,
  RedisRevocationStore,
  createRedisClient,
} from '../../../src/stores/redis/index.js';

export interface FleetWorkerConfig {
  readonly name: string;
  /** One server's URL, or a Redis Cluster's seed nodes. */
  readonly redis: string | readonly { readonly host: string; readonly port: number }[];
  /** Replicas that must acknowledge each write (`RedisStoreCommonOptions.replicas`). */
  readonly replicas?: number;
  readonly prefix: string;
  readonly audience: string;
  readonly anchor: { readonly id: string; readonly publicJwk: JWK };
}

export type FleetRequest =
  | {
      readonly id: number;
      readonly op: 'verify';
      readonly token: string;
      readonly request: VerifyRequest;
    }
  | { readonly id: number; readonly op: 'revoke'; readonly blockId: string }
  | { readonly id: number; readonly op: 'ping' };

export type FleetReply =
  | { readonly id: number; readonly ok: true; readonly decision: Decision; readonly ms: number }
  | { readonly id: number; readonly ok: true; readonly pong: number }
  | { readonly id: number; readonly ok: false; readonly error: string };

const config = JSON.parse(process.argv[2] ?? '') as FleetWorkerConfig;

// One fail-closed client shared by both stores, as a deployment would run it.
const client =
  typeof config.redis === 'string'
    ? createRedisClient(config.redis)
    : createRedisClient(config.redis);
const options = { client, prefix: config.prefix, replicas: config.replicas ?? 0 };
const revocation = new RedisRevocationStore(options);
const replay = new RedisReplayStore(options);
const verifier = createVerifier({
  trustAnchors: [config.anchor],
  audience: config.audience,
  revocation,
  replay,
});

const send = (message: FleetReply | { ready: true; pid: number }): void => {
  // The parent may be gone (its test failed); a reply then has nowhere to go.
  if (process.connected) process.send?.(message);
};

async function answer(message: FleetRequest): Promise<FleetReply> {
  switch (message.op) {
    case 'verify': {
      const start = performance.now();
      const decision = await verifier.verify(message.token, message.request);
      return { id: message.id, ok: true, decision, ms: performance.now() - start };
    }
    case 'revoke':
      await revocation.revoke(message.blockId);
      return { id: message.id, ok: true, pong: process.pid };
    case 'ping':
      return { id: message.id, ok: true, pong: process.pid };
  }
}

process.on('message', (message: FleetRequest) => {
  answer(message).then(send, (error: unknown) =>
    send({ id: message.id, ok: false, error: error instanceof Error ? error.message : 'failed' }),
  );
});

// Orphaned by a crashed parent: leave instead of lingering.
process.on('disconnect', () => {
  void Promise.all([revocation.close(), replay.close()]).finally(() => {
    client.disconnect();
    process.exit(0);
  });
});

send({ ready: true, pid: process.pid });
