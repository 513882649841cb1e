/** The sender proof in every encoding: only the grant's delegator can sign it, for one send. */
import { describe, expect, it } from 'vitest';
import { delegate, generateKeyPair, mint, type Format } from '../../../src/index.js';
import { checkSender, proveSender, type SenderRequest } from '../../../src/proof/sender.js';
import { KeyCache } from '../../../src/identity/jwk.js';

const request: SenderRequest = { audience: 'https://billing.test', message: 'm-1', content: [1] };
const ctx = () => ({
  now: Math.floor(Date.now() / 1000),
  window: 60,
  algorithms: ['Ed25519', 'ES256'] as const,
  keys: new KeyCache(),
});

async function grantIn(format: Format) {
  const [anchor, delegator, agent] = await Promise.all([
    generateKeyPair(),
    generateKeyPair(),
    generateKeyPair(),
  ]);
  const capabilities = [
    format === 'aat'
      ? { resource: 'tool:pay', actions: ['call'] }
      : { resource: 'billing:invoices/1', actions: ['pay'] },
  ];
  const root = await mint({
    issuer: anchor,
    issuerId: 'https://as.test',
    ...(format === 'aat' ? {} : { subject: 'alice' }),
    holder: delegator.publicJwk,
    capabilities,
    audience: 'https://billing.test',
    expiresIn: 300,
    format,
  });
  const grant = await delegate(root, { signer: delegator, holder: agent.publicJwk, capabilities });
  return { grant, delegator, agent };
}

describe.each(['jws', 'biscuit', 'aat'] as const)('sender proof for a %s grant', (format) => {
  it('the delegator signs it; it checks for this send only', async () => {
    const { grant, delegator } = await grantIn(format);
    const proof = await proveSender(grant, { signer: delegator, request });
    const checked = await checkSender(proof, grant.token, request, ctx());
    expect(checked).toMatchObject({ delegator: delegator.id, hop: 1 });
    for (const other of [
      { ...request, audience: 'https://other.test' },
      { ...request, message: 'm-2' },
      { ...request, content: [2] },
    ]) {
      await expect(checkSender(proof, grant.token, other, ctx())).rejects.toMatchObject({
        code: 'MANDATE_PROOF_INVALID',
        hop: 1,
        check: 'possession',
      });
    }
    await expect(checkSender(undefined, grant.token, request, ctx())).rejects.toMatchObject({
      code: 'MANDATE_PROOF_MISSING',
      hop: 1,
      check: 'possession',
    });
  });

  it('the grant’s holder cannot sign it', async () => {
    const { grant, agent } = await grantIn(format);
    await expect(proveSender(grant, { signer: agent, request })).rejects.toMatchObject({
      code: 'MANDATE_PROOF_INVALID',
      hop: 1,
      check: 'possession',
    });
  });
});
