/**
 * The MCP payment tool of the demo (and of the MCP tests): `pay_invoice`, guarded by Mandate,
 * served statelessly over Streamable HTTP (one McpServer per request, one shared verifier).
 */
import type { Express } from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import { guardTools, mandateOf } from '../../adapters/mcp/index.js';
import type { AuditOption } from '../../verify/audit.js';
import type { Verifier } from '../../verify/verifier.js';

/** One payment the tool made, and for whom. */
export interface Payment {
  readonly invoice: string;
  readonly amount: number;
  readonly user: string;
  readonly chain: readonly string[];
}

/** Options of `paymentTool`. */
export interface PaymentToolOptions {
  readonly audit?: AuditOption;
  /** Register further tools before the guard is installed (listed in `publicTools` or denied). */
  readonly moreTools?: (server: McpServer) => void;
  readonly publicTools?: readonly string[];
}

/** A fresh McpServer with `pay_invoice` (recording into `payments`), guarded by `verifier`. */
export function paymentTool(
  verifier: Verifier,
  payments: Payment[],
  options: PaymentToolOptions = {},
): McpServer {
  const server = new McpServer({ name: 'payment-tool', version: '1.0.0' });
  server.registerTool(
    'pay_invoice',
    { description: 'Pay one invoice', inputSchema: { invoice: z.string(), amount: z.number() } },
    ({ invoice, amount }, extra) => {
      const context = mandateOf(extra);
      if (context === undefined) throw new Error('unguarded call reached the tool');
      const { subject, chain } = context.decision;
      payments.push({ invoice, amount, user: subject, chain });
      return {
        content: [{ type: 'text', text: `paid ${invoice}: ${amount} for ${subject}` }],
        structuredContent: { subject, chain: [...chain] },
      };
    },
  );
  options.moreTools?.(server);
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
    ...(options.publicTools === undefined ? {} : { publicTools: options.publicTools }),
    ...(options.audit === undefined ? {} : { audit: options.audit }),
  });
  return server;
}

/** Serve MCP at `path` statelessly: each POST gets a fresh server from `create`. */
export function serveMcp(app: Express, path: string, create: () => McpServer): void {
  app.post(path, async (req, res) => {
    const server = create();
    const transport = new StreamableHTTPServerTransport({});
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
}
