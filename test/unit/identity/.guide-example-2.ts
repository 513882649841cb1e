// The identity guide as one program: a billing agent serves its signed Agent Card on a free
// loopback port; a payment service resolves it and accepts a mandate only when the agent's
// own key holds it. Run: npx tsx examples/identity/main.ts
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVerifier, delegate, generateKeyPair, mint, prove, type KeyPair } from '../../../src/index.js';
import {
  createAgentResolver,
  holderKeysExtension,
  signAgentCard,
  type AgentCard,
} from '../../../src/identity/agent-card/index.js';

const [authServer, orchestrator, provider, holder, stranger] = await Promise.all([
  generateKeyPair(), // the trust anchor
  generateKeyPair(), // the orchestrator, which delegates to the billing agent
  generateKeyPair(), // signs the billing agent's card
  generateKeyPair(), // the key the billing agent holds mandates with
  generateKeyPair(), // a key the card does not name
]);

// The billing agent's site: its signed card at the well-known path, nothing else.
const site = createServer();
await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
const card: AgentCard = {
  name: 'Billing Agent',
  description: 'Pays approved invoices.',
  supportedInterfaces: [
    { url: `${origin}/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
  ],
  version: '1.0.0',
  capabilities: { extensions: [holderKeysExtension([holder.publicJwk])] },
  defaultInputModes: ['application/json'],
  defaultOutputModes: ['application/json'],
  skills: [{ id: 'pay', name: 'Pay', description: 'Pays one invoice.', tags: ['billing'] }],
};
const signed = JSON.stringify(signAgentCard(card, { signer: provider, kid: 'card-2026' }));
site.on('request', (req, res) => {
  const found = req.url === '/.well-known/agent-card.json';
  res.writeHead(found ? 200 : 404, { 'content-type': 'application/json' });
  res.end(found ? signed : '{}');
});

// The payment service: it trusts the card provider's key for that origin only, and requires
// the last hop (the caller) to be held by a key that agent's card names.
const verifier = createVerifier({
  trustAnchors: [{ id: 'https://auth.example', publicJwk: authServer.publicJwk }],
  audience: 'https://payments.example',
  agents: createAgentResolver({
    agents: { [origin]: { keys: [{ ...provider.publicJwk, kid: 'card-2026' }] } },
  }),
  expectHolder: { agent: origin }, // hop: -1 (the caller) by default
});

const root = await mint({
  issuer: authServer,
  issuerId: 'https://auth.example',
  subject: 'alice',
  holder: orchestrator.publicJwk,
  capabilities: [
    { resource: 'billing:invoices/**', actions: ['pay'], constraints: { amount: { max: 500 } } },
  ],
  audience: 'https://payments.example',
  expiresIn: '15m',
});
const request = { method: 'POST', url: 'https://payments.example/invoices/2026-03/pay' };
const action = { resource: 'billing:invoices/2026-03', action: 'pay', args: { amount: 120 } };

/** Delegate alice's root to `to`, and have `to` present it. */
async function presentAs(to: KeyPair) {
  const mandate = await delegate(root, { signer: orchestrator, holder: to.publicJwk });
  return verifier.verify(mandate, {
    action,
    request,
    proof: await prove(mandate, { signer: to, request }),
  });
}

const genuine = await presentAs(holder);
console.log(genuine.allowed ? `agent's key: allowed for ${genuine.subject}` : genuine.code);
const refused = await presentAs(stranger);
console.log(
  refused.allowed
    ? 'another key: allowed (unexpected)'
    : `another key: ${refused.code} at hop ${refused.hop} (${String(refused.detail?.['reason'])})`,
);

site.closeAllConnections();
await new Promise<void>((resolve) => site.close(() => resolve()));
