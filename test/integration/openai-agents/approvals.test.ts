/**
 * Human approval in the OpenAI Agents SDK's own approval step (`needsApproval`,
 * `result.interruptions`, `state.approve()` / `reject()`, resuming from the `RunState`), with
 * the real SDK and a scripted model: alice's mandate requires her approval for payments over
 * 200. The human signs with her own key; the guard (or the remote server) verifies.
 */
import { describe, expect, it } from 'vitest';
import { Agent, Runner } from '@openai/agents-core';
import { z } from 'zod';
import { approve } from '../../../src/index.js';
import {
  answerApproval,
  answerApprovals,
  createAgentsToolGuard,
  mandateOf,
  mcpTool,
  pendingApprovals,
  resumeRunState,
  type PendingApproval,
} from '../../../src/adapters/openai-agents/index.js';
import { createRunAuthority } from '../../../src/adapters/agents/index.js';
import {
  expectAlicePaid,
  expectDeniedUnrun,
  NOT_APPROVING,
  payStep,
  REMOTE,
  REQUIREMENTS,
  remoteToolPerFile,
  TOOLS,
  worldPerFile,
  type NotApproving,
} from '../../helpers/agents.js';
import { outputsOf, ScriptedModel, type Step } from './script.js';

const world = worldPerFile();
const remote = remoteToolPerFile(world);

const runner = new Runner({ tracingDisabled: true });
const payment = z.object({ invoice: z.string(), amount: z.number() });
const pay = payStep;

/** The guarded pay tool with human approval; every body run is recorded. */
function payTool(own: { needsApproval?: boolean } = {}) {
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
    ...own,
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

/** Run until the first interruption; the run must pause on exactly one approval request. */
async function paused(agent: ReturnType<typeof billingAgent>, amount = 300) {
  const result = await runner.run(agent, `pay ${amount}`, { context: { mandate: alice() } });
  expect(result.interruptions).toHaveLength(1);
  const pending = pendingApprovals(result);
  expect(pending).toHaveLength(1);
  return { result, pending: pending[0]! };
}

type Paused = Awaited<ReturnType<typeof paused>>;

/** What the human does: read the call, sign it with their own key (another amount: misread). */
async function humanSigns(
  pending: PendingApproval,
  amount?: number,
  key = world.user,
): Promise<string> {
  const { call } = pending.request;
  return approve(amount === undefined ? call : { ...call, args: { ...call.args, amount } }, key);
}

/** Answers that do not approve the call: [what, what the model reads, the answer]. */
const REFUSED: NotApproving<PendingApproval>[] = [
  NOT_APPROVING.refusal,
  NOT_APPROVING.none,
  [
    'an approval of another amount',
    'MANDATE_APPROVAL_MISMATCH @ hop 0 (authorize)',
    async (pending) => [await humanSigns(pending, 250)],
  ],
  NOT_APPROVING.bareYes,
  ['approvals that are not strings', 'MANDATE_APPROVAL_INVALID @ hop 0 (authorize)', () => [42]],
  ['an approval that is not a JWS', 'MANDATE_APPROVAL_INVALID @ hop 0 (authorize)', () => ['x']],
  NOT_APPROVING.tooMany,
];

/** The code and check a model-facing denial line names. */
function codeOf(said: string): { code: string; check: string } {
  const [, code = '', check = ''] = /^(\S+) @ hop \d+ \((\w+)\)/.exec(said) ?? [];
  return { code, check };
}

describe('mandate/openai-agents: human approval as SDK interruptions', () => {
  it('pauses a call that needs approval; the approved, resumed run runs the tool once', async () => {
    const runs = world.runs.length;
    const agent = billingAgent([pay('2026-03', 300)]);
    const { result, pending } = await paused(agent);
    expect(world.runs.length).toBe(runs);
    expect(pending.toolName).toBe('pay_invoice');
    expect(pending.request.needed).toMatchObject({
      approvers: ['user'],
      threshold: 1,
      missing: 1,
      hop: 0,
    });
    expect(pending.request.call).toMatchObject({
      resource: 'billing:invoices/2026-03',
      action: 'pay',
      audience: TOOLS,
      args: { invoice: '2026-03', amount: 300 },
    });
    expect(pending.request.description).toContain('pay on billing:invoices/2026-03');
    expect(pending.request.description).toContain('amount = 300');
    expect(await answerApproval(result, pending, [await humanSigns(pending)])).toEqual({
      approved: true,
    });
    const resumed = await runner.run(agent, result.state);
    expect(resumed.interruptions).toEqual([]);
    expect(outputsOf(resumed.newItems)).toEqual(['pay_invoice done']);
    expectAlicePaid(world, runs, 'openai-agents', expect, 300);
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

  it.each([
    [
      // Only the service knows alice's registered keys: any key passes the courtesy check.
      "a stranger's approval",
      'MANDATE_APPROVAL_INVALID',
      async ({ result, pending }: Paused) => {
        const forged = await humanSigns(pending, undefined, world.thief);
        expect(await answerApproval(result, pending, [forged])).toEqual({ approved: true });
      },
    ],
    [
      "the SDK's approval alone (no signed approval)",
      'MANDATE_APPROVAL_REQUIRED',
      ({ result, pending }: Paused) => Promise.resolve(result.state.approve(pending.item)),
    ],
  ])(
    'the verifier decides: approved in the SDK with %s, the call is denied (%s), never run',
    async (_name, code, approveIt) => {
      const runs = world.runs.length;
      const agent = billingAgent([pay('2026-03', 300)]);
      const run = await paused(agent);
      await approveIt(run);
      const resumed = await runner.run(agent, run.result.state);
      expect(outputsOf(resumed.newItems)[0]).toContain(`${code} @ hop 0 (authorize)`);
      expectDeniedUnrun(world, runs, { code, hop: 0, check: 'authorize' }, expect);
    },
  );

  it('the run resumes from a serialized RunState (fresh agent, fresh tools), approved in between', async () => {
    const runs = world.runs.length;
    // Paused in one "process", approved in another, resumed in a third.
    const first = await paused(billingAgent([pay('2026-03', 300)]));
    const saved = first.result.state.toString();
    // The run's authority serializes to a placeholder: neither the token nor a key is saved.
    expect(saved).toContain('"mandate":"[mandate authority]"');
    expect(saved).not.toContain(world.approving.token);
    const approver = await resumeRunState(billingAgent([]), saved, alice());
    const [pending] = pendingApprovals(approver);
    expect(pending?.request.call.args).toEqual({ invoice: '2026-03', amount: 300 });
    await answerApproval(approver, pending!, [await humanSigns(pending!)]);
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

  it.each(REFUSED)(
    'an answer that does not approve the call (%s) rejects it; the tool never runs',
    async (_name, said, answerTo) => {
      const runs = world.runs.length;
      const agent = billingAgent([pay('2026-03', 300)]);
      const { result, pending } = await paused(agent);
      const outcome = await answerApproval(result, pending, (await answerTo(pending)) as never);
      expect(outcome).toMatchObject({ approved: false, hop: 0, ...codeOf(said) });
      const resumed = await runner.run(agent, result.state);
      expect(outputsOf(resumed.newItems)[0]).toContain(said);
      expect(world.runs.length).toBe(runs);
    },
  );

  it("the tool's own needsApproval still pauses; only the mandate's calls are listed", async () => {
    const own = payTool({ needsApproval: true });
    const over = await runner.run(billingAgent([pay('2026-03', 300)], own), 'pay', {
      context: { mandate: alice() },
    });
    expect(pendingApprovals(over).map((p) => p.request.call.args)).toEqual([
      { invoice: '2026-03', amount: 300 },
    ]);
    const under = await runner.run(billingAgent([pay('2026-03', 150)], own), 'pay', {
      context: { mandate: alice() },
    });
    expect(under.interruptions).toHaveLength(1);
    expect(pendingApprovals(under)).toEqual([]);
  });

  it('answerApprovals asks the human about each paused call; misuse throws', async () => {
    const runs = world.runs.length;
    const agent = billingAgent([pay('2026-03', 300)]);
    const { result, pending } = await paused(agent);
    const shown: string[] = [];
    const outcomes = await answerApprovals(result, async (request) => {
      shown.push(request.description);
      return [await approve(request.call, world.user)];
    });
    expect(outcomes).toEqual([{ approved: true }]);
    expect(shown).toEqual([pending.request.description]);
    expect(outputsOf((await runner.run(agent, result.state)).newItems)).toEqual([
      'pay_invoice done',
    ]);
    expect(world.runs.length).toBe(runs + 1);
    await expect(answerApproval(result, { ...pending, callId: 'other' }, [])).rejects.toThrow(
      TypeError,
    );
    expect(() => pendingApprovals({} as never)).toThrow(TypeError);
  });

  it('a remote mcpTool pauses too; the server checks the approval sent in _meta', async () => {
    const remoteTool = () =>
      mcpTool({
        client: remote.client,
        name: 'pay_invoice',
        description: 'Pay an invoice',
        parameters: payment,
        audience: REMOTE,
        requirement: REQUIREMENTS.pay_invoice,
        humanApproval: true,
      });
    const paidBefore = remote.server.payments.length;
    const agent = billingAgent([pay('2026-03', 300)], remoteTool());
    const { result, pending } = await paused(agent);
    expect(pending.request.call.audience).toBe(REMOTE);
    await answerApproval(result, pending, [await humanSigns(pending)]);
    const resumed = await runner.run(agent, result.state);
    expect(outputsOf(resumed.newItems)[0]).toContain('paid 2026-03: 300 for alice');
    expect(remote.server.payments.length).toBe(paidBefore + 1);
    // A stranger's key passes the courtesy check: the server denies it, nothing is paid.
    const other = billingAgent([pay('2026-03', 300)], remoteTool());
    const second = await paused(other);
    await answerApproval(second.result, second.pending, [
      await humanSigns(second.pending, undefined, world.thief),
    ]);
    const denied = await runner.run(other, second.result.state);
    expect(outputsOf(denied.newItems)[0]).toContain('MANDATE_APPROVAL_INVALID @ hop 0 (authorize)');
    expect(remote.server.payments.length).toBe(paidBefore + 1);
    expect(() =>
      mcpTool({
        client: remote.client,
        name: 'x',
        description: 'x',
        parameters: payment,
        humanApproval: true,
      }),
    ).toThrow(TypeError);
  });
});
