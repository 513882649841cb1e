/**
 * The Inspector's report on pasted approvals, built on the real verifier (rule 9 runs; the
 * report never decides by itself): each approval's approver, call, expiry, signature and the
 * requirement it counts toward, each requirement's status, and what is still missing.
 */
import { beforeAll, describe, expect, it } from 'vitest';

import {
  approvalReport,
  type ApprovalReport,
} from '../../../../src/cli/inspector/approval-report.js';
import { parseMandate } from '../../../../src/format/parse.js';
import {
  approvalCall,
  approve,
  createVerifier,
  generateKeyPair,
  mint,
  delegate,
  type Action,
  type Decision,
  type KeyPair,
  type Mandate,
} from '../../../../src/index.js';

const AUDIENCE = 'https://billing.test';
const NOW = 1_900_000_000;
const PAY = (amount: number): Action => ({
  resource: 'billing:invoices/7',
  action: 'pay',
  args: { amount },
});

let issuer: KeyPair;
let agent: KeyPair;
let sub: KeyPair;
let approvers: KeyPair[];
let user: KeyPair;
/** Root: pay over 200 needs 1 of approvers[0..1]; hop 1 adds: any pay needs the user. */
let chain: Mandate;

beforeAll(async () => {
  const keys = await Promise.all(Array.from({ length: 7 }, () => generateKeyPair()));
  [issuer, agent, sub, user] = keys as [KeyPair, KeyPair, KeyPair, KeyPair];
  approvers = keys.slice(4);
  const root = await mint({
    issuer,
    issuerId: 'https://as.test',
    subject: 'alice',
    holder: agent.publicJwk,
    capabilities: [
      { resource: 'billing:invoices/**', actions: ['pay'], constraints: { amount: { max: 1000 } } },
      { resource: 'billing:invoices/**', actions: ['read'] },
    ],
    approvals: [
      {
        resource: 'billing:invoices/**',
        actions: ['pay'],
        when: { amount: { min: 200 } },
        approvers: [approvers[0]!.id, approvers[1]!.id],
      },
    ],
    audience: AUDIENCE,
    expiresIn: '1h',
    now: NOW - 60,
  });
  chain = await delegate(root, {
    signer: agent,
    holder: sub.publicJwk,
    capabilities: root.blocks[0]!.capabilities,
    approvals: [
      ...(root.blocks[0]!.approvals ?? []),
      { resource: 'billing:invoices/7', actions: ['pay'], approvers: ['user'] },
    ],
    now: NOW - 60,
  });
});

/** A fresh verifier per call, as the Inspector makes them. */
const decider =
  (action: Action, withUser = true) =>
  (approvals: readonly string[]): Promise<Decision> =>
    createVerifier({
      trustAnchors: [{ id: 'https://as.test', publicJwk: issuer.publicJwk }],
      audience: AUDIENCE,
      requireProof: false,
      clock: () => NOW,
      ...(withUser ? { userKeys: () => [user.publicJwk] } : {}),
    }).verify(chain, { action, approvals });

async function report(
  action: Action,
  approvals: readonly string[],
  withUser = true,
): Promise<{ decision: Decision; report: ApprovalReport }> {
  const decide = decider(action, withUser);
  const decision = await decide(approvals);
  return {
    decision,
    report: await approvalReport({
      blocks: (await parseMandate(chain.token)).blocks,
      action,
      approvals,
      userKeys: withUser ? [user.publicJwk] : [],
      now: NOW,
      decision,
      decide,
    }),
  };
}

const approvalOf = async (
  approver: KeyPair,
  action: Action,
  options: { now?: number; expiresIn?: number } = {},
): Promise<string> =>
  approve(await approvalCall(chain, { action, audience: AUDIENCE }), approver, {
    now: options.now ?? NOW - 10,
    ...(options.expiresIn === undefined ? {} : { expiresIn: options.expiresIn }),
  });

describe('approvalReport', () => {
  it('without approvals: every applying requirement unmet, and what is missing', async () => {
    const { decision, report: r } = await report(PAY(300), []);
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_APPROVAL_REQUIRED',
      hop: 0,
      check: 'authorize',
    });
    expect(r.applying.map((a) => [a.hop, a.index, a.status, a.missing])).toEqual([
      [0, 0, 'unmet', 1],
      [1, 1, 'unmet', 1],
    ]);
    expect(r.applying[1]?.approvers).toEqual([
      { id: 'user', label: 'the originating user (alice)' },
    ]);
    expect(r.needed?.missing).toBe(1);
    expect(r.needed?.call).toMatchObject({ resource: 'billing:invoices/7', args: { amount: 300 } });
    expect(r.summary).toBe(
      'Approval required: 2 requirement(s) not met; the first, at hop 0, needs 1 more.',
    );
  });

  it('a valid approval: its approver, call, expiry, signature, and the requirement it counts toward', async () => {
    const one = await approvalOf(approvers[1]!, PAY(300));
    const { decision, report: r } = await report(PAY(300), [one]);
    // Still denied: hop 1's requirement (the user) is not met.
    expect(decision).toMatchObject({
      code: 'MANDATE_APPROVAL_REQUIRED',
      hop: 1,
      check: 'authorize',
    });
    const [a] = r.approvals;
    expect(a).toMatchObject({
      index: 0,
      approver: { id: approvers[1]!.id, label: `key …${approvers[1]!.id.slice(-4)}` },
      call: {
        audience: AUDIENCE,
        mandate: chain.blocks[1]!.id,
        holder: sub.id,
        holderLabel: `holder 1 (key …${sub.id.slice(-4)})`,
        resource: 'billing:invoices/7',
        action: 'pay',
      },
      issuedAt: NOW - 10,
      expiresAt: NOW + 290,
      expiresIn: 290,
      signature: 'valid',
      outcome: 'counted',
      countsToward: [{ hop: 0, index: 0 }],
    });
    expect(a?.text).toBe("valid for this call; counts toward hop 0's requirement 0");
    expect(r.applying.map((x) => x.status)).toEqual(['met', 'unmet']);
    expect(r.applying[0]?.approvedBy.map((x) => x.id)).toEqual([approvers[1]!.id]);

    // With the user's approval too: allowed, both requirements met.
    const mine = await approvalOf(user, PAY(300));
    const both = await report(PAY(300), [one, mine]);
    expect(both.decision).toMatchObject({ allowed: true });
    expect(both.report.applying.map((x) => x.status)).toEqual(['met', 'met']);
    expect(both.report.approvals[1]).toMatchObject({
      approver: { id: user.id, label: `the originating user's key (key …${user.id.slice(-4)})` },
      outcome: 'counted',
      countsToward: [{ hop: 1, index: 1 }],
    });
    expect(both.report.summary).toBe(
      'Every approval requirement that covers this call is met (2).',
    );
  });

  it('without userKeys the user’s approval counts toward nothing, as the verifier says', async () => {
    const mine = await approvalOf(user, PAY(50));
    const { decision, report: r } = await report(PAY(50), [mine], false);
    expect(decision).toMatchObject({
      code: 'MANDATE_APPROVAL_INVALID',
      hop: 1,
      check: 'authorize',
    });
    expect(r.approvals[0]).toMatchObject({
      signature: 'valid',
      outcome: 'refused',
      error: { code: 'MANDATE_APPROVAL_INVALID', path: 'approvals.0.header.jwk' },
      countsToward: [],
    });
  });

  it('refuses garbage, forged, expired and mismatched approvals with the verifier’s codes', async () => {
    const good = await approvalOf(approvers[0]!, PAY(300));
    const [h, p, sig] = good.split('.') as [string, string, string];
    const forged = `${h}.${p}.${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`;
    const expired = await approvalOf(approvers[0]!, PAY(300), { now: NOW - 400 });
    const other = await approvalOf(approvers[0]!, PAY(301));
    const huge = 'e'.repeat(60_000);
    const cases: [string, string, string, 'valid' | 'invalid' | 'unchecked'][] = [
      ['garbage', 'not.a.jws', 'MANDATE_APPROVAL_INVALID', 'unchecked'],
      ['huge', huge, 'MANDATE_APPROVAL_INVALID', 'unchecked'],
      ['forged', forged, 'MANDATE_APPROVAL_INVALID', 'invalid'],
      ['expired', expired, 'MANDATE_APPROVAL_EXPIRED', 'valid'],
      ['other call', other, 'MANDATE_APPROVAL_MISMATCH', 'valid'],
    ];
    for (const [name, approval, code, signature] of cases) {
      const { decision, report: r } = await report(PAY(300), [approval]);
      expect({ name, decision }).toMatchObject({
        name,
        decision: { allowed: false, code, hop: 1, check: 'authorize' },
      });
      expect({ name, ...r.approvals[0] }).toMatchObject({
        name,
        signature,
        outcome: 'refused',
        error: { code },
        countsToward: [],
      });
      expect(r.applying.every((a) => a.status === 'not evaluated')).toBe(true);
      expect(r.summary).toBe(`Denied by an approval: ${code}.`);
    }
    const garbage = (await report(PAY(300), ['not.a.jws'])).report.approvals[0];
    expect(garbage?.readError?.code).toBe('MANDATE_APPROVAL_INVALID');
    expect(garbage?.approver).toBeUndefined();
    const exp = (await report(PAY(300), [expired])).report.approvals[0];
    expect(exp?.expiresIn).toBe(-100);
  });

  it('ignores approvals for a call no requirement covers, and says so', async () => {
    const any = await approvalOf(approvers[0]!, PAY(300));
    const { decision, report: r } = await report(
      { resource: 'billing:invoices/7', action: 'read' },
      [any],
    );
    expect(decision.allowed).toBe(true);
    expect(r.applying).toEqual([]);
    expect(r.approvals[0]).toMatchObject({ outcome: 'ignored', signature: 'valid' });
    expect(r.summary).toBe('No approval requirement of any hop covers this call.');
  });

  it('does not reach approvals when the chain denies the call first', async () => {
    // Over the capability's limit: forbidden before rule 9 reads any approval.
    const any = await approvalOf(approvers[0]!, PAY(5000));
    const { decision, report: r } = await report(PAY(5000), [any]);
    expect(decision).toMatchObject({ code: 'MANDATE_FORBIDDEN', hop: 0, check: 'authorize' });
    expect(r.applying.map((a) => a.status)).toEqual(['not evaluated', 'not evaluated']);
    expect(r.summary).toBe(
      'Approvals were not evaluated: the verifier denies the request first (MANDATE_FORBIDDEN).',
    );
    expect(r.approvals[0]).toMatchObject({
      outcome: 'undetermined',
      error: { code: 'MANDATE_FORBIDDEN' },
    });
  });
});
