/**
 * The billing world the adapter tests share: alice's root grant to an orchestrator, the
 * orchestrator's narrower delegation to a billing agent, and the billing agent's own, broader
 * grant (what a confused deputy would misuse). `extra` adds argument constraints to each.
 */
import { delegate, generateKeyPair, mint, type KeyPair, type Mandate } from '../../src/index.js';
import type { CapabilityInput } from '../../src/core/types.js';

/** The authorization server's issuer id (the trust anchor's id). */
export const AS = 'https://as.test';

type Constraints = NonNullable<CapabilityInput['constraints']>;

type KeyPairs<N extends number, R extends KeyPair[] = []> = R['length'] extends N
  ? R
  : KeyPairs<N, [...R, KeyPair]>;

/** `count` fresh key pairs, as a tuple of that length. */
export async function keyPairs<N extends number>(count: N): Promise<KeyPairs<N>> {
  return (await Promise.all(Array.from({ length: count }, () => generateKeyPair()))) as KeyPairs<N>;
}

/** alice's root: read and pay any invoice up to 500, held by `orchestrator`, for 15 minutes. */
export function aliceRoot(
  anchor: KeyPair,
  orchestrator: KeyPair,
  audience: string | readonly string[],
  extra: Constraints = {},
): Promise<Mandate> {
  return mint({
    issuer: anchor,
    issuerId: AS,
    subject: 'alice',
    holder: orchestrator.publicJwk,
    capabilities: [
      {
        resource: 'billing:invoices/**',
        actions: ['read', 'pay'],
        constraints: { amount: { max: 500 }, ...extra },
      },
    ],
    audience,
    expiresIn: '15m',
  });
}

/** The orchestrator's grant to `billing`: pay invoice 2026-03 up to 200, for 5 minutes. */
export function toBillingOf(
  root: Mandate,
  orchestrator: KeyPair,
  billing: KeyPair,
  extra: Constraints = {},
): Promise<Mandate> {
  return delegate(root, {
    signer: orchestrator,
    holder: billing.publicJwk,
    capabilities: [
      {
        resource: 'billing:invoices/2026-03',
        actions: ['pay'],
        constraints: { amount: { max: 200 }, ...extra },
      },
    ],
    expiresIn: '5m',
  });
}

/** The billing agent's own grant: pay any invoice up to 10,000, for an hour. */
export function billingOwnOf(
  anchor: KeyPair,
  billing: KeyPair,
  audience: string,
  extra: Constraints = {},
): Promise<Mandate> {
  return mint({
    issuer: anchor,
    issuerId: AS,
    subject: 'svc:billing',
    holder: billing.publicJwk,
    capabilities: [
      {
        resource: 'billing:invoices/**',
        actions: ['pay'],
        constraints: { amount: { max: 10_000 }, ...extra },
      },
    ],
    audience,
    expiresIn: '1h',
  });
}
