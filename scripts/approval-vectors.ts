/**
 * Writes test/vectors/approvals.json: approval requirements and approvals (docs/guides/approvals.md)
 * in all three encodings (JWS chain, AAT, Biscuit), with the decision a verifier configured as
 * in `verifier` must reach for each case: allowed, approval required, and each attack on an
 * approval denied with its code (another amount, holder or audience, expired, replayed, replayed
 * beside a fresh one, signed by a non-approver, the same approver twice, a requirement stripped
 * by a middle hop). docs/vectors.md describes the file.
 *
 * Deterministic: fixed Ed25519 seeds, block, proof and approval ids and clocks, and
 * deterministic signatures; the suite regenerates it in memory and fails on any drift (run
 * `npm run vectors:generate` after a deliberate change).
 */
import { normalizeApprovalRequirements } from '../src/core/approval-requirement.js';
import { DEFAULT_LIMITS } from '../src/core/limits.js';
import { codecOf } from '../src/format/codec.js';
import { planDelegation } from '../src/format/plan.js';
import { prepareSigner } from '../src/identity/keys.js';
import {
  approvalCall,
  approve,
  delegate,
  mint,
  prove,
  type ApprovalCall,
  type ApprovalRequirementInput,
  type Format,
  type KeyPair,
  type Mandate,
} from '../src/index.js';
import { keyPairFromSeed, TEST_SEEDS } from '../test/helpers/forge.js';
import { vectorPath, VECTOR_ISSUER, VECTOR_NOW, type VectorFileHeader } from './vector-file.js';

export const APPROVAL_VECTORS_PATH = vectorPath('approvals.json');

const NOW = VECTOR_NOW;
const AUDIENCE = 'https://payments.vectors.mandate.test';
const OTHER_AUDIENCE = 'https://hr.vectors.mandate.test';
const FORMATS: readonly Format[] = ['jws', 'aat', 'biscuit'];

/** The approvers' test seeds (the chain's parties come from TEST_SEEDS). */
const APPROVER_SEEDS = {
  user: '0707070707070707070707070707070707070707070707070707070707070707',
  approverX: '0808080808080808080808080808080808080808080808080808080808080808',
  approverY: '0909090909090909090909090909090909090909090909090909090909090909',
  approverZ: '0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a',
} as const;
type Party =
  'anchor' | 'orchestrator' | 'billing' | 'runner' | 'mallory' | keyof typeof APPROVER_SEEDS;
const SEEDS: Readonly<Record<Party, string>> = {
  anchor: TEST_SEEDS.anchor,
  orchestrator: TEST_SEEDS.orchestrator,
  billing: TEST_SEEDS.billing,
  runner: TEST_SEEDS.runner,
  mallory: TEST_SEEDS.mallory,
  ...APPROVER_SEEDS,
};

/** A tool call: what an AAT chain proves, and what the JWS and Biscuit cases present too. */
type ToolRequest = { readonly tool: string; readonly args: { readonly amount: number } };

/** One case (Wycheproof-like, as the other vector files; docs/vectors.md). */
export interface ApprovalVectorCase {
  readonly tcId: number;
  readonly name: string;
  readonly comment: string;
  readonly format: Format;
  readonly token: string;
  /** The proof of possession of the chain's last holder for `request`. */
  readonly proof: string;
  readonly request: ToolRequest;
  /** The signed approvals presented with the request (`VerifyRequest.approvals`). */
  readonly approvals: readonly string[];
  /** The verifier's clock for this case, in seconds since the epoch. */
  readonly now: number;
  /** Cases run first, in this order, on the same replay store (each reaching its own result). */
  readonly before?: readonly number[];
  readonly result: 'valid' | 'invalid';
  readonly expected:
    | {
        readonly code: string;
        readonly hop: number;
        readonly check: string;
        /** Which approval (and member) failed, for a denial of one approval. */
        readonly detail?: { readonly path: string };
      }
    | {
        readonly subject: string;
        readonly chain: readonly string[];
        readonly approvedBy?: readonly string[];
      };
}

export interface ApprovalVectorFile extends VectorFileHeader<Party> {
  readonly verifier: {
    readonly trustAnchors: readonly { id: string; publicJwk: unknown }[];
    readonly audience: string;
    readonly clockTolerance: number;
    readonly proofWindow: number;
    readonly maxApprovalLifetime: number;
    /**
     * `userKeys(subject)`: the keys each originating user registered (an AAT chain's subject is
     * its root's `iss`: AAT has no `sub`).
     */
    readonly userKeys: Readonly<Record<string, readonly unknown[]>>;
    readonly limits: typeof DEFAULT_LIMITS;
    readonly replayStore: string;
  };
  /** The approval requirements every root carries. */
  readonly requirements: readonly ApprovalRequirementInput[];
  readonly numberOfTests: number;
  readonly tests: readonly ApprovalVectorCase[];
}

/** The originating user: `alice`; AAT has no `sub`, so there the subject is the root's `iss`. */
const subjectOf = (format: Format): string => (format === 'aat' ? VECTOR_ISSUER : 'alice');

const pay = (amount: number): ToolRequest => ({ tool: 'pay', args: { amount } });
const remove = (amount: number): ToolRequest => ({ tool: 'delete', args: { amount } });

/** Build every vector. Deterministic: same code, same output. */
export async function generateApprovalVectors(): Promise<ApprovalVectorFile> {
  const k = Object.fromEntries(
    Object.entries(SEEDS).map(([name, seed]) => [name, keyPairFromSeed(seed)]),
  ) as Record<Party, KeyPair>;
  const requirements: ApprovalRequirementInput[] = [
    {
      resource: 'tool:pay',
      actions: ['call'],
      when: { amount: { constraint_type: 'range', min: 200, min_inclusive: false } },
      approvers: ['user'],
    },
    {
      resource: 'tool:delete',
      actions: ['call'],
      approvers: [k.approverX.id, k.approverY.id, k.approverZ.id],
      threshold: 2,
    },
  ];
  const tests: ApprovalVectorCase[] = [];

  for (const format of FORMATS) {
    const root = await mint({
      issuer: k.anchor,
      issuerId: VECTOR_ISSUER,
      // AAT tokens carry no subject (draft section 3.2).
      ...(format === 'aat' ? {} : { subject: 'alice' }),
      holder: k.orchestrator.publicJwk,
      capabilities: [
        { resource: 'tool:pay', actions: ['call'], constraints: { amount: { max: 1000 } } },
        { resource: 'tool:delete', actions: ['call'], constraints: { amount: { max: 1000 } } },
      ],
      approvals: requirements,
      expiresIn: 900,
      audience: AUDIENCE,
      now: NOW,
      format,
      id: `appr-${format}-root`,
    });
    const mandate = await delegate(root, {
      signer: k.orchestrator,
      holder: k.billing.publicJwk,
      expiresIn: 600,
      now: NOW,
      id: `appr-${format}-hop-1`,
    });
    const chain = [VECTOR_ISSUER, k.orchestrator.id, k.billing.id];

    const add = async (c: {
      name: string;
      comment: string;
      request: ToolRequest;
      approvals?: readonly string[];
      token?: string;
      prover?: KeyPair;
      before?: readonly number[];
      expected: { code: string; hop: number; path?: string } | { approvedBy?: readonly string[] };
    }): Promise<number> => {
      const tcId = tests.length + 1;
      const token = c.token ?? mandate.token;
      const proof = await prove(token, {
        signer: c.prover ?? k.billing,
        request: c.request,
        now: NOW,
        jti: `appr-proof-${tcId}`,
      });
      const valid = !('code' in c.expected);
      tests.push({
        tcId,
        name: `${format}-${c.name}`,
        comment: `${format.toUpperCase()}: ${c.comment}`,
        format,
        token,
        proof,
        request: c.request,
        approvals: c.approvals ?? [],
        now: NOW,
        ...(c.before === undefined ? {} : { before: c.before }),
        result: valid ? 'valid' : 'invalid',
        expected:
          'code' in c.expected
            ? {
                code: `MANDATE_${c.expected.code}`,
                hop: c.expected.hop,
                check: 'authorize',
                ...(c.expected.path === undefined ? {} : { detail: { path: c.expected.path } }),
              }
            : { subject: subjectOf(format), chain, ...c.expected },
      });
      return tcId;
    };
    const callFor = (request: ToolRequest): Promise<ApprovalCall> =>
      approvalCall(mandate, { request });
    const sign = (call: ApprovalCall, by: KeyPair, jti: string, now = NOW) =>
      approve(call, by, { now, jti: `appr-${format}-${jti}` });

    const pay250 = await callFor(pay(250));
    const byUser = await sign(pay250, k.user, 'user-250');
    const byUserAgain = await sign(pay250, k.user, 'user-250-again');

    await add({
      name: 'no-approval-needed',
      comment: 'a payment of 150 is under the trigger (amount > 200): no approval is needed',
      request: pay(150),
      expected: {},
    });
    await add({
      name: 'approval-required',
      comment: "a payment of 250 without approval: the user's approval is required (block 0)",
      request: pay(250),
      expected: { code: 'APPROVAL_REQUIRED', hop: 0 },
    });
    const approved = await add({
      name: 'approved',
      comment: "the user's approval of this exact call (key in userKeys) allows it",
      request: pay(250),
      approvals: [byUser],
      expected: { approvedBy: [k.user.id] },
    });
    await add({
      name: 'other-amount',
      comment: 'an approval of a payment of 210 presented with a payment of 250 (args_hash)',
      request: pay(250),
      approvals: [await sign(await callFor(pay(210)), k.user, 'user-210')],
      expected: { code: 'APPROVAL_MISMATCH', hop: 1, path: 'approvals.0.args_hash' },
    });
    await add({
      name: 'other-holder',
      comment: "an approval of the call made by another holder (mallory's key)",
      request: pay(250),
      approvals: [await sign({ ...pay250, holder: k.mallory.id }, k.user, 'user-holder')],
      expected: { code: 'APPROVAL_MISMATCH', hop: 1, path: 'approvals.0.holder' },
    });
    await add({
      name: 'other-audience',
      comment: 'an approval of the call at another service (aud)',
      request: pay(250),
      approvals: [await sign({ ...pay250, audience: OTHER_AUDIENCE }, k.user, 'user-aud')],
      expected: { code: 'APPROVAL_MISMATCH', hop: 1, path: 'approvals.0.aud' },
    });
    await add({
      name: 'expired',
      comment: 'an approval issued 400 s ago for 300 s: expired 100 s before now',
      request: pay(250),
      approvals: [await sign(pay250, k.user, 'user-expired', NOW - 400)],
      expected: { code: 'APPROVAL_EXPIRED', hop: 1, path: 'approvals.0.exp' },
    });
    await add({
      name: 'replayed',
      comment: `the approval of case ${approved} presented again after it allowed that case`,
      request: pay(250),
      approvals: [byUser],
      before: [approved],
      expected: { code: 'APPROVAL_REPLAYED', hop: 1, path: 'approvals.0' },
    });
    const pair = await add({
      name: 'replayed-pair',
      comment: `a fresh approval beside the used one of case ${approved}: denied, and the fresh one is not used up`,
      request: pay(250),
      approvals: [byUserAgain, byUser],
      before: [approved],
      expected: { code: 'APPROVAL_REPLAYED', hop: 1, path: 'approvals.1' },
    });
    await add({
      name: 'fresh-after-replayed-pair',
      comment: `the fresh approval of case ${pair}, alone after that denial: still usable`,
      request: pay(250),
      approvals: [byUserAgain],
      before: [approved, pair],
      expected: { approvedBy: [k.user.id] },
    });
    await add({
      name: 'non-approver',
      comment: 'an approval of the exact call signed by a key no requirement names (mallory)',
      request: pay(250),
      approvals: [await sign(pay250, k.mallory, 'mallory-250')],
      expected: { code: 'APPROVAL_INVALID', hop: 1, path: 'approvals.0.header.jwk' },
    });
    const delete5 = await callFor(remove(5));
    await add({
      name: 'same-approver-twice',
      comment: 'a deletion needs 2 of 3 approvers: two approvals by approverX count once',
      request: remove(5),
      approvals: [
        await sign(delete5, k.approverX, 'x-delete-1'),
        await sign(delete5, k.approverX, 'x-delete-2'),
      ],
      expected: { code: 'APPROVAL_REQUIRED', hop: 0 },
    });
    await add({
      name: 'two-approvers',
      comment: 'a deletion approved by approverX and approverZ (2 of 3)',
      request: remove(5),
      approvals: [
        await sign(delete5, k.approverX, 'x-delete-3'),
        await sign(delete5, k.approverZ, 'z-delete'),
      ],
      expected: { approvedBy: [k.approverX.id, k.approverZ.id].sort() },
    });
    await add({
      name: 'stripped-requirement',
      comment:
        format === 'biscuit'
          ? 'the billing agent delegates to the runner in a block whose requirements no longer cover this payment (a Biscuit block that states none inherits them, so it restates the trigger as amount > 100000): a loosening'
          : 'the billing agent delegates to the runner in a block signed by hand without the requirements: a loosening',
      request: pay(250),
      token: await stripRequirements(mandate, format, k, requirements),
      prover: k.runner,
      expected: { code: 'WIDENED', hop: 2 },
    });
  }
  // The stripped chain is denied by rule 4 (narrowing), every other denial by rule 9.
  const file = tests.map((c) =>
    c.name.endsWith('stripped-requirement') && 'code' in c.expected
      ? { ...c, expected: { ...c.expected, check: 'narrowing' } }
      : c,
  );

  return {
    name: 'mandate-approvals',
    version: 1,
    description:
      'Approval requirements and signed approvals in the JWS, AAT and Biscuit encodings, with the decision a verifier configured as in `verifier` must reach. See docs/vectors.md.',
    generator: 'scripts/approval-vectors.ts (npm run vectors:generate)',
    algorithm: 'Ed25519',
    keys: Object.fromEntries(
      (Object.keys(SEEDS) as Party[]).map((name) => [
        name,
        { seed: SEEDS[name], publicJwk: k[name].publicJwk, id: k[name].id },
      ]),
    ) as ApprovalVectorFile['keys'],
    verifier: {
      trustAnchors: [{ id: VECTOR_ISSUER, publicJwk: k.anchor.publicJwk }],
      audience: AUDIENCE,
      clockTolerance: 0,
      proofWindow: 60,
      maxApprovalLifetime: 900,
      userKeys: {
        [subjectOf('jws')]: [k.user.publicJwk],
        [subjectOf('aat')]: [k.user.publicJwk],
      },
      limits: DEFAULT_LIMITS,
      replayStore:
        'empty for every case; the cases listed in `before` run first, in order, on the same store',
    },
    requirements,
    numberOfTests: file.length,
    tests: file,
  };
}

/**
 * The token of `mandate` delegated by its holder (billing) to the runner in a block built by hand whose
 * requirements no longer cover a payment of 250: dropped (JWS, AAT), or restated with a
 * trigger of amount > 100000 (Biscuit, where a block that states none inherits its parent's).
 */
async function stripRequirements(
  mandate: Mandate,
  format: Format,
  k: Record<Party, KeyPair>,
  requirements: readonly ApprovalRequirementInput[],
): Promise<string> {
  const codec = codecOf(format);
  const decoded = await codec.decode(mandate.token, DEFAULT_LIMITS);
  const parent = decoded.blocks.at(-1);
  if (parent === undefined) throw new Error('no parent block');
  const plan = planDelegation(parent, 2, {
    signer: k.billing,
    holder: k.runner.publicJwk,
    now: NOW,
    id: `appr-${format}-stripped`,
  });
  const { approvals: _dropped, ...stripped } = plan;
  const loosened = normalizeApprovalRequirements(
    requirements.map((r) =>
      r.resource === 'tool:pay'
        ? { ...r, when: { amount: { constraint_type: 'range', min: 100_000 } } }
        : r,
    ),
  );
  const appended = await decoded.append(
    format === 'biscuit' ? { ...plan, approvals: loosened } : stripped,
    prepareSigner(k.billing),
  );
  return appended.token;
}
