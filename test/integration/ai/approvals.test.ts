/**
 * Human approval through the Vercel AI SDK's own tool approval (`toolApproval`,
 * `tool-approval-request` / `tool-approval-response`), with the real SDK and its offline test
 * model: a payment over 200 pauses before the tool runs, the human signs that exact call, the
 * resumed run sends the approval with the retried call and the tool pays once. Local tools
 * (`guardTools`) and a remote `mandate/mcp` server on loopback (`mandateMcpTools`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateText,
  isStepCount,
  streamText,
  tool,
  type ModelMessage,
  type ToolApprovalResponse,
  type ToolSet,
} from 'ai';
import { z } from 'zod';
import type { MCPTransport } from '@ai-sdk/mcp';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  approvalCall,
  approve,
  createVerifier,
  type KeyPair,
  type Mandate,
} from '../../../src/index.js';
import {
  answerApprovals,
  approvalReason,
  approvalResponse,
  createRunAuthority,
  guardTools,
  mandateContext,
  mandateMcpTools,
  mandateOf,
  mandateToolApproval,
  mandateTransport,
  pendingApprovals,
  ToolDeniedError,
  type AskHuman,
  type PendingApproval,
} from '../../../src/adapters/ai/index.js';
import { REQUIREMENTS, REMOTE, TOOLS } from '../../helpers/agents.js';
import { AS, keyPairs } from '../../helpers/billing.js';
import { agentPaymentMandate } from '../../helpers/approval-world.js';
import { startPaymentTool, type PaymentToolServer } from '../mcp/server.js';
import { promptsOf, scriptedModel, streamingModel, type Step } from './script.js';

let agentKey: KeyPair;
let user: KeyPair;
let mandate: Mandate;
let anchor: KeyPair;
let remote: PaymentToolServer;
const runs: { args: Record<string, unknown>; approvedBy: readonly string[] | undefined }[] = [];

const verifierFor = (audience: string) =>
  createVerifier({
    trustAnchors: [{ id: AS, publicJwk: anchor.publicJwk }],
    audience,
    userKeys: (subject) => (subject === 'alice' ? [user.publicJwk] : []),
  });

beforeAll(async () => {
  [anchor, agentKey, user] = await keyPairs(3);
  mandate = await agentPaymentMandate(anchor, agentKey, [TOOLS, REMOTE]);
  remote = await startPaymentTool(verifierFor(REMOTE), {
    audience: REMOTE,
    authorizationServers: [AS],
  });
});

afterAll(async () => {
  await remote?.close();
});

function localTools() {
  return guardTools(
    {
      pay_invoice: tool({
        description: 'Pay an invoice',
        inputSchema: z.object({ invoice: z.string(), amount: z.number() }),
        execute: (args, execution) => {
          runs.push({ args, approvedBy: mandateOf(execution)?.decision.approvedBy });
          return `paid ${args.invoice}: ${args.amount}`;
        },
      }),
    },
    {
      verifier: verifierFor(TOOLS),
      audience: TOOLS,
      tools: { pay_invoice: REQUIREMENTS.pay_invoice },
    },
  );
}

const pay = (invoice: string, amount: number): Step => ({
  calls: [{ tool: 'pay_invoice', args: { invoice, amount } }],
});

/** The user's side: sign exactly the call shown. */
const userApproves: AskHuman = async (request) => [await approve(request.call, user)];

/**
 * An agent session over `tools`: the first run (which may pause for approval), then the
 * resumed run with the given approval responses. One model, scripted across both runs.
 */
function session(tools: ToolSet, steps: readonly Step[], options: { approval?: boolean } = {}) {
  const model = scriptedModel([...steps, { text: 'done' }, { text: 'done' }]);
  const toolsContext = mandateContext(tools, createRunAuthority({ mandate, signer: agentKey }));
  const toolApproval = options.approval === false ? {} : mandateToolApproval(tools);
  let messages: ModelMessage[] = [{ role: 'user', content: 'Pay my March invoice.' }];
  const generate = async () => {
    const errors: unknown[] = [];
    const result = await generateText({
      model,
      tools,
      toolsContext,
      toolApproval,
      messages,
      stopWhen: isStepCount(4),
      // Tool errors, wherever the SDK ran the tool (a resumed call runs before the first step).
      onToolExecutionEnd: (event) => {
        if (event.toolOutput.type === 'tool-error') errors.push(event.toolOutput.error);
      },
    });
    messages = [...messages, ...result.responseMessages];
    return Object.assign(result, { errors });
  };
  return {
    model,
    toolsContext,
    start: generate,
    resume: (content: ToolApprovalResponse[]) => {
      messages = [...messages, { role: 'tool', content }];
      return generate();
    },
    /** The history so far (to resubmit it, as a client may). */
    history: () => messages,
    replay: (history: ModelMessage[]) => {
      messages = history;
      return generate();
    },
  };
}

const errorsOf = (result: { readonly errors: readonly unknown[] }) => result.errors;
function denialOf(error: unknown) {
  expect(error).toBeInstanceOf(ToolDeniedError);
  return (error as ToolDeniedError).denial;
}

/** A session over the local tools paused on a payment of 250, and its pending approval. */
async function pausedPayment() {
  const tools = localTools();
  const agent = session(tools, [pay('2026-03', 250)]);
  const first = await agent.start();
  const [pending] = await pendingApprovals(first.content, {
    tools,
    toolsContext: agent.toolsContext,
  });
  if (pending === undefined) throw new Error('the payment did not pause');
  /** Ask the human about the paused call; resolve the responses to resume with. */
  const answer = (askHuman: AskHuman) =>
    answerApprovals(first.content, { tools, toolsContext: agent.toolsContext, askHuman });
  return { agent, pending, answer, before: runs.length };
}

/** The user's approval of the paused call, but for another amount. */
const otherAmount = (pending: PendingApproval) =>
  approve({ ...pending.request.call, args: { invoice: '2026-03', amount: 900 } }, user);

describe('mandate/ai: a call that needs approval pauses in the SDK, then runs once', () => {
  it('pause -> the human approves the exact call -> the retried call runs, once', async () => {
    const tools = localTools();
    const before = runs.length;
    const agent = session(tools, [pay('2026-03', 250)]);
    const first = await agent.start();
    const requests = first.content.filter((p) => p.type === 'tool-approval-request');
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ toolCall: { toolName: 'pay_invoice' } });
    // The SDK shows the call in plain words; nothing ran.
    expect((requests[0] as { reason?: string }).reason).toContain('amount = 250');
    expect(runs.length).toBe(before);

    const asked: string[] = [];
    const responses = await answerApprovals(first.content, {
      tools,
      toolsContext: agent.toolsContext,
      askHuman: async (request) => {
        asked.push(request.description);
        expect(request.call).toEqual(
          await approvalCall(mandate, {
            action: {
              resource: 'billing:invoices/2026-03',
              action: 'pay',
              args: { invoice: '2026-03', amount: 250 },
            },
            audience: TOOLS,
          }),
        );
        return userApproves(request);
      },
    });
    expect(asked).toHaveLength(1);
    expect(responses).toMatchObject([{ approved: true }]);
    const second = await agent.resume(responses);
    expect(errorsOf(second)).toEqual([]);
    expect(runs.slice(before)).toEqual([
      { args: { invoice: '2026-03', amount: 250 }, approvedBy: [user.id] },
    ]);
    expect(second.text).toBe('done');
  });

  it('a call no requirement covers runs without pausing', async () => {
    const before = runs.length;
    const agent = session(localTools(), [pay('2026-03', 120)]);
    const first = await agent.start();
    expect(first.content.filter((p) => p.type === 'tool-approval-request')).toEqual([]);
    expect(runs.slice(before)).toEqual([
      { args: { invoice: '2026-03', amount: 120 }, approvedBy: undefined },
    ]);
  });

  it('the human refuses: the tool never runs, and the model is told why', async () => {
    const { agent, answer, before } = await pausedPayment();
    const responses = await answer(() => ({ refused: true, reason: 'not this one' }));
    expect(responses).toMatchObject([{ approved: false }]);
    expect(responses[0]?.reason).toMatch(/^MANDATE_APPROVAL_REFUSED: the approver refused: not/);
    await agent.resume(responses);
    expect(runs.length).toBe(before);
    expect(promptsOf(agent.model)).toContain('MANDATE_APPROVAL_REFUSED');
  });

  it('an approval of another amount is refused before the retry (MANDATE_APPROVAL_MISMATCH)', async () => {
    const { agent, pending, before } = await pausedPayment();
    const response = approvalResponse(pending, [await otherAmount(pending)]);
    expect(response).toMatchObject({ approved: false });
    expect(response.reason).toMatch(/^MANDATE_APPROVAL_MISMATCH: /);
    await agent.resume([response]);
    expect(runs.length).toBe(before);
  });

  it("an approval of another amount forced through is denied by the tool's verifier", async () => {
    const { agent, pending, before } = await pausedPayment();
    // A compromised UI that skips the helper's check: the verifier still refuses.
    const second = await agent.resume([
      {
        type: 'tool-approval-response',
        approvalId: pending.approvalId,
        approved: true,
        reason: approvalReason([await otherAmount(pending)]),
      },
    ]);
    expect(denialOf(errorsOf(second)[0])).toMatchObject({
      code: 'MANDATE_APPROVAL_MISMATCH',
      hop: 0,
      check: 'authorize',
      tool: 'pay_invoice',
    });
    expect(runs.length).toBe(before);
  });

  it('a plain SDK approval (no signed approval) is not an approval: MANDATE_APPROVAL_REQUIRED', async () => {
    const { agent, pending, before } = await pausedPayment();
    const second = await agent.resume([
      { type: 'tool-approval-response', approvalId: pending.approvalId, approved: true },
    ]);
    const denial = denialOf(errorsOf(second)[0]);
    expect(denial).toMatchObject({ code: 'MANDATE_APPROVAL_REQUIRED', hop: 0, check: 'authorize' });
    // The denial says what to get approved: this call.
    expect(denial.approval?.call).toEqual(pending.request.call);
    expect(runs.length).toBe(before);
  });

  it('an agent that skips the approval step is refused by the tool', async () => {
    const before = runs.length;
    const agent = session(localTools(), [pay('2026-03', 250)], { approval: false });
    const first = await agent.start();
    expect(denialOf(errorsOf(first)[0])).toMatchObject({
      code: 'MANDATE_APPROVAL_REQUIRED',
      hop: 0,
      check: 'authorize',
    });
    expect(runs.length).toBe(before);
    expect(promptsOf(agent.model)).toContain('MANDATE_APPROVAL_REQUIRED @ hop 0 (authorize)');
  });

  it('a resumed history submitted twice never pays twice (MANDATE_APPROVAL_REPLAYED)', async () => {
    const { agent, answer, before } = await pausedPayment();
    const responses = await answer(userApproves);
    const resumed: ModelMessage[] = [...agent.history(), { role: 'tool', content: responses }];
    await agent.replay(resumed);
    expect(runs.length).toBe(before + 1);
    const again = await agent.replay(resumed);
    expect(denialOf(errorsOf(again)[0])).toMatchObject({
      code: 'MANDATE_APPROVAL_REPLAYED',
      hop: 0,
      check: 'authorize',
    });
    expect(runs.length).toBe(before + 1);
  });
});

describe('mandate/ai: hostile approval responses and streamText', () => {
  it('more approvals than a request may carry: MANDATE_LIMIT_EXCEEDED, nothing runs', async () => {
    const { agent, pending, before } = await pausedPayment();
    const one = await approve(pending.request.call, user);
    const second = await agent.resume([
      {
        type: 'tool-approval-response',
        approvalId: pending.approvalId,
        approved: true,
        reason: approvalReason(Array.from({ length: 40 }, () => one)),
      },
    ]);
    expect(denialOf(errorsOf(second)[0])).toMatchObject({
      code: 'MANDATE_LIMIT_EXCEEDED',
      hop: 0,
      check: 'limits',
    });
    expect(runs.length).toBe(before);
  });

  it('a response that answers no request of the run is refused by the SDK; nothing runs', async () => {
    const { agent, pending, before } = await pausedPayment();
    const approval = await approve(pending.request.call, user);
    const second = await agent
      .resume([
        // A response that names no request of this call: the SDK refuses the history.
        {
          type: 'tool-approval-response',
          approvalId: 'another-approval',
          approved: true,
          reason: approvalReason([approval]),
        },
      ])
      .catch((error: unknown) => error);
    expect(second).toMatchObject({ name: 'AI_InvalidToolApprovalError' });
    expect(runs.length).toBe(before);
  });

  it('streamText: the streamed call pauses, the approval resumes it, the tool runs once', async () => {
    const tools = localTools();
    const before = runs.length;
    const model = streamingModel([pay('2026-03', 250), { text: 'done' }]);
    const toolsContext = mandateContext(tools, createRunAuthority({ mandate, signer: agentKey }));
    const options = {
      model,
      tools,
      toolsContext,
      toolApproval: mandateToolApproval(tools),
      stopWhen: isStepCount(4),
    };
    const messages: ModelMessage[] = [{ role: 'user', content: 'Pay my March invoice.' }];
    const first = streamText({ ...options, messages });
    const content = await first.content;
    expect(content.filter((p) => p.type === 'tool-approval-request')).toHaveLength(1);
    expect(runs.length).toBe(before);
    const responses = await answerApprovals(content, {
      tools,
      toolsContext,
      askHuman: userApproves,
    });
    const second = streamText({
      ...options,
      messages: [
        ...messages,
        ...(await first.responseMessages),
        { role: 'tool', content: responses },
      ],
    });
    expect(await second.text).toBe('done');
    expect(runs.slice(before)).toEqual([
      { args: { invoice: '2026-03', amount: 250 }, approvedBy: [user.id] },
    ]);
  });
});

describe('mandate/ai: a remote mandate/mcp tool pauses the same way; the approval rides in _meta', () => {
  it('pause -> approve -> the server pays once; without the approval the server refuses', async () => {
    const { createMCPClient } = await import('@ai-sdk/mcp');
    const client = await createMCPClient({
      transport: mandateTransport(
        new StreamableHTTPClientTransport(new URL(remote.url)),
      ) as unknown as MCPTransport,
    });
    try {
      const tools = mandateMcpTools(await client.tools(), {
        audience: REMOTE,
        tools: { pay_invoice: REQUIREMENTS.pay_invoice },
      });
      const before = remote.payments.length;
      const agent = session(tools, [pay('2026-03', 250)]);
      const first = await agent.start();
      expect(first.content.filter((p) => p.type === 'tool-approval-request')).toHaveLength(1);
      expect(remote.payments.length).toBe(before);
      const responses = await answerApprovals(first.content, {
        tools,
        toolsContext: agent.toolsContext,
        askHuman: async (request) => {
          expect(request.call.audience).toBe(REMOTE);
          return userApproves(request);
        },
      });
      const second = await agent.resume(responses);
      expect(errorsOf(second)).toEqual([]);
      expect(remote.payments.slice(before)).toMatchObject([
        { invoice: '2026-03', amount: 250, user: 'alice' },
      ]);

      // The same tools in a run that skips the approval step: the server refuses.
      const skipping = session(tools, [pay('2026-03', 250)], { approval: false });
      const refused = await skipping.start();
      expect(denialOf(errorsOf(refused)[0])).toMatchObject({
        code: 'MANDATE_APPROVAL_REQUIRED',
        hop: 0,
        check: 'authorize',
        tool: 'pay_invoice',
      });
      expect(remote.payments.length).toBe(before + 1);
    } finally {
      await client.close();
    }
  }, 30_000);
});
