/**
 * "Load an example": a genuine three-hop chain minted with fresh keys on every request, the
 * anchor to verify it with, names for its parties, and three requests to try (one the chain
 * allows, one it denies at the hop that narrowed the amount, and one that needs the approval
 * of alice's phone, with that approval). The private keys never leave this function: the page
 * receives only public keys, the token and the signed approval.
 *
 * @module
 */
import type { Action } from '../../core/types.js';
import { delegate } from '../../format/delegate.js';
import { mint } from '../../format/mint.js';
import type { JWK } from 'jose';
import { generateKeyPair } from '../../identity/keys.js';
import { approvalCall, approve } from '../../proof/approval.js';

/** The answer of `POST /api/example`. */
export interface ExampleView {
  readonly token: string;
  readonly anchors: readonly { readonly id: string; readonly publicJwk: JWK }[];
  readonly audience: string;
  /** Display names of the chain's parties, by principal id (as an Agent Card would name them). */
  readonly names: Readonly<Record<string, string>>;
  /**
   * A request the chain allows, one it denies, and one that needs an approval (over
   * {@link APPROVAL_THRESHOLD_EUR}), which `approvals` approves.
   */
  readonly requests: {
    readonly genuine: Action;
    readonly denied: Action;
    readonly needsApproval: Action;
  };
  /** Approvals of `requests.needsApproval`, signed by alice's phone. */
  readonly approvals: readonly string[];
}

/** Payments from this amount on need the approval of alice's phone. */
export const APPROVAL_THRESHOLD_EUR = 150;

const ANCHOR = 'https://auth.example';
const AUDIENCE = 'https://payments.example';

/** Mint a fresh example chain: auth server → orchestrator → billing agent. */
export async function exampleChain(): Promise<ExampleView> {
  const [authServer, orchestrator, billing, phone] = await Promise.all([
    generateKeyPair(),
    generateKeyPair(),
    generateKeyPair(),
    generateKeyPair(),
  ]);
  const root = await mint({
    issuer: authServer,
    issuerId: ANCHOR,
    subject: 'alice',
    holder: orchestrator.publicJwk,
    capabilities: [
      { resource: 'billing:invoices/**', actions: ['read'] },
      {
        resource: 'billing:invoices/**',
        actions: ['pay'],
        constraints: { amount: { max: 500 }, currency: { in: ['EUR', 'USD'] } },
      },
    ],
    approvals: [
      {
        resource: 'billing:invoices/**',
        actions: ['pay'],
        when: { amount: { min: APPROVAL_THRESHOLD_EUR } },
        approvers: [phone.id],
      },
    ],
    audience: AUDIENCE,
    expiresIn: '1h',
    purpose: 'settle March invoices',
  });
  const mandate = await delegate(root, {
    signer: orchestrator,
    holder: billing.publicJwk,
    capabilities: [
      {
        resource: 'billing:invoices/2026-03',
        actions: ['pay'],
        constraints: { amount: { max: 200 }, currency: { eq: 'EUR' } },
      },
    ],
    expiresIn: '30m',
  });
  const needsApproval: Action = {
    resource: 'billing:invoices/2026-03',
    action: 'pay',
    args: { amount: 180, currency: 'EUR' },
  };
  const approval = await approve(
    await approvalCall(mandate, { action: needsApproval, audience: AUDIENCE }),
    phone,
  );
  return {
    token: mandate.token,
    anchors: [{ id: ANCHOR, publicJwk: authServer.publicJwk }],
    audience: AUDIENCE,
    names: {
      [ANCHOR]: 'auth server',
      [orchestrator.id]: 'orchestrator',
      [billing.id]: 'billing agent',
      [phone.id]: "alice's phone",
    },
    requests: {
      genuine: {
        resource: 'billing:invoices/2026-03',
        action: 'pay',
        args: { amount: 120, currency: 'EUR' },
      },
      denied: {
        resource: 'billing:invoices/2026-03',
        action: 'pay',
        args: { amount: 300, currency: 'EUR' },
      },
      needsApproval,
    },
    approvals: [approval],
  };
}
