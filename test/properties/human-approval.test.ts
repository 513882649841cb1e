/**
 * The law of the human approval step (src/adapters/human-approval.ts): whatever a service
 * answers, `retryWithApprovals` asks the human at most once per requirement and makes at most
 * one retry per requirement (it never loops), and it sends only what the human signed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { approvalNeeded, approve, MandateError, type Decision } from '../../src/index.js';
import { retryWithApprovals } from '../../src/adapters/human-approval.js';
import type { ApprovalNeeded } from '../../src/verify/approval-needed.js';
import { NUM_RUNS } from '../../src/testing/config.js';
import {
  NOW,
  approvalChain,
  approvalVerifier,
  callWith,
  createApprovalWorld,
  pay,
} from '../helpers/approval-world.js';

const world = await createApprovalWorld();
const mandate = await approvalChain(world, 1);
const needed = approvalNeeded(
  await callWith(approvalVerifier(world), mandate, world.agents[1], pay(250)),
) as ApprovalNeeded;
const RUNS = Math.max(10, Math.floor(NUM_RUNS / 10));

/** Four distinct requirements the user can meet (the call's own, on other scopes and hops). */
const POOL = [0, 1, 2, 3].map((i) => ({
  hop: i % 2,
  requirement: { ...needed.requirement, resource: `billing:invoices/${i}/**` },
  approvedBy: [],
  missing: 1,
}));

/** A denial asking for the requirements `indices` of the pool. */
function denial(indices: readonly number[]): Decision {
  const unmet = indices.map((i) => POOL[i]!);
  const first = unmet[0]!;
  return {
    allowed: false,
    code: 'MANDATE_APPROVAL_REQUIRED',
    hop: first.hop,
    check: 'authorize',
    reason: 'approval required',
    detail: { ...needed, ...first, unmet },
  };
}

/** What a service answers, attempt by attempt: allowed, or asking for some requirements. */
const arbAnswers = fc.array(
  fc.oneof(
    fc.constant('allowed' as const),
    fc.uniqueArray(fc.integer({ min: 0, max: POOL.length - 1 }), { minLength: 1, maxLength: 3 }),
  ),
  { maxLength: 10 },
);

describe('retryWithApprovals', () => {
  it('asks at most once per requirement, retries at most once per requirement, sends only what the human signed', async () => {
    await fc.assert(
      fc.asyncProperty(arbAnswers, async (answers) => {
        let attempts = 0;
        const signed = new Set<string>();
        const sent: string[] = [];
        const asked: number[][] = [];
        const outcome = await retryWithApprovals(
          (approvals) => {
            sent.push(...approvals);
            const answer = answers[attempts++] ?? 'allowed';
            return Promise.resolve(answer === 'allowed' ? ('allowed' as const) : denial(answer));
          },
          async (request) => {
            asked.push(request.needed.unmet.map((u) => POOL.findIndex((p) => p === u)));
            const approval = await approve(request.call, world.user, { now: NOW });
            signed.add(approval);
            return [approval];
          },
          { now: NOW },
        ).catch((error: unknown) => error);
        const requirements = new Set(answers.flatMap((a) => (a === 'allowed' ? [] : a)));
        expect(attempts).toBeLessThanOrEqual(requirements.size + 1);
        expect(asked.length).toBeLessThanOrEqual(requirements.size);
        expect(new Set(asked.flat()).size).toBe(asked.flat().length);
        for (const approval of sent) expect(signed.has(approval)).toBe(true);
        if (outcome !== 'allowed') {
          expect(outcome).toBeInstanceOf(MandateError);
          expect(outcome).toMatchObject({ code: 'MANDATE_APPROVAL_REQUIRED', check: 'authorize' });
        }
      }),
      { numRuns: RUNS },
    );
  }, 60_000);
});
