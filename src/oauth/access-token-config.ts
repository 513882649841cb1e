/**
 * An access-token verifier's configuration, resolved once from its options: every misuse is a
 * `TypeError` / `RangeError` here, at creation, and never a denial later.
 */
import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import { parseSpan, systemClock, type Clock } from '../core/time.js';
import { KeyCache } from '../identity/jwk.js';
import { joseRemoteKeySet, jwksUrl } from '../identity/key-resolver.js';
import { MemoryReplayStore } from '../stores/memory.js';
import type { ReplayStore } from '../stores/types.js';
import { resolveNonce, type NonceCheck } from '../verify/config.js';
import {
  ACCESS_TOKEN_ALGORITHMS,
  DEFAULT_ACCESS_TOKEN_ALGORITHMS,
  type AccessTokenAlg,
  type AccessTokenVerifierOptions,
} from './access-token-contract.js';

const DEFAULT_MAX_TOKEN_LENGTH = 16_384;

/** What the checks read: the options, validated and with their defaults. */
export interface AccessTokenConfig {
  readonly issuer: string;
  readonly audience: string;
  readonly algorithms: AccessTokenAlg[];
  readonly keySet: JWTVerifyGetKey;
  /** Seconds of clock skew tolerated on exp/nbf/iat. */
  readonly tolerance: number;
  /** Seconds either side of now a DPoP proof's `iat` may be. */
  readonly proofWindow: number;
  readonly maxLength: number;
  readonly requiredClaims: readonly string[];
  readonly requiredScopes: readonly string[];
  readonly replay: ReplayStore;
  readonly storeTimeoutMs: number;
  readonly nonce: NonceCheck | undefined;
  readonly clock: Clock;
  /** DPoP keys recur on every request of a client: each is imported once (bounded). */
  readonly dpopKeys: KeyCache;
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

/** Validates the options of `createAccessTokenVerifier` and applies their defaults. */
export function resolveAccessTokenConfig(options: AccessTokenVerifierOptions): AccessTokenConfig {
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
  const storeTimeoutMs = options.storeTimeoutMs ?? 1000;
  if (!Number.isFinite(storeTimeoutMs) || storeTimeoutMs <= 0)
    throw new RangeError('storeTimeoutMs must be positive');
  return {
    issuer: options.issuer,
    audience: options.audience,
    algorithms,
    keySet,
    tolerance,
    proofWindow,
    maxLength,
    requiredClaims: [...(options.requiredClaims ?? [])],
    requiredScopes: [...(options.requiredScopes ?? [])],
    replay: options.replay ?? new MemoryReplayStore(),
    storeTimeoutMs,
    nonce: resolveNonce(options.nonce),
    clock: options.clock ?? systemClock,
    dpopKeys: new KeyCache(),
  };
}
