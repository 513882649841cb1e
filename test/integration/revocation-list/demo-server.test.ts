/**
 * The demo authorization server publishes revocations: to a signed revocation list it serves
 * at `/mandate/revocation-list` (signed with its mandate key, found by `kid` in its mandate
 * JWKS), or to any other revocation store (Redis in a deployment; memory here). Both server
 * implementations, on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  MemoryRevocationStore,
  createVerifier,
  delegate,
  generateKeyPair,
  mint,
  prove,
  type KeyPair,
} from '../../../src/index.js';
import { startDemoAuthorizationServer } from '../../../src/cli/authorization-server/demo-authorization-server.js';
import type {
  DemoAuthorizationServer,
  DemoServerImplementation,
} from '../../../src/cli/authorization-server/demo-server-common.js';
import {
  RevocationListPublisher,
  RevocationListStore,
} from '../../../src/stores/revocation-list/index.js';

const AUDIENCE = 'https://tool.demo.test';
const REQUEST = { method: 'GET', url: 'https://tool.demo.test/docs/a' } as const;
const ACTION = { resource: 'docs:a', action: 'read' } as const;

describe.each<DemoServerImplementation>(['node-http', 'oidc-provider'])(
  'the demo authorization server (%s) publishes revocations',
  (implementation) => {
    let agents: KeyPair[];
    let listed: DemoAuthorizationServer;
    let stored: DemoAuthorizationServer;
    const memory = new MemoryRevocationStore();

    beforeAll(async () => {
      agents = await Promise.all([generateKeyPair(), generateKeyPair()]);
      const agentsConfig = { orchestrator: { publicJwk: agents[0]!.publicJwk } };
      [listed, stored] = await Promise.all([
        startDemoAuthorizationServer({
          implementation,
          agents: agentsConfig,
          scopes: {},
          targets: [AUDIENCE],
          revocation: ({ issuerId, key, kid }) =>
            new RevocationListPublisher({ issuer: key, issuerId, kid }),
        }),
        startDemoAuthorizationServer({
          implementation,
          agents: agentsConfig,
          scopes: {},
          targets: [AUDIENCE],
          revocation: () => memory,
        }),
      ]);
    }, 30_000);

    afterAll(async () => {
      await Promise.all([listed?.close(), stored?.close()]);
    });

    async function chainFrom(server: DemoAuthorizationServer) {
      const root = await mint({
        issuer: server.mandateKey,
        issuerId: server.issuer,
        subject: 'alice',
        holder: agents[0]!.publicJwk,
        capabilities: [{ resource: 'docs:**', actions: ['read'] }],
        expiresIn: 600,
        audience: AUDIENCE,
      });
      return delegate(root, { signer: agents[0]!, holder: agents[1]!.publicJwk });
    }

    it('to its signed revocation list, which a verifier elsewhere follows', async () => {
      expect(listed.revocationListUri).toBe(`${listed.issuer}/mandate/revocation-list`);
      const anchor = { ...listed.trustAnchor, revocationListUrl: listed.revocationListUri! };
      const store = new RevocationListStore({ anchors: [anchor], autoRefresh: false });
      const verifier = createVerifier({
        trustAnchors: [anchor],
        audience: AUDIENCE,
        revocation: store,
      });
      const mandate = await chainFrom(listed);
      const verify = async () =>
        verifier.verify(mandate, {
          action: ACTION,
          request: REQUEST,
          proof: await prove(mandate, { signer: agents[1]!, request: REQUEST }),
        });
      try {
        await store.refresh();
        expect((await verify()).allowed).toBe(true);
        await listed.revoke(mandate.blocks[0]!.id, mandate.blocks[0]!.expiresAt);
        await store.refresh();
        expect(await verify()).toMatchObject({
          allowed: false,
          code: 'MANDATE_REVOKED',
          hop: 0,
          check: 'revocation',
        });
      } finally {
        await store.close();
      }
    });

    it('to any revocation store it is given (and serves no list then)', async () => {
      expect(stored.revocationListUri).toBeUndefined();
      const listAt = await fetch(`${stored.issuer}/mandate/revocation-list`);
      expect(listAt.status).toBe(404);
      await listAt.body?.cancel();
      const mandate = await chainFrom(stored);
      await stored.revoke(mandate.blocks[1]!.id, mandate.blocks[1]!.expiresAt);
      await expect(memory.isRevoked(mandate.blocks[1]!.id)).resolves.toBe(true);
    });
  },
);
