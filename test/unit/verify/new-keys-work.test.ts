/**
 * A never-seen chain whose keys are all new costs each key as little as node:crypto allows:
 * each signature is verified exactly once, and a key met for the first time is not imported at
 * all (its one verification reads the JWK: `KeyCache.forVerifying`). A key met again is imported
 * once and cached; after that, none is imported. Counted on node:crypto itself.
 */
import * as nodeCrypto from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { delegate, generateKeyPair, mint, type KeyPair, type Mandate } from '../../../src/index.js';
import {
  ANCHOR_ID,
  AUDIENCE,
  NOW,
  ROOT_CAPS,
  createWorld,
  verifierFor,
  verifyWith,
  type World,
} from '../../helpers/fixture.js';

vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof nodeCrypto>();
  return {
    ...original,
    verify: vi.fn(original.verify),
    createPublicKey: vi.fn(original.createPublicKey),
  };
});

const imports = (): number => vi.mocked(nodeCrypto.createPublicKey).mock.calls.length;
const verifications = (): number => vi.mocked(nodeCrypto.verify).mock.calls.length;

/** A root held by `agents[0]`, delegated down the list: `agents.length - 1` delegations. */
async function chainThrough(world: World, agents: readonly KeyPair[], subject: string) {
  let mandate: Mandate = await mint({
    issuer: world.anchor,
    issuerId: ANCHOR_ID,
    subject,
    holder: agents[0]!.publicJwk,
    capabilities: ROOT_CAPS,
    expiresIn: 600,
    audience: AUDIENCE,
    maxDepth: 8,
    now: NOW,
  });
  for (let h = 1; h < agents.length; h++) {
    mandate = await delegate(mandate, {
      signer: agents[h - 1]!,
      holder: agents[h]!.publicJwk,
      now: NOW,
    });
  }
  return mandate;
}

const newAgents = (n: number) => Promise.all(Array.from({ length: n }, () => generateKeyPair()));

describe('a never-seen chain of new keys', () => {
  let world: World;

  beforeEach(async () => {
    world = await createWorld();
  });

  it('imports no new key and verifies each signature once', async () => {
    const verifier = verifierFor(world);
    // First use: the anchor's key is imported (anchors are imported keys).
    const first = await newAgents(4);
    expect(
      await verifyWith(verifier, await chainThrough(world, first, 'u1'), first[3]!),
    ).toMatchObject({ allowed: true });
    for (const size of [2, 4, 6]) {
      const agents = await newAgents(size);
      const mandate = await chainThrough(world, agents, `user-${size}`);
      vi.mocked(nodeCrypto.createPublicKey).mockClear();
      vi.mocked(nodeCrypto.verify).mockClear();
      const decision = await verifyWith(verifier, mandate, agents[size - 1]!);
      expect(decision).toMatchObject({ allowed: true });
      expect(imports()).toBe(0);
      // Every block (root included) and the proof: one verification each.
      expect(verifications()).toBe(size + 1);
    }
  });

  it('imports a key met again once, then never', async () => {
    const verifier = verifierFor(world);
    const agents = await newAgents(5);
    const count = async (subject: string) => {
      const mandate = await chainThrough(world, agents, subject);
      vi.mocked(nodeCrypto.createPublicKey).mockClear();
      vi.mocked(nodeCrypto.verify).mockClear();
      expect(await verifyWith(verifier, mandate, agents[4]!)).toMatchObject({ allowed: true });
      return { imports: imports(), verifications: verifications() };
    };
    await count('alice');
    // Every agent signs a link or the proof: each is imported the second time it is met.
    expect(await count('alice')).toEqual({ imports: 5, verifications: 6 });
    expect(await count('bob')).toEqual({ imports: 0, verifications: 6 });
  });
});
