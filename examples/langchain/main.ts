import { randomUUID } from 'node:crypto';
import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import { tool, type StructuredToolInterface } from '@langchain/core/tools';
import { END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { ToolNode, toolsCondition } from '@langchain/langgraph/prebuilt';
import { z } from 'zod';
import { createVerifier, generateKeyPair, mint } from 'mandate';
import { createRunAuthority } from 'mandate/agents';
import { delegatingNode, guardTools, withMandate } from 'mandate/langchain';

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
const tools = guardTools(
  [
    tool(({ invoice, amount }) => `paid ${invoice}: ${amount}`, {
      name: 'pay_invoice',
      description: 'Pay an invoice',
      schema: z.object({ invoice: z.string(), amount: z.number() }),
    }),
  ],
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

// The orchestrator graph: its own (prompt-injected) agent, then the billing sub-graph, handed a
// mandate narrowed to the sub-graph's tools and to 200, signed by the orchestrator's key.
const graph = new StateGraph(MessagesAnnotation)
  .addNode('orchestrator', agent([{ invoice: '2026-04', amount: 120 }], tools))
  .addNode(
    'billing',
    delegatingNode(
      agent(
        [
          { invoice: '2026-03', amount: 150 },
          { invoice: '2026-03', amount: 300 },
        ],
        tools,
      ),
      {
        tools,
        narrow: [
          {
            resource: 'billing:invoices/*',
            actions: ['pay'],
            constraints: { amount: { max: 200 }, invoice: { eq: '2026-03' } },
          },
        ],
      },
    ),
  )
  .addEdge(START, 'orchestrator')
  .addEdge('orchestrator', 'billing')
  .addEdge('billing', END)
  .compile();

// The mandate travels in the run's config, never in a message.
const alice = createRunAuthority({ mandate, signer: orchestrator });
const { messages } = await graph.invoke(
  { messages: [{ role: 'user', content: 'Pay my March invoice.' }] },
  withMandate({}, alice),
);
for (const message of messages.filter((m) => m.getType() === 'tool')) {
  console.log(`${message.name}: ${message.text}`);
}

/** An agent loop whose model is scripted (offline) to pay these invoices, one step each. */
function agent(
  calls: { invoice: string; amount: number }[],
  agentTools: StructuredToolInterface[],
) {
  let step = 0;
  const model = (): { messages: BaseMessage[] } => {
    const call = calls[step++];
    return {
      messages: [
        call === undefined
          ? new AIMessage('done')
          : new AIMessage({
              content: '',
              tool_calls: [
                { id: randomUUID(), name: 'pay_invoice', args: call, type: 'tool_call' },
              ],
            }),
      ],
    };
  };
  return new StateGraph(MessagesAnnotation)
    .addNode('model', model)
    .addNode('tools', new ToolNode(agentTools))
    .addEdge(START, 'model')
    .addConditionalEdges('model', toolsCondition, ['tools', END])
    .addEdge('tools', 'model')
    .compile();
}
