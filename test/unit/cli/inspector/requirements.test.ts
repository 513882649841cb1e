/**
 * The Inspector's view of approval requirements per hop: who must approve (by id and label),
 * how many, when, and where each requirement comes from (root, inherited, tightened, added);
 * a hop that drops or loosens one is flagged as a widening.
 */
import { describe, expect, it } from 'vitest';

import {
  normalizeApprovalRequirements,
  type ApprovalRequirementInput,
} from '../../../../src/core/approval-requirement.js';
import {
  approvalLooseningText,
  approverLabel,
  describeRequirementText,
  requirementViews,
  type PartyNames,
} from '../../../../src/cli/inspector/requirements.js';
import {
  compareWithParent,
  inspectToken,
  type HopFacts,
} from '../../../../src/cli/inspector/view.js';
import { delegate, generateKeyPair, mint } from '../../../../src/index.js';

const A = `urn:ietf:params:oauth:jwk-thumbprint:sha-256:${'A'.repeat(42)}a`;
const B = `urn:ietf:params:oauth:jwk-thumbprint:sha-256:${'B'.repeat(42)}b`;
const C = `urn:ietf:params:oauth:jwk-thumbprint:sha-256:${'C'.repeat(42)}c`;
const names: PartyNames = { subject: 'alice', holders: [A] };

const normal = (...input: ApprovalRequirementInput[]) => normalizeApprovalRequirements(input);

const pay = (over: Partial<ApprovalRequirementInput> = {}): ApprovalRequirementInput => ({
  resource: 'billing:invoices/**',
  actions: ['pay'],
  when: { amount: { min: 200 } },
  approvers: [B, C],
  threshold: 1,
  ...over,
});

describe('approver labels and requirement text', () => {
  it('names the user by subject, a chain holder by position, any other key by a short label', () => {
    expect(approverLabel('user', names)).toBe('the originating user (alice)');
    expect(approverLabel(A, names)).toBe('holder 0 (key …AAAa)');
    expect(approverLabel(B, names)).toBe('key …BBBb');
  });

  it('says who, how many, on what, and when, in one sentence', () => {
    const [twoOfThree] = normal(pay({ approvers: [A, B, C], threshold: 2 }));
    expect(describeRequirementText(twoOfThree!, names)).toBe(
      'pay on billing:invoices/** needs 2 of 3 approvers (holder 0 (key …AAAa), key …BBBb, key …CCCc), when 200 ≤ amount',
    );
    const [user] = normal({
      resource: 'mail:**',
      actions: ['send', 'delete'],
      approvers: ['user'],
    });
    expect(describeRequirementText(user!, names)).toBe(
      'delete, send on mail:** needs 1 approval, by the originating user (alice), for every call',
    );
  });
});

describe('requirementViews', () => {
  it('marks the root’s requirements as set by the root, with approvers, threshold and trigger', () => {
    const [view] = requirementViews(0, normal(pay()), undefined, names);
    expect(view).toMatchObject({
      index: 0,
      origin: 'root',
      originText: 'set by the root grant',
      threshold: 1,
      when: '200 ≤ amount',
      approvers: [
        { id: B, label: 'key …BBBb' },
        { id: C, label: 'key …CCCc' },
      ],
    });
  });

  it('tells inherited, tightened and added requirements apart', () => {
    const parent = normal(pay());
    const child = normal(
      pay(), // the same: inherited
      { resource: 'mail:**', actions: ['send'], approvers: ['user'] }, // new: added
    );
    const views = requirementViews(1, child, parent, names);
    const byText = Object.fromEntries(views.map((v) => [v.requirement.resource, v]));
    expect(byText['billing:invoices/**']).toMatchObject({
      origin: 'inherited',
      originText: 'inherited unchanged from hop 0',
    });
    expect(byText['mail:**']).toMatchObject({ origin: 'added', originText: 'added at hop 1' });

    // Fewer approvers, a higher threshold and a wider trigger: stricter in every way.
    const tightened = normal(pay({ approvers: [B], when: { amount: { min: 100 } } }));
    const [t] = requirementViews(2, tightened, parent, names);
    expect(t?.origin).toBe('tightened');
    expect(t?.originText).toBe(
      "tightens hop 1's (1 approver fewer; trigger 200 ≤ amount → 100 ≤ amount)",
    );
    const [higher] = requirementViews(1, normal(pay({ threshold: 2 })), parent, names);
    expect(higher?.originText).toBe("tightens hop 0's (threshold 1 → 2)");
  });

  it('flags a dropped or loosened requirement as a widening, first', () => {
    const parent = normal(pay({ threshold: 2 }));
    expect(approvalLooseningText([], parent, names)).toMatch(
      /^dropped the parent's approval requirement: pay on billing:invoices\/\*\* needs 2 of 2/,
    );
    expect(approvalLooseningText(normal(pay()), parent, names)).toMatch(
      /^loosened the parent's approval requirement/,
    );
    expect(approvalLooseningText(parent, parent, names)).toBeUndefined();

    const hop = (hopIndex: number, approvals: ReturnType<typeof normal>): HopFacts => ({
      hop: hopIndex,
      kind: hopIndex === 0 ? 'root' : 'delegation',
      id: `b${hopIndex}`,
      from: 'https://as.test',
      to: A,
      subject: 'alice',
      capabilities: [{ resource: 'billing:**', actions: ['pay'] }],
      issuedAt: 1_800_000_000,
      expiresAt: 1_800_000_600,
      depth: hopIndex,
      maxDepth: 4,
      narrowing: [],
      approvals,
    });
    const dropped = compareWithParent(hop(1, []), hop(0, parent), 'jws', names);
    expect(dropped[0]).toMatchObject({ kind: 'widened' });
    expect(dropped[0]?.text).toMatch(/^dropped the parent's approval requirement/);
    // Adding one is a narrowing, not "unchanged".
    const added = compareWithParent(
      hop(1, [...parent, ...normal(pay({ resource: 'billing:x' }))]),
      hop(0, parent),
      'jws',
      names,
    );
    expect(added).toEqual([
      {
        kind: 'narrowed',
        text: 'approval added: pay on billing:x needs 1 of 2 approvers (key …BBBb, key …CCCc), when 200 ≤ amount',
      },
    ]);
  });
});

describe('inspectToken shows requirements per hop', () => {
  it.each(['jws', 'aat', 'biscuit'] as const)('%s: root, inherited, tightened', async (format) => {
    const [issuer, a, b, c, approver1, approver2] = await Promise.all(
      Array.from({ length: 6 }, () => generateKeyPair()),
    );
    // AAT expresses tool capabilities only.
    const [resource, action] = format === 'aat' ? ['tool:pay', 'call'] : ['billing:**', 'pay'];
    const capabilities = [{ resource, actions: [action] }];
    const requirement = {
      resource,
      actions: [action],
      when: { amount: { min: 200 } },
      approvers: [approver1!.id, approver2!.id],
    };
    let chain = await mint({
      issuer: issuer!,
      issuerId: 'https://as.test',
      // AAT tokens carry no subject (draft section 3.2).
      ...(format === 'aat' ? {} : { subject: 'alice' }),
      holder: a!.publicJwk,
      capabilities,
      approvals: [requirement],
      expiresIn: 600,
      format,
    });
    chain = await delegate(chain, {
      signer: a!,
      holder: b!.publicJwk,
      capabilities,
    });
    chain = await delegate(chain, {
      signer: b!,
      holder: c!.publicJwk,
      capabilities,
      approvals: [{ ...requirement, threshold: 2 }],
    });
    const view = await inspectToken(chain.token);
    expect(view.hops.map((h) => h.approvalRequirements.map((r) => r.origin))).toEqual([
      ['root'],
      ['inherited'],
      ['tightened'],
    ]);
    expect(view.hops[2]?.approvalRequirements[0]?.originText).toBe(
      "tightens hop 1's (threshold 1 → 2)",
    );
    expect(view.hops[0]?.approvalRequirements[0]?.approvers.map((x) => x.id).sort()).toEqual(
      [approver1!.id, approver2!.id].sort(),
    );
    expect(view.hops[2]?.narrowing.map((n) => n.text)).toContain(
      `approval tightens hop 1's (threshold 1 → 2): ${view.hops[2]?.approvalRequirements[0]?.text}`,
    );
  });
});
