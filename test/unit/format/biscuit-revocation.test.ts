/**
 * Rule 6 for the Biscuit encoding: a block is revoked by its Mandate block id (`block_id`) or by its
 * Biscuit revocation id (the hex of its signature), and either denies with `MANDATE_REVOKED` at that
 * hop. Also: the lookup is one batched store call, fail-closed, and a JWS chain is unaffected
 * (`mandate inspect`, which shows each revocation id, is tested in test/integration/cli).
 */
import { beforeAll, describe, expect, it } from 'vitest';

import {
  createVerifier,
  generateKeyPair,
  MemoryRevocationStore,
  type KeyPair,
  type Mandate,
  type RevocationStore,
} from '../../../src/index.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { decodeBiscuitChain, type BiscuitChainBlock } from '../../../src/format/biscuit/chain.js';
import { withBiscuit } from '../../../src/format/biscuit/wasm.js';
import {
  AUDIENCE,
  ISSUER,
  NOW,
  READ,
  threeBlocks as threeBlockChain,
} from '../../helpers/revocation-chain.js';

let anchor: KeyPair;
let agents: KeyPair[];
/** root → a, a → b, b → c: three blocks. */
let chain: Mandate;
let blocks: BiscuitChainBlock[];
/** Another token from the same anchor and agents (same shape, other signatures). */
let other: BiscuitChainBlock[];

const threeBlocks = (format: 'biscuit' | 'jws'): Promise<Mandate> =>
  threeBlockChain(format, anchor, agents);

function verify(mandate: Mandate, revocation: RevocationStore) {
  return createVerifier({
    trustAnchors: [{ id: ISSUER, publicJwk: anchor.publicJwk }],
    audience: AUDIENCE,
    requireProof: false,
    revocation,
    clock: () => NOW,
  }).verify(mandate, { action: READ });
}

beforeAll(async () => {
  [anchor, ...agents] = (await Promise.all(Array.from({ length: 4 }, () => generateKeyPair()))) as [
    KeyPair,
    ...KeyPair[],
  ];
  chain = await threeBlocks('biscuit');
  blocks = await decodeBiscuitChain(chain.token, DEFAULT_LIMITS);
  other = await decodeBiscuitChain((await threeBlocks('biscuit')).token, DEFAULT_LIMITS);
});

describe('Biscuit revocation ids', () => {
  it('are the ids biscuit-wasm reports for the token, one per block, distinct from block ids', async () => {
    const root = anchor.publicJwk as { x: string };
    const reported = await withBiscuit((api, scope) => {
      const key = scope.own(api.PublicKey.fromBytes(Buffer.from(root.x, 'base64url'), 0));
      const token = scope.own(api.Biscuit.fromBase64(chain.token, key));
      return token.getRevocationIdentifiers();
    });
    expect(blocks.map((b) => b.revocationId)).toEqual(reported);
    for (const block of blocks) expect(block.revocationId).not.toBe(block.id);
  });

  it('the chain is allowed while nothing is revoked', async () => {
    expect(await verify(chain, new MemoryRevocationStore())).toMatchObject({ allowed: true });
  });

  for (const hop of [0, 1, 2]) {
    it(`revoking block ${hop}'s revocation id denies at hop ${hop}`, async () => {
      const store = new MemoryRevocationStore();
      await store.revoke(blocks[hop]!.revocationId);
      expect(await verify(chain, store)).toMatchObject({
        allowed: false,
        code: 'MANDATE_REVOKED',
        hop,
        reason: `block ${hop} has been revoked`,
        detail: { id: blocks[hop]!.revocationId },
      });
    });

    it(`revoking block ${hop}'s Mandate block id still denies at hop ${hop}`, async () => {
      const store = new MemoryRevocationStore();
      await store.revoke(blocks[hop]!.id);
      expect(await verify(chain, store)).toMatchObject({
        allowed: false,
        code: 'MANDATE_REVOKED',
        hop,
      });
    });
  }

  it('the lowest revoked hop is reported when several are revoked, by either id', async () => {
    const store = new MemoryRevocationStore();
    await store.revoke(blocks[2]!.id);
    await store.revoke(blocks[1]!.revocationId);
    expect(await verify(chain, store)).toMatchObject({ code: 'MANDATE_REVOKED', hop: 1 });
  });

  it("another token's revocation ids do not deny this one", async () => {
    const store = new MemoryRevocationStore();
    for (const block of other) await store.revoke(block.revocationId);
    expect(await verify(chain, store)).toMatchObject({ allowed: true });
  });

  it('asks a batching store once, block id then revocation id, hop by hop', async () => {
    const calls: (readonly string[])[] = [];
    const store: RevocationStore = {
      revoke: () => Promise.resolve(),
      isRevoked: () => Promise.reject(new Error('not expected: the store batches')),
      firstRevoked: (ids) => {
        calls.push([...ids]);
        return Promise.resolve(undefined);
      },
    };
    expect(await verify(chain, store)).toMatchObject({ allowed: true });
    expect(calls).toEqual([blocks.flatMap((b) => [b.id, b.revocationId])]);
  });

  it('a store without firstRevoked is asked id by id, and finds a revocation id', async () => {
    const revoked = blocks[2]!.revocationId;
    const asked: string[] = [];
    const store: RevocationStore = {
      revoke: () => Promise.resolve(),
      isRevoked: (id) => {
        asked.push(id);
        return Promise.resolve(id === revoked);
      },
    };
    expect(await verify(chain, store)).toMatchObject({ code: 'MANDATE_REVOKED', hop: 2 });
    expect(asked).toEqual(blocks.flatMap((b) => [b.id, b.revocationId]));
  });

  it('fails closed when the store cannot answer', async () => {
    const failing: RevocationStore = {
      revoke: () => Promise.resolve(),
      isRevoked: () => Promise.reject(new Error('down')),
      firstRevoked: () => Promise.reject(new Error('down')),
    };
    expect(await verify(chain, failing)).toMatchObject({
      allowed: false,
      code: 'MANDATE_STORE_UNAVAILABLE',
      hop: 0,
    });
  });

  it('a JWS chain is looked up by its block ids only', async () => {
    const jws = await threeBlocks('jws');
    const calls: (readonly string[])[] = [];
    const store: RevocationStore = {
      revoke: () => Promise.resolve(),
      isRevoked: () => Promise.resolve(false),
      firstRevoked: (ids) => {
        calls.push([...ids]);
        return Promise.resolve(undefined);
      },
    };
    expect(await verify(jws, store)).toMatchObject({ allowed: true });
    expect(calls).toEqual([jws.blocks.map((b) => b.id)]);
  });
});
