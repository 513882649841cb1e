// The A2A guide as one program: a billing agent on @a2a-js/sdk behind `guardAgent`, serving its
// signed Agent Card on a free loopback port, and an orchestrator that learns the agent's key
// from that card and sends it a grant with each request. Run: npx tsx examples/a2a/main.ts
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { AgentCard as SdkAgentCard, Message } from '@a2a-js/sdk';
import { ClientFactory } from '@a2a-js/sdk/client';
import { DefaultRequestHandler, InMemoryTaskStore, type AgentExecutor } from '@a2a-js/sdk/server';
import { jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';
import { createDeputy, createVerifier, generateKeyPair, mint, type Action } from 'mandate';
import {
  a2aDenial,
  sendWithGrant,
  guardAgent,
  MANDATE_A2A_EXTENSION,
  mandateExtension,
  mandateOf,
} from 'mandate/a2a';
import { holderKeysExtension, signAgentCard, verifyAgentCard } from 'mandate/agent-card';

const BILLING = 'https://billing.example'; // the billing agent's identity (its audience)
const [authServer, orchestrator, billingKey, provider] = await Promise.all([
  generateKeyPair(), // the trust anchor
  generateKeyPair(), // the orchestrator, holding alice's root
  generateKeyPair(), // the billing agent's holder key, published in its card
  generateKeyPair(), // signs the billing agent's card
]);

/** What a message asks for: `{ invoice, amount }` in a data part, as a `pay` action. */
function payAction(message: Message): Action | undefined {
  for (const part of message.parts ?? []) {
    const value =
      part.content?.$case === 'data' ? (part.content.value as Record<string, unknown>) : {};
    if (typeof value['invoice'] === 'string' && typeof value['amount'] === 'number') {
      return {
        resource: `billing:invoices/${value['invoice']}`,
        action: 'pay',
        args: { amount: value['amount'] },
      };
    }
  }
  return undefined;
}

// The billing agent: an express app with its signed card and the guarded executor.
const app = express();
const http: Server = await new Promise((resolve) => {
  const s = app.listen(0, '127.0.0.1', () => resolve(s));
});
const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
const card = signAgentCard(
  {
    name: 'Billing Agent',
    description: 'Pays approved invoices.',
    supportedInterfaces: [
      { url: `${origin}/a2a/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
    ],
    version: '1.0.0',
    capabilities: { extensions: [holderKeysExtension([billingKey.publicJwk]), mandateExtension()] },
    defaultInputModes: ['application/json'],
    defaultOutputModes: ['application/json'],
    skills: [{ id: 'pay', name: 'Pay', description: 'Pays one invoice.', tags: ['billing'] }],
  },
  { signer: provider, kid: 'card-1' },
);
const executor: AgentExecutor = {
  execute(requestContext, eventBus) {
    const context = mandateOf(requestContext); // set for every message the guard let through
    if (context === undefined) throw new Error('unguarded message reached the agent');
    const { decision } = context;
    eventBus.publish({
      kind: 'message',
      data: {
        messageId: randomUUID(),
        contextId: requestContext.contextId,
        role: 2, // agent
        parts: [{ content: { $case: 'text', value: `paying for ${decision.subject}` } }],
      } as unknown as Message,
    });
    eventBus.finished();
    return Promise.resolve();
  },
  cancelTask: () => Promise.resolve(),
};
const guarded = guardAgent(executor, {
  verifier: createVerifier({
    trustAnchors: [{ id: 'https://auth.example', publicJwk: authServer.publicJwk }],
    audience: BILLING,
  }),
  signer: billingKey, // the agent proves possession of the grant with its own key
  audience: BILLING,
  action: payAction,
});
const handler = new DefaultRequestHandler(
  card as unknown as SdkAgentCard,
  new InMemoryTaskStore(),
  guarded,
);
app.get('/.well-known/agent-card.json', (_req, res) => {
  res.json(card);
});
app.use(
  '/a2a/jsonrpc',
  jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }),
);

// The orchestrator: alice's root, and the billing agent's key from its verified card.
const root = await mint({
  issuer: authServer,
  issuerId: 'https://auth.example',
  subject: 'alice',
  holder: orchestrator.publicJwk,
  capabilities: [
    { resource: 'billing:invoices/**', actions: ['pay'], constraints: { amount: { max: 500 } } },
  ],
  audience: BILLING,
  expiresIn: '15m',
});
const served: unknown = await (await fetch(`${origin}/.well-known/agent-card.json`)).json();
const {
  holderKeys: [agentKey],
} = await verifyAgentCard(served, { keys: [{ ...provider.publicJwk, kid: 'card-1' }] });
if (agentKey === undefined) throw new Error('the card names no holder key');
const client = await new ClientFactory().createFromUrl(origin);
const deputy = createDeputy({ mandate: root, signer: orchestrator });

/** Ask the billing agent to pay, granting it invoice 2026-03 up to 200 for two minutes. */
const askToPay = async (amount: number): Promise<string> => {
  const message = {
    messageId: randomUUID(),
    contextId: randomUUID(),
    role: 1, // user
    parts: [{ content: { $case: 'data', value: { invoice: '2026-03', amount } } }],
    extensions: [MANDATE_A2A_EXTENSION],
  } as unknown as Omit<Message, 'metadata'>;
  const result = await sendWithGrant(client, message, {
    deputy,
    agentKey,
    audience: BILLING,
    options: {
      capabilities: [
        {
          resource: 'billing:invoices/2026-03',
          actions: ['pay'],
          constraints: { amount: { max: 200 } },
        },
      ],
      expiresIn: 120,
    },
  });
  const denial = a2aDenial(result);
  if (denial !== undefined) return `refused, ${denial.code} at hop ${denial.hop}`;
  return JSON.stringify(result).includes('paying for alice') ? 'paying for alice' : 'no answer';
};

console.log(`pay 120: ${await askToPay(120)}`);
console.log(`pay 300: ${await askToPay(300)}`);

http.closeAllConnections();
await new Promise<void>((resolve) => http.close(() => resolve()));
