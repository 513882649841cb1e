// The HTTP guide as one program: a payments API behind `mandateExpress` on a free loopback
// port, and an agent calling it with `createMandateFetch`. Run: npx tsx examples/http/main.ts
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createVerifier, delegate, generateKeyPair, mint } from 'mandate';
import { createMandateFetch, mandateExpress, mandateOf } from 'mandate/http';

const [authServer, orchestrator, billing] = await Promise.all([
  generateKeyPair(),
  generateKeyPair(),
  generateKeyPair(),
]);

// The server listens first: its origin is what every proof's URL (htu) is checked against.
const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const verifier = createVerifier({
  trustAnchors: [{ id: 'https://auth.example', publicJwk: authServer.publicJwk }],
  audience: 'https://payments.example', // the service's name in mandates, not its URL
});
const app = express();
app.use(express.json());
app.use(
  mandateExpress({
    verifier,
    publicOrigin: origin, // the origin clients use (behind a proxy: the public one)
    routes: {
      'POST /invoices/:id/pay': {
        resource: 'billing:invoices/:id',
        action: 'pay',
        args: async (c) => ({ amount: ((await c.json()) as { amount: number }).amount }),
      },
      'GET /invoices/:id': { resource: 'billing:invoices/:id', action: 'read' },
    },
  }),
);
app.post('/invoices/:id/pay', (req, res) => {
  // The guard ran first: mandateOf(req) is the verified context, decision.subject the user.
  res.json({ paidFor: mandateOf(req)?.decision.subject });
});
app.get('/invoices/:id', (req, res) => {
  res.json({ invoice: req.params.id, readBy: mandateOf(req)?.decision.subject });
});
server.on('request', app);

// Reading and paying are separate capabilities: constraints are closed-world, so a
// capability with `amount` would refuse every read that has no amount.
const root = await mint({
  issuer: authServer,
  issuerId: 'https://auth.example',
  subject: 'alice',
  holder: orchestrator.publicJwk,
  capabilities: [
    { resource: 'billing:invoices/**', actions: ['read'] },
    { resource: 'billing:invoices/**', actions: ['pay'], constraints: { amount: { max: 500 } } },
  ],
  audience: 'https://payments.example',
  expiresIn: '15m',
});
const mandate = await delegate(root, {
  signer: orchestrator,
  holder: billing.publicJwk,
  capabilities: [
    { resource: 'billing:invoices/2026-03', actions: ['read'] },
    {
      resource: 'billing:invoices/2026-03',
      actions: ['pay'],
      constraints: { amount: { max: 200 } },
    },
  ],
});

// The client signs a fresh DPoP proof for every request.
const send = createMandateFetch({ mandate, signer: billing });
const pay = (amount: number) =>
  send(`${origin}/invoices/2026-03/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ amount }),
  });
const read = await send(`${origin}/invoices/2026-03`);
console.log(`read 2026-03: ${read.status} ${JSON.stringify(await read.json())}`);
const paid = await pay(120);
console.log(`pay 120: ${paid.status} ${JSON.stringify(await paid.json())}`);
const refused = await pay(300);
const { code, hop } = (await refused.json()) as { code: string; hop: number };
console.log(`pay 300: ${refused.status} ${code} at hop ${hop}`);

server.closeAllConnections();
await new Promise<void>((resolve) => server.close(() => resolve()));
