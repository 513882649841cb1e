/**
 * The Redis stores against a real redis-server on loopback: atomic replay detection across
 * clients, revocations visible everywhere at once, expiry, key layout, hostile ids, and the
 * replay store's per-grant quota.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createVerifier, generateKeyPair, mint, prove, type KeyPair } from '../../../src/index.js';
import {
  RedisReplayStore,
  RedisRevocationStore,
  createRedisClient,
} from '../../../src/stores/redis/index.js';
import { tally } from '../../helpers/fixture.js';
import { keyFor, ledgerKeyFor } from '../../../src/stores/redis/keys.js';
import { RedisServer, skipWithoutRedis } from './redis-server.js';
import { StoreQuotaError } from '../../../src/stores/errors.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const nowS = (): number => Date.now() / 1000;

const SUITE = 'Redis stores on a real redis-server';

describe.skipIf(skipWithoutRedis(SUITE))(SUITE, () => {
  let server: RedisServer;
  let raw: Redis; // an independent client to look at what the stores wrote

  beforeAll(async () => {
    server = await RedisServer.start();
    raw = new Redis(server.url);
  });

  afterAll(async () => {
    await raw.quit();
    await server.dispose();
  });

  describe('RedisReplayStore', () => {
    it('lets exactly one of two clients claim the same proof, every time', async () => {
      // Two stores, each with its own connection: two verifiers racing on one proof.
      const a = new RedisReplayStore({ url: server.url, prefix: 'race:' });
      const b = new RedisReplayStore({ url: server.url, prefix: 'race:' });
      try {
        const rounds = 1000;
        const expiresAt = nowS() + 60;
        const outcomes = await Promise.all(
          Array.from({ length: rounds }, async (_, i) => {
            const jti = `proof-${i}`;
            const [first, second] = await Promise.all([
              a.checkAndStore(jti, expiresAt),
              b.checkAndStore(jti, expiresAt),
            ]);
            return Number(first) + Number(second);
          }),
        );
        expect(outcomes.filter((winners) => winners !== 1)).toEqual([]);
        // And the loser's view stays a replay for both.
        await expect(a.checkAndStore('proof-0', expiresAt)).resolves.toBe(false);
        await expect(b.checkAndStore('proof-0', expiresAt)).resolves.toBe(false);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('stores the id with a TTL of the window plus the grace, then forgets it', async () => {
      const store = new RedisReplayStore({ url: server.url, prefix: 'ttl:', graceSeconds: 0 });
      try {
        await expect(store.checkAndStore('short', nowS() + 1)).resolves.toBe(true);
        const keys = await raw.keys('ttl:jti:*');
        expect(keys).toHaveLength(1);
        const pttl = await raw.pttl(keys[0]!);
        expect(pttl).toBeGreaterThan(0);
        expect(pttl).toBeLessThanOrEqual(1000);
        await expect(store.checkAndStore('short', nowS() + 1)).resolves.toBe(false);
        await sleep(1100);
        await expect(store.checkAndStore('short', nowS() + 1)).resolves.toBe(true);
      } finally {
        await store.close();
      }
    });

    it('adds the default 60 s grace for clock differences across the fleet', async () => {
      const store = new RedisReplayStore({ url: server.url, prefix: 'grace:' });
      try {
        await store.checkAndStore('p', nowS() + 30);
        const [key] = await raw.keys('grace:jti:*');
        const pttl = await raw.pttl(key!);
        expect(pttl).toBeGreaterThan(89_000);
        expect(pttl).toBeLessThanOrEqual(90_000);
      } finally {
        await store.close();
      }
    });
  });

  describe('RedisRevocationStore', () => {
    it('makes a revocation visible to another client at once (no cached "not revoked")', async () => {
      const writer = new RedisRevocationStore({ url: server.url, prefix: 'vis:' });
      const reader = new RedisRevocationStore({ url: server.url, prefix: 'vis:' });
      try {
        await expect(reader.isRevoked('block-1')).resolves.toBe(false);
        await expect(reader.firstRevoked(['root', 'block-1', 'block-2'])).resolves.toBeUndefined();
        await writer.revoke('block-1', nowS() + 3600);
        await expect(reader.isRevoked('block-1')).resolves.toBe(true);
        await expect(reader.firstRevoked(['root', 'block-1', 'block-2'])).resolves.toBe('block-1');
        await writer.revoke('root');
        await expect(reader.firstRevoked(['root', 'block-1', 'block-2'])).resolves.toBe('root');
        await expect(reader.firstRevoked([])).resolves.toBeUndefined();
      } finally {
        await Promise.all([writer.close(), reader.close()]);
      }
    });

    it('keeps a revocation until the block expiry plus the grace, or for good', async () => {
      const store = new RedisRevocationStore({ url: server.url, prefix: 'exp:', graceSeconds: 0 });
      try {
        await store.revoke('short', nowS() + 1);
        await store.revoke('forever');
        const ttls = await Promise.all(
          (await raw.keys('exp:rev:*')).map(async (key) => raw.pttl(key)),
        );
        expect(ttls.sort((x, y) => x - y)).toEqual([-1, expect.any(Number)]);
        await expect(store.isRevoked('short')).resolves.toBe(true);
        await sleep(1100);
        await expect(store.isRevoked('short')).resolves.toBe(false);
        await expect(store.isRevoked('forever')).resolves.toBe(true);
      } finally {
        await store.close();
      }
    });

    it('uses a 300 s grace by default, so a verifier tolerating clock skew still sees it', async () => {
      const store = new RedisRevocationStore({ url: server.url, prefix: 'dgrace:' });
      try {
        await store.revoke('b', nowS() - 10); // block already expired by our clock
        const [key] = await raw.keys('dgrace:rev:*');
        expect(await raw.pttl(key!)).toBeGreaterThan(299_000);
        await expect(store.isRevoked('b')).resolves.toBe(true);
      } finally {
        await store.close();
      }
    });

    it('never shortens a revocation already held', async () => {
      const store = new RedisRevocationStore({ url: server.url, prefix: 'keep:', graceSeconds: 0 });
      const pttl = (id: string): Promise<number> => raw.pttl(keyFor('keep:', 'rev', id));
      try {
        await store.revoke('forever');
        await store.revoke('forever', nowS() + 1);
        expect(await pttl('forever')).toBe(-1);

        await store.revoke('long', nowS() + 3600);
        await store.revoke('long', nowS() + 1);
        expect(await pttl('long')).toBeGreaterThan(3_590_000);

        // Lengthening, and making one permanent, do apply.
        await store.revoke('short', nowS() + 1);
        await store.revoke('short', nowS() + 100);
        expect(await pttl('short')).toBeGreaterThan(90_000);
        await store.revoke('short');
        expect(await pttl('short')).toBe(-1);
      } finally {
        await store.close();
      }
    });
  });

  describe('keys and ids', () => {
    it('writes only fixed-shape keys under its prefix, whatever the ids', async () => {
      const client = createRedisClient(server.url);
      const revocation = new RedisRevocationStore({ client, prefix: 'hostile:' });
      const replay = new RedisReplayStore({ client, prefix: 'hostile:' });
      const ids = [
        'id\r\nFLUSHALL\r\n',
        '*',
        'hostile:rev:x',
        '\u0000',
        'x'.repeat(1024),
        'e\u0301',
        '\u00e9',
        '😀',
        '__proto__',
      ];
      try {
        for (const id of ids) {
          await revocation.revoke(id, nowS() + 60);
          await expect(replay.checkAndStore(id, nowS() + 60)).resolves.toBe(true);
        }
        for (const id of ids) await expect(revocation.isRevoked(id)).resolves.toBe(true);
        // Look-alikes stay distinct ids.
        await expect(revocation.isRevoked('e')).resolves.toBe(false);
        await expect(revocation.isRevoked('x'.repeat(1023))).resolves.toBe(false);
        const keys = await raw.keys('hostile:*');
        expect(keys).toHaveLength(ids.length * 2);
        for (const key of keys) expect(key).toMatch(/^hostile:(rev|jti):[A-Za-z0-9_-]{43}$/);
        // The injected FLUSHALL was data, not a command.
        expect(await raw.dbsize()).toBeGreaterThan(0);
      } finally {
        await Promise.all([revocation.close(), replay.close()]);
        // Shared client: the stores left it open for its owner.
        expect(client.status).toBe('ready');
        await client.quit();
      }
    });

    it('keeps deployments with different prefixes apart', async () => {
      const a = new RedisRevocationStore({ url: server.url, prefix: 'tenant-a:' });
      const b = new RedisRevocationStore({ url: server.url, prefix: 'tenant-b:' });
      try {
        await a.revoke('shared-id');
        await expect(a.isRevoked('shared-id')).resolves.toBe(true);
        await expect(b.isRevoked('shared-id')).resolves.toBe(false);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  });

  // Issue 11, finding 8 for a fleet: with `maxEntriesPerGrant` each proof id is charged to its
  // grant in one Lua script; one grant past its share is refused at every verifier of the
  // fleet, other grants are not.
  describe('RedisReplayStore per-grant quota', () => {
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
        // A charged entry keeps its one key per proof id; a ledger expires with its last
        // entry, so only G's (just charged) is left, holding that one entry in force.
        expect(await raw.keys('q1:quota:*')).toEqual([ledgerKeyFor('q1:', 'G')]);
        expect(await raw.zrange(ledgerKeyFor('q1:', 'G'), '0', '-1')).toEqual([
          keyFor('q1:', 'jti', 'g-more'),
        ]);
        expect(await raw.keys('q1:jti:*')).toEqual([keyFor('q1:', 'jti', 'g-more')]);
        // The same proof id under another grant (or none) is a replay: one entry per id.
        await expect(b.checkAndStore('g-more', nowS() + 1, { grant: 'H' })).resolves.toBe(false);
        await expect(b.checkAndStore('g-more', nowS() + 1)).resolves.toBe(false);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('without maxEntriesPerGrant the store keeps its key layout and sets no quota', async () => {
      const store = new RedisReplayStore({ url: server.url, prefix: 'q2:' });
      try {
        for (let i = 0; i < 30; i++) {
          await expect(store.checkAndStore(`p${i}`, nowS() + 60, { grant: 'G' })).resolves.toBe(
            true,
          );
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
});
