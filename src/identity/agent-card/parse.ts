/** Shape-checking an untrusted Agent Card: size, JSON, version, strict schema. */
import { malformed } from '../../core/failure.js';
import { parseJsonObject } from '../../core/json-text.js';
import { parseWith } from '../../core/schemas.js';
import {
  CARD_LIMITS,
  detectCardVersion,
  schemaFor,
  type AgentCard,
  type AgentCardVersion,
} from './schema.js';

/** A card that matches its version's schema; nothing about it is verified yet. */
export interface ParsedAgentCard {
  readonly card: AgentCard;
  readonly version: AgentCardVersion;
}

/**
 * Parse a card given as JSON text or as a value. Throws `MANDATE_MALFORMED` (check
 * `anchor`, `detail.path`) for anything that is not a card of version 1.0 or 0.3: unknown
 * members, wrong types, oversized input, duplicate keys in text.
 */
export function parseAgentCard(input: unknown): ParsedAgentCard {
  let value: unknown = input;
  if (typeof input === 'string') {
    if (input.length > CARD_LIMITS.maxBytes)
      malformed('the Agent Card is too large', { path: 'card', check: 'anchor' });
    value = parseJsonObject(input, 'card', 'anchor');
  } else {
    let size: number;
    try {
      size = JSON.stringify(input)?.length ?? 0;
    } catch {
      return malformed('the Agent Card is not JSON', { path: 'card', check: 'anchor' });
    }
    if (size > CARD_LIMITS.maxBytes)
      malformed('the Agent Card is too large', { path: 'card', check: 'anchor' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return malformed('the Agent Card must be a JSON object', { path: 'card', check: 'anchor' });
  }
  const version = detectCardVersion(value);
  const card = parseWith(schemaFor(version), value, 'card', { check: 'anchor' });
  return { card, version };
}
