/**
 * What the verifier's rules need from an encoding: the decoded blocks and three
 * signature/linkage questions. The JWS and Biscuit encodings each answer them; the
 * rules themselves are format-independent.
 */
import type { KeyObject } from 'node:crypto';
import type { NarrowingProfile } from '../core/constraint/narrowing.js';
import type { MandateErrorCode } from '../core/errors.js';
import type { Action, BlockView, Format, ProofRequest } from '../core/types.js';
import type { PublicJwk, SigningAlg } from '../identity/jwk.js';

/** A decoded block, with what the rules need beyond its view. */
export interface ChainBlock extends BlockView {
  readonly kind: 'root' | 'delegation';
  readonly alg: SigningAlg;
  readonly kid?: string;
  readonly holderKey: PublicJwk;
  /** RFC 8705 `x5t#S256` of the holder's client certificate, when the block binds one. */
  readonly holderX5t?: string;
  /**
   * The encoding's own revocation id for this block, when it has one (Biscuit: the hex of the
   * block's signature). Rule 6 looks it up in the revocation store as well as `id`, so a block
   * revoked under either name is denied.
   */
  readonly revocationId?: string;
  /**
   * The revocation id of the same block under its signature's other valid form, when the
   * signature is malleable (an ECDSA signature: (r, s) and (r, n − s) both verify). Looked up too.
   */
  readonly revocationIdTwin?: string;
}

/** A decoded chain whose signatures and links the rules can question. */
export interface VerifiableChain {
  readonly format: Format;
  readonly blocks: readonly ChainBlock[];
  /** Whether the root is signed by `key`. */
  rootSignatureValid(key: KeyObject): boolean;
  /** Whether block `hop` (> 0) is signed by `key` (its parent's holder key). */
  linkSignatureValid(hop: number, key: KeyObject): boolean;
  /** Whether block `hop` (> 0) commits to its parent's exact bytes. */
  parentHashValid(hop: number): boolean;
  /**
   * The encoding's rule profile. `'aat'`: narrowing by the AAT draft's exact subsumption
   * rules, and the draft's step order (request authorization, step 6, before the proof,
   * step 7). Absent means `'mandate'`.
   */
  readonly profile?: NarrowingProfile;
  /**
   * The encoding's own proof of possession (AAT: `aat-pop+jwt`). Absent: DPoP and Mandate
   * invocation proofs. Throws a coded `MandateError` (check `possession`) on any failure.
   */
  checkProof?(proof: unknown, context: ChainProofContext): ProvenRequest | Promise<ProvenRequest>;
  /**
   * The request-independent part of `checkProof` (AAT: steps 7a-7b, typing and signature),
   * for an encoding whose rule order authorizes the request before the proof: the verifier
   * runs it first, so no work that grows with the request precedes the proof's signature.
   * Throws a coded `MandateError` (check `possession`).
   */
  checkProofSignature?(proof: unknown, context: ChainProofSignatureContext): void;
  /**
   * Optional, format-specific authorization run by rule 9 after the format-independent check
   * allowed the action (Biscuit: the blocks' Datalog checks, run by an authorizer holding the
   * request's facts). It can only deny; a denial names the block whose check failed.
   */
  authorizeDatalog?(action: Action, context: DatalogContext): Promise<DatalogOutcome>;
}

/** What a format-specific authorizer learns about the request besides the action. */
export interface DatalogContext {
  /** Seconds since the epoch. */
  readonly now: number;
  /** Seconds of clock tolerance (the window rule's). */
  readonly clockTolerance: number;
  /** The verifier's own identity. */
  readonly audience: string;
}

/** The outcome of {@link VerifiableChain.authorizeDatalog}. */
export type DatalogOutcome =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly code: MandateErrorCode;
      readonly hop: number;
      readonly reason: string;
      readonly detail?: Readonly<Record<string, unknown>>;
    };

/** What an encoding's proof signature check is given. */
export interface ChainProofSignatureContext {
  /** The last block's index. */
  readonly hop: number;
  readonly holderKey: KeyObject;
  readonly algorithms: readonly SigningAlg[];
}

/** What an encoding's proof check is given. */
export interface ChainProofContext extends ChainProofSignatureContext {
  readonly request: ProofRequest;
  readonly action: Action;
  readonly now: number;
  /** Seconds either side of now within which the proof's `iat` must lie. */
  readonly window: number;
  /** The verifier's own identity. */
  readonly audience: string;
  /** Whether the proof must name its audience (configured, or the chain names several). */
  readonly requireAudience: boolean;
}

/** A proof that passed every check but the nonce and replay checks. */
export interface ProvenRequest {
  readonly jti: string;
  readonly iat: number;
  readonly nonce?: string | undefined;
}
