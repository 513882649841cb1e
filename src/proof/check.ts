/**
 * The possession rule (DESIGN.md rule 8): the request carries a proof signed by the
 * chain's last holder, bound to this request and this mandate, fresh, and not seen before.
 */
import type { z } from 'zod';
import { MandateError, type MandateErrorCode } from '../core/errors.js';
import { canonicalJson } from '../core/encoding.js';
import { TYP, type Typ } from '../core/typ.js';
import type { ProofRequest } from '../core/types.js';
import { parseCompactJws } from '../core/jws/compact.js';
import { verifyJwsSignature } from '../core/jws/signature.js';
import {
  algForJwk,
  parsePublicJwk,
  sameKey,
  type PublicJwk,
  type SigningAlg,
  type VerifyingKey,
} from '../identity/jwk.js';
import { isFresh } from './freshness.js';
import { accessTokenHash, argsHash, isHttpRequest, normalizeHtu } from './request.js';
import { parseWith } from '../core/schemas.js';
import { lazySchema } from '../core/zod.js';

/** What the verifier knows when it checks a proof. */
export interface ProofContext {
  readonly token: string;
  readonly holderJwk: PublicJwk;
  /** The holder's key, imported or as its JWK (`KeyCache.forVerifying`). */
  readonly holderKey: VerifyingKey;
  readonly hop: number;
  readonly now: number;
  /** Seconds either side of now within which the proof's `iat` must lie. */
  readonly window: number;
  readonly algorithms: readonly SigningAlg[];
  readonly maxStringLength: number;
  /** The verifier's own identity: a tool-call proof naming another service is denied. */
  readonly audience: string;
  /** Whether a tool-call proof must name its audience (see `proofMustNameAudience`). */
  readonly requireAudience: boolean;
  /** The `typ` the proof must carry. Default: `dpop+jwt` for HTTP, the invocation typ otherwise. */
  readonly typ?: Typ;
  /**
   * Checks the request's bounds (the verifier's request limits), throwing a coded denial past
   * them. Called once the proof's signature holds, before any work that reads the request
   * (the URL's parse, the arguments' RFC 8785 hash).
   */
  readonly boundRequest?: () => void;
}

/** A proof that has passed every check but the replay store. */
export interface CheckedProof {
  readonly jti: string;
  readonly iat: number;
  /** The RFC 9449 server nonce a DPoP proof carries (the verifier checks it if configured). */
  readonly nonce?: string | undefined;
}

const B64U43 = /^[A-Za-z0-9_-]{43}$/;

// Built on first use (zod loads only for a proof that is not plainly valid).
const claimSchemas = lazySchema((z) => {
  const jti = z.string().min(1).max(256);
  const iat = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
  const b64u43 = z.string().regex(B64U43);
  return {
    // DPoP proofs may carry further claims (RFC 9449 §4.2); the invocation proof is Mandate's own.
    dpop: z.looseObject({
      jti,
      iat,
      htm: z.string().max(16),
      htu: z.string().max(4096),
      ath: b64u43,
      nonce: z.string().max(1024).optional(),
    }),
    invocation: z.strictObject({
      jti,
      iat,
      tool: z.string().min(1).max(1024),
      args_hash: b64u43,
      ath: b64u43,
      aud: z.string().min(1).max(1024).optional(),
    }),
  };
});
type DpopClaims = z.infer<ReturnType<typeof claimSchemas>['dpop']>;
type InvocationClaims = z.infer<ReturnType<typeof claimSchemas>['invocation']>;

function isText(value: unknown, min: number, max: number): boolean {
  return typeof value === 'string' && value.length >= min && value.length <= max;
}

function isSeconds(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

const INVOCATION_CLAIMS = new Set(['jti', 'iat', 'tool', 'args_hash', 'ath', 'aud']);

/**
 * Invocation-proof claims the schema plainly accepts as they are (a test holds the two
 * together): exactly its members, none `undefined`; anything else gets the schema's verdict.
 */
export function invocationClaimsPlainlyValid(payload: Readonly<Record<string, unknown>>): boolean {
  for (const key of Object.keys(payload)) if (!INVOCATION_CLAIMS.has(key)) return false;
  const { jti, iat, tool, args_hash: argsHash, ath, aud } = payload;
  return (
    isText(jti, 1, 256) &&
    isSeconds(iat) &&
    isText(tool, 1, 1024) &&
    typeof argsHash === 'string' &&
    B64U43.test(argsHash) &&
    typeof ath === 'string' &&
    B64U43.test(ath) &&
    (!Object.hasOwn(payload, 'aud') || isText(aud, 1, 1024))
  );
}

/**
 * DPoP claims the schema plainly accepts as they are (a test holds the two together): the
 * common case skips zod; anything else gets the schema's verdict and message.
 */
export function dpopClaimsPlainlyValid(payload: Readonly<Record<string, unknown>>): boolean {
  const { jti: id, iat: issued, htm, htu, ath, nonce } = payload;
  return (
    typeof id === 'string' &&
    id.length >= 1 &&
    id.length <= 256 &&
    typeof issued === 'number' &&
    Number.isSafeInteger(issued) &&
    issued >= 0 &&
    typeof htm === 'string' &&
    htm.length <= 16 &&
    typeof htu === 'string' &&
    htu.length <= 4096 &&
    typeof ath === 'string' &&
    B64U43.test(ath) &&
    (nonce === undefined || (typeof nonce === 'string' && nonce.length <= 1024))
  );
}

/** The schema for a proof's claims, as the schema parses them. */
export function proofClaimsSchema(
  http: boolean,
): ReturnType<typeof claimSchemas>['dpop'] | ReturnType<typeof claimSchemas>['invocation'] {
  return http ? claimSchemas().dpop : claimSchemas().invocation;
}

/**
 * Check a proof for a request. Throws a `MandateError` (check `possession`) on any
 * failure; the caller then records the returned `jti` in the replay store.
 */
export function checkProof(proof: unknown, request: ProofRequest, ctx: ProofContext): CheckedProof {
  const { hop } = ctx;
  const deny = (
    code: MandateErrorCode,
    message: string,
    detail: Record<string, unknown> = {},
  ): never => {
    throw new MandateError(code, message, { check: 'possession', hop, detail });
  };
  if (proof === undefined || proof === null || proof === '')
    deny('MANDATE_PROOF_MISSING', 'no proof of possession');
  if (typeof proof !== 'string' || proof.length > 8192)
    deny('MANDATE_PROOF_INVALID', 'the proof must be a compact JWS');
  const proofText = proof as string;
  const http = isHttpRequest(request);
  let jws;
  try {
    jws = parseCompactJws(proofText, {
      label: 'proof',
      check: 'possession',
      hop,
      extraHeaders: ['jwk'],
    });
  } catch (error) {
    const detail = error instanceof MandateError ? error.detail : {};
    return deny(
      'MANDATE_PROOF_INVALID',
      error instanceof Error ? error.message : 'malformed proof',
      detail,
    );
  }
  const expectedTyp = ctx.typ ?? (http ? TYP.dpop : TYP.invocation);
  if (jws.header.typ !== expectedTyp)
    deny('MANDATE_PROOF_INVALID', `proof typ must be ${expectedTyp}`, { path: 'proof.header.typ' });
  let proofKey: PublicJwk;
  try {
    proofKey = parsePublicJwk(jws.header.jwk, 'possession', hop, 'proof.header.jwk');
  } catch (error) {
    return deny('MANDATE_PROOF_INVALID', error instanceof Error ? error.message : 'bad proof key', {
      path: 'proof.header.jwk',
    });
  }
  if (!sameKey(proofKey, ctx.holderJwk)) {
    deny('MANDATE_PROOF_INVALID', "the proof is not signed by the mandate's last holder", {
      path: 'proof.header.jwk',
    });
  }
  const alg = algForJwk(ctx.holderJwk);
  if (jws.header.alg !== alg || !ctx.algorithms.includes(alg)) {
    deny('MANDATE_PROOF_INVALID', 'proof algorithm not allowed', { path: 'proof.header.alg' });
  }
  if (!verifyJwsSignature(alg, ctx.holderKey, jws.signingInput, jws.signature)) {
    deny('MANDATE_PROOF_INVALID', 'proof signature verification failed');
  }
  // The request's bounds, now that the signature holds: before anything reads the request.
  ctx.boundRequest?.();
  let claims: DpopClaims | InvocationClaims;
  if (http ? dpopClaimsPlainlyValid(jws.payload) : invocationClaimsPlainlyValid(jws.payload)) {
    // The schema would accept it as it is; the members read below are the same.
    claims = jws.payload as DpopClaims | InvocationClaims;
  } else {
    const schema: z.ZodType<DpopClaims | InvocationClaims> = proofClaimsSchema(http);
    claims = parseWith(schema, jws.payload, 'proof', {
      code: 'MANDATE_PROOF_INVALID',
      check: 'possession',
      hop,
    });
  }
  if (claims.ath !== accessTokenHash(ctx.token)) {
    deny('MANDATE_PROOF_INVALID', 'the proof is bound to another mandate (ath)', {
      path: 'proof.ath',
    });
  }
  if (!isFresh(claims.iat, ctx.now, ctx.window)) {
    deny('MANDATE_PROOF_INVALID', 'the proof is not fresh (iat outside the window)', {
      path: 'proof.iat',
      window: ctx.window,
    });
  }
  if (http) {
    const dpop = claims as DpopClaims;
    const htu = normalizeHtu(request.url);
    if (dpop.htm !== request.method)
      deny('MANDATE_PROOF_INVALID', 'the proof is for another method (htm)', { path: 'proof.htm' });
    // The same text normalises the same: only a different text needs its own parse.
    if (htu === undefined || (dpop.htu !== request.url && normalizeHtu(dpop.htu) !== htu)) {
      deny('MANDATE_PROOF_INVALID', 'the proof is for another URL (htu)', { path: 'proof.htu' });
    }
  } else {
    const invocation = claims as InvocationClaims;
    if (invocation.tool !== request.tool)
      deny('MANDATE_PROOF_INVALID', 'the proof is for another tool', { path: 'proof.tool' });
    checkProofAudience(invocation.aud, ctx, 'proof.aud');
    // The arguments' digest last: the only work here that grows with the request, done only
    // for a proof whose signature, mandate, time, tool and service already hold.
    let digest: string | undefined;
    try {
      digest = argsHash(request.args);
    } catch {
      digest = undefined;
    }
    if (digest !== invocation.args_hash) {
      deny('MANDATE_PROOF_INVALID', 'the proof is for other arguments', {
        path: 'proof.args_hash',
      });
    }
  }
  const nonce = http ? (claims as DpopClaims).nonce : undefined;
  return { jti: claims.jti, iat: claims.iat, ...(nonce === undefined ? {} : { nonce }) };
}

/**
 * A tool-call proof's audience (`aud`, or AAT `aat_aud`): when present it must be this
 * verifier's identity, and it must be present when `ctx.requireAudience`. Throws a coded
 * `MandateError` (check `possession`, `detail.reason` `audience-mismatch` or
 * `audience-missing`).
 */
export function checkProofAudience(
  aud: unknown,
  ctx: Pick<ProofContext, 'audience' | 'requireAudience' | 'hop'>,
  path: string,
  step?: string,
): void {
  const detail = (reason: string): Record<string, unknown> => ({
    ...(step === undefined ? {} : { step }),
    path,
    reason,
  });
  if (aud !== undefined && aud !== ctx.audience) {
    throw new MandateError(
      'MANDATE_PROOF_INVALID',
      'the proof is for another service (audience mismatch)',
      {
        check: 'possession',
        hop: ctx.hop,
        detail: detail('audience-mismatch'),
      },
    );
  }
  if (aud === undefined && ctx.requireAudience) {
    throw new MandateError(
      'MANDATE_PROOF_INVALID',
      'the proof names no audience and this verifier requires one',
      { check: 'possession', hop: ctx.hop, detail: detail('audience-missing') },
    );
  }
}

/** Whether two argument objects are the same JSON (RFC 8785 comparison). */
export function sameArgs(a: unknown, b: unknown): boolean {
  try {
    return canonicalJson(a) === canonicalJson(b);
  } catch {
    return false;
  }
}
