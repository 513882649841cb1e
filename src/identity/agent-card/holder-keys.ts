/**
 * How a signed Agent Card names the keys its agent holds mandates with: an A2A extension
 * (`capabilities.extensions[]`, the sanctioned place for what the core card does not say)
 * whose `params.keys` lists public JWKs. The extension is inside the signed payload, so the
 * card's signer vouches for the binding "these keys are this agent's".
 */
import { MandateError } from '../../core/errors.js';
import { parsePublicJwk, type PublicJwk } from '../jwk.js';
import type { AgentCard } from './schema.js';

/** The extension URI under which a card lists its agent's holder keys. */
export const HOLDER_KEYS_EXTENSION = 'urn:mandate:a2a:holder-keys:v1';

/** Most holder keys read from one card. */
const MAX_HOLDER_KEYS = 32;

/**
 * The extension entry to put in `capabilities.extensions` of a card before signing it.
 * Keys are reduced to their identifying members (no `kid`, no private parts).
 */
export function holderKeysExtension(keys: readonly object[]): {
  uri: string;
  description: string;
  params: { keys: PublicJwk[] };
} {
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_HOLDER_KEYS) {
    throw new TypeError(`holderKeysExtension needs 1 to ${MAX_HOLDER_KEYS} public JWKs`);
  }
  const parsed = keys.map((key, i) => {
    try {
      return { ...parsePublicJwk(key, 'anchor', undefined, `keys.${i}`) };
    } catch (cause) {
      throw new TypeError(`keys.${i} must be an Ed25519 or P-256 public JWK`, { cause });
    }
  });
  return {
    uri: HOLDER_KEYS_EXTENSION,
    description: 'Keys this agent holds Mandate delegations with',
    params: { keys: parsed },
  };
}

/** Read the holder keys of a (verified) card. A malformed entry is `MANDATE_MALFORMED`. */
export function readHolderKeys(card: AgentCard): PublicJwk[] {
  const capabilities = card['capabilities'] as { extensions?: unknown } | undefined;
  const extensions = Array.isArray(capabilities?.extensions) ? capabilities.extensions : [];
  const keys: PublicJwk[] = [];
  for (const [i, extension] of extensions.entries()) {
    const entry = extension as { uri?: unknown; params?: { keys?: unknown } };
    if (entry?.uri !== HOLDER_KEYS_EXTENSION) continue;
    const list = entry.params?.keys;
    const path = `card.capabilities.extensions.${i}.params.keys`;
    if (!Array.isArray(list) || list.length > MAX_HOLDER_KEYS) {
      throw new MandateError('MANDATE_MALFORMED', `${path} must be an array of public JWKs`, {
        check: 'anchor',
        detail: { path },
      });
    }
    for (const [j, jwk] of list.entries())
      keys.push(parsePublicJwk(jwk, 'anchor', undefined, `${path}.${j}`));
  }
  return keys;
}
