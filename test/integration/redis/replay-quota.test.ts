/**
 * Issue 11, finding 8 for a fleet: `RedisReplayStore` with `maxEntriesPerGrant` charges each
 * proof id to its grant in one Lua script, against a real redis-server on loopback. One
 * grant past its share is refused at every verifier of the fleet; other grants are not.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  createVerifier,
  generateKeyPair,
  mint,
  prove,
  StoreQuotaError,
  type KeyPair,
} from '../../../src/index.js';
import { RedisReplayStore } from '../../../src/stores/redis/index.js';
import { tally } from '../../helpers/fixture.js';
import { RedisServer, skipWithoutRedis } from './redis-server.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const nowS = (): number => Date.now() / 1000;

const SUITE = 'RedisReplayStore per-grant quota on a real redis-server';

describe.skipIf(skipWithoutRedis(SUITE))(SUITE, () => {
  let server: RedisServer;
  let raw: Redis;

  beforeAll(async () => {
    server = await RedisServer.start();
    raw = new Redis(server.url);
  });

  afterAll(async () => {
    await raw.quit();
    await server.dispose();
  });

  it('a grant past its share is refused at every verifier; other grants are not', async () => {
    const options = { url: server.url, prefix: 'q1:', maxEntriesPerGrant: 20, graceSeconds: 0 };
    const a = new RedisReplayStore(options);
    const b = new RedisReplayStore(options);
    try {
      for (let i = 0; i < 20; i++) {
        await expect(a.checkAndStore(`g${i}`, nowS() + 1, { grant: 'G' })).resolves.toBe(true);
      }
      const refused = b.checkAndStore('g-more', nowS() + 1, { grant: 'G' });
      await expect(refused).rejects.toBeInstanceOf(StoreQuotaError);
      await expect(refused).rejects.toMatchObject({ reason: 'quota' });
      // Still a replay (not a quota refusal) for one of G's, at either verifier.
      await expect(b.checkAndStore('g3', nowS() + 1, { grant: 'G' })).resolves.toBe(false);
      // Another grant is unaffected.
      for (let i = 0; i < 20; i++) {
        await expect(b.checkAndStore(`h${i}`, nowS() + 1, { grant: 'H' })).resolves.toBe(true);
      }
      // The refused id was not stored; G's share comes back as its entries expire.
      await sleep(1100);
      await expect(a.checkAndStore('g-more', nowS() + 1, { grant: 'G' })).resolves.toBe(true);
      // Entry and ledger share a Cluster hash tag; a ledger expires with its last entry, so
      // only G's (just charged) is left, holding its one entry in force.
      const ledgers = await raw.keys('q1:quota:{g:*}');
      expect(ledgers).toHaveLength(1);
      expect(await raw.zcard(ledgers[0]!)).toBe(1);
      const entries = await raw.keys('q1:jti:{g:*}:*');
      expect(entries).toHaveLength(1);
      expect(entries[0]?.split(':{')[1]?.split('}')[0]).toBe(
        ledgers[0]?.split(':{')[1]?.split('}')[0],
      );
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('without maxEntriesPerGrant the store keeps its key layout and sets no quota', async () => {
    const store = new RedisReplayStore({ url: server.url, prefix: 'q2:' });
    try {
      for (let i = 0; i < 30; i++) {
        await expect(store.checkAndStore(`p${i}`, nowS() + 60, { grant: 'G' })).resolves.toBe(true);
      }
      expect(await raw.keys('q2:quota:*')).toEqual([]);
      expect(await raw.keys('q2:jti:*')).toHaveLength(30);
    } finally {
      await store.close();
    }
    expect(() => new RedisReplayStore({ url: server.url, maxEntriesPerGrant: 0 })).toThrow(
      RangeError,
    );
  });

  it('issue 11 finding 8: through two verifiers, a flooding mandate cannot deny another user', async () => {
    const [anchor, mallory, alice] = (await Promise.all(
      Array.from({ length: 3 }, () => generateKeyPair()),
    )) as [KeyPair, KeyPair, KeyPair];
    const audience = 'https://tool.test';
    const request = { tool: 'read', args: { n: 1 } } as const;
    const action = { resource: 'docs:a', action: 'read', args: { n: 1 } } as const;
    const rootFor = (holder: KeyPair, subject: string) =>
      mint({
        issuer: anchor,
        issuerId: 'https://as.test',
        subject,
        holder: holder.publicJwk,
        capabilities: [{ resource: 'docs:**', actions: ['read'] }],
        audience,
        expiresIn: 600,
      });
    const [flood, genuine] = await Promise.all([
      rootFor(mallory, 'mallory'),
      rootFor(alice, 'alice'),
    ]);
    const fleet = [0, 1].map(() =>
      createVerifier({
        trustAnchors: [{ id: 'https://as.test', publicJwk: anchor.publicJwk }],
        audience,
        replay: new RedisReplayStore({ url: server.url, prefix: 'q3:', maxEntriesPerGrant: 25 }),
      }),
    );
    const decisions = [];
    for (let i = 0; i < 60; i++) {
      const proof = await prove(flood, { signer: mallory, request });
      decisions.push(await fleet[i % 2]!.verify(flood, { action, proof, request }));
    }
    expect(decisions.at(-1)).toMatchObject({
      allowed: false,
      code: 'MANDATE_STORE_UNAVAILABLE',
      check: 'possession',
      hop: 0,
      detail: { reason: 'quota' },
    });
    expect(tally(decisions)).toEqual({ allowed: 25, 'MANDATE_STORE_UNAVAILABLE/quota': 35 });
    for (const verifier of fleet) {
      const proof = await prove(genuine, { signer: alice, request });
      expect(await verifier.verify(genuine, { action, proof, request })).toMatchObject({
        allowed: true,
      });
    }
  });
});
