/**
 * Signed revocation lists over real HTTP on loopback: an issuer's `RevocationListPublisher`
 * behind a node:http server, verifiers' `RevocationListStore`s fetching from it, and a hostile
 * server that serves whatever a test hands it (a forged list, another anchor's list, a
 * rolled-back version, an old list). Every denial is asserted with its code, hop, check and
 * the store's reason. Clocks are injected so staleness needs no waiting.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { generateKeyPair, type KeyPair, type Mandate } from '../../../src/index.js';
import {
  RevocationListPublisher,
  RevocationListStore,
  type RevocationListAnchor,
  type RevocationListStoreOptions,
} from '../../../src/stores/revocation-list/index.js';
import {
  ANCHOR_ID,
  NOW,
  chainOf,
  createWorld,
  verifierFor,
  verifyWith,
  type World,
} from '../../helpers/fixture.js';
import { forgeJws } from '../../helpers/forge.js';
import { signRevocationList } from '../../../src/stores/revocation-list/sign.js';

const OTHER_ID = 'https://other-as.test';

/** A node:http server on 127.0.0.1 with a swappable handler; records each request. */
class Loopback {
  handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(404);
    res.end();
  };
  readonly seen: { url: string; ifNoneMatch: string | undefined; status: number }[] = [];
  readonly #server: Server;

  private constructor() {
    this.#server = createServer((req, res) => {
      res.on('finish', () =>
        this.seen.push({
          url: req.url ?? '',
          ifNoneMatch: req.headers['if-none-match'],
          status: res.statusCode,
        }),
      );
      this.handler(req, res);
    });
  }

  static async start(): Promise<Loopback> {
    const loopback = new Loopback();
    await new Promise<void>((resolve) => loopback.#server.listen(0, '127.0.0.1', resolve));
    return loopback;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/revocations`;
  }

  /** Serves `body` as a list, whatever it is. */
  serve(body: string): void {
    this.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/mandate-revocation-list+jwt' });
      res.end(body);
    };
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

describe('signed revocation lists over HTTP', () => {
  let world: World;
  let other: KeyPair;
  let attacker: KeyPair;
  let issuerServer: Loopback;
  let hostile: Loopback;
  /** The one clock of publisher and stores, in seconds. */
  let clock = NOW;
  let publisher: RevocationListPublisher;
  const stores: RevocationListStore[] = [];

  const anchorAt = (url: string): RevocationListAnchor => ({
    id: ANCHOR_ID,
    publicJwk: world.anchor.publicJwk,
    revocationListUrl: url,
  });

  function storeFor(
    anchors: readonly RevocationListAnchor[],
    options: Partial<RevocationListStoreOptions> = {},
  ): RevocationListStore {
    const store = new RevocationListStore({
      anchors,
      autoRefresh: false,
      maxStaleness: 120,
      now: () => clock,
      ...options,
    });
    stores.push(store);
    return store;
  }

  async function decide(store: RevocationListStore, mandate: Mandate) {
    return verifyWith(verifierFor(world, { revocation: store }), mandate, world.agents[1]);
  }

  const unavailable = (reason: string) => ({
    allowed: false,
    code: 'MANDATE_STORE_UNAVAILABLE',
    hop: 0,
    check: 'revocation',
    detail: { reason },
  });

  beforeAll(async () => {
    [world, other, attacker, issuerServer, hostile] = await Promise.all([
      createWorld(),
      generateKeyPair(),
      generateKeyPair(),
      Loopback.start(),
      Loopback.start(),
    ]);
  });

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    clock = NOW;
  });

  afterAll(async () => {
    await Promise.all([issuerServer.close(), hostile.close()]);
  });

  function freshPublisher(reissueSeconds = 60): RevocationListPublisher {
    publisher = new RevocationListPublisher({
      issuer: world.anchor,
      issuerId: ANCHOR_ID,
      now: () => clock,
      reissueSeconds,
    });
    issuerServer.handler = publisher.handler;
    return publisher;
  }

  it('a revocation the issuer publishes is denied at the next refresh, at the hop revoked', async () => {
    freshPublisher();
    const store = storeFor([anchorAt(issuerServer.url)]);
    await store.refresh();
    const mandate = await chainOf(world, 1);
    expect((await decide(store, mandate)).allowed).toBe(true);

    await publisher.revoke(mandate.blocks[1]!.id, mandate.blocks[1]!.expiresAt);
    // Not yet fetched: the copy held is still the old one.
    expect((await decide(store, mandate)).allowed).toBe(true);
    await store.refresh();
    expect(await decide(store, mandate)).toMatchObject({
      allowed: false,
      code: 'MANDATE_REVOKED',
      hop: 1,
      check: 'revocation',
    });
    expect(store.status(ANCHOR_ID)).toMatchObject({ version: 2, entries: 1 });
  });

  it('answers 304 to a reader that is up to date and a delta since its version otherwise', async () => {
    freshPublisher();
    await publisher.revoke('block-a', NOW + 600);
    const store = storeFor([anchorAt(issuerServer.url)]);
    issuerServer.seen.length = 0;
    await store.refresh(); // full
    await store.refresh(); // unchanged: 304
    await publisher.revoke('block-b', NOW + 600);
    await store.refresh(); // a delta since version 2
    expect(issuerServer.seen.map(({ url, status }) => [url, status])).toEqual([
      ['/revocations', 200],
      ['/revocations?since=2', 304],
      ['/revocations?since=2', 200],
    ]);
    expect(issuerServer.seen[1]!.ifNoneMatch).toBe(`"2.${NOW}"`);
    const delta = await publisher.list(2);
    expect(delta.since).toBe(2);
    expect(JSON.parse(Buffer.from(delta.jws.split('.')[1]!, 'base64url').toString())).toMatchObject(
      {
        since: 2,
        ver: 3,
        revoked: [['block-b', NOW + 600]],
      },
    );
    await expect(
      store.firstRevoked(['x', 'block-b', 'block-a'], { anchor: ANCHOR_ID }),
    ).resolves.toBe('block-b');
  });

  it("a list revokes only blocks under its own anchor's roots", async () => {
    freshPublisher();
    // The other anchor's genuine list names a block of this anchor's chain.
    const mandate = await chainOf(world, 1);
    const otherPublisher = new RevocationListPublisher({
      issuer: other,
      issuerId: OTHER_ID,
      now: () => clock,
    });
    await otherPublisher.revoke(mandate.blocks[0]!.id, mandate.blocks[0]!.expiresAt);
    hostile.handler = otherPublisher.handler;
    const store = storeFor([
      anchorAt(issuerServer.url),
      { id: OTHER_ID, publicJwk: other.publicJwk, revocationListUrl: hostile.url },
    ]);
    await store.refresh();
    expect(store.status(OTHER_ID)).toMatchObject({ version: 2, entries: 1 });
    expect((await decide(store, mandate)).allowed).toBe(true);
  });

  it("follows a rotation of the issuer's key through the anchor's JWKS (by kid)", async () => {
    const next = await generateKeyPair();
    const jwks = await Loopback.start();
    let keys = [{ ...world.anchor.publicJwk, kid: 'k1' }];
    jwks.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys }));
    };
    try {
      publisher = new RevocationListPublisher({
        issuer: world.anchor,
        issuerId: ANCHOR_ID,
        kid: 'k1',
        now: () => clock,
      });
      issuerServer.handler = publisher.handler;
      const store = storeFor([
        {
          id: ANCHOR_ID,
          jwksUri: jwks.url,
          jwks: { cooldownDuration: 0 },
          revocationListUrl: issuerServer.url,
        },
      ]);
      await store.refresh();
      expect(store.status(ANCHOR_ID)).toMatchObject({ version: 1 });
      expect(store.status(ANCHOR_ID)?.failure).toBeUndefined();

      // The issuer publishes its new key, then signs with it; the old one is withdrawn.
      keys = [{ ...next.publicJwk, kid: 'k2' }];
      publisher.rotate(next, 'k2');
      await publisher.revoke('after-rotation', NOW + 600);
      await store.refresh();
      expect(store.status(ANCHOR_ID)).toMatchObject({ version: 2, entries: 1 });
      expect(store.status(ANCHOR_ID)?.failure).toBeUndefined();

      // A list still signed with the withdrawn key is refused as forged.
      clock += 10;
      hostile.serve(
        signRevocationList(
          { iss: ANCHOR_ID, ver: 3, iat: clock, since: 0, revoked: [] },
          world.anchor,
          'k1',
        ),
      );
      const follower = storeFor([
        {
          id: ANCHOR_ID,
          jwksUri: jwks.url,
          jwks: { cooldownDuration: 0 },
          revocationListUrl: hostile.url,
        },
      ]);
      await follower.refresh();
      expect(follower.status(ANCHOR_ID)?.failure).toBe('forged');
    } finally {
      await jwks.close();
    }
  });

  describe('each bad source is denied with its reason', () => {
    it('a forged list (signed by a key that is not the anchor’s)', async () => {
      hostile.serve(
        signRevocationList({ iss: ANCHOR_ID, ver: 9, iat: NOW, since: 0, revoked: [] }, attacker),
      );
      const store = storeFor([anchorAt(hostile.url)]);
      await store.refresh();
      expect(await decide(store, await chainOf(world, 1))).toMatchObject(unavailable('forged'));
    });

    it('a list from another anchor (genuinely signed by it) served at this anchor’s URL', async () => {
      hostile.serve(
        signRevocationList({ iss: OTHER_ID, ver: 9, iat: NOW, since: 0, revoked: [] }, other),
      );
      const store = storeFor([anchorAt(hostile.url)]);
      await store.refresh();
      expect(await decide(store, await chainOf(world, 1))).toMatchObject(
        unavailable('foreign-issuer'),
      );
    });

    it('a rolled-back version: the copy held serves until it is too old, then the rollback is named', async () => {
      const sign = (ver: number, iat: number): string =>
        signRevocationList({ iss: ANCHOR_ID, ver, iat, since: 0, revoked: [] }, world.anchor);
      const old = sign(3, clock);
      hostile.serve(sign(5, clock));
      const store = storeFor([anchorAt(hostile.url)]);
      await store.refresh();
      const mandate = await chainOf(world, 1);
      expect((await decide(store, mandate)).allowed).toBe(true);

      clock += 60;
      hostile.serve(old);
      await store.refresh();
      expect(store.status(ANCHOR_ID)).toMatchObject({ version: 5, failure: 'rollback' });
      // Same version, earlier issue: a rollback too.
      hostile.serve(sign(5, clock - 120));
      await store.refresh();
      expect(store.status(ANCHOR_ID)?.failure).toBe('rollback');
      expect((await decide(store, mandate)).allowed).toBe(true);
      clock += 61;
      expect(await decide(store, mandate)).toMatchObject(unavailable('rollback'));
    });

    it('a stale list (the source keeps serving an old one)', async () => {
      freshPublisher(10);
      const store = storeFor([anchorAt(issuerServer.url)], { maxStaleness: 30 });
      await store.refresh();
      const mandate = await chainOf(world, 1);
      expect((await decide(store, mandate)).allowed).toBe(true);
      // A server that answers, with the same old list: nothing fails but time.
      hostile.serve((await publisher.list()).jws);
      clock += 31;
      const stuck = storeFor([anchorAt(hostile.url)], { maxStaleness: 30 });
      await stuck.refresh();
      expect(stuck.status(ANCHOR_ID)?.failure).toBeUndefined();
      expect(await decide(stuck, mandate)).toMatchObject(unavailable('stale'));
      // The genuine publisher signs again when asked after reissueSeconds: fresh once more.
      await store.refresh();
      expect((await decide(store, mandate)).allowed).toBe(true);
    });

    it('an unreachable server: denied at once without a copy, and once the copy is too old', async () => {
      const gone = await Loopback.start();
      const url = gone.url;
      await gone.close();
      const store = storeFor([anchorAt(url)], { timeoutMs: 1000 });
      await store.refresh();
      const mandate = await chainOf(world, 1);
      expect(await decide(store, mandate)).toMatchObject(unavailable('unreachable'));

      freshPublisher();
      const held = storeFor([anchorAt(issuerServer.url)]);
      await held.refresh();
      issuerServer.handler = (_req, res) => {
        res.writeHead(503);
        res.end();
      };
      clock += 100;
      await held.refresh();
      expect((await decide(held, mandate)).allowed).toBe(true);
      clock += 21;
      expect(await decide(held, mandate)).toMatchObject(unavailable('unreachable'));
    });

    it('hostile bodies: not a JWS, wrong typ, alg none, an extra member, an oversized body', async () => {
      const mandate = await chainOf(world, 1);
      const payload = { iss: ANCHOR_ID, ver: 2, iat: NOW, since: 0, revoked: [] };
      const cases: [string, string][] = [
        ['not a list at all', 'malformed'],
        [forgeJws(world.anchor, { alg: 'Ed25519', typ: 'mandate-root+jwt' }, payload), 'malformed'],
        [
          `${Buffer.from('{"alg":"none","typ":"mandate-revocation-list+jwt"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${'A'.repeat(86)}`,
          'forged',
        ],
        [
          forgeJws(
            world.anchor,
            { alg: 'Ed25519', typ: 'mandate-revocation-list+jwt' },
            { ...payload, unrevoke: ['x'] },
          ),
          'malformed',
        ],
        [
          forgeJws(
            world.anchor,
            { alg: 'Ed25519', typ: 'mandate-revocation-list+jwt', jku: 'https://evil.test' },
            payload,
          ),
          'malformed',
        ],
        ['x'.repeat(5000), 'malformed'],
      ];
      for (const [body, reason] of cases) {
        hostile.serve(body);
        const store = storeFor([anchorAt(hostile.url)], { maxBytes: 4096 });
        await store.refresh();
        expect(await decide(store, mandate), body.slice(0, 40)).toMatchObject(unavailable(reason));
      }
    });

    it('a chain whose anchor has no list configured', async () => {
      freshPublisher();
      const store = storeFor([
        { id: OTHER_ID, publicJwk: other.publicJwk, revocationListUrl: issuerServer.url },
      ]);
      await store.refresh();
      expect(await decide(store, await chainOf(world, 1))).toMatchObject(unavailable('no-list'));
    });
  });

  it('the publisher serves only GET and HEAD and refuses a bad since', async () => {
    freshPublisher();
    const post = await fetch(issuerServer.url, { method: 'POST' });
    expect(post.status).toBe(405);
    const bad = await fetch(`${issuerServer.url}?since=-1`);
    expect(bad.status).toBe(400);
    const head = await fetch(issuerServer.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(`"1.${NOW}"`);
    // The Fetch-API handler answers the same.
    const viaFetch = await publisher.fetchHandler(
      new Request('http://x/revocations', { headers: { 'if-none-match': `"1.${NOW}"` } }),
    );
    expect(viaFetch.status).toBe(304);
  });

  it('refuses to publish an entry without the block expiry, and a verifier-side revoke', async () => {
    freshPublisher();
    await expect(publisher.revoke('b')).rejects.toThrow(TypeError);
    const store = storeFor([anchorAt(issuerServer.url)]);
    await expect(store.revoke()).rejects.toThrow(TypeError);
  });
});
