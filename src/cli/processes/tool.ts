/**
 * The MCP payment tool process: pays an invoice when the mandate allows it, nothing else. Its
 * verifier trusts the authorization server's mandate key set; its revocation and replay
 * stores are the shared Redis ones when configured (so a fleet of tools agrees), else memory.
 */
import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import { guardTools, mandateOf } from '../../adapters/mcp/index.js';
import { createVerifier } from '../../verify/verifier.js';
import { readConfig, ready, storesOf, trustAnchorOf } from './common.js';

const config = readConfig();
const stores = await storesOf(config);
// One verifier (one replay store) for every request this process serves.
const verifier = createVerifier({
  trustAnchors: [trustAnchorOf(config)],
  audience: config.toolAudience,
  revocation: stores.revocation,
  replay: stores.replay,
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

// Without Redis, revocations arrive from the parent over IPC (standing in for the shared store
// of a fleet); with Redis, the parent writes them to the shared store and nothing comes here.
process.on('message', (message: { type?: string; id?: string }) => {
  if (message.type === 'revoke' && typeof message.id === 'string') {
    void stores.revocation
      .revoke(message.id)
      .then(() => process.send?.({ type: 'revoked', id: message.id }));
  }
});

const listener = app.listen(0, '127.0.0.1', () => {
  const address = listener.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  ready({
    url: `http://127.0.0.1:${port}/mcp`,
    origin: `http://127.0.0.1:${port}`,
    stores: stores.kind,
  });
});
