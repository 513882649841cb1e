/**
 * AAT proof of possession (`aat-pop+jwt`, draft section 5 and steps 7a-7g): a JWT signed
 * by the leaf holder, bound to the leaf token (`aat_id`, `aat_hash`), the tool
 * (`aat_tool`) and its arguments (`hta`, compared as RFC 8785 canonical JSON), optionally
 * to this enforcement point (`aat_aud`) and a server nonce. The nonce (7h) and replay (7i)
 * checks are the verifier's, after this one.
 */
import { randomUUID } from 'node:crypto';
import { decodeBase64url, canonicalJson } from '../core/encoding.js';
import { MandateError, type MandateErrorCode } from '../core/errors.js';
import { assertJson } from '../core/json.js';
import { parseJsonObject, writtenWithFraction, type NumberMode } from '../core/json-text.js';
import { TYP } from '../core/typ.js';
import type { Json } from '../core/types.js';
import { algForJwk } from '../identity/jwk.js';
import { signBytes, type PreparedSigner } from '../identity/keys.js';
import { isHttpRequest } from './request.js';
import { checkProofAudience } from './check.js';
import { isFresh } from './freshness.js';
import type {
  ChainProofContext,
  ChainProofSignatureContext,
  ProvenRequest,
  VerifiableChain,
} from '../format/codec.js';
import { disallowedHeaderMember } from '../core/jws/compact.js';
import { verifyJwsSignature } from '../core/jws/signature.js';
import { aatHash, encodeJcsSegment, type AatBlock } from '../format/aat/chain.js';
import { TOOL_ACTION, toolResource } from '../format/aat/claims.js';

const MAX_PROOF_LENGTH = 16384;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

type Deny = (step: string, message: string, path?: string, code?: MandateErrorCode) => never;

function denialsAt(hop: number): Deny {
  return (step, message, path, code = 'MANDATE_PROOF_INVALID') => {
    throw new MandateError(code, message, {
      check: 'possession',
      hop,
      detail: { step, ...(path === undefined ? {} : { path }) },
    });
  };
}

/** An `aat-pop+jwt` whose typing and signature hold (steps 7a-7b), with its parsed claims. */
export interface SignedAatPop {
  /** The proof text that was verified. */
  readonly proof: string;
  readonly claims: Readonly<Record<string, unknown>>;
}

/**
 * Steps 7a-7b: the proof is a compact JWS typed `aat-pop+jwt`, with the leaf key's allowed
 * algorithm, signed by the leaf holder. Nothing here grows with the request: the verifier
 * runs it before it authorizes the invocation (step 6), so a garbage proof is refused before
 * any work on the arguments. Throws a coded `MandateError` (check `possession`).
 */
export function verifyAatPopSignature(
  proof: unknown,
  leaf: AatBlock,
  ctx: ChainProofSignatureContext,
): SignedAatPop {
  const { hop } = ctx;
  const deny: Deny = denialsAt(hop);
  if (proof === undefined || proof === null || proof === '') {
    deny('7a', 'no proof of possession', undefined, 'MANDATE_PROOF_MISSING');
  }
  if (typeof proof !== 'string' || proof.length > MAX_PROOF_LENGTH) {
    deny('7a', 'the proof must be a compact JWS');
  }
  const parts = proof.split('.');
  const [h = '', p = '', s = ''] = parts;
  if (parts.length !== 3 || h === '' || p === '') deny('7a', 'the proof must be a compact JWS');
  const json = (
    segment: string,
    label: string,
    step: string,
    numbers: NumberMode = 'reject',
  ): Record<string, unknown> => {
    try {
      const text = utf8.decode(decodeBase64url(segment, label, 'possession', hop));
      return parseJsonObject(text, label, 'possession', hop, undefined, numbers);
    } catch {
      return deny(step, `${label} is not a JSON object`, label);
    }
  };

  // 7a: explicit typing; the algorithm must be the leaf key's and allowed.
  const header = json(h, 'proof.header', '7a');
  if (header['typ'] !== TYP.aatPop)
    deny('7a', `proof typ must be ${TYP.aatPop}`, 'proof.header.typ');
  const alg = algForJwk(leaf.holderKey);
  if (header['alg'] !== alg || !ctx.algorithms.includes(alg)) {
    deny('7a', "proof algorithm is not the leaf key's", 'proof.header.alg');
  }
  // The allow-list every block and proof header passes: `crit`, `jku`, `x5u`, `jwk`, `x5c`,
  // `b64`, `zip` and the rest never reach key selection or the payload's reading.
  const refused = disallowedHeaderMember(header, ['kid']);
  if (refused !== undefined) {
    deny('7a', `proof header member "${refused}" is not allowed`, `proof.header.${refused}`);
  }

  // 7b: signed by the leaf holder; claims are parsed only after the signature verifies.
  let signature: Buffer;
  try {
    signature = decodeBase64url(s, 'proof.signature', 'possession', hop);
  } catch {
    return deny('7b', 'proof signature verification failed');
  }
  if (!verifyJwsSignature(alg, ctx.holderKey, `${h}.${p}`, signature)) {
    deny('7b', 'proof signature verification failed');
  }
  // Numbers are read as written: an inadmissible one in hta is denied at 7c (section 3.4).
  return { proof, claims: json(p, 'proof.payload', '7b', 'mark') };
}

/**
 * Check an `aat-pop+jwt` for the leaf `leaf` (steps 7a-7g, in order). Throws a coded
 * `MandateError` (check `possession`, `detail.step`) on the first failure. `signed`, the
 * result of {@link verifyAatPopSignature} for this same proof, spares a second signature check.
 *
 * Not checked here: the nonce (7h) and `jti` replay (7i), which the verifier does next.
 */
export function checkAatPop(
  proof: unknown,
  leaf: AatBlock,
  ctx: ChainProofContext,
  signed?: SignedAatPop,
): ProvenRequest {
  const { hop } = ctx;
  const deny: Deny = denialsAt(hop);
  const { claims } =
    signed !== undefined && signed.proof === proof
      ? signed
      : verifyAatPopSignature(proof, leaf, ctx);
  // The request's bounds, now that the signature holds: before anything reads the arguments.
  ctx.boundRequest?.();

  // 7c: the claims' types (hta required, numbers admissible), then bound to the leaf token.
  const jti = claims['jti'];
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) {
    deny('7c', 'proof jti must be a non-empty string', 'proof.jti');
  }
  const tool = claims['aat_tool'];
  if (typeof tool !== 'string' || tool.length === 0) {
    deny('7c', 'proof aat_tool must be a non-empty string', 'proof.aat_tool');
  }
  const iat = claims['iat'];
  if (typeof iat !== 'number' || !Number.isFinite(iat) || writtenWithFraction(claims, 'iat')) {
    deny('7c', 'proof iat must be a NumericDate', 'proof.iat');
  }
  const hta = claims['hta'];
  if (typeof hta !== 'object' || hta === null || Array.isArray(hta)) {
    deny('7c', 'proof hta must be present and an object', 'proof.hta');
  }
  try {
    assertJson(hta, 'proof.hta', { maxArrayLength: MAX_PROOF_LENGTH });
  } catch (error) {
    deny('7c', error instanceof Error ? error.message : 'proof hta is not JSON', 'proof.hta');
  }
  if (claims['aat_id'] !== leaf.id)
    deny('7c', 'the proof is for another token (aat_id)', 'proof.aat_id');
  if (claims['aat_hash'] !== aatHash(leaf)) {
    deny('7c', 'the proof is for another token (aat_hash)', 'proof.aat_hash');
  }

  // 7d: presentation audience; required when the chain names several services.
  checkProofAudience(claims['aat_aud'], ctx, 'proof.aat_aud', '7d');

  // 7e: the tool, compared as an exact string; the action must be that tool call.
  const request = ctx.request;
  if (isHttpRequest(request)) {
    return deny('7e', 'an AAT proof binds a tool call, not an HTTP request', 'request');
  }
  if (tool !== request.tool) {
    deny('7e', 'the proof is for another tool (aat_tool)', 'proof.aat_tool');
  }
  let resource: string | undefined;
  try {
    resource = toolResource(request.tool);
  } catch {
    resource = undefined;
  }
  if (ctx.action.resource !== resource || ctx.action.action !== TOOL_ACTION) {
    deny('7e', 'the action is not the proven tool call', 'action');
  }

  // 7f: the arguments, as RFC 8785 canonical JSON.
  let same = false;
  try {
    same = canonicalJson(hta) === canonicalJson(request.args);
  } catch {
    same = false;
  }
  if (!same) deny('7f', 'the proof is for other arguments (hta)', 'proof.hta');

  // 7g: fresh.
  if (!isFresh(iat, ctx.now, ctx.window)) {
    deny('7g', 'the proof is not fresh (iat outside the window)', 'proof.iat');
  }

  const nonce = claims['nonce'];
  if (nonce !== undefined && typeof nonce !== 'string')
    deny('7h', 'proof nonce must be a string', 'proof.nonce');
  return { jti: jti, iat: iat, nonce: nonce };
}

/** What `prove` puts in an AAT proof of possession. */
export interface AatPopInput {
  readonly leaf: AatBlock;
  readonly tool: string;
  readonly args: Readonly<Record<string, Json>>;
  readonly iat: number;
  readonly jti?: string | undefined;
  readonly audience?: string | undefined;
  readonly nonce?: string | undefined;
}

/** Sign an `aat-pop+jwt` (JCS payload) with the leaf holder's key. */
export function createAatPop(signer: PreparedSigner, input: AatPopInput): string {
  if (typeof input.tool !== 'string' || input.tool.length === 0) {
    throw new TypeError('request.tool must be a non-empty string');
  }
  const claims = {
    jti: input.jti ?? randomUUID(),
    iat: input.iat,
    aat_id: input.leaf.id,
    aat_hash: aatHash(input.leaf),
    aat_tool: input.tool,
    hta: input.args,
    ...(input.audience === undefined ? {} : { aat_aud: input.audience }),
    ...(input.nonce === undefined ? {} : { nonce: input.nonce }),
  };
  const signingInput = `${encodeJcsSegment({ alg: signer.alg, typ: TYP.aatPop })}.${encodeJcsSegment(claims)}`;
  return `${signingInput}.${signBytes(signer, signingInput).toString('base64url')}`;
}

/**
 * `chain` (an AAT chain) with its own proof of possession: `aat-pop+jwt` over its leaf, the
 * signature (7a-7b) checked once, first, then the rest (7c-7g). The codec names the proof
 * (`proof: 'aat-pop'`); the verifier attaches it here, since proofs live above the codecs.
 */
export function withAatPop(chain: VerifiableChain): VerifiableChain {
  const leaf = chain.blocks[chain.blocks.length - 1] as Partial<AatBlock> | undefined;
  const leafOf = (): AatBlock => {
    if (leaf === undefined || typeof leaf.signingInput !== 'string') {
      throw new Error('an AAT chain without a signed leaf token reached the proof');
    }
    return leaf as AatBlock;
  };
  // One verification checks one proof: its signature, checked first, is not checked twice.
  let verifiedProof: SignedAatPop | undefined;
  return {
    ...chain,
    checkProofSignature(proof, context) {
      verifiedProof = verifyAatPopSignature(proof, leafOf(), context);
    },
    checkProof(proof, context) {
      return checkAatPop(proof, leafOf(), context, verifiedProof);
    },
  };
}
