/**
 * The A2A orchestrator process: given a user's grant for a payment, it finds the billing agent
 * (its signed Agent Card names the key to delegate to), grants it exactly that invoice, up to
 * that amount, and passes the user's words along (where an injected instruction may hide).
 */
import express from 'express';
import type { AgentCard as SdkAgentCard } from '@a2a-js/sdk';
import { ClientFactory } from '@a2a-js/sdk/client';
import { DefaultRequestHandler, InMemoryTaskStore, type AgentExecutor } from '@a2a-js/sdk/server';
import { jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';
import {
  a2aDenial,
  guardAgent,
  mandateExtension,
  mandateOf,
  sendWithGrant,
} from '../../adapters/a2a/index.js';
import {
  holderKeysExtension,
  signAgentCard,
  verifyAgentCard,
  type AgentCard,
} from '../../agent-card/index.js';
import { createVerifier } from '../../verify/verifier.js';
import { keyPairOf, readConfig, ready } from './common.js';
import { agentMessage, answerData, payAction, payMessage, paymentAsked } from './messages.js';

const config = readConfig();
const key = await keyPairOf(config.keyJwk);
const provider = await keyPairOf(config.providerJwk);
const billingOrigin = config.billingOrigin ?? '';

async function billingAgent() {
  const card = (await (
    await fetch(`${billingOrigin}/.well-known/agent-card.json`)
  ).json()) as AgentCard;
  // The card's signature is checked with the provider key from configuration; only then is
  // its holder key trusted as "the billing agent".
  const verified = await verifyAgentCard(card, {
    keys: [{ ...provider.publicJwk, kid: 'provider-1' }],
  });
  const agentKey = verified.holderKeys[0];
  if (agentKey === undefined) throw new Error('the billing agent publishes no holder key');
  return { agentKey, client: await new ClientFactory().createFromUrl(billingOrigin) };
}

const executor: AgentExecutor = {
  async execute(requestContext, eventBus) {
    const context = mandateOf(requestContext);
    const message = requestContext.userMessage;
    const asked = paymentAsked(message);
    if (context === undefined || asked === undefined) throw new Error('unguarded');
    const { agentKey, client } = await billingAgent();
    const text = message.parts
      .map((p) => (p.content?.$case === 'text' ? p.content.value : ''))
      .join(' ');
    const answer = await sendWithGrant(client, payMessage(asked.invoice, asked.amount, text), {
      deputy: context.deputy,
      agentKey,
      options: {
        capabilities: [
          {
            resource: `billing:invoices/${asked.invoice}`,
            actions: ['pay'],
            constraints: {
              amount: { max: asked.amount },
              invoice: { constraint_type: 'wildcard' },
            },
          },
        ],
        audience: [config.billingAudience, config.toolAudience],
        expiresIn: 120,
        purpose: `pay invoice ${asked.invoice}`,
      },
    });
    const denial = a2aDenial(answer);
    eventBus.publish({
      kind: 'message',
      data: agentMessage(
        requestContext.contextId,
        'orchestrator done',
        denial === undefined ? answerData(answer) : { denial },
      ),
    });
    eventBus.finished();
  },
  cancelTask: () => Promise.resolve(),
};

const app = express();
const listener = app.listen(0, '127.0.0.1', () => {
  const address = listener.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const origin = `http://127.0.0.1:${port}`;
  const card: AgentCard = signAgentCard(
    {
      name: 'Orchestrator',
      description: 'Plans and delegates.',
      supportedInterfaces: [
        { url: `${origin}/a2a/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
      ],
      version: '1.0.0',
      capabilities: { extensions: [holderKeysExtension([key.publicJwk]), mandateExtension()] },
      defaultInputModes: ['application/json'],
      defaultOutputModes: ['application/json'],
      skills: [{ id: 'pay', name: 'Pay', description: 'Gets an invoice paid.', tags: ['billing'] }],
    },
    { signer: provider, kid: 'provider-1' },
  );
  const guarded = guardAgent(executor, {
    verifier: createVerifier({
      trustAnchors: [{ id: config.anchorId, publicJwk: config.anchorJwk }],
      audience: config.orchestratorAudience,
    }),
    signer: key,
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
  ready({ origin, id: key.id });
});
