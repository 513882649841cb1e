/**
 * Encoding mandates as Biscuit tokens (docs/format.md, "Biscuit encoding", layout 2), in
 * JavaScript with node:crypto — no wasm:
 * - The root is the authority block, signed by the trust anchor's key; its next key is the first
 *   holder's public key.
 * - Each delegation is a first-party block signed by the previous holder's own key (the previous
 *   block's next key); its next key is the new holder's public key. It states only what changes.
 * - A token is written open (an empty `Proof`); its last holder may seal it ({@link sealBiscuit})
 *   for a standard Biscuit verifier.
 *
 * @module
 */
import { MandateError } from '../../core/errors.js';
import { DEFAULT_LIMITS, type Limits } from '../../core/limits.js';
import type { Capability } from '../../core/types.js';
import type { PreparedSigner } from '../../identity/keys.js';
import type { PlannedBlock } from '../plan.js';
import { encodeBlock, type BlockContent } from './block.js';
import { extendBiscuit, readBiscuit, type DecodedBiscuit } from './chain.js';
import { SymbolTable } from './symbols.js';
import {
  biscuitSign,
  blockSignaturePayload,
  fromJwk,
  sealPayload,
  serializeToken,
  signerKey,
  toTokenText,
  type SignedBlock,
} from './token.js';

function refuseCertificateBinding(plan: PlannedBlock): void {
  if (plan.holderX5t !== undefined) {
    throw new TypeError('holderCertificate (RFC 8705) is supported by the JWS format only');
  }
}

/** Signs `block` (after `previousSignature`): the `SignedBlock` whose next key is the holder's. */
function signBlock(
  block: Uint8Array,
  plan: PlannedBlock,
  signer: PreparedSigner,
  previousSignature: Uint8Array | undefined,
): Omit<SignedBlock, 'raw'> {
  const nextKey = fromJwk(plan.holderJwk);
  const { key, algorithm } = signerKey(signer);
  const signature = biscuitSign(
    key,
    algorithm,
    blockSignaturePayload(block, nextKey, previousSignature),
  );
  return { block, nextKey, signature };
}

/**
 * Encodes a planned root as a one-block open Biscuit token, signed by `signer` (the trust anchor),
 * decoded as a verifier would decode it (a root it would refuse as malformed throws).
 */
export function mintBiscuit(plan: PlannedBlock, signer: PreparedSigner): DecodedBiscuit {
  refuseCertificateBinding(plan);
  const content: BlockContent = {
    issuer: plan.issuer,
    subject: plan.subject,
    ...(signer.alg === 'ES256' ? { rootAlg: 'ES256' as const } : {}),
    id: plan.id,
    issuedAt: plan.issuedAt,
    expiresAt: plan.expiresAt,
    ...(plan.notBefore === undefined ? {} : { notBefore: plan.notBefore }),
    ...(plan.audience === undefined ? {} : { audience: plan.audience }),
    maxDepth: plan.maxDepth,
    ...(plan.purpose === undefined ? {} : { purpose: plan.purpose }),
    capabilities: plan.capabilities,
    ...(plan.approvals === undefined || plan.approvals.length === 0
      ? {}
      : { approvals: plan.approvals }),
  };
  const { bytes } = encodeBlock(content, SymbolTable.initial, true);
  return extendBiscuit(undefined, signBlock(bytes, plan, signer, undefined), DEFAULT_LIMITS);
}

/**
 * {@link mintBiscuit}'s token text: the Biscuit bytes in URL-safe base64 with padding.
 */
export function encodeBiscuitRoot(plan: PlannedBlock, signer: PreparedSigner): string {
  return mintBiscuit(plan, signer).text;
}

/** The last entry of a decoded token (a decoded token has at least its authority block). */
function lastOf<T>(list: readonly T[]): T {
  const last = list[list.length - 1];
  if (last === undefined) {
    throw new MandateError('MANDATE_MALFORMED', 'the mandate has no blocks', {
      check: 'limits',
      hop: 0,
    });
  }
  return last;
}

function sameList<T>(a: readonly T[] | undefined, b: readonly T[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameCapabilities(a: readonly Capability[], b: readonly Capability[]): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A delegation's approval requirements when they differ from its parent's (absent: inherited).
 * A block cannot drop inherited requirements; `planDelegation` refuses that as a widening.
 */
function changedApprovals(
  planned: PlannedBlock['approvals'],
  parent: PlannedBlock['approvals'],
): { approvals?: NonNullable<PlannedBlock['approvals']> } {
  if (JSON.stringify(planned ?? []) === JSON.stringify(parent ?? [])) return {};
  if (planned === undefined || planned.length === 0) {
    throw new TypeError('a Biscuit delegation cannot drop its parent’s approval requirements');
  }
  return { approvals: planned };
}

/**
 * Appends a planned delegation to a decoded Biscuit token as a block signed by `signer` (the
 * previous holder), stating only what differs from its parent; only the new block is decoded.
 * Nothing about `plan` is checked here: `planDelegation` refuses widenings, and a verifier
 * re-checks everything. A sealed token is reopened (its seal only closes it for standard
 * verifiers; the holder's key is what appends).
 */
export function appendBiscuit(
  decoded: DecodedBiscuit,
  plan: PlannedBlock,
  signer: PreparedSigner,
  limits: Limits,
): DecodedBiscuit {
  refuseCertificateBinding(plan);
  const parentEntry = lastOf(decoded.entries);
  const parent = parentEntry.block;
  if (plan.notBefore !== parent.notBefore) {
    throw new TypeError('a Biscuit delegation keeps its parent’s not-before');
  }
  const content: BlockContent = {
    id: plan.id,
    issuedAt: plan.issuedAt,
    ...(plan.expiresAt === parent.expiresAt ? {} : { expiresAt: plan.expiresAt }),
    ...(sameList(plan.audience, parent.audience) || plan.audience === undefined
      ? {}
      : { audience: plan.audience }),
    ...(plan.maxDepth === parent.maxDepth ? {} : { maxDepth: plan.maxDepth }),
    ...(plan.purpose === undefined ? {} : { purpose: plan.purpose }),
    ...(sameCapabilities(plan.capabilities, parent.capabilities)
      ? {}
      : { capabilities: plan.capabilities }),
    ...changedApprovals(plan.approvals, parent.approvals),
  };
  const { bytes } = encodeBlock(content, parentEntry.table, false);
  return extendBiscuit(decoded, signBlock(bytes, plan, signer, parent.signed.signature), limits);
}

/**
 * {@link appendBiscuit} on a token's text, returning the longer token's text. Throws
 * `MANDATE_MALFORMED` for a token it cannot read.
 */
export function appendBiscuitBlock(
  token: string,
  plan: PlannedBlock,
  signer: PreparedSigner,
): string {
  return appendBiscuit(readBiscuit(token, DEFAULT_LIMITS), plan, signer, DEFAULT_LIMITS).text;
}

/**
 * Seals a Biscuit token with its last holder's key (`Proof.finalSignature`): the form a standard
 * Biscuit verifier accepts given the root key. Mandate's verifier accepts open and sealed tokens.
 * Throws `MANDATE_LINK_BROKEN` when `signer` is not the last holder.
 */
export function sealBiscuitToken(token: string, signer: PreparedSigner): string {
  const decoded = readBiscuit(token, DEFAULT_LIMITS);
  const last = lastOf(decoded.blocks);
  const holder = fromJwk(signer.publicJwk);
  const nextKey = last.signed.nextKey;
  if (holder.algorithm !== nextKey.algorithm || Buffer.compare(holder.key, nextKey.key) !== 0) {
    throw new MandateError(
      'MANDATE_LINK_BROKEN',
      `the signer does not hold block ${last.depth}: only the last holder can seal`,
      { check: 'linkage', hop: last.depth },
    );
  }
  const { key, algorithm } = signerKey(signer);
  const seal = biscuitSign(key, algorithm, sealPayload(last.signed));
  return toTokenText(
    serializeToken(
      decoded.token.blocks.map((b) => b.raw),
      seal,
      decoded.token.rootKeyId,
    ),
  );
}
