/** `createVerifier`'s options, validated once into the configuration the rules read. */
import { BoundedMap } from '../core/bounded-map.js';
import { RecurringCache } from '../core/recurring-cache.js';
import { DEFAULT_LIMITS, type Limits } from '../core/limits.js';
import { parseSpan, systemClock, type Clock, type Span } from '../core/time.js';
import type { AgentResolver } from '../identity/agent-card/resolve.js';
import { resolveAnchors, type ResolvedAnchor, type TrustAnchor } from '../identity/anchors.js';
import {
  resolveExpectHolder,
  type ExpectHolder,
  type ResolvedExpectHolder,
} from './expect-holder.js';
import type { JWK } from 'jose';
import { KeyCache, type SigningAlg } from '../identity/jwk.js';
import { MemoryReplayStore } from '../stores/memory.js';
import type { ReplayStore, RevocationStore } from '../stores/types.js';
import type { DecodedBlock } from '../format/jws/block.js';
import { codecOf, type ChainBounds, type VerifiableChain } from '../format/codec.js';
import type { BiscuitCache } from '../format/biscuit/chain.js';
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
  /**
   * Most decoded blocks and imported keys remembered. Default 1024; 0 disables caching. A JWS
   * block or a key is kept from the second time it is met (the first time only a short
   * fingerprint of it is noted): a never-seen chain leaves nothing in the caches to collect.
   */
  readonly cacheSize?: number;
  /** Bound on each store call, in milliseconds. Default 1000. */
  readonly storeTimeoutMs?: number;
  /** The clock, in seconds since the epoch. */
  readonly clock?: Clock;
  /**
   * Require a hop's holder to belong to a named agent (checked with rule 8): an https
   * origin whose signed Agent Card lists the holder key (needs `agents`), or a SPIFFE ID
   * the mTLS client certificate carries. See `mandate/agent-card` and `mandate/mtls`.
   */
  readonly expectHolder?: ExpectHolder;
  /** Resolves agents' signed Agent Cards (`createAgentResolver`), for `expectHolder`. */
  readonly agents?: AgentResolver;
  /**
   * Seconds (or a span) a block's `iat` may lie in the future (the AAT draft's
   * MAX_IAT_SKEW, steps 3f/4k). Default: `clockTolerance`.
   */
  readonly maxIatSkew?: Span;
  /**
   * Longest a root may live, `exp - iat` (the AAT draft's MAX_TOKEN_LIFETIME, step 3h; a
   * delegation cannot outlive its root, so the root bounds every block). Default: no bound
   * for Mandate chains; 90 days for AAT chains, which the draft requires to be bounded.
   */
  readonly maxTokenLifetime?: Span;
  /**
   * Most delegations below a root (the AAT draft's MAX_DELEGATION_DEPTH, steps 3i/4f): every
   * block's `del_max_depth` and `del_depth` must be within it. Default: no bound beyond
   * `limits.maxBlocks` for Mandate chains; `limits.maxBlocks - 1` for AAT chains.
   */
  readonly maxDelegationDepth?: number;
  /**
   * Require every tool-call proof to name this verifier: `aat_aud` in an AAT proof (step 7d),
   * `aud` in a Mandate invocation proof. A present audience must name it regardless, and it
   * is required anyway when the chain's audience names more than one service (else a proof
   * made for one of them would be accepted by another). Default false (the draft's default).
   * The chain-level audience requirement is `requireAudience`.
   */
  readonly requirePopAudience?: boolean;
  /**
   * Require a server-issued nonce in the proof (RFC 9449 §8 / AAT step 7h): the nonce this
   * verifier issued, or a function accepting the nonces it issued and still accepts.
   * Checked on DPoP and AAT proofs; Mandate invocation proofs carry no nonce, so they are
   * denied while this is set. Default: no nonce required.
   */
  readonly nonce?: string | NonceCheck;
  /**
   * The originating user's registered public keys, for approval requirements that name the
   * approver `'user'` (docs/guides/approvals.md): given the root's `sub`, the keys whose
   * approvals count as the user's. Called only when such a requirement applies; bounded by
   * `storeTimeoutMs`, and a failure denies (`MANDATE_STORE_UNAVAILABLE`). Without it, a
   * `'user'` approver cannot be satisfied (the denial says so).
   */
  readonly userKeys?: UserKeys;
  /**
   * Longest an approval may live, `exp - iat`, in seconds (or a span). Default 900. A longer
   * one is denied (`MANDATE_APPROVAL_INVALID`): an approval is for one call, now.
   */
  readonly maxApprovalLifetime?: Span;
}

/** Resolves the originating user's registered public keys (`VerifierOptions.userKeys`). */
export type UserKeys = (subject: string) => readonly JWK[] | Promise<readonly JWK[]>;

/** Whether a nonce is one this verifier issued and still accepts. */
export type NonceCheck = (nonce: string) => boolean | Promise<boolean>;

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
  readonly expectHolder: ResolvedExpectHolder | undefined;
  readonly maxIatSkew: number;
  readonly maxTokenLifetime: number | undefined;
  readonly maxDelegationDepth: number | undefined;
  readonly requirePopAudience: boolean;
  readonly nonce: NonceCheck | undefined;
  readonly userKeys: UserKeys | undefined;
  readonly maxApprovalLifetime: number;
  readonly keys: KeyCache;
  readonly decode: (token: string) => VerifiableChain | Promise<VerifiableChain>;
}

/** The signature algorithms a verifier allows unless told otherwise (`algorithms`). */
export const ALGORITHMS: readonly SigningAlg[] = Object.freeze(['Ed25519', 'ES256']);

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
  // Frozen: resolved once, so the algebra's limit-keyed caches recognise it (core/limits.ts).
  const limits: Limits = Object.freeze({ ...DEFAULT_LIMITS, ...options.limits });
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0)
      throw new RangeError(`limits.${name} must be a positive integer`);
  }
  const cacheSize = options.cacheSize ?? 1024;
  const keys = new KeyCache(cacheSize);
  const storeTimeoutMs = options.storeTimeoutMs ?? 1000;
  if (!Number.isFinite(storeTimeoutMs) || storeTimeoutMs <= 0)
    throw new RangeError('storeTimeoutMs must be positive');
  const blockCache = new RecurringCache<DecodedBlock>(cacheSize);
  // Decoded Biscuit prefixes (and their signature results), bounded like the JWS blocks.
  const biscuitCache: BiscuitCache = new BoundedMap(cacheSize);
  const clockTolerance = parseSpan(options.clockTolerance ?? 0, 'clockTolerance');
  const maxDelegationDepth = options.maxDelegationDepth;
  if (
    maxDelegationDepth !== undefined &&
    (!Number.isSafeInteger(maxDelegationDepth) || maxDelegationDepth < 0)
  ) {
    throw new RangeError('maxDelegationDepth must be a non-negative integer');
  }
  return {
    anchors: resolveAnchors(options.trustAnchors, keys),
    audience: options.audience,
    revocation: options.revocation,
    replay: options.replay ?? new MemoryReplayStore(),
    clockTolerance,
    limits,
    proofWindow: parseSpan(options.proofWindow ?? 60, 'proofWindow'),
    algorithms,
    requireAudience: options.requireAudience ?? true,
    requireProof: options.requireProof ?? true,
    storeTimeoutMs,
    clock: options.clock ?? systemClock,
    expectHolder: resolveExpectHolder(options.expectHolder, options.agents),
    maxIatSkew:
      options.maxIatSkew === undefined
        ? clockTolerance
        : parseSpan(options.maxIatSkew, 'maxIatSkew'),
    maxTokenLifetime:
      options.maxTokenLifetime === undefined
        ? undefined
        : parseSpan(options.maxTokenLifetime, 'maxTokenLifetime'),
    maxDelegationDepth,
    requirePopAudience: options.requirePopAudience === true,
    nonce: resolveNonce(options.nonce),
    userKeys: resolveUserKeys(options.userKeys),
    maxApprovalLifetime: parseSpan(options.maxApprovalLifetime ?? 900, 'maxApprovalLifetime'),
    keys,
    decode: (token) =>
      decodeForVerify(token, limits, {
        blocks: blockCache,
        signatures: cacheSize > 0,
        biscuit: biscuitCache,
      }),
  };
}

function resolveUserKeys(userKeys: UserKeys | undefined): UserKeys | undefined {
  if (userKeys !== undefined && typeof userKeys !== 'function') {
    throw new TypeError('userKeys must be a function (subject) => keys');
  }
  return userKeys;
}

/** A `nonce` option as a check (misuse throws `TypeError`). */
export function resolveNonce(nonce: string | NonceCheck | undefined): NonceCheck | undefined {
  if (nonce === undefined) return undefined;
  if (typeof nonce === 'function') return nonce;
  if (typeof nonce !== 'string' || nonce.length === 0) {
    throw new TypeError('nonce must be a non-empty string or a function');
  }
  return (presented) => presented === nonce;
}

/**
 * The time and depth bounds that apply to `chain`: the configured ones, or its codec's
 * defaults (AAT, whose draft requires finite bounds: its recommended lifetime and the block
 * limit).
 */
export function chainBounds(config: VerifierConfig, chain: VerifiableChain): ChainBounds {
  const defaults = codecOf(chain.format).bounds(config.limits);
  const maxTokenLifetime = config.maxTokenLifetime ?? defaults.maxTokenLifetime;
  const maxDelegationDepth = config.maxDelegationDepth ?? defaults.maxDelegationDepth;
  return {
    ...(maxTokenLifetime === undefined ? {} : { maxTokenLifetime }),
    ...(maxDelegationDepth === undefined ? {} : { maxDelegationDepth }),
  };
}
