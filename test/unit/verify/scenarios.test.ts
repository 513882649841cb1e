import { describe, expect, it } from 'vitest';
import { createCast, SCENARIOS, type Cast } from '../../../src/cli/scenarios.js';
import { isMandateError } from '../../../src/core/errors.js';
import type { Format } from '../../../src/core/types.js';
import { parseMandate } from '../../../src/format/parse.js';

const FORMATS: readonly Format[] = ['jws', 'biscuit'];

describe.each(FORMATS)('demo scenarios (%s)', (format) => {
  let cast: Cast;

  it('sets up the cast', async () => {
    cast = await createCast(format);
    expect(cast.toBilling.blocks).toHaveLength(2);
    // alice's root came from oidc-provider on loopback (a devDependency, installed here).
    expect(cast.rootSource).toMatch(/^RFC 8693 token exchange at .* \(oidc-provider\)$/);
    expect((await parseMandate(cast.root)).blocks[0]?.issuer).toBe(cast.issuerId);
  });

  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: ${scenario.story}`, async () => {
      cast ??= await createCast(format);
      const decision = await scenario.run(cast);
      if ('allowed' in scenario.expected) {
        expect(decision).toMatchObject({ allowed: true, subject: 'alice' });
      } else {
        expect(decision).toMatchObject({
          allowed: false,
          code: scenario.expected.code,
          hop: scenario.expected.hop,
        });
      }
    });
  }

  it('delegate itself refuses the widening the hand-built block attempts', async () => {
    cast ??= await createCast(format);
    const { delegate } = await import('../../../src/format/delegate.js');
    const attempt = delegate(cast.toBilling, {
      signer: cast.billing,
      holder: cast.runner.publicJwk,
      capabilities: [{ resource: 'billing:invoices/**', actions: ['pay', 'refund'] }],
    });
    await expect(attempt).rejects.toSatisfy(
      (error) => isMandateError(error) && error.code === 'MANDATE_WIDENED' && error.hop === 2,
    );
  });

  it("the confused deputy's own grant would have allowed the payment", async () => {
    cast ??= await createCast(format);
    const { prove } = await import('../../../src/proof/prove.js');
    const request = { method: 'POST', url: 'https://payments.example/invoices/2026-04/pay' };
    const proof = await prove(cast.billingOwn, { signer: cast.billing, request });
    const decision = await cast.verifier.verify(cast.billingOwn, {
      action: { resource: 'billing:invoices/2026-04', action: 'pay', args: { amount: 120 } },
      proof,
      request,
    });
    // Allowed, but on the agent's own authority: the decision names the agent, not alice.
    expect(decision).toMatchObject({ allowed: true, subject: 'svc:billing-agent' });
  });
});
