/**
 * The codec contract: what every encoding of a mandate (JWS chain, AAT, Biscuit) provides, and
 * the one place that finds the encoding a token is written in ({@link codecFor}). The verifier's
 * rules, `parseMandate`, `mint`, `delegate` and `prove` ask the codec; none of them switches on
 * the format. The rules themselves are format-independent: an encoding answers their
 * signature and linkage questions ({@link VerifiableChain}) and states what differs (its
 * narrowing profile, its rule order, its default bounds, its proof of possession).
 */
import type { KeyObject } from 'node:crypto';
import type { NarrowingProfile } from '../core/constraint/narrowing.js';
import type { Limits } from '../core/limits.js';
import type { RecurringCache } from '../core/recurring-cache.js';
import type { Action, BlockView, Format, ProofRequest } from '../core/types.js';
import type { PublicJwk, SigningAlg, VerifyingKey } from '../identity/jwk.js';
import type { PreparedSigner } from '../identity/keys.js';
import type { PlannedBlock } from './plan.js';
import type { RuleStep } from './rule-order.js';
import type { DecodedBlock } from './jws/block.js';
import type { BiscuitCache } from './biscuit/chain.js';
import { aatCodec } from './aat/codec.js';
import { biscuitCodec } from './biscuit/codec.js';
import { jwsCodec } from './jws/codec.js';

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
  /**
   * Whether block `hop` (> 0) is signed by `key` (its parent's holder key: imported, or the JWK
   * of a key met for the first time, see `KeyCache.forVerifying`).
   */
  linkSignatureValid(hop: number, key: VerifyingKey): boolean;
  /** Whether block `hop` (> 0) commits to its parent's exact bytes. */
  parentHashValid(hop: number): boolean;
  /**
   * The encoding's narrowing profile (its codec's `profile`). `'aat'`: narrowing by the AAT
   * draft's exact subsumption rules. Absent means `'mandate'`. (The step order is the codec's
   * `ruleOrder`.)
   */
  readonly profile?: NarrowingProfile;
  /**
   * The encoding's own proof of possession (AAT: `aat-pop+jwt`), attached by the verifier
   * from `proof/` for a codec whose `proof` names one. Absent: DPoP and Mandate invocation
   * proofs. Throws a coded `MandateError` (check `possession`) on any failure.
   */
  checkProof?(proof: unknown, context: ChainProofContext): ProvenRequest | Promise<ProvenRequest>;
  /**
   * The request-independent part of `checkProof` (AAT: steps 7a-7b, typing and signature),
   * for an encoding whose rule order authorizes the request before the proof: the verifier
   * runs it first, so no work that grows with the request precedes the proof's signature.
   * Throws a coded `MandateError` (check `possession`).
   */
  checkProofSignature?(proof: unknown, context: ChainProofSignatureContext): void;
}

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
  /**
   * Checks the request's bounds (the verifier's request limits), throwing a coded denial past
   * them. Called once the proof's signature holds, before any work that reads the request
   * member by member (the arguments' RFC 8785 comparison).
   */
  readonly boundRequest?: () => void;
}

/** A proof that passed every check but the nonce and replay checks. */
export interface ProvenRequest {
  readonly jti: string;
  readonly iat: number;
  readonly nonce?: string | undefined;
}

/** The time and depth bounds a verifier applies to a chain when it configures none. */
export interface ChainBounds {
  readonly maxTokenLifetime?: number;
  readonly maxDelegationDepth?: number;
}

/** What the verifier keeps between requests for a codec's decoding (bounded). */
export interface DecodeCache {
  /** JWS blocks decoded before, by their exact text (a block is kept once it recurs). */
  readonly blocks: RecurringCache<DecodedBlock>;
  /** Whether signature results may be remembered per decoded block. */
  readonly signatures: boolean;
  /** Biscuit token prefixes decoded before (and their signature results), by their bytes. */
  readonly biscuit?: BiscuitCache;
}

/**
 * A chain decoded (shape and limits only: nothing verified) that can be extended. The blocks
 * are the encoding's own (each a {@link ChainBlock} at least).
 */
export interface DecodedChain {
  readonly format: Format;
  /** The token the blocks were decoded from. */
  readonly token: string;
  readonly blocks: readonly ChainBlock[];
  /**
   * Sign `plan` with `signer` as the next block and return the longer chain. Its blocks are
   * these blocks and the new one: the parent chain is not decoded again. Nothing about `plan`
   * is checked here (`planDelegation` refuses widenings; a verifier re-checks everything).
   */
  append(plan: PlannedBlock, signer: PreparedSigner): DecodedChain | Promise<DecodedChain>;
}

/** What `mint` passes to an encoding besides the plan and the signer. */
export interface MintEncoding {
  /** The `kid` header of the root, when the issuer's key has one. */
  readonly kid?: string;
}

/** Which proof of possession a chain is proven with. */
export type ProofKind =
  /** RFC 9449 DPoP for HTTP, Mandate invocation proofs for tool calls. */
  | 'dpop'
  /** The AAT draft's `aat-pop+jwt` (tool calls only). */
  | 'aat-pop';

/** One encoding of a mandate. */
export interface Codec {
  readonly format: Format;
  /**
   * Whether `token` is written in this encoding, read from the token itself (nothing is
   * decoded beyond what telling them apart needs). {@link codecFor} asks each codec in turn.
   */
  detect(token: string): boolean;
  /** Decode every block within `limits` (shape and limits only). Throws a coded `MandateError`. */
  decode(token: string, limits: Limits): DecodedChain | Promise<DecodedChain>;
  /**
   * Decode for the verifier's rules; the token-level limits are already checked.
   * Throws (or rejects with) a coded `MandateError`.
   */
  verifiable(
    token: string,
    limits: Limits,
    cache: DecodeCache,
  ): VerifiableChain | Promise<VerifiableChain>;
  /** Sign a planned root. Features the encoding cannot express throw `TypeError`. */
  mint(
    plan: PlannedBlock,
    signer: PreparedSigner,
    encoding: MintEncoding,
  ): DecodedChain | Promise<DecodedChain>;
  /** The narrowing rules a delegation must follow (and a verifier checks). */
  readonly profile: NarrowingProfile;
  /**
   * The verifier's step order for this encoding: every rule of DESIGN.md section 3 exactly
   * once, `limits` first (it decodes the chain, and so picks the codec).
   */
  readonly ruleOrder: readonly RuleStep[];
  /** The bounds a verifier applies when its options set none. */
  bounds(limits: Limits): ChainBounds;
  /** Whether a denial's `detail.step` (the AAT draft's step labels) means something here. */
  readonly draftSteps: boolean;
  /** The proof of possession this encoding's chains are proven with. */
  readonly proof: ProofKind;
}

/** Every codec, in the order {@link codecFor} asks them (the last one takes the rest). */
export const CODECS: readonly Codec[] = Object.freeze([aatCodec, jwsCodec, biscuitCodec]);

/**
 * The codec a token is written in, read from the token itself. An AAT chain is a JWS chain
 * whose tokens are typed `aat+jwt` (docs/format.md), so it is asked first; whatever is
 * neither is tried as Biscuit, whose decoder refuses what is not one. Detection only picks
 * the decoder: each decoder enforces its own typing, so a token can never be verified under
 * another encoding's rules.
 */
export function codecFor(token: string): Codec {
  for (const codec of CODECS) if (codec.detect(token)) return codec;
  return biscuitCodec;
}

/** The codec of a format (for `mint`, and for a chain already decoded). */
export function codecOf(format: Format): Codec {
  const codec = CODECS.find((candidate) => candidate.format === format);
  if (codec === undefined) throw new TypeError(`unknown format ${JSON.stringify(format)}`);
  return codec;
}
