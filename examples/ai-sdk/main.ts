import { generateText, isStepCount, tool, type ToolSet } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { z } from 'zod';
import { createVerifier, generateKeyPair, mint } from 'mandate';
import { createRunAuthority, delegateTo } from 'mandate/agents';
import { guardTools, mandateContext } from 'mandate/ai';

const [authServer, orchestrator] = await Promise.all([generateKeyPair(), generateKeyPair()]);
// alice's grant to her orchestrator agent: invoice 2026-03, read and pay up to 500.
const mandate = await mint({
  issuer: authServer,
  issuerId: 'https://auth.example',
  subject: 'alice',
  holder: orchestrator.publicJwk,
  capabilities: [
    {
      resource: 'billing:invoices/2026-03',
      actions: ['read', 'pay'],
      constraints: { invoice: { constraint_type: 'wildcard' }, amount: { max: 500 } },
    },
  ],
  audience: 'https://tools.example',
  expiresIn: '10m',
});

// The tool stays plain business logic; the guard is applied when the agent is composed.
const billingTools = guardTools(
  {
    pay_invoice: tool({
      description: 'Pay an invoice',
      inputSchema: z.object({ invoice: z.string(), amount: z.number() }),
      execute: ({ invoice, amount }) => `paid ${invoice}: ${amount}`,
    }),
  },
  {
    verifier: createVerifier({
      trustAnchors: [{ id: 'https://auth.example', publicJwk: authServer.publicJwk }],
      audience: 'https://tools.example',
    }),
    tools: {
      pay_invoice: {
        resource: (args) => `billing:invoices/${args.invoice as string}`,
        action: 'pay',
        scope: 'billing:invoices/*',
      },
    },
  },
);

// The billing sub-agent runs its own loop with a mandate narrowed to its tools (and to 200),
// signed by the orchestrator's key, which never leaves this process.
const billingAgent = tool({
  description: 'The billing agent',
  inputSchema: z.object({ invoice: z.string(), amount: z.number() }),
  execute: async (task, { context }) => {
    const narrowed = await delegateTo(context, billingTools, {
      narrow: [
        {
          resource: 'billing:invoices/*',
          actions: ['pay'],
          constraints: { amount: { max: 200 }, invoice: { eq: '2026-03' } },
        },
      ],
    });
    return run(script({ tool: 'pay_invoice', args: task }), billingTools, narrowed);
  },
});

// The orchestrator's model is prompt-injected: after delegating, it pays another invoice.
const tools = { ...billingTools, billing_agent: billingAgent };
const alice = createRunAuthority({ mandate, signer: orchestrator });
console.log(
  await run(
    script(
      { tool: 'billing_agent', args: { invoice: '2026-03', amount: 150 } },
      { tool: 'billing_agent', args: { invoice: '2026-03', amount: 300 } },
      { tool: 'pay_invoice', args: { invoice: '2026-04', amount: 120 } },
    ),
    tools,
    alice,
  ),
);

/** Run an agent loop for one authority; report each tool call's result or refusal. */
async function run(model: MockLanguageModelV4, tools: ToolSet, authority: typeof alice) {
  const { steps } = await generateText({
    model,
    tools,
    toolsContext: mandateContext(tools, authority),
    prompt: 'Pay my March invoice.',
    stopWhen: isStepCount(4),
  });
  return steps
    .flatMap((step) => step.content)
    .flatMap((part) => {
      if (part.type === 'tool-result') return [`${part.toolName}: ${String(part.output)}`];
      if (part.type === 'tool-error') return [`${part.toolName}: refused ${String(part.error)}`];
      return [];
    })
    .join('\n');
}

/** The AI SDK's offline mock model, scripted to make these tool calls, one step each. */
function script(...calls: { tool: string; args: object }[]) {
  const usage = {
    inputTokens: { total: 0, noCache: 0, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: 0, text: 0, reasoning: 0 },
  };
  const step = (content: never[], unified: 'tool-calls' | 'stop') => ({
    content,
    finishReason: { unified, raw: undefined },
    usage,
    warnings: [],
  });
  return new MockLanguageModelV4({
    doGenerate: [
      ...calls.map((call, i) =>
        step(
          [
            {
              type: 'tool-call',
              toolCallId: `call-${i}`,
              toolName: call.tool,
              input: JSON.stringify(call.args),
            },
          ] as never[],
          'tool-calls',
        ),
      ),
      step([{ type: 'text', text: 'done' }] as never[], 'stop'),
    ],
  });
}
