/**
 * The approval vectors (test/vectors/approvals.json): (a) the committed file is exactly what
 * scripts/approval-vectors.ts produces, and (b) every case, in each of the three encodings,
 * reaches its expected decision through `createVerifier`, after the cases it names in `before`
 * on the same replay store.
 */
import { describe, expect, it } from 'vitest';
import {
  APPROVAL_VECTORS_PATH,
  generateApprovalVectors,
  type ApprovalVectorCase,
  type ApprovalVectorFile,
} from '../../scripts/approval-vectors.js';
import { renderVectors } from '../../scripts/vector-file.js';
import {
  createVerifier,
  MemoryReplayStore,
  type TrustAnchor,
  type Verifier,
} from '../../src/index.js';
import type { JWK } from 'jose';
import { itChecksGeneratedFile } from '../helpers/vector-file.js';
import { readVectorFile } from '../helpers/vectors.js';

const committed = readVectorFile<ApprovalVectorFile>(APPROVAL_VECTORS_PATH);
const file = committed.json;
const byId = new Map(file.tests.map((c) => [c.tcId, c]));

function verifierFor(now: number): Verifier {
  const v = file.verifier;
  return createVerifier({
    trustAnchors: v.trustAnchors as TrustAnchor[],
    audience: v.audience,
    clockTolerance: v.clockTolerance,
    proofWindow: v.proofWindow,
    maxApprovalLifetime: v.maxApprovalLifetime,
    userKeys: (subject) => (v.userKeys[subject] ?? []) as JWK[],
    limits: v.limits,
    replay: new MemoryReplayStore(),
    clock: () => now,
  });
}

function present(verifier: Verifier, c: ApprovalVectorCase) {
  return verifier.verify(c.token, {
    proof: c.proof,
    request: c.request,
    approvals: c.approvals,
  });
}

function expectOutcome(decision: unknown, c: ApprovalVectorCase): void {
  expect(decision, `tcId ${c.tcId} ${c.name}: ${c.comment}`).toMatchObject({
    allowed: c.result === 'valid',
    ...c.expected,
  });
}

describe('approvals.json: the file', () => {
  itChecksGeneratedFile('approvals.json', committed, async () =>
    renderVectors(await generateApprovalVectors()),
  );

  it('covers allowed, required and every attack on an approval, in each encoding', () => {
    const names = new Set(file.tests.map((c) => c.name));
    for (const format of ['jws', 'aat', 'biscuit']) {
      for (const attack of [
        'no-approval-needed',
        'approval-required',
        'approved',
        'other-amount',
        'other-holder',
        'other-audience',
        'expired',
        'replayed',
        'replayed-pair',
        'fresh-after-replayed-pair',
        'non-approver',
        'same-approver-twice',
        'two-approvers',
        'stripped-requirement',
      ]) {
        expect(names.has(`${format}-${attack}`), `${format}-${attack}`).toBe(true);
      }
    }
  });
});

describe('approvals.json: every case through createVerifier', () => {
  for (const c of file.tests) {
    it(`tcId ${c.tcId} ${c.name}: ${c.comment}`, async () => {
      const verifier = verifierFor(c.now);
      for (const id of c.before ?? []) {
        const first = byId.get(id);
        if (first === undefined) throw new Error(`tcId ${c.tcId}: no case ${id}`);
        expectOutcome(await present(verifier, first), first);
      }
      expectOutcome(await present(verifier, c), c);
    });
  }
});
