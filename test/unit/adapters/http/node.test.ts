/** mandate/http on node:http fails closed when the guard itself throws, whatever `next` does. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { mandateNode } from '../../../../src/adapters/http/index.js';
import type { Verifier } from '../../../../src/verify/verifier.js';

describe('mandateNode', () => {
  it('answers 500 and never calls next when the guard throws (a throwing audit sink)', async () => {
    const verifier = {
      verify: () =>
        Promise.resolve({
          allowed: true,
          subject: 'alice',
          chain: ['https://as.test'],
          capabilities: [],
          holder: 'h',
          blockIds: ['b'],
          format: 'jws',
        }),
    } as unknown as Verifier;
    const middleware = mandateNode({
      verifier,
      publicOrigin: 'https://payments.test',
      routes: { 'GET /invoices/:id': { resource: 'billing:invoices/:id', action: 'read' } },
      audit: { record: () => Promise.reject(new Error('audit sink down')) },
    });
    const req = {
      method: 'GET',
      url: '/invoices/1',
      headers: { authorization: 'DPoP token', dpop: 'proof' },
    } as unknown as IncomingMessage;
    const written: { status?: number; body?: string | undefined } = {};
    const res = {
      headersSent: false,
      writeHead(status: number) {
        written.status = status;
        return this;
      },
      end(body?: string) {
        written.body = body;
        return this;
      },
    } as unknown as ServerResponse;
    let nextCalls = 0;
    // A plain `next` that ignores its argument must not let the request through.
    await middleware(req, res, () => {
      nextCalls += 1;
    });
    expect(nextCalls).toBe(0);
    expect(written.status).toBe(500);
    expect(JSON.parse(written.body ?? '{}')).toMatchObject({ code: 'MANDATE_INTERNAL' });
  });
});
