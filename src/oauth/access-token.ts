/**
 * RFC 9068 JWT access tokens: the resource-server side. `createAccessTokenVerifier` checks a
 * token issued by one authorization server for this service, and resolves either the
 * verified identity or a coded denial (like `createVerifier`: it never rejects on a denial).
 *
 * The checks run in the order of DESIGN.md section 3 so a token failing several reports the
 * first: `limits` (size, shape, `typ`, required claims), `anchor` (allow-listed algorithm,
 * issuer, signature with a key from the issuer's JWKS), `window` (exp, nbf, iat with clock
 * tolerance), `audience` (this service's own identifier: a token issued for anyone else is
 * refused, the MCP "no token passthrough" rule), `possession` (a token bound with `cnf.jkt`
 * needs an RFC 9449 DPoP proof: presented as a plain bearer token it is refused, RFC 9449
 * §7.2), `authorize` (required scopes).
 */
import {
  compactVerify,
  createLocalJWKSet,
  decodeProtectedHeader,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose';
import { z } from 'zod';
import { decodeBase64url } from '../core/encoding.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import {
  MandateError,
  fail,
  isMandateError,
  type Check,
  type MandateErrorCode,
} from '../core/errors.js';
import { parseJsonObject } from '../core/json-text.js';
import { parseSpan, systemClock, type Clock, type Span } from '../core/time.js';
import { KeyCache, parsePublicJwk, type PublicJwk, type SigningAlg } from '../identity/jwk.js';
import { joseRemoteKeySet, jwksUrl, type RemoteJwksOptions } from '../identity/key-resolver.js';
import { THUMBPRINT_URI_PREFIX, thumbprintSync } from '../identity/thumbprint.js';
import { checkProof } from '../proof/check.js';
import { MemoryReplayStore } from '../stores/memory.js';
import type { ReplayStore } from '../stores/types.js';
import { resolveNonce, type NonceCheck } from '../verify/config.js';
import { deniedFrom, type Denied } from '../verify/decision.js';
import { acceptProof } from '../verify/proof-acceptance.js';
import { parseActClaim, parseMayActClaim, type Actor } from './act-claim.js';
import { splitScope } from './scope-map.js';
import { ACCESS_TOKEN_TYP } from './token-types.js';
import { deepFreeze } from '../core/freeze.js';
import { firstIssue } from '../core/schemas.js';

/** Asymmetric JWS algorithms an access token may use; `none` and HMAC never are. */
export const ACCESS_TOKEN_ALGORITHMS = deepFreeze([
  'ES256',
  'ES384',
  'ES512',
  'Ed25519',
  'EdDSA',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
] as const);

/** A signature algorithm accepted on access tokens (one of `ACCESS_TOKEN_ALGORITHMS`). */
export type AccessTokenAlg = (typeof ACCESS_TOKEN_ALGORITHMS)[number];

/** Algorithms accepted when none are configured. */
export const DEFAULT_ACCESS_TOKEN_ALGORITHMS: readonly AccessTokenAlg[] = deepFreeze([
  'ES256',
  'Ed25519',
  'EdDSA',
  'RS256',
  'PS256',
]);

/**
 * Algorithms accepted for DPoP proofs: the mandate verifier's (RFC 9449 §4.3 step 5 allows
 * only fully-specified ones, so the polymorphic `EdDSA` is refused).
 */
const DPOP_ALGORITHMS: readonly SigningAlg[] = ['Ed25519', 'ES256'];

/** Options of the remote JWKS (jose's `createRemoteJWKSet`; see `RemoteJwksOptions`). */
export type AccessTokenJwksOptions = RemoteJwksOptions;

/** Options of `createAccessTokenVerifier`. */
export interface AccessTokenVerifierOptions {
  /** The authorization server's issuer identifier; `iss` must equal it exactly. */
  readonly issuer: string;
  /** This service's own identifier: the token's `aud` must contain it. */
  readonly audience: string;
  /** The issuer's JWKS URL (keys fetched lazily, cached, refetched on rotation). */
  readonly jwksUri?: string | URL;
  /** The issuer's keys, given directly (instead of `jwksUri`). */
  readonly jwks?: JSONWebKeySet;
  readonly jwksOptions?: AccessTokenJwksOptions;
  /** Allowed algorithms (asymmetric only). Default: ES256, Ed25519, EdDSA, RS256, PS256. */
  readonly algorithms?: readonly AccessTokenAlg[];
  /** Seconds (or a span) of clock skew tolerated on exp/nbf/iat. Default 0. */
  readonly clockTolerance?: Span;
  /** Claims that must be present besides RFC 9068's (iss, exp, aud, sub, client_id, iat, jti). */
  readonly requiredClaims?: readonly string[];
  /** Scopes every token must carry. */
  readonly requiredScopes?: readonly string[];
  /** Longest token accepted, in characters. Default 16384. */
  readonly maxTokenLength?: number;
  /** Seconds either side of now a DPoP proof's `iat` may be. Default 60. */
  readonly proofWindow?: Span;
  /** Seen DPoP proof ids. Default: a `MemoryReplayStore` for this verifier. */
  readonly replay?: ReplayStore;
  /** Bound on each store call (replay, nonce), in milliseconds. Default 1000. */
  readonly storeTimeoutMs?: number;
  /**
   * Require a server-issued DPoP nonce (RFC 9449 §8): the nonce this service issued, or a
   * function accepting the nonces it issued and still accepts. Default: none required.
   */
  readonly nonce?: string | NonceCheck;
  /** The clock, in seconds since the epoch. */
  readonly clock?: Clock;
}

/** What one call checks besides the verifier's configuration. */
export interface VerifyAccessTokenOptions {
  /** Scopes this call needs, besides `requiredScopes`. */
  readonly scopes?: readonly string[];
  /** RFC 9449: the `DPoP` header and the request it must be bound to. */
  readonly dpop?: { readonly proof: string; readonly method: string; readonly url: string };
  /**
   * The RFC 7638 thumbprint of a key whose possession the caller has already proven by other
   * means (e.g. a verified `private_key_jwt` client assertion). A token bound with `cnf.jkt`
   * is accepted without a DPoP proof only when its `jkt` equals this thumbprint.
   */
  readonly provenKeyThumbprint?: string;
}

/** A verified access token: who it is for, for which client, with which scopes. */
export interface VerifiedAccessToken {
  readonly allowed: true;
  readonly issuer: string;
  /** `sub`: the resource owner (a user), or the client itself for client credentials. */
  readonly subject: string;
  readonly clientId: string;
  readonly audience: readonly string[];
  readonly scopes: readonly string[];
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly notBefore?: number;
  readonly jti: string;
  /** RFC 9449 `cnf.jkt`, when the token is DPoP-bound. */
  readonly jkt?: string;
  /** RFC 8693 `act`: the current actor first, prior actors after it (informational). */
  readonly actors: readonly Actor[];
  /** RFC 8693 `may_act`, when present. */
  readonly mayAct?: Actor;
  /** Every claim, as verified. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/** The result of verifying an access token. A denial is data, never an exception. */
export type AccessTokenDecision = VerifiedAccessToken | Denied;

/** A configured access-token verifier. */
export interface AccessTokenVerifier {
  /** The issuer this verifier trusts. */
  readonly issuer: string;
  /** This service's identifier. */
  readonly audience: string;
  /**
   * Verify one access token (the bearer or DPoP token from the `Authorization` header).
   * Resolves a decision; throws only on misuse.
   *
   * Not checked here, and left to the caller: token revocation (RFC 9068 tokens are
   * self-contained; use short lifetimes or introspection), that the `Authorization` scheme
   * matches (pass `dpop` for the `DPoP` scheme), mTLS-bound tokens (`cnf.x5t#S256` is refused,
   * since nothing here can check it), and what the scopes permit beyond their presence.
   */
  verify(token: string, options?: VerifyAccessTokenOptions): Promise<AccessTokenDecision>;
}

const DEFAULT_MAX_TOKEN_LENGTH = 16_384;

const str = z.string().min(1).max(4096);
const seconds = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const claimsSchema = z.looseObject({
  iss: str,
  sub: str,
  client_id: str,
  aud: z.union([str, z.array(str).min(1).max(64)]),
  exp: seconds,
  iat: seconds,
  jti: str,
  nbf: seconds.optional(),
  scope: z.string().max(16_384).optional(),
  cnf: z
    .looseObject({
      jkt: z
        .string()
        .regex(/^[A-Za-z0-9_-]{43}$/)
        .optional(),
    })
    .optional(),
});

function deny(
  code: MandateErrorCode,
  check: Check,
  message: string,
  detail?: Record<string, unknown>,
): never {
  return fail(code, check, 0, message, detail);
}

/** One segment of the compact JWS: canonical base64url of a JSON object (no duplicate keys). */
function decodeJson(segment: string, label: string): Record<string, unknown> {
  return parseJsonObject(
    decodeBase64url(segment, label, 'limits').toString('utf8'),
    label,
    'limits',
  );
}

/** `typ` per RFC 9068 §4: `at+jwt`, or `application/at+jwt`, compared case-insensitively. */
function isAccessTokenTyp(typ: unknown): boolean {
  if (typeof typ !== 'string') return false;
  const lower = typ.toLowerCase();
  return lower === ACCESS_TOKEN_TYP || lower === `application/${ACCESS_TOKEN_TYP}`;
}

function toDenied(error: unknown, fallbackCheck: Check): Denied {
  if (isMandateError(error)) return deniedFrom(error);
  return deniedFrom(
    new MandateError('MANDATE_INTERNAL', 'access-token verification failed unexpectedly', {
      check: fallbackCheck,
      hop: 0,
    }),
  );
}

function keySetFor(options: AccessTokenVerifierOptions): JWTVerifyGetKey {
  const hasUri = options.jwksUri !== undefined;
  const hasSet = options.jwks !== undefined;
  if (hasUri === hasSet) throw new TypeError('give exactly one of jwksUri and jwks');
  if (hasSet) {
    try {
      return createLocalJWKSet(options.jwks);
    } catch (cause) {
      throw new TypeError('jwks must be a JWK Set { keys: [...] }', { cause });
    }
  }
  return joseRemoteKeySet(
    jwksUrl(options.jwksUri as string | URL, 'jwksUri must be'),
    options.jwksOptions,
  );
}

/**
 * Create an access-token verifier for one issuer and this service's identifier. Returns
 * synchronously (a remote JWKS is fetched on first use). Misuse throws TypeError here.
 */
export function createAccessTokenVerifier(
  options: AccessTokenVerifierOptions,
): AccessTokenVerifier {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createAccessTokenVerifier needs options');
  }
  if (typeof options.issuer !== 'string' || options.issuer.length === 0) {
    throw new TypeError('issuer must be a non-empty string');
  }
  if (typeof options.audience !== 'string' || options.audience.length === 0) {
    throw new TypeError("audience (this service's own identifier) must be a non-empty string");
  }
  const algorithms = [...(options.algorithms ?? DEFAULT_ACCESS_TOKEN_ALGORITHMS)];
  if (
    algorithms.length === 0 ||
    algorithms.some((alg) => !(ACCESS_TOKEN_ALGORITHMS as readonly string[]).includes(alg))
  ) {
    throw new TypeError(
      `algorithms must be a non-empty subset of ${ACCESS_TOKEN_ALGORITHMS.join(', ')}`,
    );
  }
  const keySet = keySetFor(options);
  const tolerance = parseSpan(options.clockTolerance ?? 0, 'clockTolerance');
  const proofWindow = parseSpan(options.proofWindow ?? 60, 'proofWindow');
  const maxLength = options.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH;
  if (!Number.isSafeInteger(maxLength) || maxLength <= 0) {
    throw new RangeError('maxTokenLength must be a positive integer');
  }
  const requiredClaims = [...(options.requiredClaims ?? [])];
  const requiredScopes = [...(options.requiredScopes ?? [])];
  const replay = options.replay ?? new MemoryReplayStore();
  const storeTimeoutMs = options.storeTimeoutMs ?? 1000;
  if (!Number.isFinite(storeTimeoutMs) || storeTimeoutMs <= 0)
    throw new RangeError('storeTimeoutMs must be positive');
  const nonce = resolveNonce(options.nonce);
  const clock = options.clock ?? systemClock;
  const { issuer, audience } = options;
  /** DPoP keys recur on every request of a client: each is imported once (bounded). */
  const dpopKeys = new KeyCache();

  async function run(token: string, call: VerifyAccessTokenOptions): Promise<VerifiedAccessToken> {
    // limits: size and shape before any crypto.
    if (token.length > maxLength) {
      deny('MANDATE_LIMIT_EXCEEDED', 'limits', `the token exceeds ${maxLength} characters`);
    }
    const segments = token.split('.');
    if (segments.length !== 3) {
      deny('MANDATE_MALFORMED', 'limits', 'an access token is a compact JWS (three segments)');
    }
    const header = decodeJson(segments[0] ?? '', 'header');
    if (!isAccessTokenTyp(header['typ'])) {
      deny('MANDATE_MALFORMED', 'limits', `header.typ must be ${ACCESS_TOKEN_TYP} (RFC 9068)`, {
        path: 'header.typ',
      });
    }
    const payload = decodeJson(segments[1] ?? '', 'payload');
    const parsed = claimsSchema.safeParse(payload);
    if (!parsed.success) {
      const { path, message } = firstIssue(parsed.error, 'payload');
      deny('MANDATE_MALFORMED', 'limits', message, { path });
    }
    const claims = parsed.data;
    for (const name of requiredClaims) {
      if (!Object.hasOwn(payload, name)) {
        deny('MANDATE_MALFORMED', 'limits', `payload.${name} is required`, {
          path: `payload.${name}`,
        });
      }
    }
    const actors = parseActClaim(payload['act']);
    const mayAct = parseMayActClaim(payload['may_act']);

    // anchor: algorithm, issuer, signature with a key from the issuer's key set.
    const alg = header['alg'];
    if (typeof alg !== 'string' || !(algorithms as readonly string[]).includes(alg)) {
      deny(
        'MANDATE_SIGNATURE_INVALID',
        'anchor',
        'the token uses an algorithm that is not allowed',
        {
          alg: typeof alg === 'string' ? alg.slice(0, 32) : null,
        },
      );
    }
    if (claims.iss !== issuer) {
      deny('MANDATE_UNTRUSTED_ISSUER', 'anchor', 'the token was issued by an untrusted issuer', {
        issuer: claims.iss.slice(0, 256),
      });
    }
    try {
      await compactVerify(token, keySet, { algorithms });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') {
        deny('MANDATE_SIGNATURE_INVALID', 'anchor', 'signature verification failed');
      }
      deny(
        'MANDATE_UNTRUSTED_ISSUER',
        'anchor',
        "no key of the issuer's key set verifies the token",
        {
          reason: typeof code === 'string' ? code : 'key-resolution-failed',
        },
      );
    }

    // window
    const now = clock();
    if (now >= claims.exp + tolerance) {
      deny('MANDATE_EXPIRED', 'window', 'the token has expired', { exp: claims.exp });
    }
    if (claims.nbf !== undefined && now + tolerance < claims.nbf) {
      deny('MANDATE_NOT_YET_VALID', 'window', 'the token is not valid yet', { nbf: claims.nbf });
    }
    if (now + tolerance < claims.iat) {
      deny('MANDATE_NOT_YET_VALID', 'window', 'the token was issued in the future', {
        iat: claims.iat,
      });
    }

    // audience
    const aud = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
    if (!aud.includes(audience)) {
      deny('MANDATE_AUDIENCE', 'audience', 'the token was not issued for this service');
    }

    // possession
    const cnf = claims.cnf as Record<string, unknown> | undefined;
    if (cnf !== undefined && Object.hasOwn(cnf, 'x5t#S256')) {
      deny(
        'MANDATE_PROOF_MISSING',
        'possession',
        'certificate-bound tokens are not supported here',
      );
    }
    const jkt = claims.cnf?.jkt;
    if (jkt !== undefined) {
      if (call.provenKeyThumbprint !== undefined) {
        if (call.provenKeyThumbprint !== jkt) {
          deny('MANDATE_PROOF_INVALID', 'possession', 'the token is bound to another key');
        }
      } else if (call.dpop === undefined) {
        deny(
          'MANDATE_PROOF_MISSING',
          'possession',
          'a DPoP-bound token was presented as a bearer token (RFC 9449 §7.2)',
        );
      } else {
        await checkDpop(token, claims, call.dpop, now);
      }
    } else if (call.dpop !== undefined) {
      deny(
        'MANDATE_PROOF_INVALID',
        'possession',
        'a DPoP proof was sent with a token not bound to a key',
      );
    }

    // authorize
    const scopes = splitScope(claims.scope);
    const missing = [...requiredScopes, ...(call.scopes ?? [])].filter((s) => !scopes.includes(s));
    if (missing.length > 0) {
      deny('MANDATE_FORBIDDEN', 'authorize', 'the token lacks a required scope', { missing });
    }

    return {
      allowed: true,
      issuer: claims.iss,
      subject: claims.sub,
      clientId: claims.client_id,
      audience: aud,
      scopes,
      issuedAt: claims.iat,
      expiresAt: claims.exp,
      ...(claims.nbf === undefined ? {} : { notBefore: claims.nbf }),
      jti: claims.jti,
      ...(jkt === undefined ? {} : { jkt }),
      actors,
      ...(mayAct === undefined ? {} : { mayAct }),
      claims: Object.freeze({ ...payload }),
    };
  }

  /**
   * RFC 9449 for a `cnf.jkt`-bound token: the proof's key must be the one the token is bound
   * to; everything else is the mandate verifier's own proof check (`checkProof`: typing,
   * algorithm, signature first, `ath`, freshness, `htm`, `htu`) and its acceptance
   * (`acceptProof`: nonce, replay key, window-long replay entry, bounded store call).
   */
  async function checkDpop(
    token: string,
    claims: {
      readonly jti: string;
      readonly cnf?: { readonly jkt?: string | undefined } | undefined;
    },
    dpop: NonNullable<VerifyAccessTokenOptions['dpop']>,
    now: number,
  ): Promise<void> {
    const jkt = claims.cnf?.jkt ?? '';
    const invalid = (message: string): never =>
      deny('MANDATE_PROOF_INVALID', 'possession', message);
    if (typeof dpop.proof !== 'string' || dpop.proof.length > 8192)
      invalid('the DPoP proof is malformed');
    if (typeof dpop.method !== 'string' || typeof dpop.url !== 'string')
      throw new TypeError('dpop needs the request method and url as strings');
    // The key is chosen by the token (cnf.jkt), not by the proof: only then is it trusted.
    let jwk: PublicJwk;
    try {
      jwk = parsePublicJwk(
        decodeProtectedHeader(dpop.proof).jwk,
        'possession',
        0,
        'proof.header.jwk',
      );
    } catch {
      return invalid('the DPoP proof needs a public Ed25519 or P-256 jwk');
    }
    if (thumbprintSync(jwk) !== jkt) {
      invalid('the DPoP proof is signed by another key than the token is bound to');
    }
    const proven = checkProof(
      dpop.proof,
      { method: dpop.method, url: dpop.url },
      {
        token,
        holderJwk: jwk,
        holderKey: dpopKeys.get(jwk, 'possession', 0),
        hop: 0,
        now,
        window: proofWindow,
        algorithms: DPOP_ALGORITHMS,
        maxStringLength: DEFAULT_LIMITS.maxStringLength,
        audience,
        requireAudience: false,
      },
    );
    await acceptProof(proven, {
      hop: 0,
      signer: `${THUMBPRINT_URI_PREFIX}${jkt}`,
      grant: claims.jti,
      window: proofWindow,
      replay,
      storeTimeoutMs,
      nonce,
    });
  }

  return {
    issuer,
    audience,
    async verify(token, call = {}) {
      if (typeof token !== 'string') throw new TypeError('verify needs the access token string');
      if (typeof call !== 'object' || call === null)
        throw new TypeError('options must be an object');
      try {
        return await run(token, call);
      } catch (error) {
        return toDenied(error, 'internal');
      }
    },
  };
}
