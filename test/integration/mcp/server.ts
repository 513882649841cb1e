/** A payment tool server on the official MCP SDK, over Streamable HTTP, guarded by Mandate. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { z } from 'zod';
import {
  protectedResourceMetadata,
  PROTECTED_RESOURCE_METADATA_PATH,
} from '../../../src/adapters/mcp/index.js';
import { paymentTool, serveMcp, type Payment } from '../../../src/cli/processes/payment-tool.js';
import type { AuditOption } from '../../../src/verify/audit.js';
import type { Verifier } from '../../../src/index.js';

export type { Payment };

/** An MCP client named `name`, connected to the server at `url` over Streamable HTTP. */
export async function connectedClient(url: string, name = 'agent'): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

export interface PaymentToolServer {
  readonly url: string;
  readonly origin: string;
  readonly payments: Payment[];
  close(): Promise<void>;
}

/** The payment tool, plus a public `ping` and an undeclared `refund` (denied). */
function paymentToolWithExtras(
  verifier: Verifier,
  payments: Payment[],
  audit?: AuditOption,
): McpServer {
  return paymentTool(verifier, payments, {
    publicTools: ['ping'],
    ...(audit === undefined ? {} : { audit }),
    moreTools(server) {
      server.registerTool('ping', { description: 'Liveness' }, () => ({
        content: [{ type: 'text', text: 'pong' }],
      }));
      server.registerTool(
        'refund',
        { description: 'Undeclared', inputSchema: { invoice: z.string() } },
        () => ({ content: [{ type: 'text', text: 'refunded' }] }),
      );
    },
  });
}

/** Start the tool server on loopback (stateless Streamable HTTP: one McpServer per request). */
export async function startPaymentTool(
  verifier: Verifier,
  options: { audience: string; authorizationServers: string[]; audit?: AuditOption; port?: number },
): Promise<PaymentToolServer> {
  const payments: Payment[] = [];
  const app = express();
  // 4 MB, the body the MCP SDK's own SSE transport admits: a hostile call of many arguments
  // reaches the guard (express's default, 100 KB, would refuse it first).
  app.use(express.json({ limit: '4mb' }));
  app.get(PROTECTED_RESOURCE_METADATA_PATH, (_req, res) => {
    res.json(
      protectedResourceMetadata({
        resource: options.audience,
        authorizationServers: options.authorizationServers,
        resourceName: 'Payment tool',
      }),
    );
  });
  serveMcp(app, '/mcp', () => paymentToolWithExtras(verifier, payments, options.audit));
  // What the tool did, for a test in another process to count.
  app.get('/payments', (_req, res) => {
    res.json(payments);
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
