/**
 * The billing world the adapter tests share: alice's root grant to an orchestrator, the
 * orchestrator's narrower delegation to a billing agent, and the billing agent's own, broader
 * grant (what a confused deputy would misuse). `extra` adds argument constraints to each.
 */
import {
  createVerifier,
  delegate,
  generateKeyPair,
  mint,
  type KeyPair,
  type Mandate,
  type MintOptions,
  type Verifier,
  type VerifierOptions,
} from '../../src/index.js';
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

/** The payment service the HTTP tests run (the audience of {@link serviceGrant}'s mandate). */
export const PAYMENTS = 'https://payments.test';

/** alice's mandate for the payment service, the keys around it, and the service's verifier. */
export interface ServiceGrant {
  readonly anchor: KeyPair;
  /** The agent the mandate is for. */
  readonly agent: KeyPair;
  /** A key the mandate does not name: an attacker, or the user who approves. */
  readonly other: KeyPair;
  readonly mandate: Mandate;
  /** The service's verifier (the anchor, the service as audience), with `options` added. */
  readonly verifier: (options?: Partial<VerifierOptions>) => Verifier;
}

/** alice's mandate for {@link PAYMENTS}, held by a fresh agent for 10 minutes: `grant` says what. */
export async function serviceGrant(
  grant: Pick<MintOptions, 'capabilities' | 'approvals'>,
): Promise<ServiceGrant> {
  const [anchor, agent, other] = await keyPairs(3);
  const mandate = await mint({
    issuer: anchor,
    issuerId: AS,
    subject: 'alice',
    holder: agent.publicJwk,
    ...grant,
    audience: PAYMENTS,
    expiresIn: '10m',
  });
  return {
    anchor,
    agent,
    other,
    mandate,
    verifier: (options = {}) =>
      createVerifier({
        trustAnchors: [{ id: AS, publicJwk: anchor.publicJwk }],
        audience: PAYMENTS,
        ...options,
      }),
  };
}
