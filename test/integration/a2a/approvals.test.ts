/**
 * Human approval over A2A, end to end on loopback with @a2a-js/sdk (client and server): a
 * guarded billing agent whose mandate needs a named human's approval for payments over 200.
 * The message without approval is refused with what to approve; the same message carrying the
 * signed approval in `metadata["dev.mandate/approvals"]` runs once; the approval replayed is
 * refused; an approval of another call is refused. The handler runs exactly once.
 *
 * Then nothing single-use is spent by a refused message: the guard's sender proof and grant
 * are recorded by the verifier with the approvals, in one all-or-none step, only when the
 * whole message is accepted. A message seen in transit, replayed with a broken sender proof,
 * does not burn the human's approval (the genuine message then runs once); a used grant with
 * a fresh approval is refused and records that approval not; concurrent duplicates run once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@a2a-js/sdk';
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
import {
  a2aDenial,
  A2A_META_APPROVALS,
  grantMetadata,
  MANDATE_A2A_EXTENSION,
  sendWithMandate,
} from '../../../src/adapters/a2a/index.js';
import { contentOf } from '../../../src/adapters/a2a/content.js';
import { senderReplayKey } from '../../../src/adapters/a2a/guard.js';
import { MemoryReplayStore } from '../../../src/index.js';
import { proveSender } from '../../../src/proof/sender.js';
import { approvalReplayKey, singleUseReplayKey } from '../../../src/verify/replay-keys.js';
import { createDeputy } from '../../../src/proof/deputy.js';
import { AS, keyPairs } from '../../helpers/billing.js';
import { BILLING, payMessage, startAgent, type RunningAgent } from './agent.js';

let anchor: KeyPair;
let orchestrator: KeyPair;
let billingKey: KeyPair;
let provider: KeyPair;
let human: KeyPair;
let grant: Mandate;
let deputy: ReturnType<typeof createDeputy>;
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
  agent = await startBilling(new MemoryReplayStore(), () => ran.push(Date.now()));
  client = await new ClientFactory().createFromUrl(agent.origin);
  // The orchestrator grants the agent one payment; the grant is what approvals are bound to.
  deputy = createDeputy({ mandate: root, signer: orchestrator });
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

/** The guarded billing agent, its verifier recording in `replay`; `work` sees each run. */
function startBilling(replay: MemoryReplayStore, work: (message: Message) => void) {
  return startAgent({
    name: 'Billing Agent',
    key: billingKey,
    provider,
    audience: BILLING,
    verifier: createVerifier({
      trustAnchors: [{ id: AS, publicJwk: anchor.publicJwk }],
      audience: BILLING,
      replay,
    }),
    work: (_context, message) => {
      work(message);
      return Promise.resolve({ text: `paid (${message.messageId})` });
    },
  });
}

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

describe('A2A: a refused message spends nothing single-use', () => {
  const replay = new MemoryReplayStore();
  const runs: string[] = [];
  let guarded: RunningAgent;
  let to: Client;

  beforeAll(async () => {
    guarded = await startBilling(replay, (message) => runs.push(message.messageId));
    to = await new ClientFactory().createFromUrl(guarded.origin);
  });
  afterAll(() => guarded?.close());

  /** A fresh grant of one payment to the agent, and an approval of paying `amount` with it. */
  const grantAndApproval = async (amount: number) => {
    const fresh = await deputy.grant(billingKey.publicJwk, {
      capabilities: [
        {
          resource: 'billing:invoices/2026-03',
          actions: ['pay'],
          constraints: { amount: { max: 300 } },
        },
      ],
      expiresIn: 120,
    });
    const approved = await approve(
      {
        mandate: (fresh.blocks.at(-1) ?? { id: '' }).id,
        holder: billingKey.id,
        audience: BILLING,
        resource: 'billing:invoices/2026-03',
        action: 'pay',
        args: { amount },
      },
      human,
    );
    return { fresh, approved };
  };
  /** The message exactly as sent on the wire: grant, sender proof, approvals. */
  const sendRaw = (
    message: ReturnType<typeof payMessage>,
    mandate: Mandate,
    proof: string,
    approvals: readonly string[],
  ) =>
    to.sendMessage(
      {
        tenant: '',
        message: {
          ...message,
          metadata: { ...grantMetadata(mandate, proof), [A2A_META_APPROVALS]: approvals },
        },
        configuration: undefined,
        metadata: undefined,
      },
      { serviceParameters: { 'A2A-Extensions': MANDATE_A2A_EXTENSION } },
    );
  const proofFor = (mandate: Mandate, message: ReturnType<typeof payMessage>) =>
    proveSender(mandate, {
      signer: orchestrator,
      request: { audience: BILLING, message: message.messageId, content: contentOf(message) },
    });
  const jtiOf = (jws: string) =>
    (JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString()) as { jti: string })
      .jti;

  it('regression: the message replayed with a broken sender proof is refused, and the genuine one then runs once', async () => {
    const { fresh, approved } = await grantAndApproval(250);
    const genuine = payMessage('2026-03', 250);
    const proof = await proofFor(fresh, genuine);
    // Whoever saw the message in transit sends it first, its sender proof broken: a proof of
    // another message, then a tampered signature, then none at all.
    const other = await proofFor(fresh, payMessage('2026-03', 250));
    const tampered = `${proof.slice(0, -4)}${proof.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    for (const broken of [other, tampered]) {
      expect(a2aDenial(await sendRaw(genuine, fresh, broken, [approved]))).toMatchObject({
        code: 'MANDATE_PROOF_INVALID',
        hop: 1,
        check: 'possession',
      });
    }
    const stripped = await to.sendMessage(
      {
        tenant: '',
        message: {
          ...genuine,
          metadata: { 'dev.mandate/mandate': fresh.token, [A2A_META_APPROVALS]: [approved] },
        },
        configuration: undefined,
        metadata: undefined,
      },
      { serviceParameters: { 'A2A-Extensions': MANDATE_A2A_EXTENSION } },
    );
    expect(a2aDenial(stripped)).toMatchObject({
      code: 'MANDATE_PROOF_MISSING',
      hop: 1,
      check: 'possession',
    });
    expect(runs).toHaveLength(0);
    // The approval was not burned: the genuine message runs, once.
    const result = await sendRaw(genuine, fresh, proof, [approved]);
    expect(a2aDenial(result)).toBeUndefined();
    expect(runs).toEqual([genuine.messageId]);
    expect(a2aDenial(await sendRaw(genuine, fresh, proof, [approved]))).toMatchObject({
      code: 'MANDATE_APPROVAL_REPLAYED',
      hop: 1,
      check: 'authorize',
    });
    expect(runs).toHaveLength(1);
  });

  it('a used grant with a fresh approval: MANDATE_REPLAYED at possession, and the approval is not recorded', async () => {
    runs.length = 0;
    const { fresh, approved } = await grantAndApproval(250);
    // The grant is used for a payment that needs no approval.
    const first = payMessage('2026-03', 100);
    expect(a2aDenial(await sendRaw(first, fresh, await proofFor(fresh, first), []))).toBe(
      undefined,
    );
    expect(runs).toHaveLength(1);
    // The same grant again, with a valid approval of the new call: refused for the grant.
    const second = payMessage('2026-03', 250);
    const proof = await proofFor(fresh, second);
    expect(a2aDenial(await sendRaw(second, fresh, proof, [approved]))).toMatchObject({
      code: 'MANDATE_REPLAYED',
      hop: 1,
      check: 'possession',
    });
    expect(runs).toHaveLength(1);
    // Neither the approval nor the second sender proof was recorded (the approval is bound to
    // this spent grant, so it is worthless anyway, but it was not used up).
    const approvalKey = approvalReplayKey(human.id, jtiOf(approved));
    const senderKey = singleUseReplayKey(senderReplayKey(orchestrator.id, jtiOf(proof)));
    expect(
      await replay.checkAndStoreAll([
        { jti: approvalKey, expiresAt: Math.floor(Date.now() / 1000) + 600 },
        { jti: senderKey, expiresAt: Math.floor(Date.now() / 1000) + 600 },
      ]),
    ).toBeUndefined();
  });

  it('the same approved message sent 6 times at once: exactly one runs, the rest are replays', async () => {
    runs.length = 0;
    const { fresh, approved } = await grantAndApproval(250);
    const message = payMessage('2026-03', 250);
    const proof = await proofFor(fresh, message);
    const results = await Promise.all(
      Array.from({ length: 6 }, () => sendRaw(message, fresh, proof, [approved])),
    );
    expect(runs).toEqual([message.messageId]);
    const denials = results.map((result) => a2aDenial(result)).filter((d) => d !== undefined);
    expect(denials).toHaveLength(5);
    for (const denial of denials) {
      // All or none: the first id held is the approval (recorded first in the one step).
      expect(denial).toMatchObject({
        code: 'MANDATE_APPROVAL_REPLAYED',
        hop: 1,
        check: 'authorize',
      });
    }
  });
});
