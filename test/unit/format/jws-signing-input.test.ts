/**
 * The JWS chain verifies each block's signature over a view of the token's bytes: a view is
 * used only where the token holds exactly the block's text, so what is verified is always what
 * was decoded, whatever token is handed alongside the blocks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { decodeCheckedJwsChain } from '../../../src/format/jws/chain.js';
import { jwsVerifiableChain } from '../../../src/format/jws/verifiable.js';
import { importPublicJwk, parsePublicJwk } from '../../../src/identity/jwk.js';
import type { KeyPair } from '../../../src/index.js';
import { chainOf, createWorld, type World } from '../../helpers/fixture.js';

let world: World;
const keyOf = (pair: KeyPair) => importPublicJwk(parsePublicJwk(pair.publicJwk, 'linkage'));
let first: string;
let second: string;

beforeAll(async () => {
  world = await createWorld();
  // Two genuine one-hop chains from one anchor: same shape and, block by block, the same lengths.
  first = (await chainOf(world, 1)).token;
  second = (await chainOf(world, 1)).token;
});

describe('JWS signing inputs read from the token', () => {
  it('verifies each block over its own text when the token is its own', () => {
    const blocks = decodeCheckedJwsChain(first, DEFAULT_LIMITS);
    const chain = jwsVerifiableChain(blocks, false, first);
    expect(chain.rootSignatureValid(keyOf(world.anchor))).toBe(true);
    expect(chain.linkSignatureValid(1, keyOf(world.agents[0]))).toBe(true);
  });

  it('never verifies the bytes of another token handed with the blocks', () => {
    expect(second).not.toBe(first);
    const blocks = decodeCheckedJwsChain(first, DEFAULT_LIMITS);
    const chain = jwsVerifiableChain(blocks, false, second);
    // The decoded blocks' own text is verified, so their genuine signatures still hold...
    expect(chain.rootSignatureValid(keyOf(world.anchor))).toBe(true);
    expect(chain.linkSignatureValid(1, keyOf(world.agents[0]))).toBe(true);
    // ...and the other token's blocks are not taken for them.
    const others = decodeCheckedJwsChain(second, DEFAULT_LIMITS);
    expect(others[0]!.signingInput).not.toBe(blocks[0]!.signingInput);
  });
});
