/**
 * Rule 9 uses approvals up all or none (`ReplayStore.checkAndStoreAll`): a request denied
 * because one of its approvals was used before burns none of the others
 * (docs/guides/approvals.md). The regression of the exact scenario, a law over every
 * interleaving of concurrent requests, the concurrent race on one approval, and a store that
 * cannot answer (fail closed).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  approvalCall,
  approve,
  MemoryReplayStore,
  type ReplayEntry,
  type ReplayStore,
} from '../../../src/index.js';
import { approvalReplayKey } from '../../../src/verify/replay-keys.js';
import { NUM_RUNS } from '../../../src/testing/config.js';
import {
  NOW,
  approvalVerifier,
  callWith,
  oneHopApprovals,
  pay,
} from '../../helpers/approval-world.js';

const { world, holder, mandate } = await oneHopApprovals();
const call = await approvalCall(mandate, { action: pay(250) });
/** Four distinct approvals of the same call by the user (threshold 1: any one suffices). */
const approvals = await Promise.all(
  Array.from({ length: 4 }, () => approve(call, world.user, { now: NOW })),
);
const [a, b] = approvals as [string, string, string, string];
/** The replay-store key rule 9 records an approval under. */
const keyOf = (approval: string): string => {
  const { jti } = JSON.parse(Buffer.from(approval.split('.')[1] ?? '', 'base64url').toString()) as {
    jti: string;
  };
  return approvalReplayKey(world.user.id, jti);
};
const REPLAYED = { allowed: false, code: 'MANDATE_APPROVAL_REPLAYED', hop: 1, check: 'authorize' };

describe('rule 9 uses approvals up all or none', () => {
  it('regression: valid A + replayed B is denied and does not burn A; A alone is then usable once', async () => {
    const verifier = approvalVerifier(world, { replay: new MemoryReplayStore() });
    expect(await callWith(verifier, mandate, holder, pay(250), [b])).toMatchObject({
      allowed: true,
    });
    expect(await callWith(verifier, mandate, holder, pay(250), [a, b])).toMatchObject({
      ...REPLAYED,
      detail: { path: 'approvals.1', approver: world.user.id },
    });
    expect(await callWith(verifier, mandate, holder, pay(250), [a])).toMatchObject({
      allowed: true,
      approvedBy: [world.user.id],
    });
    expect(await callWith(verifier, mandate, holder, pay(250), [a])).toMatchObject({
      ...REPLAYED,
      detail: { path: 'approvals.0' },
    });
  });

  it('law: in every interleaving, requests whose approvals were all unused are allowed, the rest denied, and a denial burns nothing', async () => {
    const request = fc.uniqueArray(fc.integer({ min: 0, max: approvals.length - 1 }), {
      minLength: 1,
      maxLength: 3,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(request, { minLength: 1, maxLength: 5 }),
        async (s, requests) => {
          const inner = new MemoryReplayStore();
          // Each request's store step runs when the scheduler says; the order they ran in is
          // what the outcome must follow.
          let racing = true;
          const ran: { readonly keys: readonly string[]; readonly seen: number | undefined }[] = [];
          const replay: ReplayStore = {
            checkAndStore: (jti, expiresAt, context) =>
              inner.checkAndStore(jti, expiresAt, context),
            checkAndStoreAll: async (entries: readonly ReplayEntry[], context) => {
              if (!racing) return inner.checkAndStoreAll(entries, context);
              await s.schedule(Promise.resolve(), 'approvals store step');
              const seen = await inner.checkAndStoreAll(entries, context);
              ran.push({ keys: entries.map(({ jti }) => jti), seen });
              return seen;
            },
          };
          const verifier = approvalVerifier(world, { replay });
          const decisions = await s.waitFor(
            Promise.all(
              requests.map((indexes) =>
                callWith(
                  verifier,
                  mandate,
                  holder,
                  pay(250),
                  indexes.map((i) => approvals[i] ?? ''),
                ),
              ),
            ),
          );
          racing = false;
          // The model: in the order the steps ran, a step is fresh exactly when none of its
          // approvals was used by an earlier fresh step; only fresh steps use approvals up.
          const used = new Set<string>();
          for (const { keys, seen } of ran) {
            const fresh = keys.every((key) => !used.has(key));
            expect(seen === undefined).toBe(fresh);
            if (fresh) for (const key of keys) used.add(key);
          }
          expect(ran).toHaveLength(requests.length);
          const allowed = decisions.filter((d) => d.allowed).length;
          expect(allowed).toBe(ran.filter(({ seen }) => seen === undefined).length);
          for (const decision of decisions) {
            if (!decision.allowed) expect(decision).toMatchObject(REPLAYED);
          }
          // Every approval no allowed request used is still usable, once.
          for (const approval of approvals) {
            const decision = await callWith(verifier, mandate, holder, pay(250), [approval]);
            expect(decision.allowed).toBe(!used.has(keyOf(approval)));
          }
        },
      ),
      { numRuns: Math.min(NUM_RUNS, 100) },
    );
  });

  it('N concurrent requests presenting the same approval: exactly one is allowed', async () => {
    const verifier = approvalVerifier(world, { replay: new MemoryReplayStore() });
    const decisions = await Promise.all(
      Array.from({ length: 20 }, () => callWith(verifier, mandate, holder, pay(250), [a])),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(1);
    for (const decision of decisions.filter((d) => !d.allowed)) {
      expect(decision).toMatchObject(REPLAYED);
    }
  });
});

describe('rule 9 fails closed when the replay store cannot use the approvals up', () => {
  const proofs = new MemoryReplayStore();
  const UNAVAILABLE = {
    allowed: false,
    code: 'MANDATE_STORE_UNAVAILABLE',
    hop: 1,
    check: 'authorize',
  };
  const withStore = (checkAndStoreAll: unknown) =>
    approvalVerifier(world, {
      replay: {
        checkAndStore: (jti, expiresAt, context) => proofs.checkAndStore(jti, expiresAt, context),
        checkAndStoreAll,
      } as ReplayStore,
    });

  it.each([
    ['rejects', () => Promise.reject(new Error('down'))],
    ['answers an index that names no approval', () => Promise.resolve(3)],
    ['answers something other than an index', () => Promise.resolve(false)],
    ['has no checkAndStoreAll (a store written before it)', undefined],
  ])('a store that %s: MANDATE_STORE_UNAVAILABLE', async (_, checkAndStoreAll) => {
    const decision = await callWith(withStore(checkAndStoreAll), mandate, holder, pay(250), [a]);
    expect(decision).toMatchObject(UNAVAILABLE);
  });

  it('a store over its quota: MANDATE_STORE_UNAVAILABLE (reason quota), and nothing is burned', async () => {
    // A quota of 2 per grant: the proof takes one slot, two approvals do not fit beside it.
    const replay = new MemoryReplayStore({ maxEntriesPerGrant: 2 });
    const verifier = approvalVerifier(world, { replay });
    const [, , c, d] = approvals as [string, string, string, string];
    expect(await callWith(verifier, mandate, holder, pay(250), [c, d])).toMatchObject({
      ...UNAVAILABLE,
      detail: { reason: 'quota' },
    });
    // Neither approval was recorded: the store holds neither key.
    const entries = [c, d].map((approval) => ({ jti: keyOf(approval), expiresAt: NOW + 60 }));
    expect(await replay.checkAndStoreAll(entries)).toBeUndefined();
  });
});
