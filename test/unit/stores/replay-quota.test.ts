/**
 * Issue 11, finding 8: one mandate filled the default 100,000-entry memory replay store in
 * 18 s, after which every other user's valid requests were denied
 * `MANDATE_STORE_UNAVAILABLE`. The store now caps the entries one grant (a mandate's root)
 * holds: the flooding grant is refused past its share (`detail.reason: 'quota'`), every other
 * grant keeps working, and memory stays within `maxEntries`. The flood is scaled down (the
 * same shape: a cap, one grant, then another user) so the test stays fast.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createVerifier,
  delegate,
  generateKeyPair,
  MemoryReplayStore,
  mint,
  prove,
  StoreUnavailableError,
  type KeyPair,
  type Mandate,
} from '../../../src/index.js';
import {
  ANCHOR_ID,
  AUDIENCE,
  NOW,
  READ,
  REQUEST,
  ROOT_CAPS,
  createWorld,
  tally,
  type World,
} from '../../helpers/fixture.js';
import { StoreQuotaError } from '../../../src/stores/errors.js';

describe('MemoryReplayStore: per-grant quota', () => {
  const clock = { t: 1_700_000_000 };
  const now = () => clock.t;

  it('refuses a grant past its share, never another grant, and forgets nothing in force', async () => {
    const store = new MemoryReplayStore({ maxEntries: 1000, maxEntriesPerGrant: 100, now });
    for (let i = 0; i < 100; i++) {
      await expect(store.checkAndStore(`a${i}`, now() + 60, { grant: 'A' })).resolves.toBe(true);
    }
    const refused = store.checkAndStore('a-more', now() + 60, { grant: 'A' });
    await expect(refused).rejects.toBeInstanceOf(StoreQuotaError);
    await expect(refused).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(refused).rejects.toMatchObject({ reason: 'quota' });
    // A replay of one of A's proofs is still answered (a replay, not a quota refusal).
    await expect(store.checkAndStore('a7', now() + 60, { grant: 'A' })).resolves.toBe(false);
    // Another grant, and an entry stored without a context, are unaffected.
    for (let i = 0; i < 100; i++) {
      await expect(store.checkAndStore(`b${i}`, now() + 60, { grant: 'B' })).resolves.toBe(true);
    }
    await expect(store.checkAndStore('plain', now() + 60)).resolves.toBe(true);
    expect(store.size).toBe(201);
  });

  it("a grant's share comes back as its entries expire", async () => {
    const store = new MemoryReplayStore({ maxEntries: 100, maxEntriesPerGrant: 10, now });
    for (let i = 0; i < 10; i++) await store.checkAndStore(`x${i}`, now() + 5, { grant: 'X' });
    await expect(store.checkAndStore('x-more', now() + 5, { grant: 'X' })).rejects.toMatchObject({
      reason: 'quota',
    });
    clock.t += 6;
    await expect(store.checkAndStore('x-more', now() + 5, { grant: 'X' })).resolves.toBe(true);
  });

  it('defaults the share to a tenth of maxEntries; rejects a malformed quota or grant', async () => {
    const store = new MemoryReplayStore({ maxEntries: 50, now });
    for (let i = 0; i < 5; i++) await store.checkAndStore(`d${i}`, now() + 60, { grant: 'D' });
    await expect(store.checkAndStore('d5', now() + 60, { grant: 'D' })).rejects.toMatchObject({
      reason: 'quota',
    });
    expect(() => new MemoryReplayStore({ maxEntriesPerGrant: 0 })).toThrow(RangeError);
    await expect(store.checkAndStore('e', now() + 60, { grant: '' })).rejects.toThrow(TypeError);
  });
});

describe('issue 11 finding 8: one holder flooding the replay store cannot deny another', () => {
  let world: World;
  let flooder: Mandate;
  let other: Mandate;
  let otherHolder: KeyPair;

  beforeAll(async () => {
    world = await createWorld();
    otherHolder = await generateKeyPair();
    const root = (holder: KeyPair, subject: string) =>
      mint({
        issuer: world.anchor,
        issuerId: ANCHOR_ID,
        subject,
        holder: holder.publicJwk,
        capabilities: ROOT_CAPS,
        expiresIn: 600,
        audience: AUDIENCE,
        now: NOW - 10,
      });
    flooder = await root(world.agents[0], 'mallory');
    other = await root(otherHolder, 'alice');
  });

  /** A verifier whose memory replay store holds 400 entries, 40 per grant. */
  function flooded() {
    const replay = new MemoryReplayStore({
      maxEntries: 400,
      maxEntriesPerGrant: 40,
      now: () => NOW,
    });
    const verifier = createVerifier({
      trustAnchors: [{ id: ANCHOR_ID, publicJwk: world.anchor.publicJwk }],
      audience: AUDIENCE,
      clock: () => NOW,
      replay,
    });
    const send = async (mandate: Mandate, signer: KeyPair) =>
      verifier.verify(mandate, {
        action: READ,
        proof: await prove(mandate, { signer, request: REQUEST, now: NOW }),
        request: REQUEST,
      });
    return { replay, send };
  }

  it('the flood is refused past its quota (reason quota); the other user is allowed; memory is capped', async () => {
    const { replay, send } = flooded();
    // The flooder sends more valid, distinct proofs than the whole store can hold.
    const decisions = [];
    for (let i = 0; i < 600; i++) decisions.push(await send(flooder, world.agents[0]));
    expect(decisions[40]).toMatchObject({
      allowed: false,
      code: 'MANDATE_STORE_UNAVAILABLE',
      check: 'possession',
      hop: 0,
      detail: { reason: 'quota' },
    });
    expect(tally(decisions)).toEqual({ allowed: 40, 'MANDATE_STORE_UNAVAILABLE/quota': 560 });
    expect(replay.size).toBeLessThanOrEqual(400);
    // Every other user's valid requests are still allowed.
    for (let i = 0; i < 30; i++) {
      expect(await send(other, otherHolder)).toMatchObject({ allowed: true });
    }
  }, 60_000);

  it('delegating to fresh keys does not escape the quota: it is charged to the grant', async () => {
    const { send } = flooded();
    const decisions = [];
    for (let i = 0; i < 60; i++) {
      const sybil = await generateKeyPair();
      const child = await delegate(flooder, {
        signer: world.agents[0],
        holder: sybil.publicJwk,
        now: NOW - 5,
      });
      decisions.push(await send(child, sybil));
    }
    expect(tally(decisions)).toEqual({ allowed: 40, 'MANDATE_STORE_UNAVAILABLE/quota': 20 });
    expect(decisions.at(-1)).toMatchObject({
      allowed: false,
      code: 'MANDATE_STORE_UNAVAILABLE',
      check: 'possession',
      hop: 1,
      detail: { reason: 'quota' },
    });
    expect(await send(other, otherHolder)).toMatchObject({ allowed: true });
  }, 60_000);
});
