/** A billing agent on @a2a-js/sdk, guarded by Mandate, with a signed Agent Card. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import express from 'express';
import type { AgentCard as SdkAgentCard, Message } from '@a2a-js/sdk';
import { DefaultRequestHandler, InMemoryTaskStore, type AgentExecutor } from '@a2a-js/sdk/server';
import { jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';
import {
  holderKeysExtension,
  signAgentCard,
  type AgentCard,
} from '../../../src/identity/agent-card/index.js';
import {
  guardAgent,
  MANDATE_A2A_EXTENSION,
  mandateExtension,
  mandateOf,
  type A2aMandateContext,
} from '../../../src/adapters/a2a/index.js';
import type { AuditOption } from '../../../src/verify/audit.js';
import type { Client } from '@a2a-js/sdk/client';
import {
  createVerifier,
  type Action,
  type KeyPair,
  type RevocationStore,
  type Verifier,
} from '../../../src/index.js';
import { AS } from '../../helpers/billing.js';
import { paymentAsked } from '../../../src/cli/processes/messages.js';

export { paymentAsked };

export interface RunningAgent {
  readonly origin: string;
  /** The signed card as served. */
  readonly card: AgentCard;
  close(): Promise<void>;
}

export function payAction(message: Message): Action | undefined {
  const asked = paymentAsked(message);
  return asked === undefined
    ? undefined
    : {
        resource: `billing:invoices/${asked.invoice}`,
        action: 'pay',
        args: { amount: asked.amount },
      };
}

export function replyText(
  requestContext: { contextId: string },
  text: string,
  data?: unknown,
): Message {
  return {
    messageId: randomUUID(),
    contextId: requestContext.contextId,
    taskId: '',
    role: 2,
    parts: [
      { content: { $case: 'text', value: text } },
      ...(data === undefined ? [] : [{ content: { $case: 'data', value: data } }]),
    ],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  } as unknown as Message;
}

/** Start an agent whose business logic is `work` (it sees the Mandate context). */
export async function startAgent(options: {
  readonly name: string;
  readonly key: KeyPair;
  readonly provider: KeyPair;
  readonly verifier: Verifier;
  /** The agent's identity (its verifier's audience). */
  readonly audience: string;
  readonly audit?: AuditOption;
  readonly port?: number;
  readonly work: (
    context: A2aMandateContext,
    message: Message,
  ) => Promise<{ text: string; data?: unknown }>;
}): Promise<RunningAgent> {
  const app = express();
  const http: Server = await new Promise((resolve) => {
    const s = app.listen(options.port ?? 0, '127.0.0.1', () => resolve(s));
  });
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const json: AgentCard = {
    name: options.name,
    description: `${options.name}, guarded by Mandate`,
    supportedInterfaces: [
      { url: `${origin}/a2a/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
    ],
    version: '1.0.0',
    capabilities: {
      extensions: [holderKeysExtension([options.key.publicJwk]), mandateExtension()],
    },
    defaultInputModes: ['application/json'],
    defaultOutputModes: ['application/json'],
    skills: [
      { id: 'pay', name: 'Pay', description: 'Pays one approved invoice.', tags: ['billing'] },
    ],
  };
  const card = signAgentCard(json, { signer: options.provider, kid: 'card-1' });
  const executor: AgentExecutor = {
    async execute(requestContext, eventBus) {
      const context = mandateOf(requestContext);
      if (context === undefined) throw new Error('unguarded message reached the agent');
      const out = await options.work(context, requestContext.userMessage);
      eventBus.publish({ kind: 'message', data: replyText(requestContext, out.text, out.data) });
      eventBus.finished();
    },
    cancelTask: () => Promise.resolve(),
  };
  const guarded = guardAgent(executor, {
    verifier: options.verifier,
    signer: options.key,
    audience: options.audience,
    action: payAction,
    ...(options.audit === undefined ? {} : { audit: options.audit }),
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
  return {
    origin,
    card,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

/** The billing agent's identity in the A2A tests. */
export const BILLING = 'https://billing.test';

/**
 * The billing agent at `BILLING`, trusting the authorization server's `anchor`: it answers
 * "paying for <user>" and reports each run to `ran`.
 */
export function startBillingAgent(options: {
  readonly key: KeyPair;
  readonly provider: KeyPair;
  readonly anchor: KeyPair;
  readonly ran: (context: A2aMandateContext) => void;
  /** The verifier's revocation store (default: its own, empty). */
  readonly revocation?: RevocationStore;
}): Promise<RunningAgent> {
  return startAgent({
    name: 'Billing Agent',
    key: options.key,
    provider: options.provider,
    audience: BILLING,
    verifier: createVerifier({
      trustAnchors: [{ id: AS, publicJwk: options.anchor.publicJwk }],
      audience: BILLING,
      ...(options.revocation === undefined ? {} : { revocation: options.revocation }),
    }),
    work: (context) => {
      options.ran(context);
      return Promise.resolve({ text: `paying for ${context.decision.subject}` });
    },
  });
}

/** The orchestrator's grant to the billing agent: pay 2026-03 up to 200. */
export const GRANT = {
  capabilities: [
    {
      resource: 'billing:invoices/2026-03',
      actions: ['pay'],
      constraints: { amount: { max: 200 } },
    },
  ],
  expiresIn: 120,
};

/** Send `message` with exactly `metadata` (grant, sender proof: genuine or not). */
export function sendRaw(
  client: Client,
  message: Omit<Message, 'metadata'>,
  metadata: Record<string, unknown>,
) {
  return client.sendMessage(
    {
      tenant: '',
      message: { ...message, metadata },
      configuration: undefined,
      metadata: undefined,
    },
    { serviceParameters: { 'A2A-Extensions': MANDATE_A2A_EXTENSION } },
  );
}

/** A user message asking to pay `invoice` (`amount`), declaring the Mandate extension. */
export function payMessage(
  invoice: string,
  amount: number,
  messageId: string = randomUUID(),
): Omit<Message, 'metadata'> {
  return {
    messageId,
    contextId: randomUUID(),
    taskId: '',
    role: 1,
    parts: [{ content: { $case: 'data', value: { invoice, amount } } }],
    extensions: [MANDATE_A2A_EXTENSION],
    referenceTaskIds: [],
  } as unknown as Omit<Message, 'metadata'>;
}
