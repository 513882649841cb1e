/**
 * Human approval as a LangGraph interrupt (`interrupt()`, `new Command({ resume })`, a
 * checkpointer), with real LangChain tools, the standard agent loop (`ToolNode`) and a scripted
 * model: alice's mandate requires her approval for payments over 200. The human signs with her
 * own key; the guard (or the remote server) verifies.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { tool } from '@langchain/core/tools';
import type { BaseMessage } from '@langchain/core/messages';
import { Command, interrupt, MemorySaver } from '@langchain/langgraph';
import { z } from 'zod';
import { approve, mint, type KeyPair, type Mandate } from '../../../src/index.js';
import {
  approvalInterrupts,
  callMcpToolWithApproval,
  guardTools,
  mandateOf,
  withMandate,
  type LangGraphApprovalOptions,
} from '../../../src/adapters/langchain/index.js';
import {
  createRunAuthority,
  resultText,
  type HumanApprovalRequest,
} from '../../../src/adapters/agents/index.js';
import {
  AS,
  expectAlicePaid,
  expectDeniedUnrun,
  grantFor,
  NOT_APPROVING,
  payStep,
  REMOTE,
  REQUIREMENTS,
  remoteToolPerFile,
  TOOLS,
  worldPerFile,
  type NotApproving,
} from '../../helpers/agents.js';
import { keyPairs } from '../../helpers/billing.js';
import { agentGraph, ScriptedChatModel, type Step } from './script.js';

const world = worldPerFile();
const remote = remoteToolPerFile(world);
/** Two named approvers, and a mandate whose payments need both of them. */
let approvers: readonly [KeyPair, KeyPair];
let twoOfTwo: Mandate;

beforeAll(async () => {
  approvers = await keyPairs(2);
  twoOfTwo = await mint({
    issuer: world.anchor,
    issuerId: AS,
    subject: 'alice',
    holder: world.orchestrator.publicJwk,
    capabilities: grantFor('2026-03', 500),
    approvals: [
      {
        resource: 'billing:invoices/**',
        actions: ['pay'],
        approvers: approvers.map((k) => k.id),
        threshold: 2,
      },
    ],
    audience: [TOOLS, REMOTE],
    expiresIn: '15m',
  });
});

const payment = z.object({ invoice: z.string(), amount: z.number() });
const pay = payStep;
const human: LangGraphApprovalOptions = { interrupt: (request) => interrupt(request) };

/** The guarded pay tool; every body run is recorded. */
function payTools(humanApproval: LangGraphApprovalOptions | 'none' = human) {
  const body = (args: Record<string, unknown>, config: unknown) => {
    world.runs.push({ tool: 'pay_invoice', args, user: mandateOf(config)?.decision.subject });
    return 'pay_invoice done';
  };
  return guardTools(
    [tool(body, { name: 'pay_invoice', description: 'Pay an invoice', schema: payment })],
    {
      verifier: world.verifier,
      audience: TOOLS,
      tools: { pay_invoice: REQUIREMENTS.pay_invoice },
      audit: (record) => world.audit.push(record),
      ...(humanApproval === 'none' ? {} : { humanApproval }),
    },
  );
}

let threads = 0;

/** A graph run on its own thread, with a checkpointer: start, then resume with answers. */
function session(
  steps: readonly Step[],
  options: {
    tools?: ReturnType<typeof payTools>;
    mandate?: Mandate;
    saver?: MemorySaver;
  } = {},
) {
  const saver = options.saver ?? new MemorySaver();
  const graph = agentGraph(new ScriptedChatModel(steps), options.tools ?? payTools(), saver);
  const authority = createRunAuthority({
    mandate: options.mandate ?? world.approving,
    signer: world.orchestrator,
  });
  const config = withMandate({ configurable: { thread_id: `thread-${++threads}` } }, authority);
  return {
    saver,
    config,
    start: () => graph.invoke({ messages: [{ role: 'user', content: 'Pay my invoice.' }] }, config),
    resume: (answer: unknown) => graph.invoke(new Command({ resume: answer }), config),
  };
}

/** The one approval request a paused run shows. */
function requestOf(paused: unknown): HumanApprovalRequest {
  const found = approvalInterrupts(paused);
  expect(found).toHaveLength(1);
  return found[0]!.request;
}

const toolTexts = (state: { messages: BaseMessage[] }): string[] =>
  state.messages
    .filter((m) => m.getType() === 'tool')
    .map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)));

/** Resume values that do not approve the call: [what, what the model reads, the answer]. */
const REFUSED: NotApproving<HumanApprovalRequest>[] = [
  NOT_APPROVING.refusal,
  NOT_APPROVING.none,
  [
    'an approval of another amount',
    'MANDATE_APPROVAL_MISMATCH @ hop 0 (authorize)',
    async ({ call }) => [
      await approve({ ...call, args: { ...call.args, amount: 250 } }, world.user),
    ],
  ],
  [
    // Only the service knows alice's registered keys: the verifier refuses this one.
    "a stranger's approval",
    'MANDATE_APPROVAL_INVALID @ hop 0 (authorize)',
    async ({ call }) => [await approve(call, world.thief)],
  ],
  NOT_APPROVING.bareYes,
  [
    'approvals in an object',
    'MANDATE_APPROVAL_INVALID @ hop 0 (authorize)',
    () => ({ approvals: ['x'] }),
  ],
  ['approvals that are not strings', 'MANDATE_APPROVAL_INVALID @ hop 0 (authorize)', () => [1]],
  [
    'a refusal that is not one',
    'MANDATE_APPROVAL_INVALID @ hop 0 (authorize)',
    () => ({ refused: 'yes' }),
  ],
  NOT_APPROVING.tooMany,
];

describe('mandate/langchain: human approval as a LangGraph interrupt', () => {
  it('pauses a call that needs approval; resumed with the approval, the tool runs once', async () => {
    const runs = world.runs.length;
    const run = session([pay('2026-03', 300)]);
    const request = requestOf(await run.start());
    expect(world.runs.length).toBe(runs);
    expect(request.needed).toMatchObject({ approvers: ['user'], threshold: 1, missing: 1, hop: 0 });
    expect(request.call).toMatchObject({
      resource: 'billing:invoices/2026-03',
      action: 'pay',
      audience: TOOLS,
      args: { invoice: '2026-03', amount: 300 },
    });
    expect(request.description).toContain('amount = 300');
    const done = await run.resume([await approve(request.call, world.user)]);
    expect(approvalInterrupts(done)).toEqual([]);
    expect(toolTexts(done)).toEqual(['pay_invoice done']);
    expectAlicePaid(world, runs, 'langchain', expect, 300);
  });

  it.each(REFUSED)(
    'a resume value that does not approve the call (%s) is denied and audited; never run',
    async (_name, said, answerTo) => {
      const runs = world.runs.length;
      const run = session([pay('2026-03', 300)]);
      const done = await run.resume(await answerTo(requestOf(await run.start())));
      expect(approvalInterrupts(done)).toEqual([]);
      expect(toolTexts(done)[0]).toContain(said);
      const [, code, check] = /^(\S+) @ hop 0 \((\w+)\)/.exec(said) ?? [];
      expect(code).toMatch(/^MANDATE_/);
      expectDeniedUnrun(world, runs, { code: code!, hop: 0, check: check! }, expect);
      expect(world.audit.at(-1)?.action).toMatchObject({
        resource: 'billing:invoices/2026-03',
        action: 'pay',
      });
    },
  );

  it('two approvers: both approvals in one answer run the tool once', async () => {
    const runs = world.runs.length;
    const run = session([pay('2026-03', 100)], { mandate: twoOfTwo });
    const request = requestOf(await run.start());
    expect(request.needed).toMatchObject({ threshold: 2, missing: 2 });
    const done = await run.resume(
      await Promise.all(approvers.map((k) => approve(request.call, k))),
    );
    expect(toolTexts(done)).toEqual(['pay_invoice done']);
    expect(world.runs.length).toBe(runs + 1);
  });

  it('asking is bounded: one approval of two (or the same twice) is denied, not asked again', async () => {
    const runs = world.runs.length;
    for (const twice of [false, true]) {
      const run = session([pay('2026-03', 100)], { mandate: twoOfTwo });
      const request = requestOf(await run.start());
      const a = await approve(request.call, approvers[0]);
      const done = await run.resume(twice ? [a, a] : [a]);
      expect(approvalInterrupts(done)).toEqual([]);
      expect(toolTexts(done)[0]).toContain('MANDATE_APPROVAL_REQUIRED @ hop 0 (authorize)');
    }
    expect(world.runs.length).toBe(runs);
  });

  it('without humanApproval the call is denied for the model, as before', async () => {
    const runs = world.runs.length;
    const run = session([pay('2026-03', 300)], { tools: payTools('none') });
    const done = await run.start();
    expect(approvalInterrupts(done)).toEqual([]);
    expect(toolTexts(done)[0]).toContain('MANDATE_APPROVAL_REQUIRED @ hop 0 (authorize)');
    expect(world.runs.length).toBe(runs);
    expect(() => payTools({} as never)).toThrow(TypeError);
  });

  it('resumes from a checkpoint serialized to a string (fresh saver, graph, tools)', async () => {
    const runs = world.runs.length;
    const first = session([pay('2026-03', 300)]);
    const request = requestOf(await first.start());
    const saved = saveCheckpoints(first.saver);
    expect(saved).not.toContain(world.approving.token);
    // Another process: the graph and tools are rebuilt, the checkpoint loaded from the string,
    // and the run's authority given again (it was never saved).
    const graph = agentGraph(new ScriptedChatModel([]), payTools(), loadCheckpoints(saved));
    const config = withMandate(
      { configurable: { thread_id: first.config.configurable?.['thread_id'] } },
      createRunAuthority({ mandate: world.approving, signer: world.orchestrator }),
    );
    const done = await graph.invoke(
      new Command({ resume: [await approve(request.call, world.user)] }),
      config,
    );
    expect(toolTexts(done)).toEqual(['pay_invoice done']);
    expect(world.runs.slice(runs)).toEqual([
      { tool: 'pay_invoice', args: { invoice: '2026-03', amount: 300 }, user: 'alice' },
    ]);
  });

  it('a remote mandate/mcp call interrupts too; the server checks the approval sent in _meta', async () => {
    const remotePay = tool(
      async (args, config) =>
        resultText(
          await callMcpToolWithApproval(remote.client, 'pay_invoice', args, config.configurable, {
            ...human,
            audience: REMOTE,
          }),
        ),
      { name: 'pay_invoice', description: 'Pay an invoice', schema: payment },
    );
    const paid = remote.server.payments.length;
    const run = session([pay('2026-03', 300)], { tools: [remotePay] });
    const request = requestOf(await run.start());
    expect(request.call.audience).toBe(REMOTE);
    expect(remote.server.payments.length).toBe(paid);
    const done = await run.resume([await approve(request.call, world.user)]);
    expect(toolTexts(done)[0]).toContain('paid 2026-03: 300 for alice');
    expect(remote.server.payments.length).toBe(paid + 1);
    const refused = session([pay('2026-03', 300)], { tools: [remotePay] });
    requestOf(await refused.start());
    const none = await refused.resume({ refused: true });
    expect(toolTexts(none)[0]).toContain('MANDATE_APPROVAL_REFUSED @ hop 0 (authorize)');
    const forged = session([pay('2026-03', 300)], { tools: [remotePay] });
    const asked = requestOf(await forged.start());
    const denied = await forged.resume([await approve(asked.call, world.thief)]);
    expect(toolTexts(denied)[0]).toContain('MANDATE_APPROVAL_INVALID @ hop 0 (authorize)');
    expect(remote.server.payments.length).toBe(paid + 1);
  });
});

/** A MemorySaver's checkpoints and writes as one string (bytes as base64), as a process saves them. */
function saveCheckpoints(saver: MemorySaver): string {
  return JSON.stringify({ storage: saver.storage, writes: saver.writes }, (_key, value: unknown) =>
    value instanceof Uint8Array ? { $bytes: Buffer.from(value).toString('base64') } : value,
  );
}

/** A fresh MemorySaver holding what `saveCheckpoints` saved. */
function loadCheckpoints(saved: string): MemorySaver {
  const parsed = JSON.parse(saved, (_key, value: unknown) => {
    const bytes = (value as { $bytes?: unknown } | null)?.$bytes;
    return typeof bytes === 'string' ? new Uint8Array(Buffer.from(bytes, 'base64')) : value;
  }) as Pick<MemorySaver, 'storage' | 'writes'>;
  const saver = new MemorySaver();
  saver.storage = parsed.storage;
  saver.writes = parsed.writes;
  return saver;
}
