/**
 * Revocation lists without a network: the delta law (a reader that follows deltas holds
 * exactly what a reader fetching the full list holds), the shared state file under concurrent
 * writers, and the payload schema's refusals.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateKeyPair, type KeyPair } from '../../../../src/index.js';
import {
  RevocationListPublisher,
  RevocationListStore,
} from '../../../../src/stores/revocation-list/index.js';
import { NUM_RUNS } from '../../../../src/testing/index.js';
import { revokeInStateFile } from '../../../../src/stores/revocation-list/state.js';
import { revocationListPayloadSchema } from '../../../../src/stores/revocation-list/format.js';

const ISSUER = 'https://as.unit.test';
const NOW = 1_800_000_000;

describe('revocation lists', () => {
  let issuer: KeyPair;
  let dir: string;

  beforeAll(async () => {
    issuer = await generateKeyPair();
    dir = await mkdtemp(join(tmpdir(), 'mandate-list-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A store that fetches through the publisher's own Fetch-API handler. */
  function follower(publisher: RevocationListPublisher, clock: () => number): RevocationListStore {
    return new RevocationListStore({
      anchors: [
        { id: ISSUER, publicJwk: issuer.publicJwk, revocationListUrl: 'http://list.test/r' },
      ],
      autoRefresh: false,
      now: clock,
      fetch: (input, init) => publisher.fetchHandler(new Request(input, init)),
    });
  }

  it('law: following deltas holds exactly what one full fetch holds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({
              revoke: fc.integer({ min: 0, max: 20 }),
              ttl: fc.integer({ min: 1, max: 900 }),
            }),
            fc.record({ refresh: fc.constant(true), tick: fc.integer({ min: 0, max: 200 }) }),
          ),
          { maxLength: 15 },
        ),
        async (steps) => {
          let t = NOW;
          const clock = (): number => t;
          const publisher = new RevocationListPublisher({
            issuer,
            issuerId: ISSUER,
            now: clock,
            reissueSeconds: 30,
          });
          const incremental = follower(publisher, clock);
          for (const step of steps) {
            if ('revoke' in step) await publisher.revoke(`b${step.revoke}`, t + step.ttl);
            else {
              t += step.tick;
              await incremental.refresh();
            }
          }
          t += 1;
          await incremental.refresh();
          const full = follower(publisher, clock);
          await full.refresh();
          const ids = Array.from({ length: 21 }, (_, i) => `b${i}`);
          const context = { anchor: ISSUER };
          for (const id of ids) {
            const [a, b, c] = await Promise.all([
              incremental.isRevoked(id, context),
              full.isRevoked(id, context),
              publisher.isRevoked(id),
            ]);
            expect([id, a, b]).toEqual([id, c, c]);
          }
          expect(incremental.status(ISSUER)?.version).toBe(publisher.version);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('a state file shared by concurrent writers loses no revocation', async () => {
    const file = join(dir, 'state.json');
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        revokeInStateFile(file, ISSUER, `block-${i}`, NOW + 600),
      ),
    );
    const state = JSON.parse(await readFile(file, 'utf8')) as {
      version: number;
      entries: unknown[];
    };
    expect(state.version).toBe(21);
    expect(state.entries).toHaveLength(20);
    // A publisher on the file sees every writer's revocations and adds its own through it.
    const publisher = new RevocationListPublisher({
      issuer,
      issuerId: ISSUER,
      stateFile: file,
      now: () => NOW,
    });
    await expect(publisher.isRevoked('block-7')).resolves.toBe(true);
    await publisher.revoke('block-20', NOW + 600);
    await revokeInStateFile(file, ISSUER, 'block-21', NOW + 600);
    const list = await publisher.list();
    expect(list.version).toBe(23);
    await expect(publisher.firstRevoked(['x', 'block-21'])).resolves.toBe('block-21');
    // Another issuer's file is refused, never merged.
    await expect(revokeInStateFile(file, 'https://other.test', 'x', NOW)).rejects.toThrow(
      /is for https:\/\/as\.unit\.test/,
    );
  });

  it('the payload schema refuses what a list must never carry', () => {
    const good = { iss: ISSUER, ver: 2, iat: NOW, since: 0, revoked: [['a', NOW]] };
    expect(revocationListPayloadSchema.safeParse(good).success).toBe(true);
    for (const bad of [
      { ...good, extra: 1 },
      { ...good, ver: 0 },
      { ...good, since: 3 },
      { ...good, revoked: [['', NOW]] },
      { ...good, revoked: [['a', -1]] },
      { ...good, revoked: [['a', NOW, 'x']] },
      { ...good, revoked: [['\uD800', NOW]] },
      { ...good, iat: 1.5 },
    ]) {
      expect(revocationListPayloadSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
