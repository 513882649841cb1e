/** `signAgentCard`: attach an A2A §8.4 signature (JWS, detached canonical payload). */
import type { KeyPair } from '../../core/types.js';
import { encodeSegment } from '../../core/jws/compact.js';
import { prepareSigner, signBytes } from '../keys.js';
import {
  canonicalizeAgentCard,
  DEFAULT_PROFILE,
  type CanonicalizationProfile,
} from './canonical.js';
import { parseAgentCard } from './parse.js';
import type { AgentCard, AgentCardSignature } from './schema.js';

/** The `typ` of an Agent Card signature (A2A §8.4.2: SHOULD be `JOSE`). */
export const AGENT_CARD_TYP = 'JOSE';

/** Options of `signAgentCard`. */
export interface SignAgentCardOptions {
  /** The provider's key pair (Ed25519 or P-256). */
  readonly signer: KeyPair;
  /** The key's id in the provider's key set (A2A §8.4.2: MUST be in the protected header). */
  readonly kid: string;
  /** Where the provider publishes its JWKS; a verifier uses it only when allow-listed. */
  readonly jku?: string;
  /** Default `'a2a-js'` (interoperable with @a2a-js/sdk). */
  readonly profile?: CanonicalizationProfile;
  /**
   * For an Ed25519 key: `'Ed25519'` (default, RFC 9864) or the deprecated polymorphic
   * `'EdDSA'`, for verifiers that know no other name.
   */
  readonly alg?: 'Ed25519' | 'EdDSA';
}

/**
 * Sign an Agent Card: validate it against its version's schema, canonicalise it (without
 * `signatures`) under `profile`, and append a signature `{ protected, signature }` whose
 * protected header is `{ alg, typ: "JOSE", kid, jku? }`. Existing signatures are kept (key
 * rotation: several may be present). Returns a new card; the input is not modified.
 * Misuse (a malformed card, a bad key, an empty kid) throws TypeError.
 */
export function signAgentCard(card: AgentCard, options: SignAgentCardOptions): AgentCard {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('signAgentCard needs options');
  if (typeof options.kid !== 'string' || options.kid.length === 0 || options.kid.length > 256) {
    throw new TypeError('kid must be a non-empty string of at most 256 characters');
  }
  if (options.jku !== undefined) {
    let url: URL;
    try {
      url = new URL(options.jku);
    } catch (cause) {
      throw new TypeError('jku must be an absolute URL', { cause });
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new TypeError('jku must be an http(s) URL');
  }
  let parsed;
  try {
    parsed = parseAgentCard(card);
  } catch (cause) {
    throw new TypeError('signAgentCard: the card does not match the A2A Agent Card schema', {
      cause,
    });
  }
  const signer = prepareSigner(options.signer);
  let alg: string = signer.alg;
  if (options.alg !== undefined) {
    if (signer.alg !== 'Ed25519' || (options.alg !== 'Ed25519' && options.alg !== 'EdDSA')) {
      throw new TypeError('alg may only choose between Ed25519 and EdDSA for an Ed25519 key');
    }
    alg = options.alg;
  }
  const header = {
    alg,
    typ: AGENT_CARD_TYP,
    kid: options.kid,
    ...(options.jku === undefined ? {} : { jku: options.jku }),
  };
  const payload = canonicalizeAgentCard(parsed.card, options.profile ?? DEFAULT_PROFILE);
  const protectedHeader = encodeSegment(header);
  const signingInput = `${protectedHeader}.${Buffer.from(payload, 'utf8').toString('base64url')}`;
  const signature: AgentCardSignature = {
    protected: protectedHeader,
    signature: signBytes(signer, signingInput).toString('base64url'),
  };
  return { ...card, signatures: [...(card.signatures ?? []), signature] };
}
