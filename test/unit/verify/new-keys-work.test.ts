/**
 * A never-seen chain whose keys are all new costs each key once: node:crypto imports every new
 * holder key exactly once per verification (the link it signs and the proof it makes share the
 * verifier's key cache), verifies each signature exactly once, and a known key (the anchor's,
 * an agent seen before) is not imported again. Counted on node:crypto itself.
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

  it('imports each new key once and verifies each signature once', async () => {
    const verifier = verifierFor(world);
    // First use: the anchor's key is imported too; then only new agents' keys.
    const first = await newAgents(4);
    expect(
      await verifyWith(verifier, await chainThrough(world, first, 'u1'), first[3]!),
    ).toMatchObject({ allowed: true });
    for (const size of [2, 4, 6]) {
      const agents = await newAgents(size);
      const mandate = await chainThrough(world, agents, `user-${size}`);
      const proofSigner = agents[size - 1]!;
      vi.mocked(nodeCrypto.createPublicKey).mockClear();
      vi.mocked(nodeCrypto.verify).mockClear();
      const decision = await verifyWith(verifier, mandate, proofSigner);
      expect(decision).toMatchObject({ allowed: true });
      // Every agent signs something the verifier checks (a link, or the proof): one import each.
      expect(imports()).toBe(size);
      // Every block (root included) and the proof: one verification each.
      expect(verifications()).toBe(size + 1);
    }
  });

  it('imports nothing again for the same agents in another never-seen chain', async () => {
    const verifier = verifierFor(world);
    const agents = await newAgents(5);
    await verifyWith(verifier, await chainThrough(world, agents, 'alice'), agents[4]!);
    vi.mocked(nodeCrypto.createPublicKey).mockClear();
    vi.mocked(nodeCrypto.verify).mockClear();
    const again = await chainThrough(world, agents, 'alice');
    expect(await verifyWith(verifier, again, agents[4]!)).toMatchObject({ allowed: true });
    expect(imports()).toBe(0);
    expect(verifications()).toBe(6);
  });
});
