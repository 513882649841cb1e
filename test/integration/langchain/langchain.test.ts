/**
 * `mandate/langchain` with real LangChain.js tools and a LangGraph.js agent loop (`ToolNode`),
 * driven by a scripted chat model making genuine and prompt-injected tool calls.
 */
import { describe, expect, it } from 'vitest';
import { tool, type StructuredToolInterface } from '@langchain/core/tools';
import type { BaseMessage } from '@langchain/core/messages';
import { END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { z } from 'zod';
import { createRunAuthority, type RunAuthority } from '../../../src/adapters/agents/index.js';
import {
  delegatingNode,
  guardTools,
  mandateOf,
  withMandate,
} from '../../../src/adapters/langchain/index.js';
import {
  expectAlicePaid,
  expectDeniedUnrun,
  crossedUserRuns,
  INJECTED_CALLS,
  payStep,
  REQUIREMENTS,
  SUB_AGENT_NARROW,
  TOOLS,
  worldPerFile,
} from '../../helpers/agents.js';
import { agentGraph, ScriptedChatModel, type Step } from './script.js';

const world = worldPerFile();

/** The billing tools, as plain business logic: each records that it ran, and for whom. */
function billingTools() {
  const body = (name: string) => (args: Record<string, unknown>, config: unknown) => {
    world.runs.push({ tool: name, args, user: mandateOf(config)?.decision.subject });
    return `${name} done`;
  };
  return [
    tool(body('read_invoice'), {
      name: 'read_invoice',
      description: 'Read an invoice',
      schema: z.object({ invoice: z.string() }),
    }),
    tool(body('pay_invoice'), {
      name: 'pay_invoice',
      description: 'Pay an invoice',
      schema: z.object({ invoice: z.string(), amount: z.number() }),
    }),
    tool(body('refund_invoice'), {
      name: 'refund_invoice',
      description: 'Refund an invoice',
      schema: z.object({ invoice: z.string(), amount: z.number() }),
    }),
  ];
}

function guarded(
  tools: StructuredToolInterface[] = billingTools(),
  extra: { onDenied?: 'throw' | 'return' } = {},
) {
  return guardTools(tools, {
    verifier: world.verifier,
    audience: TOOLS,
    tools: REQUIREMENTS,
    audit: (record) => world.audit.push(record),
    ...extra,
  });
}

const alice = () => createRunAuthority({ mandate: world.alice, signer: world.orchestrator });

/** The tool messages of one agent run. */
async function agent(
  tools: ReturnType<typeof guarded>,
  authority: RunAuthority,
  steps: readonly Step[],
  stream = false,
) {
  const model = new ScriptedChatModel(steps);
  const graph = agentGraph(model, tools);
  const input = { messages: [{ role: 'user', content: 'Pay my March invoice.' }] };
  const config = withMandate({}, authority);
  let messages: BaseMessage[];
  if (stream) {
    // `messages` mode streams the model's chunks and each node's messages (the tool results).
    messages = [];
    for await (const [chunk] of await graph.stream(input, { ...config, streamMode: 'messages' })) {
      messages.push(chunk);
    }
  } else {
    messages = (await graph.invoke(input, config)).messages;
  }
  const tool = messages.filter((m) => m.getType() === 'tool');
  return {
    model,
    contents: tool.map((m) => textOf(m)),
    errors: tool.filter((m) => (m as { status?: string }).status === 'error').map((m) => textOf(m)),
  };
}

/** A message's content as text. */
const textOf = (m: BaseMessage): string =>
  typeof m.content === 'string' ? m.content : JSON.stringify(m.content);

const pay = payStep;

describe('mandate/langchain: guarded tools in a LangGraph agent loop', () => {
  it('a genuine call runs, for the user whose mandate the run carries', async () => {
    const runs = world.runs.length;
    const { contents, errors } = await agent(guarded(), alice(), [pay('2026-03', 120)]);
    expect(errors).toEqual([]);
    expect(contents).toEqual(['pay_invoice done']);
    expectAlicePaid(world, runs, 'langchain', expect);
  });

  it.each(INJECTED_CALLS)(
    'a prompt-injected call (%s) is denied with its code and never reaches the tool',
    async (_name, toolName, args) => {
      const runs = world.runs.length;
      const { errors, model } = await agent(guarded(), alice(), [
        { calls: [{ tool: toolName, args }] },
      ]);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('MANDATE_FORBIDDEN @ hop 0 (authorize)');
      // The model's next turn is told why.
      expect(JSON.stringify(model.seen.at(-1))).toContain('MANDATE_FORBIDDEN @ hop 0');
      expectDeniedUnrun(
        world,
        runs,
        { code: 'MANDATE_FORBIDDEN', hop: 0, check: 'authorize', target: toolName },
        expect,
      );
    },
  );

  it('a sub-graph handed a narrowed mandate cannot do what its orchestrator could', async () => {
    const tools = guarded();
    const [, payTool] = tools;
    if (payTool === undefined) throw new Error('no pay tool');
    const subTools = [payTool];
    /** Orchestrator graph: a billing sub-graph behind a delegating node. */
    const orchestrate = (steps: readonly Step[]) =>
      new StateGraph(MessagesAnnotation)
        .addNode(
          'billing',
          delegatingNode(agentGraph(new ScriptedChatModel(steps), subTools), {
            tools: subTools,
            narrow: SUB_AGENT_NARROW,
          }),
        )
        .addEdge(START, 'billing')
        .addEdge('billing', END)
        .compile();
    const input = { messages: [{ role: 'user', content: 'pay' }] };
    const runs = world.runs.length;
    await orchestrate([pay('2026-03', 150)]).invoke(input, withMandate({}, alice()));
    expect(world.runs.slice(runs)).toEqual([
      { tool: 'pay_invoice', args: { invoice: '2026-03', amount: 150 }, user: 'alice' },
    ]);
    expect(world.audit.at(-1)?.chain).toHaveLength(3);
    const over = await orchestrate([pay('2026-03', 300)]).invoke(input, withMandate({}, alice()));
    const denied = over.messages.filter((m) => m.getType() === 'tool').map((m) => textOf(m));
    expect(denied[0]).toContain('MANDATE_FORBIDDEN @ hop 1 (authorize)');
    expect(world.audit.at(-1)).toMatchObject({ code: 'MANDATE_FORBIDDEN', hop: 1 });
    // The orchestrator itself could pay 300.
    const direct = await agent(tools, alice(), [pay('2026-03', 300)]);
    expect(direct.errors).toEqual([]);
    expect(world.runs.length).toBe(runs + 2);
  });

  it('a stolen mandate with no key cannot prove', async () => {
    const runs = world.runs.length;
    const thief = createRunAuthority({ mandate: world.alice, signer: world.thief });
    const stolen = await agent(guarded(), thief, [pay('2026-03', 120)]);
    expect(stolen.errors[0]).toContain('MANDATE_PROOF_INVALID @ hop 0 (possession)');
    expect(world.audit.at(-1)).toMatchObject({
      code: 'MANDATE_PROOF_INVALID',
      hop: 0,
      check: 'possession',
    });
    const keyless = createRunAuthority({ mandate: world.alice });
    const bare = await agent(guarded(), keyless, [pay('2026-03', 120)]);
    expect(bare.errors[0]).toContain('MANDATE_PROOF_MISSING @ hop 0 (possession)');
    // A token in configurable is no authority.
    const graph = agentGraph(new ScriptedChatModel([pay('2026-03', 120)]), guarded());
    const raw = await graph.invoke(
      { messages: [{ role: 'user', content: 'pay' }] },
      { configurable: { mandate: world.alice.token } },
    );
    const content = raw.messages.filter((m) => m.getType() === 'tool').map((m) => textOf(m));
    expect(content[0]).toContain('MANDATE_MALFORMED @ hop 0 (limits)');
    expect(world.runs.length).toBe(runs);
  });

  it("concurrent runs for two users never see each other's authority", async () => {
    const tools = guarded();
    const [a, b, aAsBob, bAsAlice] = await crossedUserRuns(
      world,
      (authority, step) => agent(tools, authority, [step]),
      expect,
    );
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
    expect(aAsBob.errors[0]).toContain('MANDATE_FORBIDDEN @ hop 0');
    expect(bAsAlice.errors[0]).toContain('MANDATE_FORBIDDEN @ hop 0');
  });

  it('a schema that coerces, transforms or defaults cannot smuggle a value past the guard', async () => {
    const seen: unknown[] = [];
    const record = (args: unknown) => {
      seen.push(args);
      return 'paid';
    };
    const tools = guarded([
      tool(record, {
        name: 'pay_invoice',
        description: 'Pay, in hundreds',
        schema: z.object({ invoice: z.string(), amount: z.number().transform((h) => h * 100) }),
      }),
      tool(record, {
        name: 'read_invoice',
        description: 'Defaults the amount',
        schema: z.object({ invoice: z.string(), amount: z.number().default(900) }),
      }),
      tool(record, {
        name: 'refund_invoice',
        description: 'Coerces the amount',
        schema: z.object({ invoice: z.string(), amount: z.coerce.number() }),
      }),
    ]);
    const transformed = await agent(tools, alice(), [pay('2026-03', 9)]);
    expect(transformed.errors[0]).toContain('MANDATE_FORBIDDEN @ hop 0');
    const defaulted = await agent(tools, alice(), [
      { calls: [{ tool: 'read_invoice', args: { invoice: '2026-03' } }] },
    ]);
    expect(defaulted.errors[0]).toContain('MANDATE_FORBIDDEN @ hop 0');
    expect(seen).toEqual([]);
    const allowed = await agent(tools, alice(), [pay('2026-03', 3)]);
    expect(allowed.errors).toEqual([]);
    expect(seen).toEqual([{ invoice: '2026-03', amount: 300 }]);
    expect(Object.isFrozen(seen[0])).toBe(true);
  });

  it('streamed tool-call chunks are decided once the call is complete', async () => {
    const runs = world.runs.length;
    const { model, errors } = await agent(
      guarded(),
      alice(),
      [pay('2026-03', 120), pay('2026-04', 120)],
      true,
    );
    expect(model.streamed).toBeGreaterThanOrEqual(2);
    expect(world.runs.slice(runs)).toEqual([
      { tool: 'pay_invoice', args: { invoice: '2026-03', amount: 120 }, user: 'alice' },
    ]);
    expect(errors.join()).toContain('MANDATE_FORBIDDEN @ hop 0');
  });

  it("onDenied 'return' hands the model the denial as the tool's result", async () => {
    const { contents, errors } = await agent(
      guarded(billingTools(), { onDenied: 'return' }),
      alice(),
      [pay('2026-04', 1)],
    );
    expect(errors).toEqual([]);
    expect(JSON.parse(contents[0] ?? '{}')).toMatchObject({
      denied: true,
      code: 'MANDATE_FORBIDDEN',
      hop: 0,
      check: 'authorize',
    });
  });
});
