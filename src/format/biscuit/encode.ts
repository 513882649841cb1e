/**
 * Encoding mandates as Biscuit tokens (docs/format.md, "Biscuit encoding").
 *
 * - The root is the authority block, signed by the trust anchor's key.
 * - Each delegation is a third-party block whose external signature is by the previous holder's key
 *   (so a thief holding the token cannot append a block naming its own key), over the block's bytes
 *   and the previous block's signature.
 *
 * biscuit-wasm compiles each block's Datalog (from {@link blockCode}, parameters only) into the
 * block's protobuf bytes; node:crypto makes every key and signature (see token.ts for why).
 *
 * @module
 */
import { MandateError } from '../../core/errors.js';
import { DEFAULT_LIMITS } from '../../core/limits.js';
import type { PreparedSigner } from '../../identity/keys.js';
import type { PlannedBlock } from '../plan.js';
import { blockCode } from './datalog.js';
import { bytesOf, lenField, readFields, readMessage, type ProtoField } from './protobuf.js';
import {
  biscuitSign,
  blockSignaturePayload,
  ephemeralKey,
  externalSignaturePayload,
  fromJwk,
  parseBiscuitToken,
  secretKey,
  secretMatches,
  serializeSignedBlock,
  serializeToken,
  signerKey,
  SIGNATURE_VERSION,
  toTokenText,
} from './token.js';
import { withBiscuit } from './wasm.js';

/**
 * A fixed throwaway key for the signatures biscuit-wasm insists on making while it serializes a
 * block. Those signatures are discarded; Mandate re-signs the bytes with the real keys.
 */
const THROWAWAY_SEED = new Uint8Array(32).fill(7);

function refuseCertificateBinding(plan: PlannedBlock): void {
  if (plan.holderX5t !== undefined) {
    throw new TypeError('holderCertificate (RFC 8705) is supported by the JWS format only');
  }
}

/** The authority block's bytes, as biscuit-wasm serializes `code`. */
async function compileAuthority(plan: PlannedBlock, rootAlg: 'Ed25519' | 'ES256') {
  const code = blockCode(plan, rootAlg);
  const bytes = await withBiscuit((api, scope) => {
    const builder = scope.own(api.Biscuit.builder());
    builder.addCodeWithParameters(code.source, code.parameters, {});
    const key = scope.own(api.PrivateKey.fromBytes(THROWAWAY_SEED, api.SignatureAlgorithm.Ed25519));
    return scope.own(builder.build(key)).toBytes();
  });
  // Biscuit { authority = 2 } → SignedBlock { block = 1 }: only the block bytes are kept (wasm's
  // signatures, made with the throwaway key and whatever signature version it picks, are dropped).
  const authority = bytesOf(groupFields(bytes), 2);
  const block = authority === undefined ? undefined : bytesOf(groupFields(authority), 1);
  if (block === undefined) throw new Error('biscuit-wasm built a token without authority');
  return block;
}

/** Groups any message's fields (wasm's own output: no schema to enforce). */
function groupFields(bytes: Uint8Array) {
  const grouped = new Map<number, ProtoField[]>();
  for (const f of readFields(bytes)) grouped.set(f.field, [...(grouped.get(f.field) ?? []), f]);
  return grouped;
}

/** A third-party block's bytes, as biscuit-wasm serializes `code` for a block after `previous`. */
async function compileThirdParty(plan: PlannedBlock, previousSignature: Uint8Array) {
  const code = blockCode(plan);
  // ThirdPartyBlockRequest { previousSignature = 3 }: all createBlock needs, built by hand because
  // biscuit-wasm can only produce one from a token it has verified.
  const request = lenField(3, previousSignature);
  const contents = await withBiscuit((api, scope) => {
    const builder = scope.own(api.Biscuit.block_builder());
    builder.addCodeWithParameters(code.source, code.parameters, {});
    const key = scope.own(api.PrivateKey.fromBytes(THROWAWAY_SEED, api.SignatureAlgorithm.Ed25519));
    const req = scope.own(api.ThirdPartyRequest.fromBytes(request));
    return scope.own(req.createBlock(key, builder)).toBytes();
  });
  // ThirdPartyBlockContents { payload = 1, externalSignature = 2 }: keep the payload only.
  const payload = bytesOf(readMessage(contents, { 1: { wire: 2 }, 2: { wire: 2 } }, 'contents'), 1);
  if (payload === undefined)
    throw new Error('biscuit-wasm returned a third-party block without payload');
  return payload;
}

/**
 * Encodes a planned root as a one-block Biscuit token, signed by `signer` (the trust anchor).
 * The token string is the Biscuit bytes in URL-safe base64 with padding.
 */
export async function encodeBiscuitRoot(
  plan: PlannedBlock,
  signer: PreparedSigner,
): Promise<string> {
  refuseCertificateBinding(plan);
  const block = await compileAuthority(plan, signer.alg);
  const next = ephemeralKey();
  const root = signerKey(signer);
  const signature = biscuitSign(
    root.key,
    root.algorithm,
    blockSignaturePayload(block, next.publicKey, undefined, undefined),
  );
  const raw = serializeSignedBlock({
    block,
    nextKey: next.publicKey,
    signature,
    version: SIGNATURE_VERSION,
  });
  return toTokenText(serializeToken([raw], next.secret));
}

/**
 * Appends a planned delegation to a Biscuit token as a third-party block signed by `signer` (the
 * previous holder). Nothing about `plan` is checked here: `planDelegation` refuses widenings, and a
 * verifier re-checks everything. Throws `MANDATE_MALFORMED` for a token it cannot extend.
 */
export async function appendBiscuitBlock(
  token: string,
  plan: PlannedBlock,
  signer: PreparedSigner,
): Promise<string> {
  refuseCertificateBinding(plan);
  const parsed = parseBiscuitToken(token, DEFAULT_LIMITS);
  const previous = parsed.blocks[parsed.blocks.length - 1];
  if (previous === undefined || !secretMatches(parsed.nextSecret, previous.nextKey)) {
    throw new MandateError('MANDATE_MALFORMED', "the token's proof does not match its last block", {
      check: 'limits',
      hop: parsed.blocks.length - 1,
      detail: { path: 'proof' },
    });
  }
  const block = await compileThirdParty(plan, previous.signature);
  const holder = signerKey(signer);
  const externalSignature = biscuitSign(
    holder.key,
    holder.algorithm,
    externalSignaturePayload(block, previous.signature),
  );
  const next = ephemeralKey();
  const signature = biscuitSign(
    secretKey(parsed.nextSecret),
    0,
    blockSignaturePayload(block, next.publicKey, previous.signature, externalSignature),
  );
  const raw = serializeSignedBlock({
    block,
    nextKey: next.publicKey,
    signature,
    external: { signature: externalSignature, publicKey: fromJwk(signer.publicJwk) },
    version: SIGNATURE_VERSION,
  });
  return toTokenText(
    serializeToken([...parsed.blocks.map((b) => b.raw), raw], next.secret, parsed.rootKeyId),
  );
}
