/**
 * Human approval in the OpenAI Agents SDK's own approval step (`needsApproval`,
 * `result.interruptions`, `state.approve()` / `reject()`, resuming from the `RunState`), with
 * the real SDK and a scripted model: alice's mandate requires her approval for payments over
 * 200. The human signs with her own key; the guard (or the remote server) verifies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, Runner, type RunItem } from '@openai/agents-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { z } from 'zod';
import { approve, createVerifier } from '../../../src/index.js';
import {
  approvalRequests,
  approveCall,
  createAgentsToolGuard,
  createRunAuthority,
  mandateOf,
  mcpTool,
  rejectCall,
  resumeRunState,
  type PendingApproval,
} from '../../../src/adapters/openai-agents/index.js';
import { AS, createWorld, REMOTE, REQUIREMENTS, TOOLS, type World } from '../../helpers/agents.js';
import { startPaymentTool, type PaymentToolServer } from '../mcp/server.js';
import { ScriptedModel, type Step } from './script.js';

let world: World;
let server: PaymentToolServer;
let client: Client;

beforeAll(async () => {
  world = await createWorld();
  server = await startPaymentTool(
    createVerifier({
      trustAnchors: [{ id: AS, publicJwk: world.anchor.publicJwk }],
      audience: REMOTE,
      userKeys: (subject) => (subject === 'alice' ? [world.user.publicJwk] : []),
    }),
    { audience: REMOTE, authorizationServers: [AS] },
  );
  client = new Client({ name: 'agent', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
});

afterAll(async () => {
  await client?.close();
  await server?.close();
});

const runner = new Runner({ tracingDisabled: true });
const payment = z.object({ invoice: z.string(), amount: z.number() });
const pay = (invoice: string, amount: number): Step => ({
  calls: [{ tool: 'pay_invoice', args: { invoice, amount } }],
});

/** The guarded pay tool with human approval; every body run is recorded. */
function payTool() {
  const guard = createAgentsToolGuard({
    verifier: world.verifier,
    audience: TOOLS,
    audit: (record) => world.audit.push(record),
    humanApproval: true,
  });
  return guard.tool({
    name: 'pay_invoice',
    description: 'Pay an invoice',
    parameters: payment,
    execute: (args: never, _context: unknown, details: unknown) => {
      world.runs.push({ tool: 'pay_invoice', args, user: mandateOf(details)?.decision.subject });
      return 'pay_invoice done';
    },
    requirement: REQUIREMENTS.pay_invoice,
  });
}

function billingAgent(
  steps: readonly Step[],
  tool: ReturnType<typeof payTool> | ReturnType<typeof mcpTool> = payTool(),
) {
  return new Agent({
    name: 'billing',
    instructions: 'Pay invoices.',
    model: new ScriptedModel(steps),
    tools: [tool],
  });
}

const alice = () => createRunAuthority({ mandate: world.approving, signer: world.orchestrator });

function outputsOf(items: readonly RunItem[]): string[] {
  return items
    .filter((item) => item.type === 'tool_call_output_item')
    .map((item) => {
      const out = (item as { output: unknown }).output;
      return typeof out === 'string' ? out : JSON.stringify(out);
    });
}

/** Run until the first interruption; the run must pause on exactly one approval request. */
async function paused(agent: ReturnType<typeof billingAgent>, amount = 300) {
  const result = await runner.run(agent, `pay ${amount}`, { context: { mandate: alice() } });
  expect(result.interruptions).toHaveLength(1);
  const requests = approvalRequests(result);
  expect(requests).toHaveLength(1);
  return { result, request: requests[0]! };
}

/** What the human does: read the call, sign it with their own key. */
async function humanSigns(request: PendingApproval, amount?: number): Promise<string> {
  const call =
    amount === undefined
      ? request.call
      : { ...request.call, args: { ...request.call.args, amount } };
  return approve(call, world.user);
}

describe('mandate/openai-agents: human approval as SDK interruptions', () => {
  it('pauses a call that needs approval; the approved, resumed run runs the tool once', async () => {
    const runs = world.runs.length;
    const agent = billingAgent([pay('2026-03', 300)]);
    const { result, request } = await paused(agent);
    expect(world.runs.length).toBe(runs);
    expect(request).toMatchObject({
      tool: 'pay_invoice',
      approvers: ['user'],
      threshold: 1,
      missing: 1,
      hop: 0,
      call: {
        resource: 'billing:invoices/2026-03',
        action: 'pay',
        audience: TOOLS,
        args: { invoice: '2026-03', amount: 300 },
      },
    });
    expect(request.description).toContain('pay on billing:invoices/2026-03');
    expect(request.description).toContain('amount = 300');
    approveCall(result, request, [await humanSigns(request)]);
    const resumed = await runner.run(agent, result.state);
    expect(resumed.interruptions).toEqual([]);
    expect(outputsOf(resumed.newItems)).toEqual(['pay_invoice done']);
    expect(world.runs.slice(runs)).toEqual([
      { tool: 'pay_invoice', args: { invoice: '2026-03', amount: 300 }, user: 'alice' },
    ]);
    expect(world.audit.at(-1)).toMatchObject({ result: 'allowed', target: 'pay_invoice' });
  });

  it('a call the mandate does not hold for approval runs without pausing', async () => {
    const runs = world.runs.length;
    const result = await runner.run(billingAgent([pay('2026-03', 150)]), 'pay', {
      context: { mandate: alice() },
    });
    expect(result.interruptions).toEqual([]);
    expect(outputsOf(result.newItems)).toEqual(['pay_invoice done']);
    expect(world.runs.length).toBe(runs + 1);
  });

  it('a refused call never runs; the model reads the code', async () => {
    const runs = world.runs.length;
    const agent = billingAgent([pay('2026-03', 300)]);
    const { result, request } = await paused(agent);
    rejectCall(result, request, 'not this month');
    const resumed = await runner.run(agent, result.state);
    const [output] = outputsOf(resumed.newItems);
    expect(output).toContain('MANDATE_APPROVAL_REQUIRED @ hop 0 (authorize): the approver refused');
    expect(output).toContain('not this month');
    expect(world.runs.length).toBe(runs);
  });

  it('an approval of another call (another amount) is denied with its code; the tool never runs', async () => {
    const runs = world.runs.length;
    const agent = billingAgent([pay('2026-03', 300)]);
    const { result, request } = await paused(agent);
    approveCall(result, request, [await humanSigns(request, 250)]);
    const resumed = await runner.run(agent, result.state);
    expect(outputsOf(resumed.newItems)[0]).toContain(
      'MANDATE_APPROVAL_MISMATCH @ hop 0 (authorize)',
    );
    expect(world.audit.at(-1)).toMatchObject({
      result: 'denied',
      code: 'MANDATE_APPROVAL_MISMATCH',
      hop: 0,
      check: 'authorize',
    });
    expect(world.runs.length).toBe(runs);
  });

  it("the SDK's approval alone (no signed approval) is not enough: denied, never run", async () => {
    const runs = world.runs.length;
    const agent = billingAgent([pay('2026-03', 300)]);
    const { result, request } = await paused(agent);
    result.state.approve(request.item);
    const resumed = await runner.run(agent, result.state);
    expect(outputsOf(resumed.newItems)[0]).toContain(
      'MANDATE_APPROVAL_REQUIRED @ hop 0 (authorize)',
    );
    expect(world.audit.at(-1)).toMatchObject({
      code: 'MANDATE_APPROVAL_REQUIRED',
      hop: 0,
      check: 'authorize',
    });
    expect(world.runs.length).toBe(runs);
  });

  it('the run resumes from a serialized RunState (fresh agent, fresh tools), approved before or after', async () => {
    const runs = world.runs.length;
    // Paused in one "process", approved in another, resumed in a third.
    const first = await paused(billingAgent([pay('2026-03', 300)]));
    const saved = first.result.state.toString();
    // The run's authority serializes to a placeholder: neither the token nor a key is saved.
    expect(saved).toContain('"mandate":"[mandate authority]"');
    expect(saved).not.toContain(world.approving.token);
    const approver = await resumeRunState(billingAgent([]), saved, alice());
    const [request] = approvalRequests(approver);
    expect(request?.call.args).toEqual({ invoice: '2026-03', amount: 300 });
    approveCall(approver, request!, [await humanSigns(request!)]);
    const approvedState = approver.toString();
    const agent = billingAgent([]);
    const resumed = await runner.run(agent, await resumeRunState(agent, approvedState, alice()));
    expect(outputsOf(resumed.newItems)).toEqual(['pay_invoice done']);
    expect(world.runs.slice(runs)).toEqual([
      { tool: 'pay_invoice', args: { invoice: '2026-03', amount: 300 }, user: 'alice' },
    ]);
    // The same saved, approved state resumed again: the approval is spent.
    const again = billingAgent([]);
    const replayed = await runner.run(again, await resumeRunState(again, approvedState, alice()));
    expect(outputsOf(replayed.newItems)[0]).toContain('MANDATE_APPROVAL_REPLAYED @ hop 0');
    expect(world.runs.length).toBe(runs + 1);
  });

  it('approveCall refuses what is not signed approvals of this run', async () => {
    const { result, request } = await paused(billingAgent([pay('2026-03', 300)]));
    expect(() => approveCall(result, request, [])).toThrow(TypeError);
    expect(() => approveCall(result, request, [42 as never])).toThrow(TypeError);
    expect(() => approveCall(result, request, Array(17).fill('x'))).toThrow(TypeError);
    expect(() => approveCall(result, { ...request, callId: 'other' }, ['x'])).toThrow(TypeError);
    expect(() => approvalRequests({} as never)).toThrow(TypeError);
  });

  it('a remote mcpTool pauses too; the server checks the approval sent in _meta', async () => {
    const remote = () =>
      mcpTool({
        client,
        name: 'pay_invoice',
        description: 'Pay an invoice',
        parameters: payment,
        audience: REMOTE,
        requirement: REQUIREMENTS.pay_invoice,
        humanApproval: true,
      });
    const paidBefore = server.payments.length;
    const agent = billingAgent([pay('2026-03', 300)], remote());
    const { result, request } = await paused(agent);
    expect(request.call.audience).toBe(REMOTE);
    approveCall(result, request, [await humanSigns(request)]);
    const resumed = await runner.run(agent, result.state);
    expect(outputsOf(resumed.newItems)[0]).toContain('paid 2026-03: 300 for alice');
    expect(server.payments.length).toBe(paidBefore + 1);
    // Another amount approved: the server denies it, nothing is paid.
    const other = billingAgent([pay('2026-03', 300)], remote());
    const second = await paused(other);
    approveCall(second.result, second.request, [await humanSigns(second.request, 250)]);
    const denied = await runner.run(other, second.result.state);
    expect(outputsOf(denied.newItems)[0]).toContain(
      'MANDATE_APPROVAL_MISMATCH @ hop 0 (authorize)',
    );
    expect(server.payments.length).toBe(paidBefore + 1);
    expect(() =>
      mcpTool({ client, name: 'x', description: 'x', parameters: payment, humanApproval: true }),
    ).toThrow(TypeError);
  });
});
