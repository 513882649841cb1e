/**
 * The framework-neutral human approval step (src/adapters/human-approval.ts) against the real
 * verifier: what to ask, asking once, checking the answer before any retry, and the bounded
 * retry. Every failure asserts `{ code, hop, check }`.
 */
import { describe, expect, it } from 'vitest';
import {
  approvalCall,
  approvalNeeded,
  approve,
  delegate,
  describeCall,
  MandateError,
  type ApprovalNeeded,
  type Decision,
} from '../../../src/index.js';
import {
  approvalNeededFor,
  approvalNeededOf,
  approvalsFromAnswer,
  askForApprovals,
  assertApprovalsCover,
  retryWithApprovals,
  type HumanApprovalRequest,
} from '../../../src/adapters/human-approval.js';
import { ToolDeniedError } from '../../../src/adapters/tool-guard.js';
import {
  AUDIENCE,
  NOW,
  approvalVerifier,
  callWith,
  oneHopApprovals,
  pay,
} from '../../helpers/approval-world.js';

const { world, holder, mandate } = await oneHopApprovals();
const [x, y] = world.approvers;
const at = { now: NOW };

/** A further hop that adds a requirement: every payment also needs approver x. */
const withSecondApprover = () =>
  delegate(mandate, {
    signer: holder,
    holder: world.agents[2].publicJwk,
    approvals: [
      ...(mandate.blocks.at(-1)?.approvals ?? []),
      { resource: 'billing:**', actions: ['pay'], approvers: [x.id] },
    ],
    now: NOW,
  });

/** The verifier's own `MANDATE_APPROVAL_REQUIRED` detail for a payment of `amount`. */
async function neededFor(amount: number): Promise<ApprovalNeeded> {
  const decision = await callWith(approvalVerifier(world), mandate, holder, pay(amount));
  const needed = approvalNeeded(decision);
  if (needed === undefined) throw new Error(`a payment of ${amount} needs no approval`);
  return needed;
}

const deletion = {
  resource: 'billing:invoices/2026-03',
  action: 'delete',
  args: { amount: 10 },
} as const;

async function rejection(promise: Promise<unknown> | (() => unknown)) {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(MandateError);
    const { code, hop, check } = error as MandateError;
    return { code, hop, check, error: error as MandateError };
  }
  throw new Error('expected a coded failure');
}

describe('approvalNeededFor: what to ask before anything is sent', () => {
  it("is exactly the verifier's MANDATE_APPROVAL_REQUIRED detail for the same call", async () => {
    const predicted = await approvalNeededFor(mandate, pay(250));
    expect(predicted).toEqual(await neededFor(250));
  });

  it('is undefined when no requirement covers the call', async () => {
    expect(await approvalNeededFor(mandate, pay(200))).toBeUndefined();
  });

  it('names every requirement of every hop that covers the call', async () => {
    const stricter = await withSecondApprover();
    const predicted = await approvalNeededFor(stricter, pay(250));
    expect(predicted?.unmet.map((u) => [u.hop, u.requirement.approvers])).toEqual([
      [0, ['user']],
      [2, [x.id]],
    ]);
    expect(predicted?.call).toEqual(await approvalCall(stricter, { action: pay(250) }));
  });
});

describe('askForApprovals: one question, the answer checked before any retry', () => {
  it("shows the human the call in plain words and returns the human's own approvals", async () => {
    const needed = await neededFor(250);
    const asked: HumanApprovalRequest[] = [];
    const approvals = await askForApprovals(
      needed,
      async (request) => {
        asked.push(request);
        return [await approve(request.call, world.user, at)];
      },
      at,
    );
    expect(asked).toHaveLength(1);
    expect(asked[0]?.description).toBe(describeCall(needed.call));
    expect(asked[0]?.description).toContain('amount = 250');
    const decision = await callWith(approvalVerifier(world), mandate, holder, pay(250), approvals);
    expect(decision).toMatchObject({ allowed: true, approvedBy: [world.user.id] });
  });

  it('a refusal fails closed with MANDATE_APPROVAL_REFUSED, saying why', async () => {
    const needed = await neededFor(250);
    const refused = await rejection(
      askForApprovals(needed, () => ({ refused: true, reason: 'not this month' }), at),
    );
    expect(refused).toMatchObject({
      code: 'MANDATE_APPROVAL_REFUSED',
      hop: 0,
      check: 'authorize',
    });
    expect(refused.error.message).toContain('not this month');
    expect(await rejection(askForApprovals(needed, () => [], at))).toMatchObject({
      code: 'MANDATE_APPROVAL_REFUSED',
      hop: 0,
      check: 'authorize',
    });
    // An answer that is neither approvals nor a refusal is misuse, never an approval.
    expect(() => approvalsFromAnswer(needed, 'yes' as never)).toThrow(TypeError);
    expect(() => approvalsFromAnswer(needed, { refused: false } as never)).toThrow(TypeError);
  });

  it('an approval of another amount is MANDATE_APPROVAL_MISMATCH (args_hash)', async () => {
    const needed = await neededFor(250);
    const other = await approve(await approvalCall(mandate, { action: pay(900) }), world.user, at);
    const failure = await rejection(askForApprovals(needed, () => [other], at));
    expect(failure).toMatchObject({
      code: 'MANDATE_APPROVAL_MISMATCH',
      hop: 0,
      check: 'authorize',
    });
    expect(failure.error.detail).toEqual({ path: 'approvals.0.args_hash' });
  });

  it('an approval of another invoice or service is MANDATE_APPROVAL_MISMATCH', async () => {
    const needed = await neededFor(250);
    const invoice = await approve(
      await approvalCall(mandate, { action: pay(250, '2026-04') }),
      world.user,
      at,
    );
    expect(await rejection(() => assertApprovalsCover(needed, [invoice], at))).toMatchObject({
      code: 'MANDATE_APPROVAL_MISMATCH',
      hop: 0,
      check: 'authorize',
    });
    const service = await approve(
      { ...needed.call, audience: 'https://other.test' },
      world.user,
      at,
    );
    const failure = await rejection(() => assertApprovalsCover(needed, [service], at));
    expect(failure).toMatchObject({ code: 'MANDATE_APPROVAL_MISMATCH', hop: 0 });
    expect(failure.error.detail).toEqual({ path: 'approvals.0.aud' });
  });

  it('expired, forged, or signed by a non-approver: each with its code', async () => {
    const decision = await callWith(approvalVerifier(world), mandate, holder, deletion);
    const needed = approvalNeeded(decision)!;
    expect(needed).toMatchObject({ threshold: 2, missing: 2 });
    const expired = await approve(needed.call, x, { now: NOW - 1000, expiresIn: 60 });
    expect(await rejection(() => assertApprovalsCover(needed, [expired], at))).toMatchObject({
      code: 'MANDATE_APPROVAL_EXPIRED',
      hop: 0,
      check: 'authorize',
    });
    const good = await approve(needed.call, x, at);
    const [head, body, signature] = good.split('.') as [string, string, string];
    const forged = `${head}.${body}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    expect(await rejection(() => assertApprovalsCover(needed, [forged], at))).toMatchObject({
      code: 'MANDATE_APPROVAL_INVALID',
      hop: 0,
      check: 'authorize',
    });
    const byStranger = await approve(needed.call, world.stranger, at);
    expect(await rejection(() => assertApprovalsCover(needed, [byStranger], at))).toMatchObject({
      code: 'MANDATE_APPROVAL_INVALID',
      hop: 0,
      check: 'authorize',
    });
    expect(await rejection(() => assertApprovalsCover(needed, ['not a jws'], at))).toMatchObject({
      code: 'MANDATE_APPROVAL_INVALID',
      hop: 0,
      check: 'authorize',
    });
  });

  it('the same approver twice does not meet a threshold of 2; two approvers do', async () => {
    const decision = await callWith(approvalVerifier(world), mandate, holder, deletion);
    const needed = approvalNeeded(decision)!;
    const twice = [await approve(needed.call, x, at), await approve(needed.call, x, at)];
    const failure = await rejection(() => assertApprovalsCover(needed, twice, at));
    expect(failure).toMatchObject({
      code: 'MANDATE_APPROVAL_REQUIRED',
      hop: 0,
      check: 'authorize',
    });
    expect(failure.error.detail).toEqual({ missing: 1 });
    const both = [twice[0]!, await approve(needed.call, y, at)];
    expect(assertApprovalsCover(needed, both, at)).toEqual(both);
  });

  it('more than 16 approvals is MANDATE_LIMIT_EXCEEDED', async () => {
    const needed = await neededFor(250);
    const many = Array.from({ length: 17 }, () => 'x');
    expect(await rejection(() => assertApprovalsCover(needed, many, at))).toMatchObject({
      code: 'MANDATE_LIMIT_EXCEEDED',
      hop: 0,
      check: 'limits',
    });
  });
});

describe('retryWithApprovals: at most one retry per requirement', () => {
  it('pause, approve, the retried call runs; the human is asked once', async () => {
    const verifier = approvalVerifier(world);
    const sent: (readonly string[])[] = [];
    let asked = 0;
    const decision = await retryWithApprovals(
      async (approvals) => {
        sent.push(approvals);
        return callWith(verifier, mandate, holder, pay(250), approvals);
      },
      async (request) => {
        asked++;
        return [await approve(request.call, world.user, at)];
      },
      at,
    );
    expect(decision).toMatchObject({ allowed: true, approvedBy: [world.user.id] });
    expect(asked).toBe(1);
    expect(sent.map((s) => s.length)).toEqual([0, 1]);
  });

  it('a refusal never retries: the call is made once, without approvals', async () => {
    const verifier = approvalVerifier(world);
    let attempts = 0;
    const failure = await rejection(
      retryWithApprovals(
        async (approvals) => {
          attempts++;
          return callWith(verifier, mandate, holder, pay(250), approvals);
        },
        () => ({ refused: true }),
        at,
      ),
    );
    expect(failure).toMatchObject({ code: 'MANDATE_APPROVAL_REFUSED', hop: 0, check: 'authorize' });
    expect(attempts).toBe(1);
  });

  it('an answer that does not cover the call is never sent', async () => {
    const verifier = approvalVerifier(world);
    let attempts = 0;
    const other = await approve(await approvalCall(mandate, { action: pay(900) }), world.user, at);
    const failure = await rejection(
      retryWithApprovals(
        async (approvals) => {
          attempts++;
          return callWith(verifier, mandate, holder, pay(250), approvals);
        },
        () => [other],
        at,
      ),
    );
    expect(failure).toMatchObject({
      code: 'MANDATE_APPROVAL_MISMATCH',
      hop: 0,
      check: 'authorize',
    });
    expect(attempts).toBe(1);
  });

  it('a requirement still unmet after its approvals were sent ends the loop', async () => {
    const needed = await neededFor(250);
    const denied: Decision = {
      allowed: false,
      code: 'MANDATE_APPROVAL_REQUIRED',
      hop: 0,
      check: 'authorize',
      reason: 'still needed',
      detail: { ...needed, unmet: needed.unmet },
    };
    let attempts = 0;
    let asked = 0;
    const failure = await rejection(
      retryWithApprovals(
        // A service that keeps asking (say, it does not know the user's key): never a loop.
        () => {
          attempts++;
          return Promise.resolve(denied);
        },
        async (request) => {
          asked++;
          return [await approve(request.call, world.user, at)];
        },
        at,
      ),
    );
    expect(failure).toMatchObject({
      code: 'MANDATE_APPROVAL_REQUIRED',
      hop: 0,
      check: 'authorize',
    });
    expect([attempts, asked]).toEqual([2, 1]);
  });

  it('two requirements at two hops: both approvers asked in one question, one retry', async () => {
    const stricter = await withSecondApprover();
    const verifier = approvalVerifier(world);
    let attempts = 0;
    const decision = await retryWithApprovals(
      async (approvals) => {
        attempts++;
        return callWith(verifier, stricter, world.agents[2], pay(250), approvals);
      },
      async ({ call, needed }) => {
        expect(needed.unmet.map((u) => u.hop)).toEqual([0, 2]);
        return [await approve(call, world.user, at), await approve(call, x, at)];
      },
      at,
    );
    expect(decision).toMatchObject({ allowed: true });
    expect(attempts).toBe(2);
  });

  it('reads the need from a thrown denial (ToolDeniedError) and rethrows anything else', async () => {
    const needed = await neededFor(250);
    const error = new ToolDeniedError({
      denied: true,
      code: 'MANDATE_APPROVAL_REQUIRED',
      hop: 0,
      check: 'authorize',
      reason: 'approval required',
      tool: 'pay',
      approval: needed,
    });
    expect(approvalNeededOf(error)).toEqual(needed);
    let attempts = 0;
    const result = await retryWithApprovals(
      (approvals) => {
        attempts++;
        return approvals.length === 0 ? Promise.reject(error) : Promise.resolve('paid');
      },
      async (request) => [await approve(request.call, world.user, at)],
      at,
    );
    expect([result, attempts]).toEqual(['paid', 2]);
    const other = new Error('network down');
    await expect(
      retryWithApprovals(
        () => Promise.reject(other),
        () => [],
      ),
    ).rejects.toBe(other);
    expect(AUDIENCE).toBe(needed.call.audience);
  });
});
