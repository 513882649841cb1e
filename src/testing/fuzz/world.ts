/**
 * The campaign's world: fixed parties derived from the seed, a fixed clock and audience, and the
 * real verifier configured for them.
 *
 * @module
 */
import type { Format, KeyPair } from '../../core/types.js';
import { createVerifier, type Verifier } from '../../verify/verifier.js';
import { derivedKeyPair } from '../seeded-keys.js';

/** The trust anchor's name in the campaign's world. */
export const FUZZ_ISSUER = 'https://issuer.fuzz';
/** The verifier's identity (and every chain's audience) in the campaign's world. */
export const FUZZ_AUDIENCE = 'https://service.fuzz';
/** The campaign's fixed clock (seconds since the epoch). */
export const FUZZ_NOW = 1_900_000_000;
/** The formats the campaign covers, in its round-robin order. */
export const FUZZ_FORMATS: readonly Format[] = Object.freeze(['jws', 'aat', 'biscuit']);

/** The parties of the campaign: derived from its seed, so a run replays with the same keys. */
export interface FuzzWorld {
  readonly anchor: KeyPair;
  /** The keys that hold blocks. */
  readonly keys: readonly KeyPair[];
  /** A key no genuine chain names. */
  readonly stranger: KeyPair;
  /** The real verifier, configured for this world (it judges the genuine chains). */
  readonly verifier: Verifier;
}

/** A replay store that accepts every proof: the campaign mutates chains, not proofs' `jti`. */
const FRESH_PROOFS = Object.freeze({
  checkAndStore: () => Promise.resolve(true),
  checkAndStoreAll: () => Promise.resolve(undefined),
});

/** The parties and the real verifier for `seed`. */
export function fuzzWorld(seed: number): FuzzWorld {
  const anchor = derivedKeyPair(seed, 0, 'fuzz-anchor');
  return {
    anchor,
    keys: Array.from({ length: 8 }, (_, i) => derivedKeyPair(seed, i, 'fuzz-holder')),
    stranger: derivedKeyPair(seed, 0, 'fuzz-stranger'),
    verifier: createVerifier({
      trustAnchors: [{ id: FUZZ_ISSUER, publicJwk: anchor.publicJwk }],
      audience: FUZZ_AUDIENCE,
      clock: () => FUZZ_NOW,
      replay: FRESH_PROOFS,
    }),
  };
}
