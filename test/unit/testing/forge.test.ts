/**
 * The forge the attack mutators build on: re-encoding a genuine chain's own blocks with their
 * genuine signers gives back a genuine chain (byte for byte for JWS and AAT), so whatever a
 * mutant is denied for is the mutation, not the forge; and a re-signed JSON edit re-links the
 * blocks after it.
 */
import { describe, expect, it } from 'vitest';
import type { Format } from '../../../src/core/types.js';
import { buildCorpus } from '../../../src/testing/fuzz/corpus.js';
import { presentProof } from '../../../src/testing/fuzz/present.js';
import { fuzzWorld, FUZZ_FORMATS } from '../../../src/testing/fuzz/world.js';
import {
  encodeChainUnchecked,
  jsonBlocksOf,
  planOf,
  resignJsonChain,
} from '../../../src/testing/forge.js';

const SEED = 77;

describe('forge', async () => {
  const world = fuzzWorld(SEED);
  const corpus = await buildCorpus(world, SEED, 4);

  async function decide(format: Format, token: string, chain = corpus[format][0]) {
    if (chain === undefined) throw new Error('no chain');
    const presenter = chain.target.holders.at(-1);
    if (presenter === undefined) throw new Error('no holder');
    const proof = await presentProof(format, token, presenter, chain.request, 'forge-test');
    return world.verifier.verify(token, {
      action: chain.action,
      ...(proof === undefined ? {} : { proof }),
      request: chain.request,
    });
  }

  it.each(FUZZ_FORMATS)(
    '%s: the genuine plans and signers give back a genuine chain',
    async (format) => {
      for (const chain of corpus[format]) {
        const { target } = chain;
        const forged = await encodeChainUnchecked(
          format,
          target.blocks.map(planOf),
          target.signers,
        );
        if (format !== 'biscuit') expect(forged).toBe(target.token);
        const [genuine, again] = await Promise.all([
          decide(format, target.token, chain),
          decide(format, forged, chain),
        ]);
        expect(again).toEqual(genuine);
      }
    },
  );

  it.each(['jws', 'aat'] as const)(
    '%s: a JSON edit re-signed by the genuine signer re-links every later block',
    async (format) => {
      const chain = corpus[format].find((c) => c.target.blocks.length > 1);
      if (chain === undefined) throw new Error('no chain of two blocks');
      const { target } = chain;
      const root = jsonBlocksOf(target.token)[0];
      if (root === undefined) throw new Error('no root');
      // The root's JSON with one more space: the same claims, other bytes.
      const edited = { header: root.header, payload: root.payload.replace('{', '{ ') };
      const token = resignJsonChain(format, target.token, 0, edited, target.signers);
      expect(token).not.toBe(target.token);
      expect(token.split('~')).toHaveLength(target.blocks.length);
      // The parent hashes match again: a failure, if any, is not the link.
      const decision = await decide(format, token, chain);
      if (!decision.allowed) expect(decision.check).not.toBe('linkage');
    },
  );
});
