/**
 * The MCP guard with the SDK's own client and server over Streamable HTTP on loopback: every
 * tools/call is verified before the tool runs; denials are MCP errors carrying the code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createVerifier, prove, type KeyPair, type Mandate } from '../../../src/index.js';
import {
  callToolWithMandate,
  mandateDenial,
  mcpTarget,
  MANDATE_DENIED,
  META_MANDATE,
  META_PROOF,
} from '../../../src/adapters/mcp/index.js';
import type { AuditRecord } from '../../../src/verify/audit.js';
import { connectedClient, startPaymentTool, type PaymentToolServer } from './server.js';
import { AS, aliceRoot, billingOwnOf, keyPairs, toBillingOf } from '../../helpers/billing.js';
import { createDeputy } from '../../../src/proof/deputy.js';

const TOOL = 'https://payments.test/mcp';
/** The invoice argument only picks the resource: any value is allowed through. */
const ANY = { constraint_type: 'wildcard' } as const;

let anchor: KeyPair;
let orchestrator: KeyPair;
let billing: KeyPair;
let attacker: KeyPair;
let toBilling: Mandate;
let billingOwn: Mandate;
let server: PaymentToolServer;
let client: Client;
const audit: AuditRecord[] = [];

beforeAll(async () => {
  [anchor, orchestrator, billing, attacker] = await keyPairs(4);
  const root = await aliceRoot(anchor, orchestrator, TOOL, { invoice: ANY });
  toBilling = await toBillingOf(root, orchestrator, billing, { invoice: ANY });
  billingOwn = await billingOwnOf(anchor, billing, TOOL, { invoice: ANY });
  const verifier = createVerifier({
    trustAnchors: [{ id: AS, publicJwk: anchor.publicJwk }],
    audience: TOOL,
  });
  server = await startPaymentTool(verifier, {
    audience: TOOL,
    authorizationServers: [AS],
    audit: (record) => audit.push(record),
  });
  client = await connectedClient(server.url, 'billing-agent');
});

afterAll(async () => {
  await client?.close();
  await server?.close();
});

const pay = (invoice: string) => ({ resource: `billing:invoices/${invoice}`, action: 'pay' });

async function denialOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    expect((error as { code?: number }).code).toBe(MANDATE_DENIED);
    return mandateDenial(error);
  }
  throw new Error('the call was not denied');
}

/** billing's call on its own grant runs and pays. */
async function expectOwnCallPaid(invoice: string, amount: number): Promise<void> {
  const own = await callToolWithMandate(
    client,
    { name: 'pay_invoice', arguments: { invoice, amount } },
    { mandate: billingOwn, signer: billing },
  );
  expect(own.content).toEqual([
    { type: 'text', text: `paid ${invoice}: ${amount} for svc:billing` },
  ]);
}

describe('mandate/mcp over Streamable HTTP', () => {
  it('a deputy call narrowed to this one tool call runs the tool, which sees the Decision', async () => {
    const deputy = createDeputy({ mandate: toBilling, signer: billing });
    const before = server.payments.length;
    const result = await deputy.call(
      mcpTarget({ client, tool: 'pay_invoice', audience: TOOL }),
      pay('2026-03'),
      { invoice: '2026-03', amount: 120 },
    );
    expect(result.isError).not.toBe(true);
    expect(result.content).toEqual([{ type: 'text', text: 'paid 2026-03: 120 for alice' }]);
    expect(server.payments.slice(before)).toHaveLength(1);
    expect(server.payments.at(-1)!.chain).toHaveLength(4); // anchor, orchestrator, billing, one-time key
    expect(audit.at(-1)).toMatchObject({
      result: 'allowed',
      user: 'alice',
      transport: 'mcp',
      target: 'pay_invoice',
    });
  });

  it('no mandate: an MCP error with MANDATE_MALFORMED, and the tool does not run', async () => {
    const before = server.payments.length;
    const denial = await denialOf(
      client.callTool({ name: 'pay_invoice', arguments: { invoice: '2026-03', amount: 1 } }),
    );
    expect(denial).toMatchObject({ code: 'MANDATE_MALFORMED', hop: 0 });
    expect(server.payments.length).toBe(before);
  });

  it('the confused deputy: the tool refuses a caller-chain call the agent’s own grant would allow', async () => {
    const before = server.payments.length;
    const denial = await denialOf(
      callToolWithMandate(
        client,
        { name: 'pay_invoice', arguments: { invoice: '2026-04', amount: 120 } },
        { mandate: toBilling, signer: billing },
      ),
    );
    expect(denial).toMatchObject({ code: 'MANDATE_FORBIDDEN', hop: 1, check: 'authorize' });
    expect(server.payments.length).toBe(before);
    await expectOwnCallPaid('2026-04', 120);
  });

  it('the proof binds the arguments: a call with other arguments than proven is refused', async () => {
    const proof = await prove(toBilling, {
      signer: billing,
      request: { tool: 'pay_invoice', args: { invoice: '2026-03', amount: 10 } },
    });
    const denial = await denialOf(
      client.callTool({
        name: 'pay_invoice',
        arguments: { invoice: '2026-03', amount: 190 },
        _meta: { [META_MANDATE]: toBilling.token, [META_PROOF]: proof },
      }),
    );
    expect(denial).toMatchObject({ code: 'MANDATE_PROOF_INVALID', check: 'possession' });
  });

  it('hostile: 100,000 arguments with a genuine proof are refused with the coded error, the tool not run', async () => {
    const args: Record<string, unknown> = { invoice: '2026-03', amount: 1 };
    for (let i = 0; i < 100_000; i++) args[`a${i}`] = i;
    const proof = await prove(billingOwn, {
      signer: billing,
      request: { tool: 'pay_invoice', args: args as never },
    });
    const before = server.payments.length;
    const denial = await denialOf(
      client.callTool({
        name: 'pay_invoice',
        arguments: args,
        _meta: { [META_MANDATE]: billingOwn.token, [META_PROOF]: proof },
      }),
    );
    // Past maxRequestValues (4,096 by default), right after the proof's signature.
    expect(denial).toMatchObject({ code: 'MANDATE_LIMIT_EXCEEDED', hop: 0, check: 'limits' });
    expect(server.payments.length).toBe(before);
    // The server is unharmed: a genuine call right after runs.
    await expectOwnCallPaid('2026-05', 5);
  });

  it('a replayed call (same mandate and proof) is refused', async () => {
    const args = { invoice: '2026-03', amount: 11 };
    const proof = await prove(toBilling, {
      signer: billing,
      request: { tool: 'pay_invoice', args },
    });
    const call = {
      name: 'pay_invoice',
      arguments: args,
      _meta: { [META_MANDATE]: toBilling.token, [META_PROOF]: proof },
    };
    await client.callTool(call);
    expect(await denialOf(client.callTool(call))).toMatchObject({ code: 'MANDATE_REPLAYED' });
  });

  it('a stolen mandate without the holder key is refused', async () => {
    const { forgeJws } = await import('../../helpers/forge.js');
    const { accessTokenHash, argsHash } = await import('../../../src/proof/request.js');
    const args = { invoice: '2026-03', amount: 12 };
    const proof = forgeJws(
      attacker,
      { typ: 'mandate-invocation+jwt', alg: 'Ed25519', jwk: attacker.publicJwk },
      {
        jti: 'x-1',
        tool: 'pay_invoice',
        args_hash: argsHash(args),
        iat: Math.floor(Date.now() / 1000),
        ath: accessTokenHash(toBilling.token),
      },
    );
    const denial = await denialOf(
      client.callTool({
        name: 'pay_invoice',
        arguments: args,
        _meta: { [META_MANDATE]: toBilling.token, [META_PROOF]: proof },
      }),
    );
    expect(denial).toMatchObject({ code: 'MANDATE_PROOF_INVALID', hop: 1 });
  });

  it('a tool that declares no capability is denied; a public one runs', async () => {
    expect(
      await denialOf(client.callTool({ name: 'refund', arguments: { invoice: '2026-03' } })),
    ).toMatchObject({
      code: 'MANDATE_FORBIDDEN',
    });
    expect((await client.callTool({ name: 'ping' })).content).toEqual([
      { type: 'text', text: 'pong' },
    ]);
  });

  it('a call that names no tool (a non-string name) is denied, never handed on unverified', async () => {
    const { CallToolResultSchema } = await import('@modelcontextprotocol/sdk/types.js');
    const denial = await denialOf(
      client.request(
        { method: 'tools/call', params: { name: 42 as unknown as string, arguments: {} } },
        CallToolResultSchema,
      ),
    );
    expect(denial).toMatchObject({ code: 'MANDATE_MALFORMED', hop: 0 });
  });

  it('publishes RFC 9728 protected-resource metadata', async () => {
    const res = await fetch(`${server.origin}/.well-known/oauth-protected-resource`);
    expect(await res.json()).toEqual({
      resource: TOOL,
      authorization_servers: [AS],
      bearer_methods_supported: ['header'],
      dpop_bound_access_tokens_required: true,
      dpop_signing_alg_values_supported: ['Ed25519', 'ES256'],
      resource_name: 'Payment tool',
      mandate_formats_supported: ['jws', 'biscuit'],
    });
  });
});
