// The MCP guide as one program: a payment tool server guarded by `guardTools`, and a billing
// agent calling it through a deputy. Run: npx tsx examples/mcp/main.ts
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { createDeputy, createVerifier, delegate, generateKeyPair, mint } from 'mandate';
import { callToolWithMandate, guardTools, mandateDenial, mandateOf, mcpTarget } from 'mandate/mcp';

const TOOL_SERVER = 'https://payments.example/mcp'; // the tool server's identity (audience)
const [authServer, orchestrator, billing] = await Promise.all([
  generateKeyPair(),
  generateKeyPair(),
  generateKeyPair(),
]);

// The server: register the tools, then guard them (every tools/call is verified first).
const verifier = createVerifier({
  trustAnchors: [{ id: 'https://auth.example', publicJwk: authServer.publicJwk }],
  audience: TOOL_SERVER,
});
const server = new McpServer({ name: 'payment-tool', version: '1.0.0' });
server.registerTool(
  'pay_invoice',
  { description: 'Pay one invoice', inputSchema: { invoice: z.string(), amount: z.number() } },
  ({ invoice, amount }, extra) => {
    const user = mandateOf(extra)?.decision.subject;
    return { content: [{ type: 'text', text: `paid ${invoice}: ${amount} for ${user}` }] };
  },
);
server.registerTool('ping', { description: 'Liveness' }, () => ({
  content: [{ type: 'text', text: 'pong' }],
}));
guardTools(server, {
  verifier,
  tools: {
    pay_invoice: {
      resource: (args) => `billing:invoices/${args.invoice as string}`,
      action: 'pay',
    },
  },
  publicTools: ['ping'], // need no authority (weakens the guard: named explicitly)
});

// Any MCP transport carries the mandate in the call's _meta; here, the SDK's in-memory pair.
const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'billing-agent', version: '1.0.0' });
await client.connect(clientSide);

// Constraints are closed-world: a capability for a tool names every argument it lets
// through. `invoice` only picks the resource, so any value passes (wildcard).
const invoice = { constraint_type: 'wildcard' } as const;
const root = await mint({
  issuer: authServer,
  issuerId: 'https://auth.example',
  subject: 'alice',
  holder: orchestrator.publicJwk,
  capabilities: [
    {
      resource: 'billing:invoices/**',
      actions: ['pay'],
      constraints: { invoice, amount: { max: 500 } },
    },
  ],
  audience: TOOL_SERVER,
  expiresIn: '15m',
});
const mandate = await delegate(root, {
  signer: orchestrator,
  holder: billing.publicJwk,
  capabilities: [
    {
      resource: 'billing:invoices/2026-03',
      actions: ['pay'],
      constraints: { invoice, amount: { max: 200 } },
    },
  ],
});

// The deputy narrows the mandate to exactly this call (arguments pinned, 60 s, this tool
// server only, a one-time key) before sending it.
const deputy = createDeputy({ mandate, signer: billing });
const paid = await deputy.call(
  mcpTarget({ client, tool: 'pay_invoice', audience: TOOL_SERVER }),
  { resource: 'billing:invoices/2026-03', action: 'pay' },
  { invoice: '2026-03', amount: 120 },
);
console.log(`pay 120: ${JSON.stringify(paid.content)}`);

// Sent as is, a call beyond the mandate is refused by the server; the tool does not run.
try {
  await callToolWithMandate(
    client,
    { name: 'pay_invoice', arguments: { invoice: '2026-03', amount: 300 } },
    { mandate, signer: billing },
  );
  console.log('pay 300: allowed (unexpected)');
} catch (error) {
  const denial = mandateDenial(error);
  console.log(`pay 300: refused, ${denial?.code} at hop ${denial?.hop}`);
}

await client.close();
await server.close();
