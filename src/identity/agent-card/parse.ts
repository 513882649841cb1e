/** Shape-checking an untrusted Agent Card: size, JSON, version, strict schema. */
import { MandateError } from '../../core/errors.js';
import { parseJsonObject } from '../../core/json-text.js';
import { firstIssue } from '../../core/schemas.js';
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

function malformed(message: string, path: string): never {
  throw new MandateError('MANDATE_MALFORMED', message, { check: 'anchor', detail: { path } });
}

/**
 * Parse a card given as JSON text or as a value. Throws `MANDATE_MALFORMED` (check
 * `anchor`, `detail.path`) for anything that is not a card of version 1.0 or 0.3: unknown
 * members, wrong types, oversized input, duplicate keys in text.
 */
export function parseAgentCard(input: unknown): ParsedAgentCard {
  let value: unknown = input;
  if (typeof input === 'string') {
    if (input.length > CARD_LIMITS.maxBytes) malformed('the Agent Card is too large', 'card');
    value = parseJsonObject(input, 'card', 'anchor');
  } else {
    let size: number;
    try {
      size = JSON.stringify(input)?.length ?? 0;
    } catch {
      return malformed('the Agent Card is not JSON', 'card');
    }
    if (size > CARD_LIMITS.maxBytes) malformed('the Agent Card is too large', 'card');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return malformed('the Agent Card must be a JSON object', 'card');
  }
  const version = detectCardVersion(value);
  const parsed = schemaFor(version).safeParse(value);
  if (!parsed.success) {
    const { path, message } = firstIssue(parsed.error, 'card');
    return malformed(message, path);
  }
  return { card: parsed.data, version };
}
