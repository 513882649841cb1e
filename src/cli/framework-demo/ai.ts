/** The demo through the Vercel AI SDK: `generateText` tool loops on the SDK's mock model. */
import { generateText, isStepCount, tool, type ModelMessage, type ToolSet } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { z } from 'zod';
import { delegateTo } from '../../adapters/agents/index.js';
import {
  answerApprovals,
  guardTools,
  mandateContext,
  mandateToolApproval,
} from '../../adapters/ai/index.js';
import type { RunAuthority } from '../../adapters/run-authority.js';
import type { ToolGuardOptions } from '../../adapters/tool-guard.js';
import {
  REQUIREMENTS,
  SUB_AGENT_NARROWING,
  type FrameworkDriver,
  type ScriptedCall,
} from './scenarios.js';

const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 1, text: 1, reasoning: undefined },
};

/** A model that makes `calls` (one step each), then stops. */
function scripted(...calls: readonly { tool: string; args: unknown }[]): MockLanguageModelV4 {
  return new MockLanguageModelV4({
    doGenerate: [
      ...calls.map((call, i) => ({
        content: [
          {
            type: 'tool-call' as const,
            toolCallId: `call-${i}`,
            toolName: call.tool,
            input: JSON.stringify(call.args),
          },
        ],
        finishReason: { unified: 'tool-calls' as const, raw: undefined },
        usage,
        warnings: [],
      })),
      {
        content: [{ type: 'text' as const, text: 'done' }],
        finishReason: { unified: 'stop' as const, raw: undefined },
        usage,
        warnings: [],
      },
    ],
  });
}

async function runAgent(
  model: MockLanguageModelV4,
  tools: ToolSet,
  authority: RunAuthority,
  steps: number,
): Promise<void> {
  await generateText({
    model,
    tools,
    toolsContext: mandateContext(tools, authority),
    prompt: 'Pay my March invoice.',
    stopWhen: isStepCount(steps + 1),
  });
}

/** The AI SDK driver. */
export function aiDriver(guard: ToolGuardOptions): FrameworkDriver {
  const payment = z.object({ invoice: z.string(), amount: z.number() });
  const done = () => 'done';
  const billing = guardTools(
    {
      read_invoice: tool({ inputSchema: z.object({ invoice: z.string() }), execute: done }),
      pay_invoice: tool({ inputSchema: payment, execute: done }),
      refund_invoice: tool({ inputSchema: payment, execute: done }),
      pay_later: tool({
        inputSchema: z.object({ invoice: z.string(), amount: z.number().default(900) }),
        execute: done,
      }),
    },
    { ...guard, tools: REQUIREMENTS },
  );
  const subTools = { pay_invoice: billing.pay_invoice };
  return {
    orchestrate: (authority, call) => runAgent(scripted(call), billing, authority, 1),
    async approved(authority, call, askHuman) {
      // The SDK's own tool approval: the call pauses before the tool runs (a
      // `tool-approval-request`), the human signs it, and the resumed run sends the approval.
      const model = scripted(call);
      const toolsContext = mandateContext(billing, authority);
      const toolApproval = mandateToolApproval(billing);
      const run = (messages: ModelMessage[]) =>
        generateText({
          model,
          tools: billing,
          toolsContext,
          toolApproval,
          messages,
          stopWhen: isStepCount(2),
        });
      const asked: ModelMessage[] = [{ role: 'user', content: 'Pay my March invoice.' }];
      const paused = await run(asked);
      const content = await answerApprovals(paused.content, {
        tools: billing,
        toolsContext,
        askHuman,
      });
      await run([...asked, ...paused.responseMessages, { role: 'tool', content }]);
    },
    async delegate(authority, call: ScriptedCall) {
      // The orchestrator's model calls the billing agent, itself a tool running its own loop
      // with a mandate narrowed to its tools.
      const billingAgent = tool({
        inputSchema: z.object({ task: z.string() }),
        execute: async ({ task }, { context }) => {
          const narrowed = await delegateTo(context, subTools, { narrow: SUB_AGENT_NARROWING });
          await generateText({
            model: scripted(call),
            tools: subTools,
            toolsContext: mandateContext(subTools, narrowed),
            prompt: task,
            stopWhen: isStepCount(2),
          });
          return 'done';
        },
      });
      const tools = { billing_agent: billingAgent };
      await runAgent(
        scripted({ tool: 'billing_agent', args: { task: 'pay invoice 2026-03' } }),
        tools,
        authority,
        1,
      );
    },
  };
}
