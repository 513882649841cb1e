/**
 * A world for approval tests: a billing mandate whose payments over 200 need the user's
 * approval, and whose deletions need 2 of 3 named approvers.
 */
import {
  createVerifier,
  generateKeyPair,
  mint,
  prove,
  type Action,
  type ApprovalRequirementInput,
  type Format,
  type KeyPair,
  type Mandate,
  type VerifierOptions,
  type VerifyRequest,
} from '../../src/index.js';
import { ANCHOR_ID, NOW, delegatedAlong } from './fixture.js';

export { ANCHOR_ID, NOW };
export const AUDIENCE = 'https://billing.test';
export const TOOL_REQUEST = (args: Record<string, string | number>) =>
  ({ tool: 'pay', args }) as const;

export interface ApprovalWorld {
  readonly anchor: KeyPair;
  readonly agents: readonly [KeyPair, KeyPair, KeyPair];
  /** The originating user's own key (the `'user'` approver). */
  readonly user: KeyPair;
  /** Three named approvers. */
  readonly approvers: readonly [KeyPair, KeyPair, KeyPair];
  readonly stranger: KeyPair;
}

export async function createApprovalWorld(): Promise<ApprovalWorld> {
  const keys = await Promise.all(Array.from({ length: 9 }, () => generateKeyPair()));
  const [anchor, a, b, c, user, x, y, z, stranger] = keys as [
    KeyPair,
    KeyPair,
    KeyPair,
    KeyPair,
    KeyPair,
    KeyPair,
    KeyPair,
    KeyPair,
    KeyPair,
  ];
  return { anchor, agents: [a, b, c], user, approvers: [x, y, z], stranger };
}

export const CAPABILITIES = [
  {
    resource: 'billing:invoices/**',
    actions: ['pay', 'delete'],
    constraints: { amount: { min: 0, max: 1000 } },
  },
];

/** A payment over 200 needs the user's own approval. */
export const USER_APPROVES_OVER_200: ApprovalRequirementInput = {
  resource: 'billing:invoices/**',
  actions: ['pay'],
  when: { amount: { constraint_type: 'range', min: 200, min_inclusive: false } },
  approvers: ['user'],
};

/** Payments over 200 need the user; deletions need 2 of the three approvers. */
export function requirements(world: ApprovalWorld): ApprovalRequirementInput[] {
  return [
    USER_APPROVES_OVER_200,
    {
      resource: 'billing:invoices/**',
      actions: ['delete'],
      approvers: world.approvers.map((k) => k.id),
      threshold: 2,
    },
  ];
}

export const pay = (amount: number, invoice = '2026-03'): Action => ({
  resource: `billing:invoices/${invoice}`,
  action: 'pay',
  args: { amount },
});

/** A root held by agents[0] carrying the requirements, then `hops` plain delegations. */
export async function approvalChain(
  world: ApprovalWorld,
  hops: 0 | 1 | 2 = 1,
  format: Format = 'jws',
): Promise<Mandate> {
  const root = await mint({
    issuer: world.anchor,
    issuerId: ANCHOR_ID,
    subject: 'alice',
    holder: world.agents[0].publicJwk,
    capabilities: CAPABILITIES,
    approvals: requirements(world),
    expiresIn: 600,
    audience: AUDIENCE,
    now: NOW,
    format,
  });
  return delegatedAlong(root, world.agents, hops);
}

/** The start of most approval tests: the world, and its one-hop chain with that hop's holder. */
export async function oneHopApprovals(): Promise<{
  readonly world: ApprovalWorld;
  readonly holder: KeyPair;
  readonly mandate: Mandate;
}> {
  const world = await createApprovalWorld();
  return { world, holder: world.agents[1], mandate: await approvalChain(world, 1) };
}

/**
 * alice's grant to an agent (`holder`), as an agent framework's tools use it: pay any invoice
 * (the `invoice` argument names it) up to 1000, a payment over 200 with her approval.
 */
export function agentPaymentMandate(
  anchor: KeyPair,
  holder: KeyPair,
  audience: string | readonly string[],
): Promise<Mandate> {
  return mint({
    issuer: anchor,
    issuerId: ANCHOR_ID,
    subject: 'alice',
    holder: holder.publicJwk,
    capabilities: [
      {
        resource: 'billing:invoices/*',
        actions: ['pay'],
        constraints: { invoice: { constraint_type: 'wildcard' }, amount: { max: 1000 } },
      },
    ],
    approvals: [USER_APPROVES_OVER_200],
    audience,
    expiresIn: '10m',
  });
}

export function approvalVerifier(world: ApprovalWorld, options: Partial<VerifierOptions> = {}) {
  return createVerifier({
    trustAnchors: [{ id: ANCHOR_ID, publicJwk: world.anchor.publicJwk }],
    audience: AUDIENCE,
    clock: () => NOW,
    userKeys: (subject) => (subject === 'alice' ? [world.user.publicJwk] : []),
    ...options,
  });
}

let proofCount = 0;

/** Verify `action` with a fresh proof by `signer`, the given approvals and single-use ids. */
export async function callWith(
  verifier: ReturnType<typeof createVerifier>,
  mandate: Mandate | string,
  signer: KeyPair,
  action: Action,
  approvals?: readonly string[],
  singleUse?: VerifyRequest['singleUse'],
) {
  const request = { method: 'POST', url: `${AUDIENCE}/pay` } as const;
  const proof = await prove(mandate, {
    signer,
    request,
    now: NOW,
    jti: `proof-${++proofCount}`,
  });
  return verifier.verify(mandate, {
    action,
    proof,
    request,
    ...(approvals === undefined ? {} : { approvals }),
    ...(singleUse === undefined ? {} : { singleUse }),
  });
}
