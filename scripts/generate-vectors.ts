/**
 * Writes test/vectors/jws-chain.json: Mandate's own JWS-chain vectors for other
 * implementations (Wycheproof-like; docs/vectors.md describes the format), and
 * test/vectors/aat-revision.json (scripts/aat-revision-vectors.ts), test/vectors/rfc8725.json
 * (scripts/generate-rfc8725-vectors.ts), test/vectors/biscuit-chain.json (scripts/biscuit-vectors.ts)
 * and test/vectors/approvals.json (scripts/approval-vectors.ts).
 *
 * Everything is fixed (Ed25519 seeds, block ids, proof ids, clocks), and Ed25519 signatures
 * are deterministic, so the output is byte-for-byte reproducible: the test suite re-runs
 * this generator in memory and fails on any drift from the committed file.
 *
 *   npm run vectors:generate
 */
import { writeFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import {
  delegate,
  mint,
  prove,
  type Action,
  type CapabilityInput,
  type KeyPair,
  type Mandate,
} from '../src/index.js';
import { accessTokenHash } from '../src/proof/request.js';
import { AAT_REVISION_PATH, generateAatRevisionVectors } from './aat-revision-vectors.js';
import { generateRfc8725Vectors, RFC8725_PATH } from './generate-rfc8725-vectors.js';
import { BISCUIT_VECTORS_PATH, generateBiscuitVectors } from './biscuit-vectors.js';
import { APPROVAL_VECTORS_PATH, generateApprovalVectors } from './approval-vectors.js';
import {
  renderVectors,
  vectorPath,
  VECTOR_ISSUER,
  VECTOR_NOW,
  type VectorFileHeader,
} from './vector-file.js';
import {
  blocksOf,
  decodeJws,
  flipSignatureBit,
  forgeJws,
  keyPairFromSeed,
  parHashOf,
  reforgeBlock,
  segment,
  TEST_SEEDS,
  type JwsParts,
} from '../test/helpers/forge.js';
import { DEFAULT_LIMITS } from '../src/core/limits.js';
import { TYP } from '../src/core/typ.js';

export const VECTORS_PATH = vectorPath('jws-chain.json');

const NOW = VECTOR_NOW;
const ISSUER = VECTOR_ISSUER;
const AUDIENCE = 'https://payments.vectors.mandate.test';
const OTHER_AUDIENCE = 'https://hr.vectors.mandate.test';
const ROGUE_ISSUER = 'https://rogue.vectors.mandate.test';
const PROOF_WINDOW = 60;

type HttpRequest = { readonly method: string; readonly url: string };

const PAY_REQUEST: HttpRequest = { method: 'POST', url: `${AUDIENCE}/invoices/2026-03/pay` };
const PAY_ACTION: Action = {
  resource: 'billing:invoices/2026-03',
  action: 'pay',
  args: { amount: 120 },
};

const ROOT_CAPS: CapabilityInput[] = [
  {
    resource: 'billing:invoices/**',
    actions: ['pay', 'read'],
    constraints: { amount: { max: 500 } },
  },
];
const HOP1_CAPS: CapabilityInput[] = [
  { resource: 'billing:invoices/2026-03', actions: ['pay'], constraints: { amount: { max: 200 } } },
];
const HOP2_CAPS: CapabilityInput[] = [
  { resource: 'billing:invoices/2026-03', actions: ['pay'], constraints: { amount: { max: 150 } } },
];

/** The parties. Test keys only: their seeds are published in the vector file. */
type Party = keyof typeof TEST_SEEDS;

export interface VectorCase {
  readonly tcId: number;
  /** A short name for the attack or property (`reordered-blocks`, `alg-none-root`). */
  readonly name: string;
  readonly comment: string;
  readonly token: string;
  /** The `DPoP` header value, or null for a request without a proof. */
  readonly proof: string | null;
  readonly request: HttpRequest;
  readonly action: Action;
  /** The verifier's clock for this case, in seconds since the epoch. */
  readonly now: number;
  /** This case runs right after case `replayOf`, on the same replay store. */
  readonly replayOf?: number;
  readonly result: 'valid' | 'invalid';
  readonly expected:
    | { readonly code: string; readonly hop: number }
    | { readonly subject: string; readonly chain: readonly string[] };
}

export interface VectorFile extends VectorFileHeader<Party> {
  readonly verifier: {
    readonly trustAnchors: readonly { id: string; publicJwk: unknown }[];
    readonly audience: string;
    readonly clockTolerance: number;
    readonly proofWindow: number;
    readonly requireProof: boolean;
    readonly requireAudience: boolean;
    readonly algorithms: readonly string[];
    readonly limits: typeof DEFAULT_LIMITS;
    readonly replayStore: string;
  };
  readonly numberOfTests: number;
  readonly tests: readonly VectorCase[];
}

/** Build every vector. Deterministic: same code, same output. */
export async function generateVectors(): Promise<VectorFile> {
  const k = Object.fromEntries(
    Object.entries(TEST_SEEDS).map(([name, seed]) => [name, keyPairFromSeed(seed)]),
  ) as Record<Party, KeyPair>;

  // --- the genuine chains -------------------------------------------------------------
  const mintRoot = (options: {
    id: string;
    issuer?: KeyPair;
    issuerId?: string;
    holder?: KeyPair;
    audience?: string;
    now?: number;
    notBefore?: number;
    maxDepth?: number;
    capabilities?: CapabilityInput[];
  }) =>
    mint({
      issuer: options.issuer ?? k.anchor,
      issuerId: options.issuerId ?? ISSUER,
      subject: 'alice',
      holder: (options.holder ?? k.orchestrator).publicJwk,
      capabilities: options.capabilities ?? ROOT_CAPS,
      expiresIn: 900,
      audience: options.audience ?? AUDIENCE,
      maxDepth: options.maxDepth ?? 4,
      purpose: 'pay my March invoice',
      now: options.now ?? NOW,
      id: options.id,
      ...(options.notBefore === undefined ? {} : { notBefore: options.notBefore }),
    });
  const hop = (
    mandate: Mandate,
    signer: KeyPair,
    holder: KeyPair,
    id: string,
    capabilities: CapabilityInput[],
    expiresIn: number,
  ) =>
    delegate(mandate, { signer, holder: holder.publicJwk, capabilities, expiresIn, now: NOW, id });

  const root = await mintRoot({ id: 'vec-root' });
  const chain2 = await hop(root, k.orchestrator, k.billing, 'vec-hop-1', HOP1_CAPS, 300);
  const chain3 = await hop(chain2, k.billing, k.runner, 'vec-hop-2', HOP2_CAPS, 240);
  // A second, independent chain from the same anchor to the same agents (for splicing).
  const rootB = await mintRoot({ id: 'vec-root-b' });
  const chainB2 = await hop(rootB, k.orchestrator, k.billing, 'vec-b-hop-1', HOP1_CAPS, 300);
  const chainB3 = await hop(chainB2, k.billing, k.runner, 'vec-b-hop-2', HOP2_CAPS, 240);

  const [b0 = '', b1 = '', b2 = ''] = blocksOf(chain3.token);
  const join = (...blocks: string[]) => blocks.join('~');
  const holderOf: Record<number, KeyPair> = { 1: k.orchestrator, 2: k.billing, 3: k.runner };

  // --- proofs ---------------------------------------------------------------------------
  /** A DPoP proof as `prove` writes it; built by hand when `prove` refuses (a thief, a broken token). */
  const proofBy = async (
    signer: KeyPair,
    token: string,
    jti: string,
    now: number,
    request: HttpRequest = PAY_REQUEST,
  ): Promise<string> => {
    try {
      return await prove(token, { signer, request, now, jti });
    } catch {
      return forgeJws(
        signer,
        { typ: TYP.dpop, alg: 'Ed25519', jwk: { ...signer.publicJwk } },
        { jti, htm: request.method, htu: request.url, iat: now, ath: accessTokenHash(token) },
      );
    }
  };

  const tests: VectorCase[] = [];
  const add = async (c: {
    name: string;
    comment: string;
    token: string;
    /** Who signs the proof (default: the last holder); null for no proof; a string as is. */
    prover?: KeyPair | null | string;
    proofRequest?: HttpRequest;
    proofIat?: number;
    request?: HttpRequest;
    action?: Action;
    now?: number;
    replayOf?: number;
    expected: { code: string; hop: number } | 'valid';
  }): Promise<number> => {
    const tcId = tests.length + 1;
    const now = c.now ?? NOW;
    const blocks = blocksOf(c.token).length;
    let proof: string | null;
    if (c.replayOf !== undefined) {
      proof = tests[c.replayOf - 1]?.proof ?? null;
    } else if (c.prover === null) {
      proof = null;
    } else if (typeof c.prover === 'string') {
      proof = c.prover;
    } else {
      const signer = c.prover ?? holderOf[blocks] ?? k.mallory;
      proof = await proofBy(
        signer,
        c.token,
        `vec-proof-${tcId}`,
        c.proofIat ?? now,
        c.proofRequest,
      );
    }
    const expected =
      c.expected === 'valid'
        ? {
            subject: 'alice',
            chain: [ISSUER, ...[1, 2, 3].slice(0, blocks).map((i) => holderOf[i]?.id ?? '')],
          }
        : c.expected;
    tests.push({
      tcId,
      name: c.name,
      comment: c.comment,
      token: c.token,
      proof,
      request: c.request ?? PAY_REQUEST,
      action: c.action ?? PAY_ACTION,
      now,
      ...(c.replayOf === undefined ? {} : { replayOf: c.replayOf }),
      result: c.expected === 'valid' ? 'valid' : 'invalid',
      expected,
    });
    return tcId;
  };
  const deny = (code: string, hopIndex: number) => ({ code: `MANDATE_${code}`, hop: hopIndex });

  /** The 2-block chain with block 1 re-signed by its genuine signer after `edit`. */
  const widen = (edit: (parts: JwsParts) => void) =>
    reforgeBlock(chain2.token, 1, k.orchestrator, edit);
  const details = (parts: JwsParts) =>
    parts.payload['authorization_details'] as Record<string, unknown>[];

  // --- valid ----------------------------------------------------------------------------
  await add({
    name: 'valid-1-block',
    comment: 'a root alone: the orchestrator pays within the grant, proving possession',
    token: root.token,
    expected: 'valid',
  });
  const valid2 = await add({
    name: 'valid-2-blocks',
    comment: 'root and one delegation: the billing agent pays within its narrowed grant',
    token: chain2.token,
    expected: 'valid',
  });
  await add({
    name: 'valid-3-blocks',
    comment: 'root and two delegations: the runner pays within the narrowest grant',
    token: chain3.token,
    action: { ...PAY_ACTION, args: { amount: 150 } },
    expected: 'valid',
  });
  await add({
    name: 'valid-proof-at-window-edge',
    comment: `a proof issued exactly ${PROOF_WINDOW} s before now is still fresh`,
    token: chain2.token,
    proofIat: NOW,
    now: NOW + PROOF_WINDOW,
    expected: 'valid',
  });
  await add({
    name: 'valid-htu-query-ignored',
    comment: 'htu is compared without query and fragment (RFC 9449 §4.3)',
    token: chain2.token,
    request: { method: 'POST', url: `${PAY_REQUEST.url}?trace=1` },
    expected: 'valid',
  });

  // --- spoofed identity, untrusted issuers --------------------------------------------
  const spoofed = forgeJws(k.mallory, decodeJws(b0).header, decodeJws(b0).payload);
  await add({
    name: 'spoofed-root',
    comment: 'spoofed identity: a root naming the trusted issuer, signed by an attacker key',
    token: spoofed,
    expected: deny('SIGNATURE_INVALID', 0),
  });
  await add({
    name: 'untrusted-issuer',
    comment: 'a root from an issuer that is not a configured trust anchor',
    token: (await mintRoot({ id: 'vec-rogue', issuer: k.rogueIssuer, issuerId: ROGUE_ISSUER }))
      .token,
    expected: deny('UNTRUSTED_ISSUER', 0),
  });
  await add({
    name: 'self-signed-root',
    comment: 'a self-signed root: the attacker grants itself, under its own key id',
    token: (
      await mintRoot({
        id: 'vec-self',
        issuer: k.mallory,
        issuerId: k.mallory.id,
        holder: k.mallory,
      })
    ).token,
    prover: k.mallory,
    expected: deny('UNTRUSTED_ISSUER', 0),
  });
  await add({
    name: 'tampered-root-signature',
    comment: 'one bit of the root signature flipped',
    token: join(flipSignatureBit(b0), b1),
    expected: deny('SIGNATURE_INVALID', 0),
  });

  // --- over-scoped requests ---------------------------------------------------------------
  await add({
    name: 'over-scoped-amount',
    comment: 'over-scoped request: amount 300 where hop 1 allows 200 (the root would allow 500)',
    token: chain2.token,
    action: { ...PAY_ACTION, args: { amount: 300 } },
    expected: deny('FORBIDDEN', 1),
  });
  await add({
    name: 'over-scoped-resource',
    comment:
      'over-scoped request: another invoice, allowed by the root but not by hop 1 (confused deputy)',
    token: chain2.token,
    action: { ...PAY_ACTION, resource: 'billing:invoices/2026-04' },
    expected: deny('FORBIDDEN', 1),
  });
  await add({
    name: 'over-scoped-action',
    comment: 'over-scoped request: an action no block grants',
    token: chain2.token,
    action: { ...PAY_ACTION, action: 'refund' },
    expected: deny('FORBIDDEN', 0),
  });
  await add({
    name: 'over-scoped-unknown-argument',
    comment: 'closed-world arguments: an argument no constraint names',
    token: chain2.token,
    action: { ...PAY_ACTION, args: { amount: 120, payee: 'mallory' } },
    expected: deny('FORBIDDEN', 0),
  });

  // --- hand-built widening (each re-signed by the genuine delegator) -----------------------
  await add({
    name: 'widened-actions',
    comment: 'widening: block 1 grants refund, which block 0 does not hold',
    token: widen((p) => (details(p)[0] = { ...details(p)[0], actions: ['pay', 'refund'] })),
    expected: deny('WIDENED', 1),
  });
  await add({
    name: 'widened-resource',
    comment: 'widening: block 1 grants billing:**, wider than billing:invoices/**',
    token: widen((p) => (details(p)[0] = { ...details(p)[0], resource: 'billing:**' })),
    expected: deny('WIDENED', 1),
  });
  await add({
    name: 'widened-constraint',
    comment: 'widening: block 1 allows amount up to 10000 where block 0 allows 500',
    token: widen(
      (p) =>
        (details(p)[0] = {
          ...details(p)[0],
          constraints: { amount: { constraint_type: 'range', max: 10_000, max_inclusive: true } },
        }),
    ),
    expected: deny('WIDENED', 1),
  });
  await add({
    name: 'widened-constraint-dropped',
    comment: 'widening: block 1 drops the amount constraint altogether',
    token: widen((p) => {
      delete details(p)[0]?.['constraints'];
    }),
    expected: deny('WIDENED', 1),
  });
  await add({
    name: 'widened-expiry',
    comment: 'widening: block 1 expires after block 0',
    token: widen((p) => (p.payload['exp'] = NOW + 3600)),
    expected: deny('WIDENED', 1),
  });
  await add({
    name: 'widened-audience',
    comment: 'widening: block 1 adds an audience block 0 does not name',
    token: widen((p) => (p.payload['aud'] = [AUDIENCE, OTHER_AUDIENCE])),
    expected: deny('WIDENED', 1),
  });
  await add({
    name: 'widened-max-depth',
    comment: 'widening: block 1 allows deeper delegation than block 0',
    token: widen((p) => (p.payload['del_max_depth'] = 9)),
    expected: deny('WIDENED', 1),
  });
  await add({
    name: 'widened-depth-skipped',
    comment: 'widening: block 1 claims depth 2 below a depth-0 root',
    token: widen((p) => (p.payload['del_depth'] = 2)),
    expected: deny('WIDENED', 1),
  });
  await add({
    name: 'widened-issued-before-parent',
    comment: 'widening: block 1 is issued before block 0',
    token: widen((p) => (p.payload['iat'] = NOW - 60)),
    expected: deny('WIDENED', 1),
  });
  const noDepth = await mintRoot({ id: 'vec-root-depth-0', maxDepth: 0 });
  await add({
    name: 'widened-beyond-max-depth',
    comment: 'widening: a delegation below a root that allows no further delegation',
    token: join(
      noDepth.token,
      forgeJws(k.orchestrator, decodeJws(b1).header, {
        ...decodeJws(b1).payload,
        par_hash: parHashOf(noDepth.token),
        del_max_depth: 1,
      }),
    ),
    expected: deny('WIDENED', 1),
  });

  // --- linkage: removal, reordering, duplication, splicing, truncation ------------------
  await add({
    name: 'removed-block',
    comment: 'block removal: the middle block of a 3-block chain is cut out',
    token: join(b0, b2),
    expected: deny('SIGNATURE_INVALID', 1),
  });
  await add({
    name: 'reordered-blocks',
    comment: 'reordering: blocks 1 and 2 swapped',
    token: join(b0, b2, b1),
    expected: deny('SIGNATURE_INVALID', 1),
  });
  await add({
    name: 'duplicated-block',
    comment: 'duplication: block 1 appears twice',
    token: join(b0, b1, b1, b2),
    prover: k.runner,
    expected: deny('MALFORMED', 2),
  });
  const [, bB1 = '', bB2 = ''] = blocksOf(chainB3.token);
  await add({
    name: 'spliced-chains-tail',
    comment: 'splice: chain A up to block 1, then block 2 of chain B (same signers, other parent)',
    token: join(b0, b1, bB2),
    expected: deny('LINK_BROKEN', 2),
  });
  await add({
    name: 'spliced-chains-root',
    comment: 'splice: the root of chain A under the delegation of chain B',
    token: join(b0, bB1),
    expected: deny('LINK_BROKEN', 1),
  });
  await add({
    name: 'truncated-chain',
    comment: 'truncation: the last block dropped, presented by the runner (the dropped holder)',
    token: join(b0, b1),
    prover: k.runner,
    expected: deny('PROOF_INVALID', 1),
  });
  await add({
    name: 'delegation-other-subject',
    comment: 'block 1 (re-signed by the genuine delegator) names another originating user',
    token: widen((p) => (p.payload['sub'] = 'mallory')),
    expected: deny('LINK_BROKEN', 1),
  });
  await add({
    name: 'delegation-other-issuer',
    comment: "block 1's iss is not block 0's holder",
    token: widen((p) => (p.payload['iss'] = k.mallory.id)),
    expected: deny('LINK_BROKEN', 1),
  });
  await add({
    name: 'delegation-signed-by-non-holder',
    comment: "block 1 signed by a key other than block 0's holder",
    token: reforgeBlock(chain2.token, 1, k.mallory, () => {}),
    expected: deny('SIGNATURE_INVALID', 1),
  });
  await add({
    name: 'tampered-delegation-signature',
    comment: 'one bit of the block 1 signature flipped',
    token: join(b0, flipSignatureBit(b1)),
    expected: deny('SIGNATURE_INVALID', 1),
  });
  const b1Parts = b1.split('.');
  const loosened = decodeJws(b1);
  (loosened.payload['authorization_details'] as Record<string, unknown>[])[0] = {
    type: 'mandate',
    resource: 'billing:invoices/**',
    actions: ['pay'],
  };
  await add({
    name: 'tampered-delegation-payload',
    comment: 'block 1 payload loosened without re-signing (signature of the original)',
    token: join(b0, `${b1Parts[0]}.${segment(loosened.payload)}.${b1Parts[2]}`),
    expected: deny('SIGNATURE_INVALID', 1),
  });

  // --- audience and time ---------------------------------------------------------------
  await add({
    name: 'wrong-audience',
    comment: 'a mandate for the HR service presented to the payment service',
    token: (await mintRoot({ id: 'vec-root-hr', audience: OTHER_AUDIENCE })).token,
    expected: deny('AUDIENCE', 0),
  });
  await add({
    name: 'expired-root',
    comment: 'expired: now is one second past the root expiry',
    token: root.token,
    now: NOW + 901,
    expected: deny('EXPIRED', 0),
  });
  await add({
    name: 'expired-at-exp',
    comment: 'expired: now equals exp (a mandate is valid strictly before exp)',
    token: root.token,
    now: NOW + 900,
    expected: deny('EXPIRED', 0),
  });
  await add({
    name: 'expired-delegation',
    comment: 'expired: block 1 (300 s) has expired while the root (900 s) has not',
    token: chain2.token,
    now: NOW + 301,
    expected: deny('EXPIRED', 1),
  });
  await add({
    name: 'not-yet-valid',
    comment: 'not yet valid: nbf is 300 s in the future',
    token: (await mintRoot({ id: 'vec-root-nbf', notBefore: 300 })).token,
    expected: deny('NOT_YET_VALID', 0),
  });
  await add({
    name: 'issued-in-future',
    comment: 'not yet valid: the root is issued 120 s in the future',
    token: (await mintRoot({ id: 'vec-root-future', now: NOW + 120 })).token,
    expected: deny('NOT_YET_VALID', 0),
  });

  // --- possession: stolen chains, proofs, replays ----------------------------------------
  await add({
    name: 'stolen-chain',
    comment: "stolen chain: the attacker presents the billing agent's mandate with its own proof",
    token: chain2.token,
    prover: k.mallory,
    expected: deny('PROOF_INVALID', 1),
  });
  await add({
    name: 'stolen-chain-captured-proof',
    comment: 'stolen chain: a captured proof for another URL is presented with the mandate',
    token: chain2.token,
    proofRequest: { method: 'POST', url: `${AUDIENCE}/invoices/2026-03/read` },
    expected: deny('PROOF_INVALID', 1),
  });
  await add({
    name: 'proof-other-method',
    comment: 'the proof is for GET, the request is POST (htm)',
    token: chain2.token,
    proofRequest: { method: 'GET', url: PAY_REQUEST.url },
    expected: deny('PROOF_INVALID', 1),
  });
  await add({
    name: 'proof-for-other-mandate',
    comment: 'a genuine proof by the holder, bound to another of its mandates (ath)',
    token: chain2.token,
    prover: await proofBy(k.billing, chainB2.token, 'vec-proof-other-mandate', NOW),
    expected: deny('PROOF_INVALID', 1),
  });
  await add({
    name: 'proof-stale',
    comment: `the proof was issued ${PROOF_WINDOW + 1} s before now`,
    token: chain2.token,
    proofIat: NOW - PROOF_WINDOW - 1,
    expected: deny('PROOF_INVALID', 1),
  });
  await add({
    name: 'proof-missing',
    comment: 'no proof of possession at all',
    token: chain2.token,
    prover: null,
    expected: deny('PROOF_MISSING', 1),
  });
  await add({
    name: 'replayed-proof',
    comment: `replay: case ${valid2} (mandate and proof) sent a second time`,
    token: chain2.token,
    replayOf: valid2,
    expected: deny('REPLAYED', 1),
  });

  // --- algorithms and encodings ----------------------------------------------------------
  const noneRoot = `${segment({ ...decodeJws(b0).header, alg: 'none' })}.${b0.split('.')[1]}.`;
  await add({
    name: 'alg-none-root',
    comment: 'alg none: the root header says none and the signature is empty',
    token: join(noneRoot, b1),
    expected: deny('MALFORMED', 0),
  });
  const noneHop = `${segment({ ...decodeJws(b1).header, alg: 'none' })}.${b1.split('.')[1]}.`;
  await add({
    name: 'alg-none-delegation',
    comment: 'alg none: block 1 says none and its signature is empty',
    token: join(b0, noneHop),
    expected: deny('MALFORMED', 1),
  });
  const hsInput = `${segment({ ...decodeJws(b0).header, alg: 'HS256' })}.${b0.split('.')[1]}`;
  const hsMac = createHmac('sha256', Buffer.from(String(k.anchor.publicJwk.x), 'base64url'))
    .update(hsInput)
    .digest('base64url');
  await add({
    name: 'alg-hs256-public-key',
    comment: "algorithm confusion: the root HMAC'd (HS256) with the anchor public key as secret",
    token: join(`${hsInput}.${hsMac}`, b1),
    expected: deny('MALFORMED', 0),
  });
  await add({
    name: 'alg-eddsa',
    comment: 'alg EdDSA (polymorphic, RFC 9864): only the fully-specified Ed25519 is accepted',
    token: join(
      forgeJws(k.anchor, { ...decodeJws(b0).header, alg: 'EdDSA' }, decodeJws(b0).payload),
      b1,
    ),
    expected: deny('MALFORMED', 0),
  });
  await add({
    name: 'jku-header',
    comment: 'key injection: a jku header pointing at an attacker key set',
    token: join(
      forgeJws(
        k.anchor,
        { ...decodeJws(b0).header, jku: 'https://evil.test/jwks.json' },
        decodeJws(b0).payload,
      ),
      b1,
    ),
    expected: deny('MALFORMED', 0),
  });
  await add({
    name: 'kid-on-delegation',
    comment: 'key injection: a kid header on a delegation block',
    token: widen((p) => (p.header['kid'] = 'orchestrator')),
    expected: deny('MALFORMED', 1),
  });
  await add({
    name: 'typ-root-as-delegation',
    comment: 'typ confusion: a root block carrying the delegation typ',
    token: join(
      forgeJws(k.anchor, { ...decodeJws(b0).header, typ: TYP.delegation }, decodeJws(b0).payload),
      b1,
    ),
    expected: deny('MALFORMED', 0),
  });
  await add({
    name: 'typ-delegation-as-root',
    comment: 'typ confusion: a delegation block carrying the root typ',
    token: widen((p) => (p.header['typ'] = TYP.root)),
    expected: deny('MALFORMED', 1),
  });
  await add({
    name: 'duplicate-claim',
    comment: 'duplicate JSON key: two sub claims in a genuinely signed root',
    token: forgeJws(
      k.anchor,
      decodeJws(b0).header,
      JSON.stringify(decodeJws(b0).payload).replace(
        '"sub":"alice"',
        '"sub":"alice","sub":"mallory"',
      ),
    ),
    expected: deny('MALFORMED', 0),
  });
  await add({
    name: 'too-many-blocks',
    comment: `more than ${DEFAULT_LIMITS.maxBlocks} blocks`,
    token: join(b0, ...Array.from({ length: DEFAULT_LIMITS.maxBlocks }, () => b1)),
    expected: deny('LIMIT_EXCEEDED', DEFAULT_LIMITS.maxBlocks),
  });

  return {
    name: 'mandate-jws-chain',
    version: 1,
    description:
      'Valid and invalid Mandate JWS chains with the decision a verifier must reach. See docs/vectors.md.',
    generator: 'scripts/generate-vectors.ts (npm run vectors:generate)',
    algorithm: 'Ed25519',
    keys: Object.fromEntries(
      (Object.keys(TEST_SEEDS) as Party[]).map((name) => [
        name,
        { seed: TEST_SEEDS[name], publicJwk: k[name].publicJwk, id: k[name].id },
      ]),
    ) as VectorFile['keys'],
    verifier: {
      trustAnchors: [{ id: ISSUER, publicJwk: k.anchor.publicJwk }],
      audience: AUDIENCE,
      clockTolerance: 0,
      proofWindow: PROOF_WINDOW,
      requireProof: true,
      requireAudience: true,
      algorithms: ['Ed25519', 'ES256'],
      limits: DEFAULT_LIMITS,
      replayStore:
        'empty for every case; a case with replayOf runs right after the case it names, on the same store',
    },
    numberOfTests: tests.length,
    tests,
  };
}

export { renderVectors };

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = await generateVectors();
  writeFileSync(VECTORS_PATH, renderVectors(file));
  console.log(`wrote ${file.numberOfTests} vectors to ${VECTORS_PATH}`);
  const aat = generateAatRevisionVectors();
  writeFileSync(AAT_REVISION_PATH, renderVectors(aat));
  console.log(`wrote ${aat.numberOfTests} vectors to ${AAT_REVISION_PATH}`);
  const rfc8725 = await generateRfc8725Vectors();
  writeFileSync(RFC8725_PATH, renderVectors(rfc8725));
  console.log(`wrote ${rfc8725.numberOfTests} vectors to ${RFC8725_PATH}`);
  const biscuit = await generateBiscuitVectors();
  writeFileSync(BISCUIT_VECTORS_PATH, renderVectors(biscuit));
  console.log(`wrote ${biscuit.numberOfTests} vectors to ${BISCUIT_VECTORS_PATH}`);
  const approvals = await generateApprovalVectors();
  writeFileSync(APPROVAL_VECTORS_PATH, renderVectors(approvals));
  console.log(`wrote ${approvals.numberOfTests} vectors to ${APPROVAL_VECTORS_PATH}`);
}
