/**
 * Each agent framework calls a remote `mandate/mcp` tool server running in its own process,
 * over Streamable HTTP on loopback: the call carries the run's mandate and a fresh proof bound
 * to the arguments sent; the server verifies and pays, or denies with the code and hop, which
 * reach the model as a tool error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { z } from 'zod';
import type { MCPTransport } from '@ai-sdk/mcp';
import { createWorld, AS, REMOTE, type World } from '../../helpers/agents.js';
import { spawnToolProcess, type ToolProcess } from '../../helpers/tool-process.js';
import { connectedClient } from './server.js';
import { createRunAuthority, type RunAuthority } from '../../../src/adapters/run-authority.js';

let world: World;
let server: ToolProcess;

beforeAll(async () => {
  world = await createWorld();
  server = await spawnToolProcess(AS, world.anchor, REMOTE);
}, 60_000);

afterAll(async () => {
  await server?.close();
});

const alice = (): RunAuthority =>
  createRunAuthority({ mandate: world.alice, signer: world.orchestrator });
const thief = (): RunAuthority => createRunAuthority({ mandate: world.alice, signer: world.thief });
const payment = (invoice: string, amount: number) => ({
  calls: [{ tool: 'pay_invoice', args: { invoice, amount } }],
});

/**
 * Through `run` (one agent run paying `amount` on `invoice`, returning its tool outputs):
 * alice's genuine payment is paid, her injected one denied with code and hop, and a thief
 * holding her mandate cannot prove.
 */
async function expectPaidDeniedStolen(
  run: (authority: RunAuthority, invoice: string, amount: number) => Promise<string[]>,
): Promise<void> {
  expect(await run(alice(), '2026-03', 120)).toEqual(['paid 2026-03: 120 for alice']);
  expect((await run(alice(), '2026-04', 120))[0]).toContain(
    'MANDATE_FORBIDDEN @ hop 0 (authorize)',
  );
  expect((await run(thief(), '2026-03', 120))[0]).toContain('MANDATE_PROOF_INVALID');
}

const mcpClient = (): Promise<Client> => connectedClient(server.url);

describe('Vercel AI SDK agent -> @ai-sdk/mcp client -> mandate/mcp server process', () => {
  it('a genuine call is paid for alice; an injected one is denied with code and hop', async () => {
    const { createMCPClient } = await import('@ai-sdk/mcp');
    const { generateText, isStepCount } = await import('ai');
    const { mandateContext, mandateMcpTools, mandateTransport } =
      await import('../../../src/adapters/ai/index.js');
    const { scriptedModel } = await import('../ai/script.js');
    const client = await createMCPClient({
      // The MCP SDK's transport, as the AI SDK documents (its types differ only in optionality).
      transport: mandateTransport(
        new StreamableHTTPClientTransport(new URL(server.url)),
      ) as unknown as MCPTransport,
    });
    try {
      const tools = mandateMcpTools(await client.tools(), { audience: REMOTE });
      const run = async (authority: RunAuthority, invoice: string, amount: number) => {
        const result = await generateText({
          model: scriptedModel([payment(invoice, amount), { text: 'done' }]),
          tools,
          toolsContext: mandateContext(tools, authority),
          prompt: 'pay',
          stopWhen: isStepCount(2),
        });
        return result.steps[0]?.content ?? [];
      };
      const paid = await run(alice(), '2026-03', 120);
      expect(JSON.stringify(paid.find((p) => p.type === 'tool-result'))).toContain(
        'paid 2026-03: 120 for alice',
      );
      const injected = await run(alice(), '2026-04', 120);
      const error = (injected.find((p) => p.type === 'tool-error') as { error?: unknown })?.error;
      expect(error).toMatchObject({
        denial: { code: 'MANDATE_FORBIDDEN', hop: 0, check: 'authorize', tool: 'pay_invoice' },
      });
      const stolen = await run(thief(), '2026-03', 120);
      const refused = (stolen.find((p) => p.type === 'tool-error') as { error?: unknown })?.error;
      expect(refused).toMatchObject({
        denial: { code: 'MANDATE_PROOF_INVALID', check: 'possession' },
      });
    } finally {
      await client.close();
    }
  }, 30_000);
});

describe('LangGraph agent -> MCP SDK client -> mandate/mcp server process', () => {
  it('a genuine call is paid for alice; an injected one is denied with code and hop', async () => {
    const { tool } = await import('@langchain/core/tools');
    const { withMandate } = await import('../../../src/adapters/langchain/index.js');
    const { callMcpTool, resultText } = await import('../../../src/adapters/agents/index.js');
    const { agentGraph, ScriptedChatModel } = await import('../langchain/script.js');
    const client = await mcpClient();
    try {
      const pay = tool(
        async (input, config) =>
          resultText(await callMcpTool(client, 'pay_invoice', input, config.configurable, REMOTE)),
        {
          name: 'pay_invoice',
          description: 'Pay an invoice (remote)',
          schema: z.object({ invoice: z.string(), amount: z.number() }),
        },
      );
      const run = async (authority: RunAuthority, invoice: string, amount: number) => {
        const graph = agentGraph(new ScriptedChatModel([payment(invoice, amount)]), [pay]);
        const state = await graph.invoke(
          { messages: [{ role: 'user', content: 'pay' }] },
          withMandate({}, authority),
        );
        return state.messages
          .filter((m) => m.getType() === 'tool')
          .map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)));
      };
      await expectPaidDeniedStolen(run);
    } finally {
      await client.close();
    }
  }, 30_000);
});

describe('OpenAI Agents SDK agent -> MCP SDK client -> mandate/mcp server process', () => {
  it('a genuine call is paid for alice; an injected one is denied with code and hop', async () => {
    const { Agent, Runner } = await import('@openai/agents-core');
    const { mcpTool } = await import('../../../src/adapters/openai-agents/index.js');
    const { ScriptedModel } = await import('../openai-agents/script.js');
    const client = await mcpClient();
    try {
      const pay = mcpTool({
        client,
        name: 'pay_invoice',
        description: 'Pay an invoice (remote)',
        parameters: z.object({ invoice: z.string(), amount: z.number() }),
        audience: REMOTE,
      });
      const runner = new Runner({ tracingDisabled: true });
      const run = async (authority: RunAuthority, invoice: string, amount: number) => {
        const agent = new Agent({
          name: 'orchestrator',
          instructions: 'Pay.',
          model: new ScriptedModel([payment(invoice, amount)]),
          tools: [pay],
        });
        const result = await runner.run(agent, 'pay', { context: { mandate: authority } });
        return result.newItems
          .filter((item) => item.type === 'tool_call_output_item')
          .map((item) => String((item as { output: unknown }).output));
      };
      await expectPaidDeniedStolen(run);
    } finally {
      await client.close();
    }
  }, 30_000);
});
