/**
 * The demo's root grant, obtained the way a deployment would: alice signs in to the
 * orchestrator app at the loopback authorization server (authorization code + PKCE), the
 * orchestrator gets its own client-credentials token (`private_key_jwt`), and exchanges both
 * (RFC 8693) for a root mandate naming alice as subject and its own key as holder.
 */
import type { CapabilityInput, KeyPair } from '../../core/types.js';
import { createOAuthClient } from '../../oauth/client.js';
import { startDemoAuthorizationServer } from './demo-authorization-server.js';
import type { DemoServerImplementation } from './demo-server-common.js';
import { TOKEN_TYPE } from '../../oauth/token-types.js';
import { deepFreeze } from '../../core/freeze.js';

/** The scopes of the demo and what they allow. */
export const DEMO_SCOPES: Readonly<Record<string, readonly CapabilityInput[]>> = deepFreeze({
  'billing:read': [{ resource: 'billing:invoices/**', actions: ['read'] }],
  'billing:pay': [
    { resource: 'billing:invoices/**', actions: ['pay'], constraints: { amount: { max: 1000 } } },
  ],
});

/** Options of `obtainDemoRootMandate`. */
export interface DemoRootGrantOptions {
  /** `jws` or `biscuit`. */
  readonly format: string;
  /** The authorization server's mandate-signing key. */
  readonly mandateKey: KeyPair;
  /** The orchestrator agent's key pair (its client authentication and the holder). */
  readonly orchestrator: KeyPair;
  /** What the orchestrator asks for. */
  readonly capabilities: readonly CapabilityInput[];
  /** Where the mandate will be used. */
  readonly audience: string;
  /** The user (default `alice`). */
  readonly user?: string;
  /** Which authorization server to start (default `auto`: oidc-provider when installed). */
  readonly implementation?: DemoServerImplementation;
}

/** The root mandate and where it came from. */
export interface DemoRootGrant {
  /**
   * The root mandate's token as the authorization server issued it: received, not made here,
   * so a token (every function re-decodes it) and never a `Mandate`.
   */
  readonly root: string;
  /** The authorization server's issuer identifier (the trust anchor id). */
  readonly issuer: string;
  /** Which authorization server issued it. */
  readonly implementation: 'oidc-provider' | 'node-http';
}

/**
 * Run the handshake against a fresh loopback authorization server (oidc-provider, or the
 * node:http server when oidc-provider is not installed or `implementation` asks for it), then
 * stop it.
 */
export async function obtainDemoRootMandate(options: DemoRootGrantOptions): Promise<DemoRootGrant> {
  const user = options.user ?? 'alice';
  if (options.format !== 'jws' && options.format !== 'biscuit') {
    throw new TypeError(
      `the authorization server issues jws or biscuit mandates, not ${options.format}`,
    );
  }
  const server = await startDemoAuthorizationServer({
    agents: { orchestrator: { publicJwk: options.orchestrator.publicJwk } },
    users: { [user]: { scopes: Object.keys(DEMO_SCOPES), mayAct: 'orchestrator' } },
    scopes: DEMO_SCOPES,
    resources: { [options.audience]: Object.keys(DEMO_SCOPES) },
    mandateKey: options.mandateKey,
    // Long enough for the demo's delegations (a mandate never outlives the user's token).
    accessTokenTtl: 3600,
    mandateLifetime: '15m',
    implementation: options.implementation ?? 'auto',
  });
  try {
    const client = await createOAuthClient({
      issuer: server.issuer,
      clientId: 'orchestrator',
      key: options.orchestrator,
      discovery: server.discovery,
    });
    const signedIn = await client.authorizationCode({
      redirectUri: server.redirectUri,
      scope: Object.keys(DEMO_SCOPES),
      resource: server.exchangeAudience,
      userAgent: server.userAgent(user),
    });
    const own = await client.clientCredentials({ resource: server.exchangeAudience });
    const exchanged = await client.exchangeToken({
      subjectToken: signedIn.accessToken,
      actorToken: own.accessToken,
      resource: options.audience,
      capabilities: options.capabilities,
      requestedTokenType:
        options.format === 'biscuit' ? TOKEN_TYPE.mandateBiscuit : TOKEN_TYPE.mandateJws,
    });
    return {
      root: exchanged.accessToken,
      issuer: server.issuer,
      implementation: server.implementation,
    };
  } finally {
    await server.close();
  }
}
