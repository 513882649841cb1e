/**
 * `mandate demo --framework ai|langchain|openai-agents`: the same scenario table through each
 * agent framework. alice's orchestrator agent holds her mandate (invoice 2026-03, up to 500);
 * a scripted model makes each tool call (genuine, or as a prompt injection would); the
 * framework's own tool loop runs it; the guard decides, and the audit sink says how.
 */
import { generateKeyPair } from '../../identity/keys.js';
import { mint } from '../../format/mint.js';
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
  readonly bob: RunAuthority;
  readonly thief: RunAuthority;
  readonly guard: ToolGuardOptions;
  readonly records: AuditRecord[];
}

const ANY = { constraint_type: 'wildcard' } as const;

/** Keys, alice's and bob's roots (minted in process: the demo's focus is the framework). */
export async function createDemoCast(): Promise<DemoCast> {
  const [anchor, orchestrator, attacker] = await Promise.all([
    generateKeyPair(),
    generateKeyPair(),
    generateKeyPair(),
  ]);
  const root = (subject: string, invoice: string, max: number) =>
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
      audience: 'https://tools.example',
      expiresIn: '10m',
    });
  const [alice, bob] = await Promise.all([
    root('alice', '2026-03', 500),
    root('bob', '2026-07', 50),
  ]);
  const records: AuditRecord[] = [];
  return {
    alice: createRunAuthority({ mandate: alice, signer: orchestrator }),
    bob: createRunAuthority({ mandate: bob, signer: orchestrator }),
    thief: createRunAuthority({ mandate: alice, signer: attacker }),
    guard: {
      verifier: createVerifier({
        trustAnchors: [{ id: 'https://auth.example', publicJwk: anchor.publicJwk }],
        audience: 'https://tools.example',
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
  run(driver: FrameworkDriver, cast: DemoCast): Promise<void>;
}

const pay = (invoice: string, amount: number): ScriptedCall => ({
  tool: 'pay_invoice',
  args: { invoice, amount },
});

/** Denied by the capability check at `hop`. */
const forbidden = (hop: number): Expected => ({ code: 'MANDATE_FORBIDDEN', hop });

/**
 * A row: `who` (alice unless named) runs the orchestrator, whose model makes `call`, or with
 * `via: 'delegate'`, hands it to the billing sub-agent, whose model makes it.
 */
function scenario(
  name: string,
  story: string,
  expected: Expected,
  call: ScriptedCall,
  {
    who = 'alice',
    via = 'orchestrate',
  }: { who?: 'alice' | 'bob' | 'thief'; via?: keyof FrameworkDriver } = {},
): FrameworkScenario {
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
