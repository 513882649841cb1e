/**
 * The verifier's cache of decoded JWS blocks keeps a block from its second sighting on, the same
 * object thereafter, and with a signature of its own: not a view of a pooled buffer slab, which
 * a cache of 1,024 blocks met at different times would otherwise keep alive by the megabyte.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { RecurringCache } from '../../../src/core/recurring-cache.js';
import type { DecodedBlock } from '../../../src/format/jws/block.js';
import { decodeCheckedJwsChain } from '../../../src/format/jws/chain.js';
import { chainOf, createWorld } from '../../helpers/fixture.js';

let token: string;

beforeAll(async () => {
  token = (await chainOf(await createWorld(), 2)).token;
});

describe('the JWS block cache', () => {
  it('keeps blocks met twice, as the same objects, each with its own signature bytes', () => {
    const cache = new RecurringCache<DecodedBlock>(16);
    const first = decodeCheckedJwsChain(token, DEFAULT_LIMITS, cache);
    const second = decodeCheckedJwsChain(token, DEFAULT_LIMITS, cache);
    const third = decodeCheckedJwsChain(token, DEFAULT_LIMITS, cache);
    expect(cache.size).toBe(first.length);
    for (const [hop, block] of third.entries()) {
      expect(block).toBe(second[hop]); // served from the cache
      expect(block).not.toBe(first[hop]); // the first sighting was not kept
      expect(block.signature.equals(first[hop]!.signature)).toBe(true);
      expect(block.signature.buffer.byteLength).toBe(block.signature.length);
    }
    // A decoded signature is a view of a shared slab: what the cache must not keep.
    expect(first[0]!.signature.buffer.byteLength).toBeGreaterThan(first[0]!.signature.length);
  });

  it('keeps nothing of a chain met once', () => {
    const cache = new RecurringCache<DecodedBlock>(16);
    decodeCheckedJwsChain(token, DEFAULT_LIMITS, cache);
    expect(cache.size).toBe(0);
  });
});
