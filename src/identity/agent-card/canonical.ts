/**
 * The payload an Agent Card signature covers (A2A §8.4.1): the card without `signatures`,
 * with default values handled by a named profile, serialised by RFC 8785 (JCS).
 *
 * Two profiles, because the specification's own example and @a2a-js/sdk disagree:
 * - `'a2a-js'` (default): what @a2a-js/sdk 1.x `canonicalizeAgentCard` produces: the card
 *   projected onto the proto (proto3 defaults dropped), then every empty value (`""`,
 *   `null`, `[]`, `{}`) removed at every depth, REQUIRED fields included.
 * - `'a2a-spec'`: the §8.4.1 rules and example: REQUIRED fields always kept (even `""` or
 *   `[]`), fields declared `optional` kept when present (even `false`), every other field
 *   omitted when it holds its default value.
 */
import { canonicalJson } from '../../core/encoding.js';
import type { AgentCard, FieldSpec, MessageSpec } from './schema.js';
import { detectCardVersion, specFor } from './schema.js';
import { deepFreeze } from '../../core/freeze.js';

/** The canonicalisation profiles. */
export const CANONICALIZATION_PROFILES = deepFreeze(['a2a-js', 'a2a-spec'] as const);
/**
 * How a card is canonicalised before signing: `'a2a-js'` (default) removes empty defaults as
 * @a2a-js/sdk does; `'a2a-spec'` follows the A2A §8.4.1 example.
 */
export type CanonicalizationProfile = (typeof CANONICALIZATION_PROFILES)[number];

/** The profile used when none is named: interoperable with @a2a-js/sdk. */
export const DEFAULT_PROFILE: CanonicalizationProfile = 'a2a-js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------
// 'a2a-js': proto3 projection, then the SDK's recursive removal of empty values.
// ---------------------------------------------------------------------------------------

function sdkField(field: FieldSpec, value: unknown): Json | undefined {
  switch (field.kind) {
    case 'string':
      return typeof value === 'string' && value !== '' ? value : undefined;
    case 'bool':
      if (typeof value !== 'boolean') return undefined;
      // proto3 implicit presence drops `false`; `optional` fields keep what was set.
      return field.explicit === true || value ? value : undefined;
    case 'strings':
      return Array.isArray(value) && value.length > 0 ? (value as Json[]) : undefined;
    case 'message':
      return isObject(value) ? sdkMessage(field.of, value) : undefined;
    case 'messages':
      return Array.isArray(value) && value.length > 0
        ? value.map((item) => sdkMessage(field.of, isObject(item) ? item : {}))
        : undefined;
    case 'map': {
      if (!isObject(value)) return undefined;
      const entries = Object.entries(value);
      if (entries.length === 0) return undefined;
      const of = field.of;
      return Object.fromEntries(
        entries.map(([key, item]) => [
          key,
          of === 'string' ? item : sdkMessage(of, isObject(item) ? item : {}),
        ]),
      );
    }
    case 'struct':
      return isObject(value) ? value : undefined;
  }
}

function sdkMessage(spec: MessageSpec, value: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [name, field] of Object.entries(spec.fields)) {
    if (!Object.hasOwn(value, name)) continue;
    const projected = sdkField(field, value[name]);
    if (projected !== undefined) out[name] = projected;
    // A oneof keeps its first set member only (the SDK's fromJSON order).
    if (spec.oneof === true && projected !== undefined) break;
  }
  return out;
}

/** @a2a-js/sdk's `cleanEmpty`: drop `""`, `null`, empty arrays and objects, recursively. */
function cleanEmpty(value: Json | undefined): Json | undefined {
  if (value === '' || value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const cleaned = value.map(cleanEmpty).filter((item): item is Json => item !== undefined);
    return cleaned.length > 0 ? cleaned : undefined;
  }
  if (typeof value === 'object') {
    const cleaned: JsonObject = {};
    for (const [key, item] of Object.entries(value)) {
      const next = cleanEmpty(item);
      if (next !== undefined) cleaned[key] = next;
    }
    return Object.keys(cleaned).length > 0 ? cleaned : undefined;
  }
  return value;
}

// ---------------------------------------------------------------------------------------
// 'a2a-spec': field presence per §8.4.1 / §5.7.
// ---------------------------------------------------------------------------------------

function isDefault(field: FieldSpec, value: unknown): boolean {
  switch (field.kind) {
    case 'string':
      return value === '';
    case 'bool':
      return value === false;
    case 'strings':
    case 'messages':
      return Array.isArray(value) && value.length === 0;
    case 'map':
      return isObject(value) && Object.keys(value).length === 0;
    case 'message':
    case 'struct':
      // Message-typed fields have presence: set means kept.
      return false;
  }
}

function specField(field: FieldSpec, value: unknown): Json {
  switch (field.kind) {
    case 'message':
      return specMessage(field.of, isObject(value) ? value : {});
    case 'messages':
      return (value as unknown[]).map((item) => specMessage(field.of, isObject(item) ? item : {}));
    case 'map': {
      const of = field.of;
      return Object.fromEntries(
        Object.entries(value as JsonObject).map(([key, item]) => [
          key,
          of === 'string' ? item : specMessage(of, isObject(item) ? item : {}),
        ]),
      );
    }
    default:
      return value as Json;
  }
}

function specMessage(spec: MessageSpec, value: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [name, field] of Object.entries(spec.fields)) {
    if (!Object.hasOwn(value, name) || value[name] === null) continue;
    const item = value[name];
    const keep =
      ('required' in field && field.required === true) ||
      ('explicit' in field && field.explicit === true) ||
      !isDefault(field, item);
    if (keep) out[name] = specField(field, item);
  }
  return out;
}

/**
 * The exact payload string a signature over `card` covers under `profile`: RFC 8785 JSON
 * of the card without `signatures`, defaults handled by the profile. The card must already
 * have passed the schema (unknown members would otherwise be dropped unsigned).
 * Throws TypeError on values JSON cannot hold (lone surrogates, non-finite numbers).
 */
export function canonicalizeAgentCard(
  card: AgentCard,
  profile: CanonicalizationProfile = DEFAULT_PROFILE,
): string {
  if (!isObject(card)) throw new TypeError('an Agent Card must be a JSON object');
  const spec = specFor(detectCardVersion(card));
  const { signatures: _signatures, ...unsigned } = card;
  if (profile === 'a2a-js') {
    const cleaned = cleanEmpty(sdkMessage(spec, unsigned));
    return cleaned === undefined ? '{}' : canonicalJson(cleaned);
  }
  if (profile === 'a2a-spec') return canonicalJson(specMessage(spec, unsigned));
  throw new TypeError(`unknown canonicalization profile ${JSON.stringify(profile)}`);
}
