/** The MCP payment tool process: pays an invoice when the mandate allows it, nothing else. */
import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import { guardTools, mandateOf } from '../../adapters/mcp/index.js';
import { MemoryRevocationStore } from '../../stores/memory.js';
import { createVerifier } from '../../verify/verifier.js';
import { readConfig, ready } from './common.js';

const config = readConfig();
const revocation = new MemoryRevocationStore();
// One verifier (one replay store) for every request this process serves.
const verifier = createVerifier({
  trustAnchors: [{ id: config.anchorId, publicJwk: config.anchorJwk }],
  audience: config.toolAudience,
  revocation,
});
const payments: { invoice: string; amount: number; user: string; chain: readonly string[] }[] = [];

function toolServer(): McpServer {
  const server = new McpServer({ name: 'payment-tool', version: '1.0.0' });
  server.registerTool(
    'pay_invoice',
    { description: 'Pay one invoice', inputSchema: { invoice: z.string(), amount: z.number() } },
    ({ invoice, amount }, extra) => {
      const context = mandateOf(extra);
      if (context === undefined) throw new Error('unguarded');
      payments.push({
        invoice,
        amount,
        user: context.decision.subject,
        chain: context.decision.chain,
      });
      return {
        content: [{ type: 'text', text: `paid ${invoice}: ${amount}` }],
        structuredContent: {
          subject: context.decision.subject,
          chain: [...context.decision.chain],
        },
      };
    },
  );
  guardTools(server, {
    verifier,
    tools: {
      pay_invoice: {
        resource: (args) => {
          if (typeof args.invoice !== 'string') throw new TypeError('invoice must be a string');
          return `billing:invoices/${args.invoice}`;
        },
        action: 'pay',
      },
    },
  });
  return server;
}

const app = express();
app.use(express.json());
app.post('/mcp', async (req, res) => {
  const server = toolServer();
  const transport = new StreamableHTTPServerTransport({});
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
});
app.get('/payments', (_req, res) => {
  res.json(payments);
});

// Revocations arrive from the parent (standing in for the shared store of a fleet).
process.on('message', (message: { type?: string; id?: string }) => {
  if (message.type === 'revoke' && typeof message.id === 'string') {
    void revocation
      .revoke(message.id)
      .then(() => process.send?.({ type: 'revoked', id: message.id }));
  }
});

const listener = app.listen(0, '127.0.0.1', () => {
  const address = listener.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  ready({ url: `http://127.0.0.1:${port}/mcp`, origin: `http://127.0.0.1:${port}` });
});
