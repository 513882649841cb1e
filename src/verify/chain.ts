/**
 * What the verifier's rules need from an encoding: the decoded blocks and three
 * signature/linkage questions. The JWS and Biscuit encodings each answer them; the
 * rules themselves are format-independent.
 */
import type { KeyObject } from 'node:crypto';
import type { BlockView, Format } from '../core/types.js';
import type { PublicJwk, SigningAlg } from '../identity/jwk.js';

/** A decoded block, with what the rules need beyond its view. */
export interface ChainBlock extends BlockView {
  readonly kind: 'root' | 'delegation';
  readonly alg: SigningAlg;
  readonly kid?: string;
  readonly holderKey: PublicJwk;
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
}
