/**
 * RFC 8693 token exchange at a real authorization server (oidc-provider, loopback HTTP):
 * a user's token with `may_act` becomes a root mandate for the agent; the agent delegates;
 * the tool verifies the chain (anchor keys fetched from the server's JWKS) and the proof.
 * Refusals carry RFC 8693 / RFC 6749 error codes; nothing is ever widened.
 */
import { createHash, randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt } from 'jose';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allows, isSubset, normalizeCapabilities } from '../../../src/core/capability.js';
import type { CapabilityInput } from '../../../src/core/types.js';
import { delegate } from '../../../src/format/delegate.js';
import { parseMandate } from '../../../src/format/parse.js';
import { prepareSigner } from '../../../src/identity/keys.js';
import { generateKeyPair } from '../../../src/identity/keys.js';
import {
  createAccessTokenVerifier,
  createOAuthClient,
  issueActToken,
  OAuthRequestError,
  TOKEN_TYPE,
  type ExchangeTokenRequest,
  type OAuthClient,
} from '../../../src/oauth/index.js';
import { prove } from '../../../src/proof/prove.js';
import { NUM_RUNS } from '../../../src/testing/config.js';
import { arbAction, arbCapabilities } from '../../../src/testing/arbitraries.js';
import { createVerifier } from '../../../src/verify/verifier.js';
import { HR, PAYMENTS, SCOPES, refusal, startWorld, type World } from './world.js';

let world: World;
let aliceToken: string;
let orchestratorToken: string;

beforeAll(async () => {
  world = await startWorld({
    // A configured policy for users whose tokens carry no may_act: billing may act for bob.
    mayAct: ({ subject, clientId }) => subject.subject === 'bob' && clientId === 'billing',
  });
  aliceToken = await world.userToken('alice');
  orchestratorToken = await world.actorToken(world.clients.orchestrator);
});

afterAll(async () => {
  await world?.close();
});

const PAY_MARCH: CapabilityInput[] = [
  { resource: 'billing:invoices/2026-03', actions: ['pay'], constraints: { amount: { max: 500 } } },
];

/**
 * The error `client` (the orchestrator unless named) is refused with for an exchange of alice's
 * token, with the orchestrator's actor token, for March's payment at PAYMENTS, as `changes` say.
 */
function exchangeRefusal(
  changes: Partial<ExchangeTokenRequest>,
  client: OAuthClient = world.clients.orchestrator,
): Promise<string> {
  return refusal(
    client.exchangeToken({
      subjectToken: aliceToken,
      actorToken: orchestratorToken,
      resource: PAYMENTS,
      capabilities: PAY_MARCH,
      ...changes,
    }),
  );
}

describe('may_act exchange -> root mandate -> delegation -> tool', () => {
  it('the tool verifies the chain back to alice and the proof of the last holder', async () => {
    expect(decodeJwt(aliceToken)).toMatchObject({ sub: 'alice', may_act: { sub: 'orchestrator' } });
    const exchanged = await world.clients.orchestrator.exchangeToken({
      subjectToken: aliceToken,
      actorToken: orchestratorToken,
      resource: PAYMENTS,
      capabilities: PAY_MARCH,
    });
    expect(exchanged).toMatchObject({
      tokenType: 'n_a',
      issuedTokenType: TOKEN_TYPE.mandateJws,
    });
    const root = await parseMandate(exchanged.accessToken);
    expect(root).toMatchObject({
      subject: 'alice',
      holder: world.keys.orchestrator.id,
      format: 'jws',
    });
    expect(root.blocks[0]).toMatchObject({ issuer: world.server.issuer, audience: [PAYMENTS] });
    expect(root.blocks[0]?.capabilities).toEqual(normalizeCapabilities(PAY_MARCH));

    const toBilling = await delegate(root.token, {
      signer: world.keys.orchestrator,
      holder: world.keys.billing.publicJwk,
      capabilities: [
        {
          resource: 'billing:invoices/2026-03',
          actions: ['pay'],
          constraints: { amount: { max: 200 } },
        },
      ],
    });
    const tool = createVerifier({ trustAnchors: [world.server.trustAnchor], audience: PAYMENTS });
    const request = { method: 'POST', url: `${PAYMENTS}/invoices/2026-03/pay` };
    const action = { resource: 'billing:invoices/2026-03', action: 'pay', args: { amount: 120 } };
    const proof = await prove(toBilling, { signer: world.keys.billing, request });
    const decision = await tool.verify(toBilling, { action, proof, request });
    expect(decision).toMatchObject({
      allowed: true,
      subject: 'alice',
      chain: [world.server.issuer, world.keys.orchestrator.id, world.keys.billing.id],
    });

    // Over the hop's limit, and the orchestrator's own key as a thief: both denied.
    const over = await tool.verify(toBilling, {
      action: { ...action, args: { amount: 300 } },
      proof: await prove(toBilling, { signer: world.keys.billing, request }),
      request,
    });
    expect(over).toMatchObject({ allowed: false, code: 'MANDATE_FORBIDDEN', hop: 1 });

    // Interop: the verified chain as an RFC 9068 token with nested act claims.
    if (!decision.allowed) throw new Error('unreachable');
    const issuerKey = await generateKeyPair();
    const actToken = await issueActToken(decision, toBilling, {
      signer: issuerKey,
      issuer: 'https://gateway.example',
      audience: 'https://ledger.example',
      scopes: SCOPES,
    });
    const ledger = createAccessTokenVerifier({
      issuer: 'https://gateway.example',
      audience: 'https://ledger.example',
      jwks: { keys: [issuerKey.publicJwk] },
    });
    const url = 'https://ledger.example/entries';
    const signer = prepareSigner(world.keys.billing);
    const dpop = await new SignJWT({
      htm: 'POST',
      htu: url,
      ath: createHash('sha256').update(actToken).digest('base64url'),
      jti: randomUUID(),
    })
      .setProtectedHeader({ alg: signer.alg, typ: 'dpop+jwt', jwk: { ...signer.publicJwk } })
      .setIssuedAt()
      .sign(signer.key);
    const read = await ledger.verify(actToken, { dpop: { proof: dpop, method: 'POST', url } });
    expect(read).toMatchObject({
      allowed: true,
      subject: 'alice',
      clientId: world.keys.billing.id,
      // Outermost = the current actor (billing), nested = the prior actor (orchestrator).
      actors: [{ sub: world.keys.billing.id }, { sub: world.keys.orchestrator.id }],
      scopes: [],
    });
    expect(decodeJwt(actToken)).toMatchObject({
      act: { sub: world.keys.billing.id, act: { sub: world.keys.orchestrator.id } },
    });
    expect((read as { expiresAt: number }).expiresAt).toBeLessThanOrEqual(
      Math.min(...toBilling.blocks.map((b) => b.expiresAt)),
    );
    // Bound to the current actor: as a bearer token it is refused.
    expect(await ledger.verify(actToken)).toMatchObject({ code: 'MANDATE_PROOF_MISSING' });
  });

  it('a DPoP-bound actor token works when bound to the key that authenticated the client', async () => {
    const bound = await world.actorToken(world.clients.orchestrator, world.keys.orchestrator);
    const exchanged = await world.clients.orchestrator.exchangeToken({
      subjectToken: aliceToken,
      actorToken: bound,
      resource: PAYMENTS,
      capabilities: PAY_MARCH,
    });
    expect((await parseMandate(exchanged.accessToken)).holder).toBe(world.keys.orchestrator.id);
    const elsewhere = await world.actorToken(world.clients.orchestrator, world.keys.rogue);
    expect(await exchangeRefusal({ actorToken: elsewhere })).toBe('invalid_request');
  });
});

describe('refusals', () => {
  it('an agent that may_act does not name: invalid_grant', async () => {
    const rogueToken = await world.actorToken(world.clients.rogue);
    expect(await exchangeRefusal({ actorToken: rogueToken }, world.clients.rogue)).toBe(
      'invalid_grant',
    );
  });

  it('a user token without may_act: the configured policy decides (unauthorized_client)', async () => {
    const bobToken = await world.userToken('bob', world.clients.orchestrator, ['billing:read']);
    const request = {
      subjectToken: bobToken,
      resource: PAYMENTS,
      capabilities: [{ resource: 'billing:invoices/**', actions: ['read'] }],
    };
    expect(await exchangeRefusal(request)).toBe('unauthorized_client');
    const allowed = await world.clients.billing.exchangeToken({
      ...request,
      actorToken: await world.actorToken(world.clients.billing),
    });
    expect(await parseMandate(allowed.accessToken)).toMatchObject({
      subject: 'bob',
      holder: world.keys.billing.id,
    });
  });

  it("another client's actor token: invalid_request", async () => {
    expect(await exchangeRefusal({}, world.clients.rogue)).toBe('invalid_request');
  });

  it('an invalid subject token (tampered, or for another audience): invalid_request', async () => {
    const [h, , s] = aliceToken.split('.');
    const claims = decodeJwt(aliceToken);
    const widened = Buffer.from(
      JSON.stringify({ ...claims, scope: 'billing:read billing:pay hr:read' }),
    ).toString('base64url');
    const forPayments = (
      await world.clients.orchestrator.authorizationCode({
        redirectUri: world.server.redirectUri,
        scope: ['billing:pay'],
        resource: PAYMENTS,
        userAgent: world.server.userAgent('alice'),
      })
    ).accessToken;
    for (const subjectToken of [`${h}.${widened}.${s}`, forPayments]) {
      expect(await exchangeRefusal({ subjectToken })).toBe('invalid_request');
    }
  });

  it('no actor token, or a foreign token type: invalid_request', async () => {
    expect(
      await refusal(
        world.clients.orchestrator.exchangeToken({ subjectToken: aliceToken, resource: PAYMENTS }),
      ),
    ).toBe('invalid_request');
    expect(
      await refusal(
        world.clients.orchestrator.exchangeToken({
          subjectToken: aliceToken,
          subjectTokenType: TOKEN_TYPE.idToken,
          actorToken: orchestratorToken,
          resource: PAYMENTS,
        }),
      ),
    ).toBe('invalid_request');
  });

  it('an unknown target, or none: invalid_target', async () => {
    for (const resource of ['https://elsewhere.example', undefined]) {
      expect(
        await refusal(
          world.clients.orchestrator.exchangeToken({
            subjectToken: aliceToken,
            actorToken: orchestratorToken,
            ...(resource === undefined ? {} : { resource }),
          }),
        ),
      ).toBe('invalid_target');
    }
  });

  it("a request disjoint from the user's authority: invalid_target", async () => {
    expect(
      await exchangeRefusal({
        resource: HR,
        capabilities: [{ resource: 'hr:employees/**', actions: ['read'] }],
      }),
    ).toBe('invalid_target');
  });

  it('a scope the map does not know: invalid_scope', async () => {
    expect(
      await refusal(
        world.clients.orchestrator.exchangeToken({
          subjectToken: aliceToken,
          actorToken: orchestratorToken,
          resource: PAYMENTS,
          scope: 'billing:refund',
        }),
      ),
    ).toBe('invalid_scope');
  });
});

describe('narrowing, never widening', () => {
  it("a request wider than the user's scopes is narrowed to them", async () => {
    const wide: CapabilityInput[] = [
      {
        resource: 'billing:**',
        actions: ['pay', 'refund'],
        constraints: { amount: { max: 5000 } },
      },
    ];
    const exchanged = await world.clients.orchestrator.exchangeToken({
      subjectToken: aliceToken,
      actorToken: orchestratorToken,
      resource: PAYMENTS,
      capabilities: wide,
    });
    const root = await parseMandate(exchanged.accessToken);
    const granted = root.blocks[0]?.capabilities ?? [];
    const authority = [...SCOPES['billing:read'], ...SCOPES['billing:pay']];
    expect(isSubset(granted, authority)).toBe(true);
    expect(isSubset(granted, wide)).toBe(true);
    expect(isSubset(wide, granted)).toBe(false);
    expect(granted).toEqual(
      normalizeCapabilities([
        {
          resource: 'billing:invoices/**',
          actions: ['pay'],
          constraints: { amount: { max: 1000 } },
        },
      ]),
    );
    expect(exchanged.body['authorization_details']).toEqual(
      granted.map((c) => ({ type: 'mandate', ...c })),
    );
  });

  it('scopes the user does not hold are dropped from a scope request', async () => {
    const bobToken = await world.userToken('bob', world.clients.billing, ['billing:read']);
    const exchanged = await world.clients.billing.exchangeToken({
      subjectToken: bobToken,
      actorToken: await world.actorToken(world.clients.billing),
      resource: PAYMENTS,
      scope: ['billing:read', 'billing:pay'],
    });
    expect(exchanged.scope).toBe('billing:read');
    const root = await parseMandate(exchanged.accessToken);
    expect(root.blocks[0]?.capabilities).toEqual(normalizeCapabilities(SCOPES['billing:read']));
  });
});

describe("law: the exchanged mandate never grants more than the subject token's scopes", () => {
  it('holds for generated requests and scope subsets (over HTTP)', async () => {
    const lawScopes: Record<string, CapabilityInput[]> = {
      'billing:read': [{ resource: 'billing:**', actions: ['read'] }],
      'billing:pay': [
        { resource: 'billing:a/**', actions: ['pay'], constraints: { x: { max: 10 } } },
      ],
      'docs:write': [{ resource: 'docs:*', actions: ['read', 'write'] }],
    };
    const { startDemoAuthorizationServer } =
      await import('../../../src/cli/authorization-server/demo-authorization-server.js');
    const agent = await generateKeyPair();
    const server = await startDemoAuthorizationServer({
      agents: { agent: { publicJwk: agent.publicJwk } },
      users: { carol: { scopes: Object.keys(lawScopes), mayAct: 'agent' } },
      scopes: lawScopes,
      resources: { [PAYMENTS]: Object.keys(lawScopes) },
    });
    try {
      const client = await createOAuthClient({
        issuer: server.issuer,
        clientId: 'agent',
        key: agent,
      });
      const actor = (await client.clientCredentials({ resource: server.exchangeAudience }))
        .accessToken;
      const subsets = [['billing:read'], ['billing:pay'], ['docs:write'], Object.keys(lawScopes)];
      const tokens = await Promise.all(
        subsets.map(async (scope) => ({
          scope,
          token: (
            await client.authorizationCode({
              redirectUri: server.redirectUri,
              scope,
              resource: server.exchangeAudience,
              userAgent: server.userAgent('carol'),
            })
          ).accessToken,
        })),
      );
      let grantedRuns = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...tokens),
          arbCapabilities(),
          fc.option(fc.subarray(Object.keys(lawScopes), { minLength: 1 }), { nil: undefined }),
          async ({ scope, token }, requested, scopeParam) => {
            const authority = scope.flatMap((s) => lawScopes[s] ?? []);
            let granted;
            try {
              const exchanged = await client.exchangeToken({
                subjectToken: token,
                actorToken: actor,
                resource: PAYMENTS,
                ...(requested.length > 0 ? { capabilities: requested } : {}),
                ...(scopeParam === undefined ? {} : { scope: scopeParam }),
              });
              granted = (await parseMandate(exchanged.accessToken)).blocks[0]?.capabilities ?? [];
            } catch (error) {
              // A refusal grants nothing; only the RFC codes are acceptable.
              expect(error).toBeInstanceOf(OAuthRequestError);
              expect([
                'invalid_target',
                'invalid_scope',
                'invalid_authorization_details',
              ]).toContain((error as OAuthRequestError).error);
              return;
            }
            grantedRuns++;
            expect(isSubset(granted, authority)).toBe(true);
            if (requested.length > 0) expect(isSubset(granted, requested)).toBe(true);
            // And semantically: whatever the mandate allows, the user's scopes allow.
            fc.assert(
              fc.property(arbAction(granted), (action) => {
                if (allows(granted, action)) expect(allows(authority, action)).toBe(true);
              }),
              { numRuns: 20 },
            );
          },
        ),
        { numRuns: Math.min(NUM_RUNS, 100) },
      );
      // The law was exercised on issued mandates, not only on refusals.
      expect(grantedRuns).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });
});
