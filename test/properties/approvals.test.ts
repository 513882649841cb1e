/**
 * The laws of approval requirements (docs/guides/approvals.md): keeping or tightening them
 * never allows more; dropping or loosening one is refused by `delegate` and, built by hand,
 * denied by the verifier's rule 4.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { delegate, mint, prove, createVerifier } from '../../src/index.js';
import { normalizeApprovalRequirements } from '../../src/core/approval-requirement.js';
import { generateKeyPair, prepareSigner } from '../../src/identity/keys.js';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import { decodeJwsChain, encodeJwsBlock, parentHash } from '../../src/format/jws/chain.js';
import { planDelegation } from '../../src/format/plan.js';
import { arbApprovalRequirement, arbLoosening } from '../../src/testing/approval-arbitraries.js';
import {
  checkApprovalNarrowingSound,
  checkLooseningRefused,
  checkTighteningAccepted,
} from '../../src/testing/approval-laws.js';
import { NUM_RUNS } from '../../src/testing/config.js';

describe('the approval narrowing law', () => {
  it('is sound: a child that passes it never needs fewer or other approvals', () => {
    checkApprovalNarrowingSound();
  });
  it('accepts every tightening', () => {
    checkTighteningAccepted();
  });
  it('refuses every drop and every loosening', () => {
    checkLooseningRefused();
  });
});

const ISSUER = 'https://issuer.approvals';
const AUDIENCE = 'https://service.approvals';
const NOW = 1_900_000_000;
const RUNS = Math.max(10, Math.floor(NUM_RUNS / 10));
const [anchor, a, b] = await Promise.all([generateKeyPair(), generateKeyPair(), generateKeyPair()]);

describe('loosening through the API and by hand', () => {
  it('delegate refuses it (MANDATE_WIDENED at the new hop); a hand-built block is denied by rule 4', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbApprovalRequirement().chain((r) => fc.tuple(fc.constant(r), arbLoosening(r))),
        fc.constantFrom('jws' as const, 'biscuit' as const),
        async ([requirement, looser], format) => {
          const root = await mint({
            issuer: anchor,
            issuerId: ISSUER,
            subject: 'u',
            holder: a.publicJwk,
            capabilities: [{ resource: 'docs:**', actions: ['read', 'write', 'pay'] }],
            approvals: [requirement],
            expiresIn: 600,
            audience: AUDIENCE,
            now: NOW,
            format,
          });
          await expect(
            delegate(root, { signer: a, holder: b.publicJwk, now: NOW, approvals: [looser] }),
          ).rejects.toMatchObject({ code: 'MANDATE_WIDENED', hop: 1, check: 'narrowing' });
          if (format !== 'jws') return;
          // By hand: plan a faithful block, then swap in the looser requirement and sign it.
          const [parent] = decodeJwsChain(root.token, DEFAULT_LIMITS);
          const plan = planDelegation(parent!, 1, { signer: a, holder: b.publicJwk, now: NOW });
          const block = encodeJwsBlock(
            { ...plan, approvals: normalizeApprovalRequirements([looser]) },
            1,
            prepareSigner(a),
            { parHash: parentHash(parent!) },
          );
          const forged = `${root.token}~${block}`;
          const request = { method: 'GET', url: `${AUDIENCE}/x` };
          const decision = await createVerifier({
            trustAnchors: [{ id: ISSUER, publicJwk: anchor.publicJwk }],
            audience: AUDIENCE,
            clock: () => NOW,
          }).verify(forged, {
            action: { resource: 'docs:a', action: 'read' },
            proof: await prove(forged, { signer: b, request, now: NOW }),
            request,
          });
          expect(decision).toMatchObject({
            allowed: false,
            code: 'MANDATE_WIDENED',
            hop: 1,
            check: 'narrowing',
          });
        },
      ),
      { numRuns: RUNS },
    );
  });
});
