/** `prove`: the request-bound proof of possession by a mandate's last holder. */
import { tokenOf } from '../core/token-of.js';
import { randomUUID } from 'node:crypto';
import { MandateError } from '../core/errors.js';
import { TYP, type Typ } from '../core/typ.js';
import { systemClock } from '../core/time.js';
import type { KeyPair, MandateLike, ProofRequest } from '../core/types.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import type { AatBlock } from '../format/aat/chain.js';
import { codecFor } from '../format/codec.js';
import { createAatPop } from './aat-pop.js';
import { encodeSegment } from '../core/jws/compact.js';
import { sameKey } from '../identity/jwk.js';
import { prepareSigner, signBytes, type PreparedSigner } from '../identity/keys.js';
import { proofAudience } from './audience.js';
import { accessTokenHash, argsHash, isHttpRequest, normalizeHtu } from './request.js';

/** Options of `prove`. */
export interface ProveOptions {
  /** The mandate's last holder. Another key is refused (`MANDATE_PROOF_INVALID`). */
  readonly signer: KeyPair;
  /** `{ method, url }` for HTTP (a DPoP proof) or `{ tool, args }` for a tool call. */
  readonly request: ProofRequest;
  /** Seconds since the epoch (default: the wall clock). */
  readonly now?: number;
  /** A server-provided nonce: RFC 9449 for HTTP, AAT `nonce` for an AAT chain. */
  readonly nonce?: string;
  /**
   * Tool calls only: the service the proof is made for (the receiving verifier's `audience`),
   * written as `aud` in an invocation proof and `aat_aud` in an AAT proof. A verifier denies
   * a proof made for another service. Default: the mandate's audience when it names exactly
   * one service; when it names several, `prove` refuses (`TypeError`) to make a proof without
   * this. HTTP proofs bind the service with `htu` instead, so it is refused there.
   */
  readonly audience?: string;
  /** The proof id (default: a random UUID). Set it only for reproducible vectors. */
  readonly jti?: string;
}

/**
 * Prove possession of a mandate for one request.
 * @returns the proof: for HTTP, the value of the `DPoP` header (RFC 9449); for a tool
 * call, an invocation proof of the same shape binding the tool name and its arguments.
 */
export async function prove(mandate: MandateLike, options: ProveOptions): Promise<string> {
  const token = tokenOf(mandate, 'prove');
  const signer = prepareSigner(options.signer);
  // Decoded once, by the codec the token names, which also names the proof it is proven with.
  const codec = codecFor(token);
  const { blocks } = await codec.decode(token, DEFAULT_LIMITS);
  const holder = blocks.at(-1)?.holderKey;
  if (holder === undefined) throw new TypeError('the mandate has no blocks');
  if (!sameKey(holder, signer.publicJwk)) {
    throw new MandateError('MANDATE_PROOF_INVALID', "the signer is not the mandate's last holder", {
      check: 'possession',
    });
  }
  const request = options.request;
  const iat = options.now ?? systemClock();
  if (request !== undefined && isHttpRequest(request) && options.audience !== undefined) {
    throw new TypeError('audience applies to tool-call proofs; a DPoP proof binds the URL (htu)');
  }
  // A tool-call proof names the one service it is for (refused if that is ambiguous).
  const audience =
    request === undefined || isHttpRequest(request)
      ? undefined
      : proofAudience(blocks, options.audience);
  if (codec.proof === 'aat-pop') {
    // An AAT chain is proven with an aat-pop+jwt over the leaf token and the tool call.
    if (request === undefined || isHttpRequest(request)) {
      throw new TypeError('an AAT proof binds a tool call: request must be { tool, args }');
    }
    // The AAT codec's blocks are AAT tokens: the leaf carries the signing input it binds.
    const leaf = blocks.at(-1) as AatBlock | undefined;
    if (leaf === undefined) throw new TypeError('the mandate has no blocks');
    return createAatPop(signer, {
      leaf,
      tool: request.tool,
      args: request.args,
      iat,
      jti: options.jti,
      audience,
      nonce: options.nonce,
    });
  }
  let typ: Typ;
  let claims: Record<string, unknown>;
  if (isHttpRequest(request)) {
    const htu = normalizeHtu(request.url);
    if (htu === undefined) throw new TypeError('request.url must be an absolute http(s) URL');
    if (typeof request.method !== 'string' || !/^[A-Z]{1,16}$/.test(request.method)) {
      throw new TypeError('request.method must be an upper-case HTTP method');
    }
    typ = TYP.dpop;
    claims = {
      jti: options.jti ?? randomUUID(),
      htm: request.method,
      htu,
      iat,
      ath: accessTokenHash(token),
    };
    if (options.nonce !== undefined) claims.nonce = options.nonce;
  } else {
    if (typeof request?.tool !== 'string' || request.tool.length === 0) {
      throw new TypeError('request.tool must be a non-empty string');
    }
    typ = TYP.invocation;
    claims = {
      jti: options.jti ?? randomUUID(),
      tool: request.tool,
      args_hash: argsHash(request.args),
      iat,
      ath: accessTokenHash(token),
    };
    if (audience !== undefined) claims.aud = audience;
  }
  return signProof(signer, typ, claims);
}

/**
 * Sign proof claims as a compact JWS whose header carries `typ`, the algorithm and the
 * signer's public JWK (the shape every Mandate proof has). The caller decides who may sign.
 */
export function signProof(
  signer: PreparedSigner,
  typ: Typ,
  claims: Readonly<Record<string, unknown>>,
): string {
  const header = { typ, alg: signer.alg, jwk: signer.publicJwk };
  const signingInput = `${encodeSegment(header)}.${encodeSegment(claims)}`;
  return `${signingInput}.${signBytes(signer, signingInput).toString('base64url')}`;
}
