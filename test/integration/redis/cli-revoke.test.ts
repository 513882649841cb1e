/**
 * `mandate revoke BLOCK-ID --redis URL`, end to end: the CLI is run as a separate process
 * (`node --import tsx src/cli/main.ts`) against a real redis-server, then a verifier with a
 * `RedisRevocationStore` on the same Redis denies every mandate containing that block. Also:
 * the CLI's other commands never load ioredis.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { RedisRevocationStore } from '../../../src/stores/redis/index.js';
import { keyFor } from '../../../src/stores/redis/keys.js';
import {
  ANCHOR_ID,
  AUDIENCE,
  NOW,
  READ,
  chainOf,
  createWorld,
  verifierFor,
  verifyWith,
  type World,
} from '../../helpers/fixture.js';
import { cli } from '../../helpers/cli.js';
import { RedisServer, skipWithoutRedis } from './redis-server.js';

/** The block ids `mandate inspect` prints, in order. */
async function inspectIds(token: string): Promise<string[]> {
  const run = await cli(['inspect', token]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return [...run.stdout.matchAll(/^block (\d+) {2}id (\S+)$/gm)].map((m) => m[2]!);
}

const SUITE = '`mandate revoke` against a real redis-server';

describe.skipIf(skipWithoutRedis(SUITE))(SUITE, () => {
  let server: RedisServer;
  let raw: Redis;
  let world: World;

  beforeAll(async () => {
    [server, world] = await Promise.all([RedisServer.start(), createWorld()]);
    raw = new Redis(server.url);
  });

  afterAll(async () => {
    await raw?.quit();
    await server?.dispose();
  });

  it('revokes a hop that `inspect` showed; a verifier on the same Redis then denies it', async () => {
    const mandate = await chainOf(world, 2);
    const store = new RedisRevocationStore({ url: server.url, prefix: 'cli:' });
    try {
      const verifier = verifierFor(world, { revocation: store });
      expect((await verifyWith(verifier, mandate, world.agents[2])).allowed).toBe(true);

      const ids = await inspectIds(mandate.token);
      expect(ids).toEqual(mandate.blocks.map((block) => block.id));
      const hop1 = mandate.blocks[1]!;

      const run = await cli([
        'revoke',
        ids[1]!,
        '--redis',
        server.url,
        '--prefix',
        'cli:',
        '--expires-at',
        String(hop1.expiresAt),
      ]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`revoked ${hop1.id} until`);

      expect(await verifyWith(verifier, mandate, world.agents[2])).toMatchObject({
        allowed: false,
        code: 'MANDATE_REVOKED',
        hop: 1,
        check: 'revocation',
      });
      // Kept as long as the block could be valid: its expiry plus the default 300 s grace.
      const ttl = await raw.pttl(keyFor('cli:', 'rev', hop1.id));
      const expected = (hop1.expiresAt + 300) * 1000 - Date.now();
      expect(Math.abs(ttl - expected)).toBeLessThan(60_000);
      // Another prefix is another deployment: untouched.
      expect(await raw.exists(keyFor('mandate:', 'rev', hop1.id))).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('without --expires-at, under the default prefix, keeps the revocation for good', async () => {
    const mandate = await chainOf(world, 1);
    const root = mandate.blocks[0]!.id;
    const run = await cli(['revoke', root, '--redis', server.url]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('for good');
    expect(await raw.pttl(keyFor('mandate:', 'rev', root))).toBe(-1);

    const store = new RedisRevocationStore({ url: server.url });
    try {
      expect(
        await verifyWith(verifierFor(world, { revocation: store }), mandate, world.agents[1]),
      ).toMatchObject({ allowed: false, code: 'MANDATE_REVOKED', hop: 0, check: 'revocation' });
    } finally {
      await store.close();
    }
  });

  it('revoke --mandate --hop, then verify --redis denies it and says which store answered', async () => {
    const mandate = await chainOf(world, 1);
    const verify = (redis: readonly string[]) =>
      cli([
        'verify',
        '--mandate',
        mandate.token,
        '--anchor',
        `${ANCHOR_ID}=${JSON.stringify(world.anchor.publicJwk)}`,
        '--audience',
        AUDIENCE,
        '--action',
        JSON.stringify(READ),
        '--no-proof',
        '--now',
        String(NOW),
        ...redis,
      ]);
    const before = await verify(['--redis', server.url, '--prefix', 'hop:']);
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toMatchObject({
      allowed: true,
      stores: { revocation: 'redis (prefix hop:)' },
    });
    const run = await cli([
      'revoke',
      '--mandate',
      mandate.token,
      '--hop',
      '1',
      '--redis',
      server.url,
      '--prefix',
      'hop:',
    ]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(`revoked ${mandate.blocks[1]!.id} for good\n`);
    const [after, elsewhere] = await Promise.all([
      verify(['--redis', server.url, '--prefix', 'hop:']),
      verify([]),
    ]);
    expect(after.code).toBe(3);
    expect(JSON.parse(after.stdout)).toMatchObject({
      allowed: false,
      code: 'MANDATE_REVOKED',
      hop: 1,
      check: 'revocation',
      stores: { revocation: 'redis (prefix hop:)' },
    });
    // Without --redis no revocation is consulted, and the output says so.
    expect(JSON.parse(elsewhere.stdout)).toMatchObject({
      allowed: true,
      stores: { revocation: expect.stringMatching(/^none \(give --redis URL/) },
    });
  });

  it('fails (exit 2) within the bound when Redis is down, without echoing the URL', async () => {
    const down = await RedisServer.reserve(); // a free port, nothing listening
    const url = `redis://:hunter2secret@127.0.0.1:${down.port}`;
    const run = await cli(['revoke', 'some-block', '--redis', url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^mandate: some-block was NOT revoked: redis /);
    expect(run.stderr).not.toContain('hunter2secret');
    expect(run.stdout).toBe('');
    // Start-up of node and tsx plus the store's 1 s bound and its bounded close.
    expect(run.ms).toBeLessThan(10_000);
  });

  it('refuses bad arguments (exit 2) before connecting', async () => {
    const runs = await Promise.all([
      cli(['revoke', 'some-block']),
      cli(['revoke', '--redis', server.url]),
      cli(['revoke', 'a', 'b', '--redis', server.url]),
      cli(['revoke', 'some-block', '--redis', server.url, '--expires-at', '1e3']),
      cli(['revoke', 'some-block', '--redis', 'http://127.0.0.1:1']),
      cli(['revoke', 'some-block', '--redis', server.url, '--prefix', 'bad prefix*']),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(runs.map((r) => r.stderr.split('\n')[0])).toEqual([
      'mandate: MANDATE_USAGE: mandate revoke: missing --redis URL (or MANDATE_REDIS_URL, --redis-cluster SEEDS, --list-state FILE) (see mandate revoke --help)',
      'mandate: MANDATE_USAGE: mandate revoke: missing BLOCK-ID (or --mandate TOKEN --hop N) (see mandate revoke --help)',
      'mandate: MANDATE_USAGE: mandate revoke: mandate revoke takes at most 1 BLOCK-ID (extra: "b") (see mandate revoke --help)',
      'mandate: MANDATE_USAGE: --expires-at is "1e3"; expected a whole number',
      'mandate: url must be a redis:// or rediss:// URL',
      'mandate: prefix must be at most 128 printable ASCII characters without spaces or glob characters',
    ]);
  });
});

describe('the CLI loads ioredis only for `revoke`', () => {
  let dir: string;
  let hook: string;

  beforeAll(async () => {
    // A module hook that makes `ioredis` unresolvable in the CLI process.
    dir = await mkdtemp(join(tmpdir(), 'mandate-cli-'));
    await writeFile(
      join(dir, 'hooks.mjs'),
      `export async function resolve(specifier, context, next) {
  if (specifier === 'ioredis') throw new Error('ioredis was loaded');
  return next(specifier, context);
}\n`,
    );
    await writeFile(
      join(dir, 'register.mjs'),
      `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`,
    );
    hook = pathToFileURL(join(dir, 'register.mjs')).href;
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('inspect and help run without it; revoke is the one that needs it', async () => {
    const world = await createWorld();
    const mandate = await chainOf(world, 1);
    const [inspect, help, revoke] = await Promise.all([
      cli(['inspect', mandate.token], [hook]),
      cli(['revoke', '--help'], [hook]),
      cli(['revoke', 'some-block', '--redis', 'redis://127.0.0.1:1'], [hook]),
    ]);
    expect(inspect.stderr).toBe('');
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toContain(`id ${mandate.blocks[1]!.id}`);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(
      'usage: mandate revoke (BLOCK-ID | --mandate TOKEN --hop N) (--redis URL',
    );
    // The control: the hook does bite when the Redis sub-path is imported.
    expect(revoke.code).toBe(2);
    expect(revoke.stderr).toContain('ioredis was loaded');
  });
});

describe('`mandate revoke --list-state`: publishing to a signed revocation list', () => {
  it('adds the block to the state file the publisher serves; a following verifier denies it', async () => {
    const { RevocationListPublisher, RevocationListStore } =
      await import('../../../src/stores/revocation-list/index.js');
    const { createServer } = await import('node:http');
    const world = await createWorld();
    const mandate = await chainOf(world, 1);
    const hop1 = mandate.blocks[1]!;
    const dir = await mkdtemp(join(tmpdir(), 'mandate-cli-list-'));
    const stateFile = join(dir, 'revocations.json');
    const publisher = new RevocationListPublisher({
      issuer: world.anchor,
      issuerId: ANCHOR_ID,
      stateFile,
      reissueSeconds: 1,
    });
    const server = createServer(publisher.handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/revocations`;
    const store = new RevocationListStore({
      anchors: [{ id: ANCHOR_ID, publicJwk: world.anchor.publicJwk, revocationListUrl: url }],
      autoRefresh: false,
      // The fixture's chains live at a fixed time in the future; entries are kept till then.
      now: () => NOW,
      maxStaleness: 10 ** 9,
    });
    try {
      const verifier = verifierFor(world, { revocation: store });
      await store.refresh();
      expect((await verifyWith(verifier, mandate, world.agents[1])).allowed).toBe(true);

      const args = ['revoke', hop1.id, '--list-state', stateFile, '--issuer-id', ANCHOR_ID];
      const [missing, run] = [
        await cli(args),
        await cli([...args, '--expires-at', String(hop1.expiresAt)]),
      ];
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('needs --expires-at');
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`revoked ${hop1.id} until`);

      await store.refresh();
      expect(await verifyWith(verifier, mandate, world.agents[1])).toMatchObject({
        allowed: false,
        code: 'MANDATE_REVOKED',
        hop: 1,
        check: 'revocation',
      });
      expect(store.status(ANCHOR_ID)).toMatchObject({ version: 2, entries: 1 });
    } finally {
      await store.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
