/** The demo through LangChain.js and LangGraph.js: a graph agent loop with a `ToolNode`. */
import { randomUUID } from 'node:crypto';
import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import { tool, type StructuredToolInterface } from '@langchain/core/tools';
import type { RunnableConfig } from '@langchain/core/runnables';
import {
  Command,
  END,
  interrupt,
  MemorySaver,
  MessagesAnnotation,
  START,
  StateGraph,
} from '@langchain/langgraph';
import { ToolNode, toolsCondition } from '@langchain/langgraph/prebuilt';
import { z } from 'zod';
import {
  approvalInterrupts,
  delegatingNode,
  guardTools,
  withMandate,
} from '../../adapters/langchain/index.js';
import type { ToolGuardOptions } from '../../adapters/tool-guard.js';
import {
  REQUIREMENTS,
  SUB_AGENT_NARROWING,
  type FrameworkDriver,
  type ScriptedCall,
} from './scenarios.js';

/** An agent graph whose "model" node is scripted: one tool call, then a final answer. */
function agentGraph(call: ScriptedCall, tools: StructuredToolInterface[], saver?: MemorySaver) {
  let step = 0;
  const model = (): { messages: BaseMessage[] } => ({
    messages: [
      step++ === 0
        ? new AIMessage({
            content: '',
            tool_calls: [{ id: randomUUID(), name: call.tool, args: call.args, type: 'tool_call' }],
          })
        : new AIMessage('done'),
    ],
  });
  return new StateGraph(MessagesAnnotation)
    .addNode('agent', model)
    .addNode('tools', new ToolNode(tools))
    .addEdge(START, 'agent')
    .addConditionalEdges('agent', toolsCondition, ['tools', END])
    .addEdge('tools', 'agent')
    .compile(saver === undefined ? {} : { checkpointer: saver });
}

const input = { messages: [{ role: 'user', content: 'Pay my March invoice.' }] };

/** The LangChain / LangGraph driver. */
export function langchainDriver(guard: ToolGuardOptions): FrameworkDriver {
  const payment = z.object({ invoice: z.string(), amount: z.number() });
  const done = () => 'done';
  const tools = guardTools(
    [
      tool(done, {
        name: 'read_invoice',
        description: 'Read',
        schema: z.object({ invoice: z.string() }),
      }),
      tool(done, { name: 'pay_invoice', description: 'Pay', schema: payment }),
      tool(done, { name: 'refund_invoice', description: 'Refund', schema: payment }),
      tool(done, {
        name: 'pay_later',
        description: 'Pay, amount defaulted',
        schema: z.object({ invoice: z.string(), amount: z.number().default(900) }),
      }),
    ],
    { ...guard, tools: REQUIREMENTS },
  );
  const subTools = tools.filter((t) => t.name === 'pay_invoice');
  // The same pay tool with a human step: a LangGraph interrupt (the graph needs a checkpointer).
  const payWithApproval = guardTools(
    [tool(done, { name: 'pay_invoice', description: 'Pay', schema: payment })],
    {
      ...guard,
      tools: REQUIREMENTS,
      humanApproval: { interrupt: (request) => interrupt(request) },
    },
  );
  return {
    async orchestrate(authority, call) {
      await agentGraph(call, tools).invoke(input, withMandate({}, authority));
    },
    async approved(authority, call, askHuman) {
      // The guard's call is refused for want of approval and interrupts the graph; the human's
      // signed approval resumes it, and the call is verified again with it.
      const graph = agentGraph(call, payWithApproval, new MemorySaver());
      const config = withMandate({ configurable: { thread_id: randomUUID() } }, authority);
      const paused = await graph.invoke(input, config);
      const [pending] = approvalInterrupts(paused);
      if (pending === undefined) return;
      await graph.invoke(new Command({ resume: await askHuman(pending.request) }), config);
    },
    async delegate(authority, call) {
      const graph = new StateGraph(MessagesAnnotation)
        .addNode(
          'billing',
          delegatingNode(agentGraph(call, subTools), {
            tools: subTools,
            narrow: SUB_AGENT_NARROWING,
          }) as (state: typeof MessagesAnnotation.State, config?: RunnableConfig) => Promise<never>,
        )
        .addEdge(START, 'billing')
        .addEdge('billing', END)
        .compile();
      await graph.invoke(input, withMandate({}, authority));
    },
  };
}
