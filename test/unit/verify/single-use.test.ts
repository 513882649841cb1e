/**
 * `VerifyRequest.singleUse`: ids a caller needs used once with a request (the A2A guard's
 * sender proof and grant) are recorded by the verifier with the approvals, in one all-or-none
 * step, after every rule has allowed the request. A held id denies with `MANDATE_REPLAYED`
 * and records nothing (no approval, no other id); a store error fails closed; a denial for any
 * other reason records nothing; misuse throws.
 */
import { describe, expect, it } from 'vitest';
import { approvalCall, approve, MemoryReplayStore, type ReplayStore } from '../../../src/index.js';
import {
  approvalReplayKey,
  MAX_SINGLE_USE_ID_LENGTH,
  singleUseReplayKey,
} from '../../../src/verify/replay-keys.js';
import {
  NOW,
  approvalVerifier,
  callWith,
  oneHopApprovals,
  pay,
} from '../../helpers/approval-world.js';

const { world, holder, mandate } = await oneHopApprovals();
const call = await approvalCall(mandate, { action: pay(250) });
const approval = await approve(call, world.user, { now: NOW, jti: 'approval-1' });
const approvalKey = approvalReplayKey(world.user.id, 'approval-1');
const ids = (...names: string[]) => names.map((jti) => ({ jti, expiresAt: NOW + 120 }));
/** A request denied because its second single-use id was held. */
const SECOND_ID_REPLAYED = {
  allowed: false,
  code: 'MANDATE_REPLAYED',
  hop: 1,
  check: 'possession',
  detail: { path: 'singleUse.1' },
};
/**
 * Whether `store` holds none of the single-use `ids` (under their keys, `singleUseReplayKey`)
 * nor the raw `keys` (probing records them, so use the store no further).
 */
const holdsNone = async (
  store: ReplayStore,
  ids: readonly string[],
  keys: readonly string[] = [],
) =>
  (await store.checkAndStoreAll(
    [...ids.map(singleUseReplayKey), ...keys].map((jti) => ({ jti, expiresAt: NOW + 120 })),
  )) === undefined;

describe('VerifyRequest.singleUse', () => {
  it('recorded with the approvals on an allow; the same id again: MANDATE_REPLAYED at possession', async () => {
    const replay = new MemoryReplayStore();
    const verifier = approvalVerifier(world, { replay });
    expect(
      await callWith(verifier, mandate, holder, pay(250), [approval], ids('grant:g1', 'sender:s1')),
    ).toMatchObject({ allowed: true, approvedBy: [world.user.id] });
    // A second request spending grant:g1 (no approval needed at 100) is refused at the id.
    expect(
      await callWith(verifier, mandate, holder, pay(100), undefined, ids('sender:s2', 'grant:g1')),
    ).toMatchObject(SECOND_ID_REPLAYED);
    // ...and recorded none of its ids: sender:s2 is still unused.
    expect(await holdsNone(replay, ['sender:s2'])).toBe(true);
  });

  it('a held id denies with nothing recorded: the approval presented with it stays usable', async () => {
    const replay = new MemoryReplayStore();
    const verifier = approvalVerifier(world, { replay });
    expect(await replay.checkAndStore(singleUseReplayKey('grant:used'), NOW + 120)).toBe(true);
    expect(
      await callWith(
        verifier,
        mandate,
        holder,
        pay(250),
        [approval],
        ids('sender:a', 'grant:used'),
      ),
    ).toMatchObject(SECOND_ID_REPLAYED);
    // The approval was not burned: the same approval with fresh ids is allowed, once.
    expect(
      await callWith(verifier, mandate, holder, pay(250), [approval], ids('sender:b', 'grant:b')),
    ).toMatchObject({ allowed: true });
    expect(await holdsNone(replay, ['sender:a'])).toBe(true);
  });

  it('a replayed approval denies as MANDATE_APPROVAL_REPLAYED and records none of the ids', async () => {
    const replay = new MemoryReplayStore();
    const verifier = approvalVerifier(world, { replay });
    await replay.checkAndStore(approvalKey, NOW + 120);
    expect(
      await callWith(verifier, mandate, holder, pay(250), [approval], ids('sender:c', 'grant:c')),
    ).toMatchObject({
      allowed: false,
      code: 'MANDATE_APPROVAL_REPLAYED',
      hop: 1,
      check: 'authorize',
      detail: { path: 'approvals.0' },
    });
    expect(await holdsNone(replay, ['sender:c', 'grant:c'])).toBe(true);
  });

  it('a request denied by another rule records nothing (approval required, action not granted)', async () => {
    const replay = new MemoryReplayStore();
    const verifier = approvalVerifier(world, { replay });
    expect(
      await callWith(verifier, mandate, holder, pay(250), undefined, ids('sender:d', 'grant:d')),
    ).toMatchObject({
      allowed: false,
      code: 'MANDATE_APPROVAL_REQUIRED',
      hop: 0,
      check: 'authorize',
    });
    expect(
      await callWith(verifier, mandate, holder, pay(2000), [approval], ids('sender:e')),
    ).toMatchObject({ allowed: false, code: 'MANDATE_FORBIDDEN', hop: 0, check: 'authorize' });
    expect(await holdsNone(replay, ['sender:d', 'grant:d', 'sender:e'], [approvalKey])).toBe(true);
  });

  it('concurrent requests spending the same id: exactly one is allowed', async () => {
    const verifier = approvalVerifier(world, { replay: new MemoryReplayStore() });
    const decisions = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        callWith(verifier, mandate, holder, pay(100), undefined, ids(`sender:${i}`, 'grant:race')),
      ),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(1);
    for (const decision of decisions.filter((d) => !d.allowed)) {
      expect(decision).toMatchObject({ code: 'MANDATE_REPLAYED', hop: 1, check: 'possession' });
    }
  });

  it.each([
    ['rejects', () => Promise.reject(new Error('down'))],
    ['answers an index that names no id', () => Promise.resolve(2)],
    ['answers something other than an index', () => Promise.resolve('yes')],
    ['has no checkAndStoreAll', undefined],
  ])('a store that %s: MANDATE_STORE_UNAVAILABLE at possession', async (_, checkAndStoreAll) => {
    const proofs = new MemoryReplayStore();
    const verifier = approvalVerifier(world, {
      replay: {
        checkAndStore: (jti, expiresAt, context) => proofs.checkAndStore(jti, expiresAt, context),
        checkAndStoreAll,
      } as ReplayStore,
    });
    expect(
      await callWith(verifier, mandate, holder, pay(100), undefined, ids('sender:f', 'grant:f')),
    ).toMatchObject({
      allowed: false,
      code: 'MANDATE_STORE_UNAVAILABLE',
      hop: 1,
      check: 'possession',
    });
  });

  it.each([
    ['not a list', 'grant:x'],
    ['more than 8 ids', ids(...Array.from({ length: 9 }, (_, i) => `grant:${i}`))],
    ['a repeated id', ids('grant:x', 'grant:x')],
    ['an empty id', ids('')],
    ['an expiry that is not a number', [{ jti: 'grant:x', expiresAt: 'soon' }]],
    ['an id too long to key in its namespace', ids('g'.repeat(MAX_SINGLE_USE_ID_LENGTH + 1))],
  ])('misuse (%s) throws a TypeError', async (_, singleUse) => {
    const verifier = approvalVerifier(world, { replay: new MemoryReplayStore() });
    await expect(
      callWith(verifier, mandate, holder, pay(100), undefined, singleUse as never),
    ).rejects.toThrow(TypeError);
  });
});
