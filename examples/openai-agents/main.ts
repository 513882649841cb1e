import { Agent, Runner, Usage, type Model, type ModelResponse } from '@openai/agents-core';
import { z } from 'zod';
import { createVerifier, generateKeyPair, mint } from 'mandate';
import { createRunAuthority } from 'mandate/agents';
import { createAgentsToolGuard, delegatingHandoff } from 'mandate/openai-agents';

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
const guard = createAgentsToolGuard({
  verifier: createVerifier({
    trustAnchors: [{ id: 'https://auth.example', publicJwk: authServer.publicJwk }],
    audience: 'https://tools.example',
  }),
});
const payInvoice = guard.tool({
  name: 'pay_invoice',
  description: 'Pay an invoice',
  parameters: z.object({ invoice: z.string(), amount: z.number() }),
  execute: ({ invoice, amount }: { invoice: string; amount: number }) =>
    `paid ${invoice}: ${amount}`,
  requirement: {
    resource: (args) => `billing:invoices/${args.invoice as string}`,
    action: 'pay',
    scope: 'billing:invoices/*',
  },
});

// The billing agent gets, on handoff, a mandate narrowed to its tools and to 200, signed by
// the orchestrator's key. The orchestrator's model is prompt-injected: it first pays 2026-04.
const billing = new Agent({
  name: 'billing',
  model: script(pay('2026-03', 150), pay('2026-03', 300)),
  tools: [payInvoice],
});
const orchestratorAgent = new Agent({
  name: 'orchestrator',
  model: script(pay('2026-04', 120), { name: 'transfer_to_billing', args: {} }),
  tools: [payInvoice],
  handoffs: [
    delegatingHandoff(billing, {
      narrow: [
        {
          resource: 'billing:invoices/*',
          actions: ['pay'],
          constraints: { amount: { max: 200 }, invoice: { eq: '2026-03' } },
        },
      ],
    }),
  ],
});

// The mandate travels in the run's context, never in the prompt.
const result = await new Runner({ tracingDisabled: true }).run(
  orchestratorAgent,
  'Pay my March invoice.',
  {
    context: { mandate: createRunAuthority({ mandate, signer: orchestrator }) },
  },
);
for (const item of result.newItems) {
  if (item.type === 'tool_call_output_item')
    console.log(`${item.agent.name}: ${String(item.output)}`);
}

function pay(invoice: string, amount: number) {
  return { name: 'pay_invoice', args: { invoice, amount } };
}

/** A scripted model (offline): one tool call per turn, then a final answer. */
function script(...calls: { name: string; args: object }[]): Model {
  let turn = 0;
  return {
    getResponse(): Promise<ModelResponse> {
      const call = calls[turn++];
      const output: ModelResponse['output'] =
        call === undefined
          ? [
              {
                type: 'message',
                role: 'assistant',
                status: 'completed',
                content: [{ type: 'output_text', text: 'done' }],
              },
            ]
          : [
              {
                type: 'function_call',
                callId: `call-${turn}`,
                name: call.name,
                arguments: JSON.stringify(call.args),
                status: 'completed',
              },
            ];
      return Promise.resolve({ usage: new Usage(), output });
    },
    getStreamedResponse() {
      throw new Error('not streamed');
    },
  };
}
