/**
 * The contract of RFC 9068 access-token verification: the verifier's options, what one call
 * may add, the verified result and the algorithms a token may use. The checks themselves are
 * in `access-token.ts`.
 */
import type { JSONWebKeySet } from 'jose';
import { deepFreeze } from '../core/freeze.js';
import type { Span, Clock } from '../core/time.js';
import type { RemoteJwksOptions } from '../identity/key-resolver.js';
import type { ReplayStore } from '../stores/types.js';
import type { NonceCheck } from '../verify/config.js';
import type { Denied } from '../verify/decision.js';
import type { Actor } from './act-claim.js';

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
