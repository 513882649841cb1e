import { createVerifier, delegate, generateKeyPair, mint, prove } from 'mandate';

const [authServer, orchestrator, billing] = await Promise.all([
  generateKeyPair(),
  generateKeyPair(),
  generateKeyPair(),
]);

// The user's authority enters once, as a root signed by a trust anchor.
const root = await mint({
  issuer: authServer,
  issuerId: 'https://auth.example',
  subject: 'alice',
  holder: orchestrator.publicJwk,
  capabilities: [
    // Reading and paying are separate: constraints are closed-world, so `amount` on a read
    // capability would make every read without an amount a denial.
    { resource: 'billing:invoices/**', actions: ['read'] },
    { resource: 'billing:invoices/**', actions: ['pay'], constraints: { amount: { max: 500 } } },
  ],
  audience: 'https://payments.example',
  expiresIn: '15m',
});
// Each hop can only narrow it.
const mandate = await delegate(root, {
  signer: orchestrator,
  holder: billing.publicJwk,
  capabilities: [
    {
      resource: 'billing:invoices/2026-03',
      actions: ['pay'],
      constraints: { amount: { max: 200 } },
    },
  ],
});
// The caller proves possession for this one request; the service verifies the whole chain.
const request = { method: 'POST', url: 'https://payments.example/invoices/2026-03/pay' };
const proof = await prove(mandate, { signer: billing, request });
const verifier = createVerifier({
  trustAnchors: [{ id: 'https://auth.example', publicJwk: authServer.publicJwk }],
  audience: 'https://payments.example',
});
const decision = await verifier.verify(mandate.token, {
  proof,
  request,
  action: { resource: 'billing:invoices/2026-03', action: 'pay', args: { amount: 120 } },
});
console.log(
  decision.allowed ? `allowed for ${decision.subject}` : `${decision.code} at hop ${decision.hop}`,
);
