/**
 * The loopback world the OAuth integration tests share: a real authorization server
 * (oidc-provider by default, or the node:http server) with three agents and two users, and
 * OAuth clients for the agents.
 */
import { generateKeyPair } from '../../../src/identity/keys.js';
import type { KeyPair } from '../../../src/core/types.js';
import {
  createOAuthClient,
  OAuthRequestError,
  type OAuthClient,
} from '../../../src/oauth/index.js';
import { startDemoAuthorizationServer } from '../../../src/cli/authorization-server/demo-authorization-server.js';
import type {
  DemoAuthorizationServer,
  DemoServerImplementation,
} from '../../../src/cli/authorization-server/demo-server-common.js';

export const PAYMENTS = 'https://payments.example';
export const HR = 'https://hr.example';

/** What each scope lets its holder do. */
export const SCOPES = {
  'billing:read': [{ resource: 'billing:invoices/**', actions: ['read'] }],
  'billing:pay': [
    { resource: 'billing:invoices/**', actions: ['pay'], constraints: { amount: { max: 1000 } } },
  ],
  'hr:read': [{ resource: 'hr:employees/**', actions: ['read'] }],
} as const;

export interface World {
  readonly server: DemoAuthorizationServer;
  readonly keys: Record<'orchestrator' | 'billing' | 'rogue', KeyPair>;
  readonly clients: Record<'orchestrator' | 'billing' | 'rogue', OAuthClient>;
  /** A user's access token for the exchange, obtained through sign-in by `client`. */
  userToken(user: string, client?: OAuthClient, scope?: readonly string[]): Promise<string>;
  /** An agent's own client-credentials token for the exchange. */
  actorToken(client: OAuthClient, dpop?: KeyPair): Promise<string>;
  close(): Promise<void>;
}

export async function startWorld(
  options: {
    mayAct?: Parameters<typeof startDemoAuthorizationServer>[0]['mayAct'];
    implementation?: DemoServerImplementation;
  } = {},
): Promise<World> {
  const [orchestrator, billing, rogue] = await Promise.all([
    generateKeyPair(),
    generateKeyPair('ES256'),
    generateKeyPair(),
  ]);
  const server = await startDemoAuthorizationServer({
    agents: {
      orchestrator: { publicJwk: orchestrator.publicJwk },
      billing: { publicJwk: billing.publicJwk },
      rogue: { publicJwk: rogue.publicJwk },
    },
    users: {
      alice: { scopes: ['billing:read', 'billing:pay'], mayAct: 'orchestrator' },
      bob: { scopes: ['billing:read'] },
    },
    scopes: SCOPES,
    resources: { [PAYMENTS]: ['billing:read', 'billing:pay'], [HR]: ['hr:read'] },
    ...(options.mayAct === undefined ? {} : { mayAct: options.mayAct }),
    implementation: options.implementation ?? 'oidc-provider',
  });
  const keys = { orchestrator, billing, rogue };
  const client = (clientId: keyof typeof keys) =>
    createOAuthClient({
      issuer: server.issuer,
      clientId,
      key: keys[clientId],
      discovery: server.discovery,
    });
  const clients = {
    orchestrator: await client('orchestrator'),
    billing: await client('billing'),
    rogue: await client('rogue'),
  };
  return {
    server,
    keys,
    clients,
    async userToken(user, by = clients.orchestrator, scope = ['billing:read', 'billing:pay']) {
      const response = await by.authorizationCode({
        redirectUri: server.redirectUri,
        scope,
        resource: server.exchangeAudience,
        userAgent: server.userAgent(user),
      });
      return response.accessToken;
    },
    async actorToken(by, dpop) {
      const response = await by.clientCredentials({
        resource: server.exchangeAudience,
        ...(dpop === undefined ? {} : { dpop }),
      });
      return response.accessToken;
    },
    close: () => server.close(),
  };
}

/** The OAuth `error` code a request was refused with (fails when it was not refused). */
export async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OAuthRequestError) return error.error;
    throw error;
  }
  throw new Error('expected a refusal');
}
