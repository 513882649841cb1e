/**
 * The world the agent-framework tests share: alice's and bob's root grants to an orchestrator
 * agent, a tool verifier, tool requirements, and tool bodies that record every run (so a test
 * can assert that a denied call never reached one).
 */
import { afterAll, beforeAll } from 'vitest';
import {
  createVerifier,
  mint,
  type ApprovalRequirementInput,
  type CapabilityInput,
  type KeyPair,
  type Mandate,
  type Verifier,
} from '../../src/index.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { AuditRecord } from '../../src/verify/audit.js';
import {
  connectedClient,
  startPaymentTool,
  type PaymentToolServer,
} from '../integration/mcp/server.js';
import {
  createRunAuthority,
  type AgentToolRequirement,
  type RunAuthority,
} from '../../src/adapters/run-authority.js';
import { AS, keyPairs } from './billing.js';

export { AS };
/** The in-process tool service (the guards' verifier audience). */
export const TOOLS = 'https://tools.test';
/** The remote MCP tool process. */
export const REMOTE = 'https://payments.test/mcp';

const ANY = { constraint_type: 'wildcard' } as const;

/** A user's grant to the orchestrator: read and pay one invoice, up to `max`. */
export function grantFor(invoice: string, max: number): CapabilityInput[] {
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
  /** alice's own key: the `'user'` approver of her mandates (the verifier's `userKeys`). */
  readonly user: KeyPair;
  /** alice: invoice 2026-03, up to 500. */
  readonly alice: Mandate;
  /** alice's grant again, where paying over 200 needs her approval ({@link OVER_200}). */
  readonly approving: Mandate;
  /** bob: invoice 2026-07, up to 50. */
  readonly bob: Mandate;
  readonly verifier: Verifier;
  /** Every audit record, in order. */
  readonly audit: AuditRecord[];
  /** Every tool body run, in order. */
  readonly runs: ToolRun[];
}

/** Paying more than 200 needs the user's own approval (docs/guides/approvals.md). */
export const OVER_200: ApprovalRequirementInput = {
  resource: 'billing:invoices/**',
  actions: ['pay'],
  when: { amount: { constraint_type: 'range', min: 200, min_inclusive: false } },
  approvers: ['user'],
};

/** Make the world: keys, alice's and bob's roots (for the local tools and the remote one). */
export async function createWorld(): Promise<World> {
  const [anchor, orchestrator, thief, user] = await keyPairs(4);
  const root = (
    subject: string,
    invoice: string,
    max: number,
    approvals?: ApprovalRequirementInput[],
  ) =>
    mint({
      issuer: anchor,
      issuerId: AS,
      subject,
      holder: orchestrator.publicJwk,
      capabilities: grantFor(invoice, max),
      ...(approvals === undefined ? {} : { approvals }),
      audience: [TOOLS, REMOTE],
      expiresIn: '15m',
    });
  return {
    anchor,
    orchestrator,
    thief,
    user,
    alice: await root('alice', '2026-03', 500),
    approving: await root('alice', '2026-03', 500, [OVER_200]),
    bob: await root('bob', '2026-07', 50),
    verifier: createVerifier({
      trustAnchors: [{ id: AS, publicJwk: anchor.publicJwk }],
      audience: TOOLS,
      userKeys: (subject) => (subject === 'alice' ? [user.publicJwk] : []),
    }),
    audit: [],
    runs: [],
  };
}

/** An object that `make` fills in before the file's tests run (a `beforeAll` this registers). */
function madeBeforeAll<T extends object>(make: () => Promise<T>): T {
  const made = {} as T;
  beforeAll(async () => {
    Object.assign(made, await make());
  });
  return made;
}

/** The test file's world: made before its tests run, so the file may hold it from the start. */
export function worldPerFile(): World {
  return madeBeforeAll(createWorld);
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

/** The scripted model step that pays `amount` on `invoice` (every framework's script plays it). */
export function payStep(invoice: string, amount: number) {
  return { calls: [{ tool: 'pay_invoice', args: { invoice, amount } }] } as const;
}

/** What `expect` the shared assertions need (vitest's, passed in as `expectEachPaidOwn` takes it). */
type Expect = (value: unknown) => {
  toEqual(v: unknown): void;
  toMatchObject(v: object): void;
  toMatch(v: RegExp): void;
};

/**
 * The tool runs since `since` are exactly alice's payment of `amount` on 2026-03, and the last
 * audit record allowed it for alice through `transport`, with the framework's call id.
 */
export function expectAlicePaid(
  world: World,
  since: number,
  transport: string,
  expect: Expect,
  amount = 120,
): void {
  expect(world.runs.slice(since)).toEqual([
    { tool: 'pay_invoice', args: { invoice: '2026-03', amount }, user: 'alice' },
  ]);
  expect(world.audit.at(-1)).toMatchObject({
    result: 'allowed',
    user: 'alice',
    transport,
    target: 'pay_invoice',
    action: { resource: 'billing:invoices/2026-03', action: 'pay' },
  });
  expect(world.audit.at(-1)?.callId).toMatch(/^call-/);
}

/** No tool ran since `since`, and the last audit record denied `target` with this code and hop. */
export function expectDeniedUnrun(
  world: World,
  since: number,
  denied: {
    readonly code: string;
    readonly hop: number;
    readonly check: string;
    readonly target?: string;
  },
  expect: Expect,
): void {
  expect(world.runs.length).toEqual(since);
  expect(world.audit.at(-1)).toMatchObject({ result: 'denied', ...denied });
}

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

/**
 * alice's and bob's runs at once, each paying its own invoice and then the other's: `run` is
 * one agent run of the framework under test, whose model makes `step`. Checks that the tool
 * ran exactly for each user's own payment ({@link expectEachPaidOwn}); returns the runs'
 * results as [alice's own, bob's own, alice on bob's, bob on alice's].
 */
export async function crossedUserRuns<R>(
  world: World,
  run: (authority: RunAuthority, step: ReturnType<typeof payStep>) => Promise<R>,
  expect: Parameters<typeof expectEachPaidOwn>[2],
): Promise<readonly [R, R, R, R]> {
  const alice = () => createRunAuthority({ mandate: world.alice, signer: world.orchestrator });
  const bob = createRunAuthority({ mandate: world.bob, signer: world.orchestrator });
  const runs = world.runs.length;
  const results = await Promise.all([
    run(alice(), payStep('2026-03', 120)),
    run(bob, payStep('2026-07', 40)),
    run(alice(), payStep('2026-07', 40)),
    run(bob, payStep('2026-03', 40)),
  ]);
  expectEachPaidOwn(world, runs, expect);
  return results;
}

/** An answer to an approval request that approves nothing: [what, what the model reads, it]. */
export type NotApproving<Request> = readonly [string, string, (request: Request) => unknown];

/** The answers that approve nothing in every framework's approval step (whatever it asks). */
export const NOT_APPROVING = {
  refusal: [
    'a refusal',
    'MANDATE_APPROVAL_REFUSED @ hop 0 (authorize): the approver refused: not this month',
    () => ({ refused: true, reason: 'not this month' }),
  ],
  none: ['no approval at all', 'MANDATE_APPROVAL_REFUSED @ hop 0 (authorize)', () => []],
  bareYes: ['a bare yes', 'MANDATE_APPROVAL_INVALID @ hop 0 (authorize)', () => 'yes'],
  tooMany: [
    'too many approvals',
    'MANDATE_LIMIT_EXCEEDED @ hop 0 (limits)',
    () => Array<string>(17).fill('x'),
  ],
} as const satisfies Record<string, NotApproving<never>>;

/** The remote payment tool (in this process, on loopback) and an MCP client connected to it. */
export interface RemoteTool {
  readonly server: PaymentToolServer;
  readonly client: Client;
  close(): Promise<void>;
}

/**
 * Start the `mandate/mcp` payment tool as the service {@link REMOTE}, whose verifier knows
 * alice's own key (`userKeys`, for approvals), and connect an MCP client to it.
 */
export async function startRemoteTool(world: World): Promise<RemoteTool> {
  const server = await startPaymentTool(
    createVerifier({
      trustAnchors: [{ id: AS, publicJwk: world.anchor.publicJwk }],
      audience: REMOTE,
      userKeys: (subject) => (subject === 'alice' ? [world.user.publicJwk] : []),
    }),
    { audience: REMOTE, authorizationServers: [AS] },
  );
  const client = await connectedClient(server.url);
  return {
    server,
    client,
    async close() {
      await client.close();
      await server.close();
    },
  };
}

/** The remote tool for the file's `world`, started before its tests and closed after them. */
export function remoteToolPerFile(world: World): RemoteTool {
  const remote = madeBeforeAll(() => startRemoteTool(world));
  afterAll(async () => {
    // Nothing to close where the start failed (that failure is the file's error).
    if ('close' in remote) await remote.close();
  });
  return remote;
}
