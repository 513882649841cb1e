/**
 * The pre-send approval check of the agent adapters (src/adapters/approval-precheck.ts, used
 * by the AI SDK's `mandateToolApproval` and OpenAI Agents' `needsApproval`) decodes a run's
 * mandate once per run authority, not once per tool call, and never answers for another
 * token. Decodes are counted by wrapping the real `decodeChain` (it still decodes): no
 * test-only export.
 */
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { generateText, isStepCount, tool } from 'ai';
import { z } from 'zod';
import * as parse from '../../../src/format/parse.js';
import { createVerifier, mint, type KeyPair, type Mandate } from '../../../src/index.js';
import {
  guardTools,
  mandateContext,
  mandateToolApproval,
  pendingApprovals,
} from '../../../src/adapters/ai/index.js';
import { createRunAuthority } from '../../../src/adapters/agents/index.js';
import { delegateAuthority } from '../../../src/adapters/run-authority.js';
import { approvalNeededForToolCall } from '../../../src/adapters/approval-precheck.js';
import { approvalNeededFor } from '../../../src/adapters/human-approval.js';
import { REQUIREMENTS, TOOLS } from '../../helpers/agents.js';
import { AS, keyPairs } from '../../helpers/billing.js';
import { agentPaymentMandate } from '../../helpers/approval-world.js';
import { scriptedModel, type Step } from '../../integration/ai/script.js';

vi.mock('../../../src/format/parse.js', async (importOriginal) => {
  const original = await importOriginal<typeof parse>();
  return { ...original, decodeChain: vi.fn(original.decodeChain) };
});

const decodes = (): number => vi.mocked(parse.decodeChain).mock.calls.length;

let anchor: KeyPair;
let agentKey: KeyPair;
/** Payments over 200 need the user's approval. */
let approving: Mandate;
/** The same grant without any approval requirement. */
let plain: Mandate;

beforeAll(async () => {
  [anchor, agentKey] = await keyPairs(2);
  approving = await agentPaymentMandate(anchor, agentKey, TOOLS);
  plain = await mint({
    issuer: anchor,
    issuerId: AS,
    subject: 'alice',
    holder: agentKey.publicJwk,
    capabilities: [
      {
        resource: 'billing:invoices/*',
        actions: ['pay'],
        constraints: { invoice: { constraint_type: 'wildcard' }, amount: { max: 1000 } },
      },
    ],
    audience: TOOLS,
    expiresIn: '10m',
  });
});

beforeEach(() => {
  vi.mocked(parse.decodeChain).mockClear();
});

const payment = (amount: number) => ({ invoice: '2026-03', amount });
const check = (authority: ReturnType<typeof createRunAuthority>, amount: number) =>
  approvalNeededForToolCall(authority, REQUIREMENTS.pay_invoice, payment(amount), TOOLS);
/** The answer of the one-off `approvalNeededFor` (which decodes the token itself). */
const expected = (mandate: Mandate | string, amount: number) =>
  approvalNeededFor(
    mandate,
    { resource: 'billing:invoices/2026-03', action: 'pay', args: payment(amount) },
    { audience: TOOLS },
  );

describe('approval pre-check: the mandate is decoded once per run authority', () => {
  it('a real AI SDK run with four guarded calls decodes its mandate once, and decides as before', async () => {
    const ran: number[] = [];
    const tools = guardTools(
      {
        pay_invoice: tool({
          description: 'Pay an invoice',
          inputSchema: z.object({ invoice: z.string(), amount: z.number() }),
          execute: (args) => {
            ran.push(args.amount);
            return `paid ${args.amount}`;
          },
        }),
      },
      {
        verifier: createVerifier({
          trustAnchors: [{ id: AS, publicJwk: anchor.publicJwk }],
          audience: TOOLS,
        }),
        audience: TOOLS,
        tools: { pay_invoice: REQUIREMENTS.pay_invoice },
      },
    );
    const steps: Step[] = [120, 150, 180, 250].map((amount) => ({
      calls: [{ tool: 'pay_invoice', args: payment(amount) }],
    }));
    const toolsContext = mandateContext(
      tools,
      createRunAuthority({ mandate: approving, signer: agentKey }),
    );
    const result = await generateText({
      model: scriptedModel([...steps, { text: 'done' }]),
      tools,
      toolsContext,
      toolApproval: mandateToolApproval(tools),
      prompt: 'Pay my invoices.',
      stopWhen: isStepCount(6),
    });
    const [pending, ...more] = await pendingApprovals(result.content, { tools, toolsContext });
    // Four pre-checks in the run and one more for `pendingApprovals`: one decode.
    expect(decodes()).toBe(1);
    // The same decisions: the three small payments ran, the fourth paused for the user.
    expect(ran).toEqual([120, 150, 180]);
    expect(more).toEqual([]);
    expect(pending?.request.needed).toEqual(await expected(approving, 250));
  });

  it('N calls on one handle decode once, with the answers of the one-off check', async () => {
    const authority = createRunAuthority({ mandate: approving, signer: agentKey });
    const amounts = [10, 250, 200, 201, 999, 0, 250];
    const answers = [];
    for (const amount of amounts) answers.push(await check(authority, amount));
    expect(decodes()).toBe(1);
    const oneOff = [];
    for (const amount of amounts) oneOff.push(await expected(approving, amount));
    expect(answers).toEqual(oneOff);
    expect(answers.map((a) => a !== undefined)).toEqual([
      false,
      true,
      false,
      true,
      true,
      false,
      true,
    ]);
  });

  it('concurrent calls on a fresh handle share one decode', async () => {
    const authority = createRunAuthority({ mandate: approving, signer: agentKey });
    const answers = await Promise.all([250, 300, 100].map((amount) => check(authority, amount)));
    expect(decodes()).toBe(1);
    expect(answers.map((a) => a?.call.args)).toEqual([payment(250), payment(300), undefined]);
  });

  it('a memo never answers for another token: each handle (a delegation, another grant) decodes its own', async () => {
    const parent = createRunAuthority({ mandate: approving, signer: agentKey });
    const other = createRunAuthority({ mandate: plain, signer: agentKey });
    const child = await delegateAuthority(parent, { requirements: [REQUIREMENTS.pay_invoice] });
    const parentNeed = await check(parent, 250);
    // Another grant for the same agent, user and call: no requirement, so nothing to ask.
    expect(await check(other, 250)).toBeUndefined();
    // The delegation keeps the requirement, but the call it binds is the child's (its last
    // block and holder), not the parent's: the parent's memo did not answer.
    const childNeed = await check(child, 250);
    expect(childNeed?.call.mandate).not.toBe(parentNeed?.call.mandate);
    expect(childNeed?.call.holder).not.toBe(parentNeed?.call.holder);
    expect(decodes()).toBe(3);
    // Asked again, each handle answers from its own memo.
    expect(await check(parent, 250)).toEqual(parentNeed);
    expect(await check(other, 250)).toBeUndefined();
    expect(await check(child, 250)).toEqual(childNeed);
    expect(decodes()).toBe(3);
  });

  it('a mandate that does not decode is never asked about, and is not decoded again', async () => {
    const broken = createRunAuthority({ mandate: 'not.a.mandate', signer: agentKey });
    for (let i = 0; i < 3; i++) expect(await check(broken, 250)).toBeUndefined();
    expect(decodes()).toBe(1);
  });
});
