/**
 * The world the agent-framework tests share: alice's and bob's root grants to an orchestrator
 * agent, a tool verifier, tool requirements, and tool bodies that record every run (so a test
 * can assert that a denied call never reached one).
 */
import {
  createVerifier,
  mint,
  type CapabilityInput,
  type KeyPair,
  type Mandate,
  type Verifier,
} from '../../src/index.js';
import type { AuditRecord } from '../../src/verify/audit.js';
import type { AgentToolRequirement } from '../../src/adapters/run-authority.js';
import { AS, keyPairs } from './billing.js';

export { AS };
/** The in-process tool service (the guards' verifier audience). */
export const TOOLS = 'https://tools.test';
/** The remote MCP tool process. */
export const REMOTE = 'https://payments.test/mcp';

const ANY = { constraint_type: 'wildcard' } as const;

/** A user's grant to the orchestrator: read and pay one invoice, up to `max`. */
function grantFor(invoice: string, max: number): CapabilityInput[] {
  return [
    {
      resource: `billing:invoices/${invoice}`,
      actions: ['read', 'pay'],
      constraints: { invoice: ANY, amount: { max } },
      optional: ['amount'],
    },
  ];
}

/** The resource a billing tool acts on: the invoice its arguments name. */
function invoiceResource(args: Readonly<Record<string, unknown>>): string {
  if (typeof args.invoice !== 'string') throw new TypeError('invoice must be a string');
  return `billing:invoices/${args.invoice}`;
}

/** What each billing tool needs. */
export const REQUIREMENTS = {
  read_invoice: { resource: invoiceResource, action: 'read', scope: 'billing:invoices/*' },
  pay_invoice: { resource: invoiceResource, action: 'pay', scope: 'billing:invoices/*' },
  refund_invoice: { resource: invoiceResource, action: 'refund', scope: 'billing:invoices/*' },
} as const satisfies Record<string, AgentToolRequirement>;

/** One run of a tool body. */
export interface ToolRun {
  readonly tool: string;
  readonly args: Readonly<Record<string, unknown>>;
  /** The verified user, as the guard told the body. */
  readonly user: string | undefined;
}

export interface World {
  readonly anchor: KeyPair;
  readonly orchestrator: KeyPair;
  readonly thief: KeyPair;
  /** alice: invoice 2026-03, up to 500. */
  readonly alice: Mandate;
  /** bob: invoice 2026-07, up to 50. */
  readonly bob: Mandate;
  readonly verifier: Verifier;
  /** Every audit record, in order. */
  readonly audit: AuditRecord[];
  /** Every tool body run, in order. */
  readonly runs: ToolRun[];
}

/** Make the world: keys, alice's and bob's roots (for the local tools and the remote one). */
export async function createWorld(): Promise<World> {
  const [anchor, orchestrator, thief] = await keyPairs(3);
  const root = (subject: string, invoice: string, max: number) =>
    mint({
      issuer: anchor,
      issuerId: AS,
      subject,
      holder: orchestrator.publicJwk,
      capabilities: grantFor(invoice, max),
      audience: [TOOLS, REMOTE],
      expiresIn: '15m',
    });
  return {
    anchor,
    orchestrator,
    thief,
    alice: await root('alice', '2026-03', 500),
    bob: await root('bob', '2026-07', 50),
    verifier: createVerifier({
      trustAnchors: [{ id: AS, publicJwk: anchor.publicJwk }],
      audience: TOOLS,
    }),
    audit: [],
    runs: [],
  };
}

/** Calls a prompt injection makes outside alice's mandate: [what, tool, args]. */
export const INJECTED_CALLS = [
  ['another invoice', 'pay_invoice', { invoice: '2026-04', amount: 120 }],
  ['a larger amount', 'pay_invoice', { invoice: '2026-03', amount: 900 }],
  ['another tool', 'refund_invoice', { invoice: '2026-03', amount: 120 }],
] as const;

/** What a billing sub-agent's mandate is narrowed to beyond its tools: invoice 2026-03, up to 200. */
export const SUB_AGENT_NARROW: CapabilityInput[] = [
  {
    resource: 'billing:invoices/2026-03',
    actions: ['pay'],
    constraints: { invoice: { eq: '2026-03' }, amount: { max: 200 } },
  },
];

/** The tool runs since `since` are exactly alice's 2026-03 (120) and bob's 2026-07 (40). */
export function expectEachPaidOwn(
  world: World,
  since: number,
  expect: (value: unknown) => {
    toHaveLength(n: number): void;
    toContainEqual(v: unknown): void;
  },
): void {
  const ran = world.runs.slice(since);
  expect(ran).toHaveLength(2);
  expect(ran).toContainEqual({
    tool: 'pay_invoice',
    args: { invoice: '2026-03', amount: 120 },
    user: 'alice',
  });
  expect(ran).toContainEqual({
    tool: 'pay_invoice',
    args: { invoice: '2026-07', amount: 40 },
    user: 'bob',
  });
}
