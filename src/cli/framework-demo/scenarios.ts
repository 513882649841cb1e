/**
 * `mandate demo --framework ai|langchain|openai-agents`: the same scenario table through each
 * agent framework. alice's orchestrator agent holds her mandate (invoice 2026-03, up to 500);
 * a scripted model makes each tool call (genuine, or as a prompt injection would); the
 * framework's own tool loop runs it; the guard decides, and the audit sink says how.
 */
import { generateKeyPair } from '../../identity/keys.js';
import { mint } from '../../format/mint.js';
import { approve } from '../../proof/approval.js';
import type { AskHuman } from '../../adapters/human-approval.js';
import { createVerifier } from '../../verify/verifier.js';
import type { AuditRecord } from '../../verify/audit.js';
import { createRunAuthority, type RunAuthority } from '../../adapters/run-authority.js';
import type { AgentToolRequirement } from '../../adapters/run-authority.js';
import type { ToolGuardOptions } from '../../adapters/tool-guard.js';
import type { CapabilityInput, Json } from '../../core/types.js';

/** The frameworks the demo runs through. */
export const FRAMEWORKS = ['ai', 'langchain', 'openai-agents'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** One tool call a scripted model makes. */
export interface ScriptedCall {
  readonly tool: 'read_invoice' | 'pay_invoice' | 'refund_invoice' | 'pay_later';
  readonly args: Readonly<Record<string, Json>>;
}

/** How the demo drives one framework. */
export interface FrameworkDriver {
  /** alice's orchestrator agent (all billing tools), its model making `call`. */
  orchestrate(authority: RunAuthority, call: ScriptedCall): Promise<void>;
  /**
   * The orchestrator hands the task to a billing sub-agent (its tools: `pay_invoice`), with a
   * mandate narrowed to `narrow`; the sub-agent's model makes `call`.
   */
  delegate(authority: RunAuthority, call: ScriptedCall): Promise<void>;
  /**
   * The orchestrator's model makes `call`, which its mandate says needs a human's approval:
   * the framework's own human-in-the-loop step pauses the run before the tool runs, asks
   * `askHuman`, and resumes with the signed approval, sent with the call.
   */
  approved(authority: RunAuthority, call: ScriptedCall, askHuman: AskHuman): Promise<void>;
}

/** What each demo tool needs: the invoice its arguments name. */
function invoiceOf(args: Readonly<Record<string, Json>>): string {
  if (typeof args.invoice !== 'string') throw new TypeError('invoice must be a string');
  return `billing:invoices/${args.invoice}`;
}
export const REQUIREMENTS: Readonly<Record<ScriptedCall['tool'], AgentToolRequirement>> = {
  read_invoice: { resource: invoiceOf, action: 'read', scope: 'billing:invoices/*' },
  pay_invoice: { resource: invoiceOf, action: 'pay', scope: 'billing:invoices/*' },
  refund_invoice: { resource: invoiceOf, action: 'refund', scope: 'billing:invoices/*' },
  // Its schema defaults an absent amount to 900.
  pay_later: { resource: invoiceOf, action: 'pay', scope: 'billing:invoices/*' },
};

/** What the billing sub-agent's mandate is narrowed to, beyond its tools. */
export const SUB_AGENT_NARROWING: readonly CapabilityInput[] = [
  {
    resource: 'billing:invoices/2026-03',
    actions: ['pay'],
    constraints: { invoice: { eq: '2026-03' }, amount: { max: 200 } },
  },
];

/** The demo's parties. */
export interface DemoCast {
  readonly alice: RunAuthority;
  /** alice's mandate again, where paying over 200 needs her approval. */
  readonly aliceApproving: RunAuthority;
  /** alice on her device: she reads the call and signs exactly it with her own key. */
  readonly alicesDevice: AskHuman;
  readonly bob: RunAuthority;
  readonly thief: RunAuthority;
  readonly guard: ToolGuardOptions;
  readonly records: AuditRecord[];
}

const ANY = { constraint_type: 'wildcard' } as const;

/** A payment over 200 needs the user's own approval (docs/guides/approvals.md). */
const OVER_200_NEEDS_USER = {
  resource: 'billing:invoices/**',
  actions: ['pay'],
  when: { amount: { constraint_type: 'range', min: 200, min_inclusive: false } },
  approvers: ['user'],
} as const;

/** Keys, alice's and bob's roots (minted in process: the demo's focus is the framework). */
export async function createDemoCast(): Promise<DemoCast> {
  const [anchor, orchestrator, attacker, device] = await Promise.all([
    generateKeyPair(),
    generateKeyPair(),
    generateKeyPair(),
    generateKeyPair(),
  ]);
  const root = (subject: string, invoice: string, max: number, approvals = false) =>
    mint({
      issuer: anchor,
      issuerId: 'https://auth.example',
      subject,
      holder: orchestrator.publicJwk,
      capabilities: [
        {
          resource: `billing:invoices/${invoice}`,
          actions: ['read', 'pay'],
          constraints: { invoice: ANY, amount: { max } },
          optional: ['amount'],
        },
      ],
      ...(approvals ? { approvals: [OVER_200_NEEDS_USER] } : {}),
      audience: 'https://tools.example',
      expiresIn: '10m',
    });
  const [alice, bob, aliceApproving] = await Promise.all([
    root('alice', '2026-03', 500),
    root('bob', '2026-07', 50),
    root('alice', '2026-03', 500, true),
  ]);
  const records: AuditRecord[] = [];
  return {
    alice: createRunAuthority({ mandate: alice, signer: orchestrator }),
    aliceApproving: createRunAuthority({ mandate: aliceApproving, signer: orchestrator }),
    alicesDevice: async (request) => [await approve(request.call, device)],
    bob: createRunAuthority({ mandate: bob, signer: orchestrator }),
    thief: createRunAuthority({ mandate: alice, signer: attacker }),
    guard: {
      verifier: createVerifier({
        trustAnchors: [{ id: 'https://auth.example', publicJwk: anchor.publicJwk }],
        audience: 'https://tools.example',
        // The tools' registry of their users' keys: alice approves with her device's key.
        userKeys: (subject) => (subject === 'alice' ? [device.publicJwk] : []),
      }),
      audit: (record) => records.push(record),
    },
    records,
  };
}

/** The outcome a scenario expects. */
export type Expected =
  | { readonly allowed: true; readonly holders: number }
  | { readonly code: string; readonly hop: number };

/** One row of the table. */
export interface FrameworkScenario {
  readonly name: string;
  readonly story: string;
  readonly expected: Expected;
  /**
   * The call goes through a human step (`approved`): a framework that asks after the
   * verifier's refusal records that refusal first (see `runFrameworkDemo`).
   */
  readonly humanStep?: true;
  run(driver: FrameworkDriver, cast: DemoCast): Promise<void>;
}

const pay = (invoice: string, amount: number): ScriptedCall => ({
  tool: 'pay_invoice',
  args: { invoice, amount },
});

/** Denied by the capability check at `hop`. */
const forbidden = (hop: number): Expected => ({ code: 'MANDATE_FORBIDDEN', hop });

/**
 * A row: `who` (alice unless named) runs the orchestrator, whose model makes `call`; with
 * `via: 'delegate'`, hands it to the billing sub-agent, whose model makes it; with `via:
 * 'approved'`, the call goes through the framework's human step, alice answering on her device.
 */
function scenario(
  name: string,
  story: string,
  expected: Expected,
  call: ScriptedCall,
  {
    who = 'alice',
    via = 'orchestrate',
  }: {
    who?: 'alice' | 'aliceApproving' | 'bob' | 'thief';
    via?: keyof FrameworkDriver;
  } = {},
): FrameworkScenario {
  if (via === 'approved') {
    return {
      name,
      story,
      expected,
      humanStep: true,
      run: (d, c) => d.approved(c[who], call, c.alicesDevice),
    };
  }
  return { name, story, expected, run: (d, c) => d[via](c[who], call) };
}

/** Every scenario, in the order the table prints them. */
export const FRAMEWORK_SCENARIOS: readonly FrameworkScenario[] = [
  scenario(
    'genuine call',
    'the orchestrator pays invoice 2026-03 (120) for alice',
    { allowed: true, holders: 1 },
    pay('2026-03', 120),
  ),
  scenario(
    'injected: invoice',
    'a prompt injection makes the model pay invoice 2026-04',
    forbidden(0),
    pay('2026-04', 120),
  ),
  scenario(
    'injected: amount',
    'a prompt injection makes the model pay 900',
    forbidden(0),
    pay('2026-03', 900),
  ),
  scenario(
    'injected: tool',
    'a prompt injection makes the model call refund_invoice',
    forbidden(0),
    { tool: 'refund_invoice', args: { invoice: '2026-03', amount: 120 } },
  ),
  scenario(
    'schema default',
    "the model omits the amount; the tool's schema defaults it to 900",
    forbidden(0),
    { tool: 'pay_later', args: { invoice: '2026-03' } },
  ),
  scenario(
    'sub-agent call',
    'the billing sub-agent (narrowed: 2026-03, up to 200) pays 150',
    { allowed: true, holders: 2 },
    pay('2026-03', 150),
    { via: 'delegate' },
  ),
  scenario(
    'sub-agent exceeds',
    'the billing sub-agent pays 300 (its orchestrator could)',
    forbidden(1),
    pay('2026-03', 300),
    { via: 'delegate' },
  ),
  scenario(
    'approval skipped',
    "an injected agent pays 300 without the human step (over 200 needs alice's approval)",
    { code: 'MANDATE_APPROVAL_REQUIRED', hop: 0 },
    pay('2026-03', 300),
    { who: 'aliceApproving' },
  ),
  scenario(
    'approved payment',
    'the run pauses before paying 300; alice approves that exact call; the tool runs',
    { allowed: true, holders: 1 },
    pay('2026-03', 300),
    { who: 'aliceApproving', via: 'approved' },
  ),
  scenario(
    'stolen mandate',
    "an attacker runs the agent with alice's mandate and its own key",
    { code: 'MANDATE_PROOF_INVALID', hop: 0 },
    pay('2026-03', 120),
    { who: 'thief' },
  ),
  scenario(
    "another user's run",
    "bob's run (his own invoice only) is made to pay alice's invoice",
    forbidden(0),
    pay('2026-03', 40),
    { who: 'bob' },
  ),
];

/** Whether the audited decision is what the scenario expects. */
export function meets(record: AuditRecord | undefined, expected: Expected): boolean {
  if (record === undefined) return false;
  if ('allowed' in expected) {
    return record.result === 'allowed' && (record.chain?.length ?? 0) - 1 === expected.holders;
  }
  return record.result === 'denied' && record.code === expected.code && record.hop === expected.hop;
}
