// The OAuth guide as one program: a demo authorization server on a free loopback port, an
// agent exchanging a user's token for a root mandate, and a payment tool verifying a
// delegation of it. Run: npx tsx examples/oauth/main.ts
import { createVerifier, delegate, generateKeyPair, prove } from 'mandate';
import { createOAuthClient } from 'mandate/oauth';
// The demo's authorization server is part of this repository's CLI, not of the package: in a
// deployment, your own authorization server answers the exchange (registerTokenExchange adds
// it to oidc-provider).
import { startDemoAuthorizationServer } from '../../src/cli/authorization-server/demo-authorization-server.js';

const PAYMENTS = 'https://payments.example';
const [orchestratorKey, billingKey] = await Promise.all([generateKeyPair(), generateKeyPair()]);

// The authorization server: one agent, one user who lets that agent act for her (may_act),
// and what each scope allows, in Mandate capabilities.
const server = await startDemoAuthorizationServer({
  agents: { orchestrator: { publicJwk: orchestratorKey.publicJwk } },
  users: { alice: { scopes: ['billing:pay'], mayAct: 'orchestrator' } },
  scopes: {
    'billing:pay': [
      { resource: 'billing:invoices/**', actions: ['pay'], constraints: { amount: { max: 1000 } } },
    ],
  },
  resources: { [PAYMENTS]: ['billing:pay'] },
});

try {
  // The agent: an OAuth client authenticating with its key (private_key_jwt).
  const orchestrator = await createOAuthClient({
    issuer: server.issuer,
    clientId: 'orchestrator',
    key: orchestratorKey,
    discovery: server.discovery, // 'oidc' (oidc-provider) or 'oauth2' (RFC 8414 only)
  });
  // alice signs in to the orchestrator app (authorization code + PKCE); her token is for the
  // exchange and carries may_act: { sub: 'orchestrator' }.
  const alice = await orchestrator.authorizationCode({
    redirectUri: server.redirectUri,
    scope: 'billing:pay',
    resource: server.exchangeAudience,
    userAgent: server.userAgent('alice'),
  });
  // The agent's own token, then the exchange: a root mandate for one task.
  const own = await orchestrator.clientCredentials({ resource: server.exchangeAudience });
  const exchanged = await orchestrator.exchangeToken({
    subjectToken: alice.accessToken,
    actorToken: own.accessToken,
    resource: PAYMENTS,
    capabilities: [
      {
        resource: 'billing:invoices/2026-03',
        actions: ['pay'],
        constraints: { amount: { max: 500 } },
      },
    ],
  });

  // From here on it is plain Mandate: delegate, prove, verify.
  const toBilling = await delegate(exchanged.accessToken, {
    signer: orchestratorKey,
    holder: billingKey.publicJwk,
    capabilities: [
      {
        resource: 'billing:invoices/2026-03',
        actions: ['pay'],
        constraints: { amount: { max: 200 } },
      },
    ],
  });
  const tool = createVerifier({ trustAnchors: [server.trustAnchor], audience: PAYMENTS });
  const request = { method: 'POST', url: `${PAYMENTS}/invoices/2026-03/pay` };
  const decision = await tool.verify(toBilling, {
    action: { resource: 'billing:invoices/2026-03', action: 'pay', args: { amount: 120 } },
    proof: await prove(toBilling, { signer: billingKey, request }),
    request,
  });
  console.log(decision.allowed ? `allowed for ${decision.subject}` : decision.code);

  // billing holds at most 200: a request for 300 is refused at the hop that narrowed it.
  const refused = await tool.verify(toBilling, {
    action: { resource: 'billing:invoices/2026-03', action: 'pay', args: { amount: 300 } },
    proof: await prove(toBilling, { signer: billingKey, request }),
    request,
  });
  console.log(refused.allowed ? 'allowed (unexpected)' : `${refused.code} at hop ${refused.hop}`);
} finally {
  await server.close();
}
