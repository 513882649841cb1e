/**
 * Approvals over MCP (the SDK's client and server, Streamable HTTP on loopback): a payment over
 * 200 is denied with `data.approval`, the user approves that call, the retried call (approvals in
 * `_meta["dev.mandate/approvals"]`) runs; the same approval again is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  approvalNeeded,
  approve,
  createVerifier,
  delegate,
  type KeyPair,
  type Mandate,
} from '../../../src/index.js';
import { callToolWithMandate, mandateDenial } from '../../../src/adapters/mcp/index.js';
import { connectedClient, startPaymentTool, type PaymentToolServer } from './server.js';
import { AS, aliceRoot, keyPairs } from '../../helpers/billing.js';

const TOOL = 'https://payments.test/mcp';
const ANY = { constraint_type: 'wildcard' } as const;

let billing: KeyPair;
let user: KeyPair;
let mandate: Mandate;
let server: PaymentToolServer;
let client: Client;

beforeAll(async () => {
  const [anchor, orchestrator, b, u] = await keyPairs(4);
  billing = b;
  user = u;
  const root = await aliceRoot(anchor, orchestrator, TOOL, { invoice: ANY });
  mandate = await delegate(root, {
    signer: orchestrator,
    holder: billing.publicJwk,
    approvals: [
      {
        resource: 'billing:invoices/**',
        actions: ['pay'],
        when: { amount: { constraint_type: 'range', min: 200, min_inclusive: false } },
        approvers: ['user'],
      },
    ],
  });
  server = await startPaymentTool(
    createVerifier({
      trustAnchors: [{ id: AS, publicJwk: anchor.publicJwk }],
      audience: TOOL,
      userKeys: (subject) => (subject === 'alice' ? [user.publicJwk] : []),
    }),
    { audience: TOOL, authorizationServers: [AS] },
  );
  client = await connectedClient(server.url, 'billing-agent');
});

afterAll(async () => {
  await client?.close();
  await server?.close();
});

const call = { name: 'pay_invoice', arguments: { invoice: '2026-03', amount: 300 } };

async function denied(approvals?: readonly string[]) {
  try {
    await callToolWithMandate(client, call, {
      mandate,
      signer: billing,
      audience: TOOL,
      ...(approvals === undefined ? {} : { approvals }),
    });
  } catch (error) {
    return mandateDenial(error);
  }
  return undefined;
}

describe('approvals over MCP', () => {
  it('denied with what to approve, approved, run once', async () => {
    const first = await denied();
    expect(first).toMatchObject({
      code: 'MANDATE_APPROVAL_REQUIRED',
      hop: 1,
      check: 'authorize',
      approval: { missing: 1, call: { resource: 'billing:invoices/2026-03', action: 'pay' } },
    });
    const needed = approvalNeeded({ code: first?.code, approval: first?.approval });
    const approval = await approve(needed!.call, user);
    const before = server.payments.length;
    const result = await callToolWithMandate(client, call, {
      mandate,
      signer: billing,
      audience: TOOL,
      approvals: [approval],
    });
    expect(result.isError).not.toBe(true);
    expect(server.payments.length).toBe(before + 1);
    expect(await denied([approval])).toMatchObject({
      code: 'MANDATE_APPROVAL_REPLAYED',
      hop: 1,
      check: 'authorize',
    });
  }, 30_000);
});
