/**
 * A revocation crosses an organisation boundary: the issuer (this process) publishes its
 * signed revocation list on a loopback HTTP server; a verifier in another process
 * (`list-worker.ts`), which shares nothing with the issuer but its public key and the list's
 * URL, enforces a new revocation within one refresh interval, with no call from the issuer.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
} from '../../../src/index.js';
import { RevocationListPublisher } from '../../../src/stores/revocation-list/index.js';
import type { ListWorkerConfig } from './list-worker.js';

const WORKER = fileURLToPath(new URL('./list-worker.ts', import.meta.url));
const ANCHOR_ID = 'https://as.partner.test';
const AUDIENCE = 'https://tool.partner.test';
const REQUEST = { method: 'GET', url: 'https://tool.partner.test/docs/a' } as const;
const ACTION = { resource: 'docs:a', action: 'read' } as const;
const REFRESH_SECONDS = 1;

describe('a revocation published by the issuer, enforced by a verifier in another process', () => {
  let anchor: KeyPair;
  let agents: KeyPair[];
  let publisher: RevocationListPublisher;
  let server: Server;
  let child: ChildProcess;
  const pending = new Map<number, (decision: Decision) => void>();
  let next = 0;

  function verifyThere(mandate: Mandate, proof: string): Promise<Decision> {
    const id = next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the verifier did not answer')), 5000);
      pending.set(id, (decision) => {
        clearTimeout(timer);
        resolve(decision);
      });
      child.send({ id, token: mandate.token, proof });
    });
  }

  beforeAll(async () => {
    [anchor, ...agents] = await Promise.all([
      generateKeyPair(),
      generateKeyPair(),
      generateKeyPair(),
    ]);
    publisher = new RevocationListPublisher({
      issuer: anchor,
      issuerId: ANCHOR_ID,
      reissueSeconds: 5,
    });
    server = createServer(publisher.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const config: ListWorkerConfig = {
      anchor: { id: ANCHOR_ID, publicJwk: anchor.publicJwk },
      listUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/revocations`,
      audience: AUDIENCE,
      refreshSeconds: REFRESH_SECONDS,
      request: REQUEST,
      action: ACTION,
    };
    child = fork(WORKER, [JSON.stringify(config)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    process.once('exit', () => child.kill('SIGKILL'));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the verifier did not start')), 30_000);
      child.on('message', (message: { ready?: boolean; id?: number; decision?: Decision }) => {
        if (message.ready === true) {
          clearTimeout(timer);
          resolve();
        } else if (message.id !== undefined && message.decision !== undefined) {
          pending.get(message.id)?.(message.decision);
          pending.delete(message.id);
        }
      });
    });
  }, 40_000);

  afterAll(async () => {
    if (child?.connected) child.disconnect();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it(`within one refresh interval (${REFRESH_SECONDS} s)`, async () => {
    const root = await mint({
      issuer: anchor,
      issuerId: ANCHOR_ID,
      subject: 'alice',
      holder: agents[0]!.publicJwk,
      capabilities: [{ resource: 'docs:**', actions: ['read'] }],
      expiresIn: 600,
      audience: AUDIENCE,
    });
    const mandate = await delegate(root, { signer: agents[0]!, holder: agents[1]!.publicJwk });
    const freshProof = (): Promise<string> =>
      prove(mandate, { signer: agents[1]!, request: REQUEST });
    expect((await verifyThere(mandate, await freshProof())).allowed).toBe(true);

    const revokedAt = performance.now();
    await publisher.revoke(mandate.blocks[1]!.id, mandate.blocks[1]!.expiresAt);
    let decision: Decision;
    for (;;) {
      decision = await verifyThere(mandate, await freshProof());
      if (!decision.allowed || performance.now() - revokedAt > 10_000) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const ms = performance.now() - revokedAt;
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_REVOKED',
      hop: 1,
      check: 'revocation',
    });
    // One interval, plus the fetch and the polling step (slack for a loaded machine).
    expect(ms).toBeLessThan(REFRESH_SECONDS * 1000 + 1500);
    console.log(
      `revocation list: enforced in the other process ${ms.toFixed(0)} ms after publishing`,
    );
  }, 20_000);
});
