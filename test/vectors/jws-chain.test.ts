/**
 * Mandate's own JWS-chain vectors (test/vectors/jws-chain.json): (a) the committed file is
 * exactly what scripts/generate-vectors.ts produces, and (b) every case reaches its
 * expected decision through `createVerifier`.
 */
import { describe, expect, it } from 'vitest';
import {
  generateVectors,
  renderVectors,
  VECTORS_PATH,
  type VectorCase,
  type VectorFile,
} from '../../scripts/generate-vectors.js';
import { createVerifier, type TrustAnchor, type Verifier } from '../../src/index.js';
import { itChecksGeneratedFile } from '../helpers/vector-file.js';
import { readVectorFile } from '../helpers/vectors.js';

const committed = readVectorFile<VectorFile>(VECTORS_PATH);
const file = committed.json;

function verifierFor(now: number): Verifier {
  const v = file.verifier;
  return createVerifier({
    trustAnchors: v.trustAnchors as TrustAnchor[],
    audience: v.audience,
    clockTolerance: v.clockTolerance,
    proofWindow: v.proofWindow,
    requireProof: v.requireProof,
    requireAudience: v.requireAudience,
    algorithms: v.algorithms as ('Ed25519' | 'ES256')[],
    limits: v.limits,
    clock: () => now,
  });
}

function present(verifier: Verifier, c: VectorCase) {
  return verifier.verify(c.token, {
    action: c.action,
    ...(c.proof === null ? {} : { proof: c.proof }),
    request: c.request,
  });
}

describe('jws-chain.json: the file', () => {
  itChecksGeneratedFile(
    'jws-chain.json',
    committed,
    async () => renderVectors(await generateVectors()),
    () => {
      for (const c of file.tests) {
        expect(c.result === 'valid' ? 'subject' in c.expected : 'code' in c.expected, c.name).toBe(
          true,
        );
      }
    },
  );

  it('covers every attack of DESIGN.md section 1 that the JWS format carries', () => {
    const names = new Set(file.tests.map((c) => c.name));
    for (const attack of [
      'valid-1-block',
      'valid-2-blocks',
      'valid-3-blocks',
      'spoofed-root',
      'untrusted-issuer',
      'self-signed-root',
      'over-scoped-amount',
      'widened-actions',
      'widened-resource',
      'widened-constraint',
      'widened-expiry',
      'widened-audience',
      'widened-max-depth',
      'removed-block',
      'reordered-blocks',
      'duplicated-block',
      'spliced-chains-tail',
      'truncated-chain',
      'wrong-audience',
      'expired-root',
      'not-yet-valid',
      'stolen-chain',
      'replayed-proof',
      'alg-none-root',
      'alg-hs256-public-key',
      'tampered-delegation-signature',
    ]) {
      expect(names.has(attack), attack).toBe(true);
    }
  });
});

describe('jws-chain.json: every case through createVerifier', () => {
  const byId = new Map(file.tests.map((c) => [c.tcId, c]));

  for (const c of file.tests) {
    it(`tcId ${c.tcId} ${c.name}: ${c.comment}`, async () => {
      const verifier = verifierFor(c.now);
      if (c.replayOf !== undefined) {
        const first = byId.get(c.replayOf);
        if (first === undefined) throw new Error(`tcId ${c.tcId}: no case ${c.replayOf}`);
        expect(await present(verifier, first), `tcId ${c.replayOf} first`).toMatchObject({
          allowed: true,
        });
      }
      const decision = await present(verifier, c);
      if (c.result === 'valid') {
        expect(decision, `tcId ${c.tcId} ${c.name}`).toMatchObject({
          allowed: true,
          ...c.expected,
        });
      } else {
        expect(decision, `tcId ${c.tcId} ${c.name}: ${c.comment}`).toMatchObject({
          allowed: false,
          ...c.expected,
        });
      }
    });
  }
});
