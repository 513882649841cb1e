/** A payment tool server on the official MCP SDK, over Streamable HTTP, guarded by Mandate. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import {
  guardTools,
  mandateOf,
  protectedResourceMetadata,
  PROTECTED_RESOURCE_METADATA_PATH,
} from '../../../src/adapters/mcp/index.js';
import type { AuditOption } from '../../../src/adapters/audit.js';
import type { Verifier } from '../../../src/index.js';

export interface Payment {
  readonly invoice: string;
  readonly amount: number;
  readonly user: string;
  readonly chain: readonly string[];
}

export interface PaymentToolServer {
  readonly url: string;
  readonly origin: string;
  readonly payments: Payment[];
  close(): Promise<void>;
}

/** Register the tools on a fresh McpServer and guard them. */
export function paymentTool(
  verifier: Verifier,
  payments: Payment[],
  audit?: AuditOption,
): McpServer {
  const server = new McpServer({ name: 'payments', version: '1.0.0' });
  server.registerTool(
    'pay_invoice',
    {
      description: 'Pay one invoice',
      inputSchema: { invoice: z.string(), amount: z.number() },
    },
    ({ invoice, amount }, extra) => {
      const context = mandateOf(extra);
      if (context === undefined) throw new Error('unguarded call reached the tool');
      payments.push({
        invoice,
        amount,
        user: context.decision.subject,
        chain: context.decision.chain,
      });
      return {
        content: [
          { type: 'text', text: `paid ${invoice}: ${amount} for ${context.decision.subject}` },
        ],
      };
    },
  );
  server.registerTool('ping', { description: 'Liveness' }, () => ({
    content: [{ type: 'text', text: 'pong' }],
  }));
  server.registerTool(
    'refund',
    { description: 'Undeclared', inputSchema: { invoice: z.string() } },
    () => ({
      content: [{ type: 'text', text: 'refunded' }],
    }),
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
    publicTools: ['ping'],
    ...(audit === undefined ? {} : { audit }),
  });
  return server;
}

/** Start the tool server on loopback (stateless Streamable HTTP: one McpServer per request). */
export async function startPaymentTool(
  verifier: Verifier,
  options: { audience: string; authorizationServers: string[]; audit?: AuditOption; port?: number },
): Promise<PaymentToolServer> {
  const payments: Payment[] = [];
  const app = express();
  app.use(express.json());
  app.get(PROTECTED_RESOURCE_METADATA_PATH, (_req, res) => {
    res.json(
      protectedResourceMetadata({
        resource: options.audience,
        authorizationServers: options.authorizationServers,
        resourceName: 'Payment tool',
      }),
    );
  });
  app.post('/mcp', async (req, res) => {
    const server = paymentTool(verifier, payments, options.audit);
    const transport = new StreamableHTTPServerTransport({});
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  const http: Server = await new Promise((resolve) => {
    const s = app.listen(options.port ?? 0, '127.0.0.1', () => resolve(s));
  });
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    url: `${origin}/mcp`,
    origin,
    payments,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
