/**
 * Human approval over A2A, end to end on loopback with @a2a-js/sdk (client and server): a
 * guarded billing agent whose mandate needs a named human's approval for payments over 200.
 * The message without approval is refused with what to approve; the same message carrying the
 * signed approval in `metadata["dev.mandate/approvals"]` runs once; the approval replayed is
 * refused; an approval of another call is refused. The handler runs exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientFactory, type Client } from '@a2a-js/sdk/client';
import {
  approvalNeeded,
  approve,
  createVerifier,
  mint,
  type ApprovalCall,
  type KeyPair,
  type Mandate,
} from '../../../src/index.js';
import { a2aDenial, A2A_META_APPROVALS, sendWithMandate } from '../../../src/adapters/a2a/index.js';
import { createDeputy } from '../../../src/proof/deputy.js';
import { AS, keyPairs } from '../../helpers/billing.js';
import { BILLING, payMessage, startAgent, type RunningAgent } from './agent.js';

let anchor: KeyPair;
let orchestrator: KeyPair;
let billingKey: KeyPair;
let provider: KeyPair;
let human: KeyPair;
let grant: Mandate;
let agent: RunningAgent;
let client: Client;
const ran: number[] = [];

beforeAll(async () => {
  [anchor, orchestrator, billingKey, provider, human] = await keyPairs(5);
  const root = await mint({
    issuer: anchor,
    issuerId: AS,
    subject: 'alice',
    holder: orchestrator.publicJwk,
    capabilities: [
      { resource: 'billing:invoices/**', actions: ['pay'], constraints: { amount: { max: 500 } } },
    ],
    approvals: [
      {
        resource: 'billing:invoices/**',
        actions: ['pay'],
        when: { amount: { constraint_type: 'range', min: 200, min_inclusive: false } },
        approvers: [human.id],
      },
    ],
    audience: BILLING,
    expiresIn: '15m',
  });
  agent = await startAgent({
    name: 'Billing Agent',
    key: billingKey,
    provider,
    audience: BILLING,
    verifier: createVerifier({
      trustAnchors: [{ id: AS, publicJwk: anchor.publicJwk }],
      audience: BILLING,
    }),
    work: (_context, message) => {
      ran.push(Date.now());
      return Promise.resolve({ text: `paid (${message.messageId})` });
    },
  });
  client = await new ClientFactory().createFromUrl(agent.origin);
  // The orchestrator grants the agent one payment; the grant is what approvals are bound to.
  const deputy = createDeputy({ mandate: root, signer: orchestrator });
  grant = await deputy.grant(billingKey.publicJwk, {
    capabilities: [
      {
        resource: 'billing:invoices/2026-03',
        actions: ['pay'],
        constraints: { amount: { max: 300 } },
      },
    ],
    expiresIn: 120,
  });
});
afterAll(() => agent?.close());

const sender = () => ({ signer: orchestrator, audience: BILLING });
const send = (amount: number, approvals?: readonly string[]) =>
  sendWithMandate(
    client,
    {
      ...payMessage('2026-03', amount),
      ...(approvals === undefined ? {} : { metadata: { [A2A_META_APPROVALS]: approvals } }),
    },
    grant,
    sender(),
  );

describe('A2A: approvals end to end', () => {
  let call: ApprovalCall;
  let approval: string;

  it('without approval: refused with MANDATE_APPROVAL_REQUIRED and exactly what to approve', async () => {
    const denied = a2aDenial(await send(250));
    expect(denied).toMatchObject({ code: 'MANDATE_APPROVAL_REQUIRED', hop: 0, check: 'authorize' });
    const needed = approvalNeeded(denied ?? {});
    expect(needed).toMatchObject({
      approvers: [human.id],
      threshold: 1,
      missing: 1,
      approvedBy: [],
      call: {
        mandate: (grant.blocks.at(-1) ?? { id: '' }).id,
        holder: billingKey.id,
        audience: BILLING,
        resource: 'billing:invoices/2026-03',
        action: 'pay',
        args: { amount: 250 },
      },
    });
    call = needed!.call;
    expect(ran).toHaveLength(0);
  });

  it('the same message with the signed approval in dev.mandate/approvals runs once', async () => {
    approval = await approve(call, human);
    const result = await send(250, [approval]);
    expect(a2aDenial(result)).toBeUndefined();
    expect(JSON.stringify(result)).toContain('paid');
    expect(ran).toHaveLength(1);
  });

  it('the approval replayed: refused with MANDATE_APPROVAL_REPLAYED', async () => {
    expect(a2aDenial(await send(250, [approval]))).toMatchObject({
      code: 'MANDATE_APPROVAL_REPLAYED',
      hop: 1,
      check: 'authorize',
    });
    expect(ran).toHaveLength(1);
  });

  it('an approval of another call (another amount): refused with MANDATE_APPROVAL_MISMATCH', async () => {
    const other = await approve({ ...call, args: { amount: 210 } }, human);
    expect(a2aDenial(await send(290, [other]))).toMatchObject({
      code: 'MANDATE_APPROVAL_MISMATCH',
      hop: 1,
      check: 'authorize',
    });
    // Nor does an approval by someone who is not an approver count.
    const self = await approve({ ...call, args: { amount: 290 } }, orchestrator);
    expect(a2aDenial(await send(290, [self]))).toMatchObject({
      code: 'MANDATE_APPROVAL_INVALID',
      hop: 1,
      check: 'authorize',
    });
    expect(ran).toHaveLength(1);
  });
});
