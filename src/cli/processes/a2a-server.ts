/**
 * One A2A agent on loopback, as the demo's agent processes serve it: a signed Agent Card at
 * `/.well-known/agent-card.json` and the JSON-RPC binding at `/a2a/jsonrpc`.
 */
import express from 'express';
import type { AgentCard as SdkAgentCard } from '@a2a-js/sdk';
import { DefaultRequestHandler, InMemoryTaskStore, type AgentExecutor } from '@a2a-js/sdk/server';
import { jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';
import {
  holderKeysExtension,
  signAgentCard,
  type AgentCard,
} from '../../identity/agent-card/index.js';
import type { KeyPair } from '../../core/types.js';
import { ready } from './common.js';

import type { mandateExtension } from '../../adapters/a2a/index.js';

type Extension = ReturnType<typeof mandateExtension>;

/** What differs between the demo's agents. */
export interface DemoAgentOptions {
  readonly name: string;
  readonly description: string;
  readonly skill: { readonly id: string; readonly name: string; readonly description: string };
  /** The agent's own key: its card names it as a holder key. */
  readonly key: KeyPair;
  /** The provider's key, which signs the card (kid `provider-1`). */
  readonly provider: KeyPair;
  /** Card extensions besides the holder keys. */
  readonly extensions?: readonly Extension[];
  readonly executor: AgentExecutor;
  /** Extra fields of the ready message sent to the parent. */
  readonly info?: Readonly<Record<string, unknown>>;
}

/** Serve the agent on a free loopback port; tells the parent `ready` with its origin and id. */
export function serveDemoAgent(options: DemoAgentOptions): void {
  const app = express();
  const listener = app.listen(0, '127.0.0.1', () => {
    const address = listener.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const origin = `http://127.0.0.1:${port}`;
    const card: AgentCard = signAgentCard(
      {
        name: options.name,
        description: options.description,
        supportedInterfaces: [
          { url: `${origin}/a2a/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
        ],
        version: '1.0.0',
        capabilities: {
          extensions: [holderKeysExtension([options.key.publicJwk]), ...(options.extensions ?? [])],
        },
        defaultInputModes: ['application/json'],
        defaultOutputModes: ['application/json'],
        skills: [{ ...options.skill, tags: ['billing'] }],
      },
      { signer: options.provider, kid: 'provider-1' },
    );
    const handler = new DefaultRequestHandler(
      card as unknown as SdkAgentCard,
      new InMemoryTaskStore(),
      options.executor,
    );
    app.get('/.well-known/agent-card.json', (_req, res) => {
      res.json(card);
    });
    app.use(
      '/a2a/jsonrpc',
      jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }),
    );
    ready({ origin, id: options.key.id, ...options.info });
  });
}
