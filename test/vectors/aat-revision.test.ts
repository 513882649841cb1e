/**
 * Mandate's own vectors for the 2026-09-29 revision of the AAT draft -02
 * (test/vectors/aat-revision.json): (a) the committed file is exactly what
 * scripts/generate-vectors.ts produces, and (b) every case reaches its expected decision,
 * with the draft step it names, through `createVerifier`. Arguments are JSON text and are
 * read with `parseArguments`, so numbers reach the verifier as written.
 */
import { describe, expect, it } from 'vitest';
import {
  AAT_REVISION_PATH,
  generateAatRevisionVectors,
  type AatRevisionFile,
} from '../../scripts/aat-revision-vectors.js';
import { renderVectors } from '../../scripts/vector-file.js';
import { createVerifier, parseArguments, type TrustAnchor } from '../../src/index.js';
import { expectNoDrift, expectSeedKeys } from '../helpers/vector-file.js';
import { readVectorFile } from '../helpers/vectors.js';

const { text: committedText, json: file } = readVectorFile<AatRevisionFile>(AAT_REVISION_PATH);

describe('aat-revision.json: the file', () => {
  it('has not drifted from the generator (run `npm run vectors:generate` after a deliberate change)', () => {
    const regenerated = renderVectors(generateAatRevisionVectors());
    expectNoDrift('aat-revision.json', committedText, regenerated, file.tests);
  });

  it('lists test keys whose seeds derive the published public keys and ids', () => {
    expectSeedKeys(file.keys);
  });

  it('has unique names, a step on every invalid case, and one case per rule it names', () => {
    expect(file.numberOfTests).toBe(file.tests.length);
    expect(new Set(file.tests.map((c) => c.name)).size).toBe(file.tests.length);
    for (const c of file.tests) {
      expect(c.comment.length, c.name).toBeGreaterThan(10);
      if (c.result === 'invalid') expect(c.expected, c.name).toHaveProperty('step');
    }
    const steps = new Set(
      file.tests.flatMap((c) => ('step' in c.expected ? [c.expected.step] : [])),
    );
    for (const step of ['3b', '3c', '3m', '3n', '4n', '4o', '4p2', '4p3', '6b', '7c']) {
      expect(steps.has(step), step).toBe(true);
    }
  });
});

describe('aat-revision.json: every case through createVerifier', () => {
  const v = file.verifier;
  for (const c of file.tests) {
    it(`tcId ${c.tcId} ${c.name}: ${c.comment}`, async () => {
      const verifier = createVerifier({
        trustAnchors: v.trustAnchors as TrustAnchor[],
        audience: v.audience,
        proofWindow: v.proofWindow,
        maxIatSkew: v.maxIatSkew,
        maxTokenLifetime: v.maxTokenLifetime,
        maxDelegationDepth: v.maxDelegationDepth,
        requireAudience: v.requireAudience,
        requirePopAudience: v.requirePopAudience,
        clock: () => c.now,
      });
      const decision = await verifier.verify(c.token, {
        proof: c.proof,
        request: { tool: c.tool, args: parseArguments(c.args) as never },
      });
      if (c.result === 'valid') {
        expect(decision, `tcId ${c.tcId} ${c.name}`).toMatchObject({
          allowed: true,
          format: 'aat',
          ...c.expected,
        });
      } else {
        const { step, ...rest } = c.expected as { step: string };
        expect(decision, `tcId ${c.tcId} ${c.name}: ${c.comment}`).toMatchObject({
          allowed: false,
          ...rest,
          detail: { step },
        });
      }
    });
  }
});
