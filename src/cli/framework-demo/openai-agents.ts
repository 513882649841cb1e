/** The demo through the OpenAI Agents SDK: runs of agents on a scripted `Model`, and a handoff. */
import {
  Agent,
  Runner,
  Usage,
  type Model,
  type ModelResponse,
  type StreamEvent,
} from '@openai/agents-core';
import { z } from 'zod';
import {
  answerApprovals,
  createAgentsToolGuard,
  delegatingHandoff,
} from '../../adapters/openai-agents/index.js';
import type { RunAuthority } from '../../adapters/run-authority.js';
import type { ToolGuardOptions } from '../../adapters/tool-guard.js';
import {
  REQUIREMENTS,
  SUB_AGENT_NARROWING,
  type FrameworkDriver,
  type ScriptedCall,
} from './scenarios.js';

/** A model that makes one tool call, then answers. */
function scripted(call: { tool: string; args: unknown }): Model {
  let step = 0;
  return {
    getResponse(): Promise<ModelResponse> {
      const output: ModelResponse['output'] =
        step++ === 0
          ? [
              {
                type: 'function_call',
                callId: 'call-1',
                name: call.tool,
                arguments: JSON.stringify(call.args),
                status: 'completed',
              },
            ]
          : [
              {
                type: 'message',
                role: 'assistant',
                status: 'completed',
                content: [{ type: 'output_text', text: 'done' }],
              },
            ];
      return Promise.resolve({ usage: new Usage(), output });
    },
    getStreamedResponse(): AsyncIterable<StreamEvent> {
      throw new Error('the demo does not stream');
    },
  };
}

/** The OpenAI Agents driver. */
export function openAiAgentsDriver(guard: ToolGuardOptions): FrameworkDriver {
  const tools = createAgentsToolGuard(guard);
  const payment = z.object({ invoice: z.string(), amount: z.number() });
  const done = () => 'done';
  const make = (name: ScriptedCall['tool'], parameters: z.ZodObject) =>
    tools.tool({
      name,
      description: name,
      parameters,
      execute: done,
      requirement: REQUIREMENTS[name],
    });
  const all = [
    make('read_invoice', z.object({ invoice: z.string() })),
    make('pay_invoice', payment),
    make('refund_invoice', payment),
    make('pay_later', z.object({ invoice: z.string(), amount: z.number().default(900) })),
  ];
  // The same pay tool with the SDK's own approval step (`needsApproval` from the mandate).
  const payWithApproval = createAgentsToolGuard({ ...guard, humanApproval: true }).tool({
    name: 'pay_invoice',
    description: 'pay_invoice',
    parameters: payment,
    execute: done,
    requirement: REQUIREMENTS.pay_invoice,
  });
  const runner = new Runner({ tracingDisabled: true });
  const run = async (agent: Agent, authority: RunAuthority) => {
    await runner.run(agent, 'Pay my March invoice.', { context: { mandate: authority } });
  };
  return {
    orchestrate: (authority, call) =>
      run(new Agent({ name: 'orchestrator', model: scripted(call), tools: all }), authority),
    async approved(authority, call, askHuman) {
      // The run is interrupted before the tool runs; the human's signed approval answers the
      // interruption, and the resumed run sends it with the call.
      const agent = new Agent({
        name: 'orchestrator',
        model: scripted(call),
        tools: [payWithApproval],
      });
      const paused = await runner.run(agent, 'Pay my March invoice.', {
        context: { mandate: authority },
      });
      await answerApprovals(paused, askHuman);
      await runner.run(agent, paused.state);
    },
    delegate(authority, call) {
      const billing = new Agent({
        name: 'billing',
        model: scripted(call),
        tools: all.filter((t) => t.name === 'pay_invoice'),
      });
      const orchestrator = new Agent({
        name: 'orchestrator',
        model: scripted({ tool: 'transfer_to_billing', args: {} }),
        tools: all,
        handoffs: [delegatingHandoff(billing, { narrow: SUB_AGENT_NARROWING })],
      });
      return run(orchestrator, authority);
    },
  };
}
