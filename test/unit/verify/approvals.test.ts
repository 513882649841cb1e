/**
 * Rule 9's approvals (docs/guides/approvals.md): each attack on an approval denied with its
 * own code, at its hop, by the `authorize` check; a valid approval allows once.
 */
import { describe, expect, it } from 'vitest';
import {
  approvalCall,
  approvalNeeded,
  approve,
  delegate,
  MemoryReplayStore,
  parseMandate,
  type ApprovalCall,
  type Mandate,
} from '../../../src/index.js';
import { encodeJwsBlock, parentHash, decodeJwsChain } from '../../../src/format/jws/chain.js';
import { planDelegation } from '../../../src/format/plan.js';
import { prepareSigner } from '../../../src/identity/keys.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import {
  AUDIENCE,
  NOW,
  approvalVerifier,
  callWith,
  oneHopApprovals,
  pay,
} from '../../helpers/approval-world.js';

const { world, holder, mandate } = await oneHopApprovals();
const [x, y, z] = world.approvers;

async function callFor(m: Mandate, amount: number, invoice?: string): Promise<ApprovalCall> {
  return approvalCall(m, { action: pay(amount, invoice) });
}

describe('approvals: the requirement applies', () => {
  it('a payment of 200 or less needs no approval', async () => {
    const decision = await callWith(approvalVerifier(world), mandate, holder, pay(200));
    expect(decision).toMatchObject({ allowed: true });
    expect(decision.allowed && decision.approvedBy).toBeFalsy();
  });

  it('a payment over 200 without approval is MANDATE_APPROVAL_REQUIRED, saying what is missing', async () => {
    const decision = await callWith(approvalVerifier(world), mandate, holder, pay(250));
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_APPROVAL_REQUIRED',
      hop: 0,
      check: 'authorize',
    });
    const needed = approvalNeeded(decision);
    const last = mandate.blocks.at(-1)!;
    expect(needed).toMatchObject({
      hop: 0,
      approvers: ['user'],
      threshold: 1,
      missing: 1,
      approvedBy: [],
      call: {
        mandate: last.id,
        holder: holder.id,
        audience: AUDIENCE,
        resource: 'billing:invoices/2026-03',
        action: 'pay',
        args: { amount: 250 },
      },
    });
    expect(needed?.call).toEqual(await callFor(mandate, 250));
    expect(needed?.argsHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("the user's approval of the exact call allows it, once", async () => {
    const verifier = approvalVerifier(world);
    const approval = await approve(await callFor(mandate, 250), world.user, { now: NOW });
    const first = await callWith(verifier, mandate, holder, pay(250), [approval]);
    expect(first).toMatchObject({ allowed: true, approvedBy: [world.user.id] });
    const again = await callWith(verifier, mandate, holder, pay(250), [approval]);
    expect(again).toMatchObject({
      allowed: false,
      code: 'MANDATE_APPROVAL_REPLAYED',
      hop: 1,
      check: 'authorize',
    });
  });

  it('approvals are ignored (not read) when no requirement applies', async () => {
    const decision = await callWith(approvalVerifier(world), mandate, holder, pay(10), [
      'not-a-jws',
    ]);
    expect(decision).toMatchObject({ allowed: true });
  });
});

describe('approvals: each attack denied with its code', () => {
  const denied = async (approvals: readonly string[], amount = 250, invoice?: string) =>
    callWith(approvalVerifier(world), mandate, holder, pay(amount, invoice), approvals);

  it('an approval for another amount: MANDATE_APPROVAL_MISMATCH (args_hash)', async () => {
    const approval = await approve(await callFor(mandate, 210), world.user, { now: NOW });
    expect(await denied([approval], 900)).toMatchObject({
      allowed: false,
      code: 'MANDATE_APPROVAL_MISMATCH',
      hop: 1,
      check: 'authorize',
      detail: { path: 'approvals.0.args_hash' },
    });
  });

  it('an approval for another invoice: MANDATE_APPROVAL_MISMATCH (resource)', async () => {
    const approval = await approve(await callFor(mandate, 250, '2026-04'), world.user, {
      now: NOW,
    });
    expect(await denied([approval], 250, '2026-03')).toMatchObject({
      code: 'MANDATE_APPROVAL_MISMATCH',
      hop: 1,
      check: 'authorize',
      detail: { path: 'approvals.0.resource' },
    });
  });

  it('an approval for another holder: MANDATE_APPROVAL_MISMATCH (holder)', async () => {
    const call = { ...(await callFor(mandate, 250)), holder: world.stranger.id };
    const approval = await approve(call, world.user, { now: NOW });
    expect(await denied([approval])).toMatchObject({
      code: 'MANDATE_APPROVAL_MISMATCH',
      hop: 1,
      check: 'authorize',
      detail: { path: 'approvals.0.holder' },
    });
  });

  it('an approval of the parent mandate (another block): MANDATE_APPROVAL_MISMATCH (mandate)', async () => {
    const call = { ...(await callFor(mandate, 250)), mandate: mandate.blocks[0]!.id };
    const approval = await approve(call, world.user, { now: NOW });
    expect(await denied([approval])).toMatchObject({
      code: 'MANDATE_APPROVAL_MISMATCH',
      hop: 1,
      check: 'authorize',
      detail: { path: 'approvals.0.mandate' },
    });
  });

  it('an approval for another service: MANDATE_APPROVAL_MISMATCH (aud)', async () => {
    const call = { ...(await callFor(mandate, 250)), audience: 'https://other.test' };
    const approval = await approve(call, world.user, { now: NOW });
    expect(await denied([approval])).toMatchObject({
      code: 'MANDATE_APPROVAL_MISMATCH',
      hop: 1,
      check: 'authorize',
      detail: { path: 'approvals.0.aud' },
    });
  });

  it('an expired approval: MANDATE_APPROVAL_EXPIRED', async () => {
    const approval = await approve(await callFor(mandate, 250), world.user, {
      now: NOW - 400,
      expiresIn: 300,
    });
    expect(await denied([approval])).toMatchObject({
      code: 'MANDATE_APPROVAL_EXPIRED',
      hop: 1,
      check: 'authorize',
    });
  });

  it('an approval living longer than the verifier allows: MANDATE_APPROVAL_INVALID', async () => {
    const approval = await approve(await callFor(mandate, 250), world.user, {
      now: NOW,
      expiresIn: 3600,
    });
    expect(await denied([approval])).toMatchObject({
      code: 'MANDATE_APPROVAL_INVALID',
      hop: 1,
      check: 'authorize',
      detail: { path: 'approvals.0.exp' },
    });
  });

  it('an approval signed by a non-approver: MANDATE_APPROVAL_INVALID', async () => {
    const approval = await approve(await callFor(mandate, 250), world.stranger, { now: NOW });
    expect(await denied([approval])).toMatchObject({
      code: 'MANDATE_APPROVAL_INVALID',
      hop: 1,
      check: 'authorize',
      detail: { path: 'approvals.0.header.jwk' },
    });
  });

  it("an approval signed by the mandate's own holder (the agent approving itself): MANDATE_APPROVAL_INVALID", async () => {
    const approval = await approve(await callFor(mandate, 250), holder, { now: NOW });
    expect(await denied([approval])).toMatchObject({
      code: 'MANDATE_APPROVAL_INVALID',
      hop: 1,
      check: 'authorize',
    });
  });

  it('a forged approval (payload changed after signing): MANDATE_APPROVAL_INVALID', async () => {
    const approval = await approve(await callFor(mandate, 250), world.user, { now: NOW });
    const [h, p, s] = approval.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 1 })).toString(
      'base64url',
    );
    expect(await denied([`${h}.${forged}.${s}`])).toMatchObject({
      code: 'MANDATE_APPROVAL_INVALID',
      hop: 1,
      check: 'authorize',
      detail: { path: 'approvals.0.signature' },
    });
  });

  it('a malformed approval: MANDATE_APPROVAL_INVALID', async () => {
    expect(await denied(['a.b'])).toMatchObject({
      code: 'MANDATE_APPROVAL_INVALID',
      hop: 1,
      check: 'authorize',
    });
  });

  it('more than 16 approvals: MANDATE_LIMIT_EXCEEDED before any is read', async () => {
    expect(await denied(Array.from({ length: 17 }, () => 'x'))).toMatchObject({
      code: 'MANDATE_LIMIT_EXCEEDED',
      hop: 1,
      check: 'limits',
    });
  });

  it('a threshold of 2 is not met by the same approver twice', async () => {
    const del = { resource: 'billing:invoices/2026-03', action: 'delete', args: { amount: 1 } };
    const call = await approvalCall(mandate, { action: del });
    const once = await approve(call, x, { now: NOW });
    const twice = await approve(call, x, { now: NOW });
    const verifier = approvalVerifier(world);
    const decision = await callWith(verifier, mandate, holder, del, [once, twice]);
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_APPROVAL_REQUIRED',
      hop: 0,
      check: 'authorize',
      detail: { threshold: 2, missing: 1, approvedBy: [x.id] },
    });
    const other = await approve(call, z, { now: NOW });
    expect(await callWith(verifier, mandate, holder, del, [once, other])).toMatchObject({
      allowed: true,
      approvedBy: [x.id, z.id].sort(),
    });
    void y;
  });

  it("without userKeys, a 'user' approver cannot be satisfied (the reason says so)", async () => {
    const approval = await approve(await callFor(mandate, 250), world.user, { now: NOW });
    const decision = await callWith(
      approvalVerifier(world, { userKeys: undefined as never }),
      mandate,
      holder,
      pay(250),
      [approval],
    );
    expect(decision).toMatchObject({
      code: 'MANDATE_APPROVAL_INVALID',
      hop: 1,
      check: 'authorize',
    });
    const none = await callWith(
      approvalVerifier(world, { userKeys: undefined as never }),
      mandate,
      holder,
      pay(250),
    );
    expect(none).toMatchObject({ code: 'MANDATE_APPROVAL_REQUIRED', hop: 0, check: 'authorize' });
    expect(!none.allowed && none.reason).toContain('userKeys');
  });

  it('a request denied for another reason does not burn the approval', async () => {
    const replay = new MemoryReplayStore();
    const verifier = approvalVerifier(world, { replay });
    const approval = await approve(await callFor(mandate, 250), world.user, { now: NOW });
    // Proven by the wrong key: rule 8 denies before rule 9 reads the approval.
    const stolen = await callWith(verifier, mandate, holder, pay(250), [approval]).then(() =>
      verifier.verify(mandate, {
        action: pay(250),
        proof: 'garbage',
        request: { method: 'POST', url: `${AUDIENCE}/pay` },
        approvals: [approval],
      }),
    );
    expect(stolen).toMatchObject({ allowed: false, check: 'possession' });
    const fresh = await approve(await callFor(mandate, 250), world.user, { now: NOW });
    const badProof = await verifier.verify(mandate, {
      action: pay(250),
      proof: 'garbage',
      request: { method: 'POST', url: `${AUDIENCE}/pay` },
      approvals: [fresh],
    });
    expect(badProof).toMatchObject({ allowed: false, code: 'MANDATE_PROOF_INVALID' });
    expect(await callWith(verifier, mandate, holder, pay(250), [fresh])).toMatchObject({
      allowed: true,
    });
  });

  it('a requirement threshold is still unmet when the other approvals are invalid for another reason', async () => {
    // Approval of another call beside a valid one: the whole request is denied (evidence of an attack).
    const good = await approve(await callFor(mandate, 250), world.user, { now: NOW });
    const bad = await approve(await callFor(mandate, 999), world.user, { now: NOW });
    expect(await denied([good, bad])).toMatchObject({
      code: 'MANDATE_APPROVAL_MISMATCH',
      hop: 1,
      check: 'authorize',
      detail: { path: 'approvals.1.args_hash' },
    });
  });
});

describe('approvals: the narrowing law', () => {
  it('delegate keeps the requirements by default and may tighten them', async () => {
    const [root] = (await parseMandate(mandate)).blocks;
    expect(mandate.blocks[1]?.approvals).toEqual(root?.approvals);
    const tightened = await delegate(mandate, {
      signer: holder,
      holder: world.agents[2].publicJwk,
      now: NOW,
      approvals: [
        ...(root?.approvals ?? []),
        {
          resource: 'billing:**',
          actions: ['pay'],
          approvers: [x.id],
        },
      ],
    });
    const verifier = approvalVerifier(world);
    // Now every payment needs x as well (a wider trigger): 100 is refused without it.
    const decision = await callWith(verifier, tightened, world.agents[2], pay(100));
    expect(decision).toMatchObject({ code: 'MANDATE_APPROVAL_REQUIRED', hop: 2 });
  });

  it('delegate refuses to drop a requirement (MANDATE_WIDENED)', async () => {
    await expect(
      delegate(mandate, {
        signer: holder,
        holder: world.agents[2].publicJwk,
        now: NOW,
        approvals: [],
      }),
    ).rejects.toMatchObject({ code: 'MANDATE_WIDENED', hop: 2, check: 'narrowing' });
  });

  it('delegate refuses to loosen one (lower threshold, another approver, narrower trigger)', async () => {
    const all = mandate.blocks[1]!.approvals!;
    const pays = all.find((r) => r.actions.includes('pay'));
    const deletes = all.find((r) => r.actions.includes('delete'));
    const loosened = [
      [pays!, { ...deletes!, threshold: 1 }],
      [pays!, { ...deletes!, approvers: [...deletes!.approvers, world.stranger.id], threshold: 2 }],
      [{ ...pays!, when: { amount: { min: 500 } } }, deletes!],
    ];
    for (const approvals of loosened) {
      await expect(
        delegate(mandate, {
          signer: holder,
          holder: world.agents[2].publicJwk,
          now: NOW,
          approvals,
        }),
      ).rejects.toMatchObject({ code: 'MANDATE_WIDENED', hop: 2, check: 'narrowing' });
    }
  });

  it('a middle hop that strips a requirement by hand is denied by rule 4 (MANDATE_WIDENED)', async () => {
    const blocks = decodeJwsChain(mandate.token, DEFAULT_LIMITS);
    const parent = blocks[1]!;
    const plan = planDelegation(parent, 2, {
      signer: holder,
      holder: world.agents[2].publicJwk,
      now: NOW,
    });
    const { approvals: _dropped, ...stripped } = plan;
    const block = encodeJwsBlock(stripped, 2, prepareSigner(holder), {
      parHash: parentHash(parent),
    });
    const forged = `${mandate.token}~${block}`;
    const decision = await callWith(approvalVerifier(world), forged, world.agents[2], pay(250));
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_WIDENED',
      hop: 2,
      check: 'narrowing',
    });
  });
});
