/**
 * Writes test/vectors/biscuit-chain.json: Mandate's Biscuit-layout vectors (docs/format.md,
 * "Biscuit encoding", layout 2) for other implementations. Each genuine block is broken down to
 * bytes (its Datalog block, next key, the exact payload its signature covers, the signature), the
 * seal likewise, then attack and denial cases with the decision a verifier must reach.
 *
 * Deterministic: fixed Ed25519 seeds, block ids, proof ids and clocks, and deterministic
 * signatures; the suite regenerates it in memory and fails on any drift (run
 * `npm run vectors:generate` after a deliberate change).
 */
import { DEFAULT_LIMITS } from '../src/core/limits.js';
import type { Action, KeyPair, Mandate } from '../src/core/types.js';
import { readBiscuit } from '../src/format/biscuit/chain.js';
import { appendBiscuitBlock } from '../src/format/biscuit/encode.js';
import { spliceBiscuitBlocks } from '../src/format/biscuit/mutate.js';
import { lenField } from '../src/format/biscuit/protobuf.js';
import {
  blockSignaturePayload,
  fromTokenText,
  parseBiscuitToken,
  sealPayload,
  serializeToken,
  toTokenText,
} from '../src/format/biscuit/token.js';
import { planDelegation } from '../src/format/plan.js';
import { delegate, mint, prove, sealMandate } from '../src/index.js';
import { prepareSigner } from '../src/identity/keys.js';
import { keyPairFromSeed, TEST_SEEDS } from '../test/helpers/forge.js';
import type { VectorCase } from './generate-vectors.js';
import { vectorPath, VECTOR_ISSUER, VECTOR_NOW, type VectorFileHeader } from './vector-file.js';

export const BISCUIT_VECTORS_PATH = vectorPath('biscuit-chain.json');

const NOW = VECTOR_NOW;
const AUDIENCE = 'https://payments.vectors.mandate.test';
type Party = 'anchor' | 'orchestrator' | 'billing' | 'runner' | 'mallory';
const PARTIES: readonly Party[] = ['anchor', 'orchestrator', 'billing', 'runner', 'mallory'];
const REQUEST = { method: 'POST', url: `${AUDIENCE}/invoices/2026-03/pay` } as const;
const PAY: Action = { resource: 'billing:invoices/2026-03', action: 'pay', args: { amount: 120 } };

/** One block of the genuine chain, byte by byte. */
export interface BiscuitBlockBytes {
  readonly hop: number;
  /** The serialized Datalog `Block` (hex). */
  readonly block: string;
  /** `SignedBlock.nextKey`: the block holder's public key (algorithm, key hex). */
  readonly nextKey: { readonly algorithm: number; readonly key: string };
  /** The exact bytes the block's signature covers (hex), and the key that signs them. */
  readonly signedPayload: string;
  readonly signer: Party;
  readonly signature: string;
  /** The Mandate view this block decodes to (inherited members resolved). */
  readonly view: unknown;
}

/** A case: the JWS vector file's shape, without replays (docs/vectors.md). */
export type BiscuitVectorCase = Omit<VectorCase, 'replayOf'>;

export interface BiscuitVectorFile extends VectorFileHeader<Party> {
  readonly verifier: {
    readonly trustAnchors: readonly { id: string; publicJwk: unknown }[];
    readonly audience: string;
    readonly proofWindow: number;
    readonly limits: typeof DEFAULT_LIMITS;
  };
  readonly layout: {
    readonly token: string;
    readonly tokenHex: string;
    readonly blocks: readonly BiscuitBlockBytes[];
    readonly sealed: {
      readonly token: string;
      readonly sealPayload: string;
      readonly finalSignature: string;
    };
  };
  readonly numberOfTests: number;
  readonly tests: readonly BiscuitVectorCase[];
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** Build every vector. Deterministic: same code, same output. */
export async function generateBiscuitVectors(): Promise<BiscuitVectorFile> {
  const k = Object.fromEntries(
    PARTIES.map((name) => [name, keyPairFromSeed(TEST_SEEDS[name])]),
  ) as Record<Party, KeyPair>;
  const root = await mint({
    issuer: k.anchor,
    issuerId: VECTOR_ISSUER,
    subject: 'alice',
    holder: k.orchestrator.publicJwk,
    capabilities: [
      {
        resource: 'billing:invoices/**',
        actions: ['pay', 'read'],
        constraints: { amount: { max: 500 } },
      },
    ],
    expiresIn: 3600,
    audience: AUDIENCE,
    purpose: 'pay the March invoice',
    now: NOW,
    id: '00000000-0000-4000-8000-000000000000',
    format: 'biscuit',
  });
  const child = await delegate(root, {
    signer: k.orchestrator,
    holder: k.billing.publicJwk,
    capabilities: [
      {
        resource: 'billing:invoices/2026-03',
        actions: ['pay'],
        constraints: { amount: { max: 200 } },
      },
    ],
    expiresIn: 600,
    now: NOW,
    id: '00000000-0000-4000-8000-000000000001',
  });
  const grandchild = await delegate(child, {
    signer: k.billing,
    holder: k.runner.publicJwk,
    now: NOW,
    id: 'hop-2 (a text id)',
  });
  const sealed = await sealMandate(grandchild, { signer: k.runner });

  // The layout, byte by byte.
  const decoded = readBiscuit(grandchild.token, DEFAULT_LIMITS);
  const signers: Party[] = ['anchor', 'orchestrator', 'billing'];
  const blocks = decoded.blocks.map((b, hop): BiscuitBlockBytes => {
    const { signed, revocationId: _r, revocationIdTwin: _t, signed: _s, ...view } = { ...b };
    return {
      hop,
      block: hex(signed.block),
      nextKey: { algorithm: signed.nextKey.algorithm, key: hex(signed.nextKey.key) },
      signedPayload: hex(
        blockSignaturePayload(
          signed.block,
          signed.nextKey,
          decoded.blocks[hop - 1]?.signed.signature,
        ),
      ),
      signer: signers[hop] ?? 'anchor',
      signature: hex(signed.signature),
      view,
    };
  });
  const lastBlock = decoded.blocks[2];
  if (lastBlock === undefined) throw new Error('the vector chain has three blocks');
  const last = lastBlock.signed;
  const sealedParsed = parseBiscuitToken(sealed.token, DEFAULT_LIMITS);

  // --- cases ---------------------------------------------------------------------------
  let jti = 0;
  const proofBy = (mandate: Mandate | string, signer: KeyPair) =>
    prove(mandate, { signer, request: REQUEST, now: NOW, jti: `biscuit-vector-proof-${++jti}` });
  const cases: Omit<BiscuitVectorCase, 'tcId' | 'request' | 'now'>[] = [];
  const add = async (
    name: string,
    comment: string,
    token: string,
    prover: KeyPair | string,
    expected: BiscuitVectorCase['expected'],
    action: Action = PAY,
  ) => {
    // A string is a proof made elsewhere (by a key that is not this token's last holder).
    const proof = typeof prover === 'string' ? prover : await proofBy(token, prover);
    cases.push({
      name,
      comment,
      token,
      proof,
      action,
      result: 'code' in expected ? 'invalid' : 'valid',
      expected,
    });
  };
  const chainIds = [VECTOR_ISSUER, k.orchestrator.id, k.billing.id, k.runner.id];
  await add(
    'root-only',
    'The authority block alone, open, presented by its holder.',
    root.token,
    k.orchestrator,
    {
      subject: 'alice',
      chain: chainIds.slice(0, 2),
    },
  );
  await add(
    'three-blocks-open',
    'Root, a narrowing delegation, and a delegation that changes nothing (it states only its id and time).',
    grandchild.token,
    k.runner,
    { subject: 'alice', chain: chainIds },
  );
  await add(
    'three-blocks-sealed',
    'The same chain sealed by its last holder (Proof.finalSignature): what standard Biscuit verifiers read.',
    sealed.token,
    k.runner,
    { subject: 'alice', chain: chainIds },
  );
  await add(
    'over-scoped-amount',
    'A genuine holder asks for more than block 1 allows (amount 300 > 200).',
    grandchild.token,
    k.runner,
    { code: 'MANDATE_FORBIDDEN', hop: 1 },
    { ...PAY, args: { amount: 300 } },
  );
  // Mallory, holding the token, appends a block naming herself, signed with her own key.
  const stolen = appendBiscuitBlock(
    grandchild.token,
    planDelegation(lastBlock, 3, {
      signer: k.mallory,
      holder: k.mallory.publicJwk,
      now: NOW,
      id: 'stolen',
    }),
    prepareSigner(k.mallory),
  );
  await add(
    'proof-by-another-key',
    'The chain is genuine, the proof is signed by mallory, not by the last holder.',
    grandchild.token,
    await proofBy(stolen, k.mallory),
    { code: 'MANDATE_PROOF_INVALID', hop: 2 },
  );
  {
    await add(
      'thief-appends-a-block',
      "A block signed by someone other than its parent's holder (the runner): the link signature fails.",
      stolen,
      k.mallory,
      { code: 'MANDATE_SIGNATURE_INVALID', hop: 3 },
    );
  }
  {
    const parsed = parseBiscuitToken(grandchild.token, DEFAULT_LIMITS);
    const raws = parsed.blocks.map((b) => Uint8Array.from(b.raw));
    const raw1 = raws[1] ?? new Uint8Array(3);
    raw1[raw1.length - 3] = (raw1[raw1.length - 3] ?? 0) ^ 1; // inside the signature
    await add(
      'flipped-signature-bit',
      "One bit of block 1's signature flipped.",
      toTokenText(serializeToken(raws)),
      k.runner,
      { code: 'MANDATE_SIGNATURE_INVALID', hop: 1 },
    );
  }
  await add(
    'reordered-blocks',
    "Blocks 1 and 2 swapped: block 2's symbol ids no longer resolve (or its layout is not canonical) where it now stands.",
    await spliceBiscuitBlocks(grandchild.token, (b) => [b[0], b[2], b[1]]),
    await proofBy(grandchild.token, k.runner),
    { code: 'MANDATE_MALFORMED', hop: 1 },
  );
  await add(
    'forged-seal',
    'The seal (final signature) with one bit flipped: it no longer verifies under the last holder key.',
    toTokenText(
      serializeToken(
        sealedParsed.blocks.map((b) => b.raw),
        Uint8Array.from(sealedParsed.seal ?? [], (x, i) => (i === 0 ? x ^ 1 : x)),
      ),
    ),
    k.runner,
    { code: 'MANDATE_SIGNATURE_INVALID', hop: 2 },
  );
  {
    const open = fromTokenText(grandchild.token);
    const firstLayout = Uint8Array.from([
      ...open.subarray(0, open.length - 2),
      ...lenField(4, lenField(1, new Uint8Array(32).fill(7))),
    ]);
    await add(
      'first-layout-token',
      'Proof.nextSecret (the first, third-party-block layout): refused as MANDATE_MALFORMED, reason biscuit-layout-1.',
      toTokenText(firstLayout),
      await proofBy(grandchild.token, k.runner),
      { code: 'MANDATE_MALFORMED', hop: 2 },
    );
  }
  await add(
    'truncated-to-the-root',
    "Blocks 1 and 2 removed: the root's holder (orchestrator) is the last holder now, and the runner cannot prove for it.",
    await spliceBiscuitBlocks(grandchild.token, (b) => [b[0]]),
    await proofBy(grandchild.token, k.runner),
    { code: 'MANDATE_PROOF_INVALID', hop: 0 },
  );

  return {
    name: 'Mandate Biscuit-chain vectors (layout 2)',
    version: 1,
    description:
      'Biscuit tokens in the layout of docs/format.md ("Biscuit encoding"): the genuine chain byte ' +
      'by byte, then cases with the decision a verifier configured as in `verifier` must reach ' +
      '(clock `now`, the DPoP proof in `proof`).',
    generator: 'scripts/biscuit-vectors.ts (npm run vectors:generate)',
    algorithm: 'Ed25519',
    keys: Object.fromEntries(
      PARTIES.map((name) => [
        name,
        { seed: TEST_SEEDS[name], publicJwk: k[name].publicJwk, id: k[name].id },
      ]),
    ) as BiscuitVectorFile['keys'],
    verifier: {
      trustAnchors: [{ id: VECTOR_ISSUER, publicJwk: k.anchor.publicJwk }],
      audience: AUDIENCE,
      proofWindow: 60,
      limits: DEFAULT_LIMITS,
    },
    layout: {
      token: grandchild.token,
      tokenHex: hex(fromTokenText(grandchild.token)),
      blocks,
      sealed: {
        token: sealed.token,
        sealPayload: hex(sealPayload(last)),
        finalSignature: hex(sealedParsed.seal ?? new Uint8Array()),
      },
    },
    numberOfTests: cases.length,
    tests: cases.map((c, i) => ({ tcId: i + 1, ...c, request: REQUEST, now: NOW })),
  };
}
