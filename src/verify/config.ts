/** `createVerifier`'s options, validated once into the configuration the rules read. */
import { BoundedMap } from '../core/bounded-map.js';
import { DEFAULT_LIMITS, type Limits } from '../core/limits.js';
import { parseSpan, systemClock, type Clock, type Span } from '../core/time.js';
import { resolveAnchors, type ResolvedAnchor, type TrustAnchor } from '../identity/anchors.js';
import { KeyCache, type SigningAlg } from '../identity/jwk.js';
import { MemoryReplayStore } from '../stores/memory.js';
import type { ReplayStore, RevocationStore } from '../stores/types.js';
import type { DecodedBlock } from '../format/jws/block.js';
import type { VerifiableChain } from './chain.js';
import { decodeForVerify } from './decode.js';

/** Options of `createVerifier`. */
export interface VerifierOptions {
  /** The issuers trusted to originate authority. */
  readonly trustAnchors: readonly TrustAnchor[];
  /** This verifier's own identity; a mandate must name it in every audience it has. */
  readonly audience: string;
  /** Revoked block ids. Default: none consulted. */
  readonly revocation?: RevocationStore;
  /** Seen proof ids. Default: a `MemoryReplayStore` for this verifier. */
  readonly replay?: ReplayStore;
  /** Seconds (or a span) of clock skew tolerated on block validity windows. Default 0. */
  readonly clockTolerance?: Span;
  /** Parsing limits. Default `DEFAULT_LIMITS`. */
  readonly limits?: Partial<Limits>;
  /** Seconds either side of now a proof's `iat` may be. Default 60. */
  readonly proofWindow?: Span;
  /** Allowed signature algorithms. Default `['Ed25519', 'ES256']`. */
  readonly algorithms?: readonly SigningAlg[];
  /** Deny a mandate that names no audience at all. Default true. */
  readonly requireAudience?: boolean;
  /**
   * Require a proof of possession. Default true. Turning it off makes a stolen mandate
   * usable by anyone who holds it: only for tests or a transport that proves possession
   * some other way (mTLS), which the caller must then check.
   */
  readonly requireProof?: boolean;
  /** Most decoded blocks and imported keys remembered. Default 1024; 0 disables caching. */
  readonly cacheSize?: number;
  /** Bound on each store call, in milliseconds. Default 1000. */
  readonly storeTimeoutMs?: number;
  /** The clock, in seconds since the epoch. */
  readonly clock?: Clock;
}

/** The validated configuration the rules read. */
export interface VerifierConfig {
  readonly anchors: ReadonlyMap<string, ResolvedAnchor>;
  readonly audience: string;
  readonly revocation: RevocationStore | undefined;
  readonly replay: ReplayStore;
  readonly clockTolerance: number;
  readonly limits: Limits;
  readonly proofWindow: number;
  readonly algorithms: readonly SigningAlg[];
  readonly requireAudience: boolean;
  readonly requireProof: boolean;
  readonly storeTimeoutMs: number;
  readonly clock: Clock;
  readonly keys: KeyCache;
  readonly decode: (token: string) => VerifiableChain | Promise<VerifiableChain>;
}

const ALGORITHMS: readonly SigningAlg[] = ['Ed25519', 'ES256'];

/** Validate options; misuse throws TypeError/RangeError at construction, never at verify time. */
export function resolveConfig(options: VerifierOptions): VerifierConfig {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('createVerifier needs options');
  if (typeof options.audience !== 'string' || options.audience.length === 0) {
    throw new TypeError("audience (this verifier's own identity) must be a non-empty string");
  }
  const algorithms = options.algorithms ?? ALGORITHMS;
  if (algorithms.length === 0 || algorithms.some((alg) => !ALGORITHMS.includes(alg))) {
    throw new TypeError(`algorithms must be a non-empty subset of ${ALGORITHMS.join(', ')}`);
  }
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0)
      throw new RangeError(`limits.${name} must be a positive integer`);
  }
  const cacheSize = options.cacheSize ?? 1024;
  const keys = new KeyCache(cacheSize);
  const storeTimeoutMs = options.storeTimeoutMs ?? 1000;
  if (!Number.isFinite(storeTimeoutMs) || storeTimeoutMs <= 0)
    throw new RangeError('storeTimeoutMs must be positive');
  const blockCache = new BoundedMap<string, DecodedBlock>(cacheSize);
  return {
    anchors: resolveAnchors(options.trustAnchors, keys),
    audience: options.audience,
    revocation: options.revocation,
    replay: options.replay ?? new MemoryReplayStore(),
    clockTolerance: parseSpan(options.clockTolerance ?? 0, 'clockTolerance'),
    limits,
    proofWindow: parseSpan(options.proofWindow ?? 60, 'proofWindow'),
    algorithms,
    requireAudience: options.requireAudience ?? true,
    requireProof: options.requireProof ?? true,
    storeTimeoutMs,
    clock: options.clock ?? systemClock,
    keys,
    decode: (token) => decodeForVerify(token, limits, blockCache, cacheSize > 0),
  };
}
