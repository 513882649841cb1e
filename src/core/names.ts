/**
 * Validation of the names a capability is made of: resource patterns, concrete resources,
 * action names and argument names (DESIGN.md sections 2 and 5).
 *
 * Names are compared byte for byte, never normalised, so anything that could make two
 * different strings look alike (non-NFC forms, bidi and zero-width characters, control
 * characters, lone surrogates) is rejected rather than repaired: a verifier must never
 * accept a name that a human reading it would take for another.
 */
import { limitExceeded, malformed } from './failure.js';
import { DEFAULT_LIMITS, MAX_NAME_LENGTH } from './limits.js';

/** A resource pattern split into its parts. */
export interface ParsedResource {
  /** Everything before the first `:`; compared exactly. */
  readonly scheme: string;
  /** Path segments before a trailing `**` (each a literal or `*`). */
  readonly segments: readonly string[];
  /** True when the pattern ends in `**` (zero or more further segments). */
  readonly rest: boolean;
}

const SCHEME = /^[A-Za-z0-9._+-]+$/;
const ACTION = /^[A-Za-z0-9._+:/-]+$/;
// C0, DEL and C1 controls (matching them is the point of this pattern).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/u;
// Explicit bidi embeddings/overrides/isolates and marks (U+061C is the Arabic letter mark).
const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/u;
// Zero-width and invisible format characters (soft hyphen, invisible operators, BOM).
const INVISIBLE = /[\u200B-\u200D\u2060-\u2064\uFEFF\u00AD]/u;
const PRINTABLE_ASCII = /^[\x20-\x7E]*$/;
// In a `u` regex, \p{Cs} matches only unpaired surrogates.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Checks that `value` is a string free of look-alike tricks: at most `maxLength` UTF-16
 * code units, no lone surrogates, no control, bidi or invisible characters, and in NFC.
 *
 * @throws MandateError `MANDATE_LIMIT_EXCEEDED` when too long, `MANDATE_MALFORMED` otherwise.
 */
export function assertSafeText(value: unknown, path: string, maxLength: number): string {
  if (typeof value !== 'string') malformed(`${path}: must be a string`, { path, reason: 'type' });
  // Length first: everything after this is linear in the length.
  if (value.length > maxLength) {
    limitExceeded(`${path}: longer than ${maxLength} characters`, {
      path,
      reason: 'length',
      limit: maxLength,
      detail: { length: value.length },
    });
  }
  // Printable ASCII has none of the characters below and is always NFC: one test decides.
  if (PRINTABLE_ASCII.test(value)) return value;
  if (LONE_SURROGATE.test(value))
    malformed(`${path}: contains a lone surrogate`, { path, reason: 'lone-surrogate' });
  if (CONTROL.test(value))
    malformed(`${path}: contains a control character`, { path, reason: 'control-character' });
  if (BIDI.test(value))
    malformed(`${path}: contains a bidi control character`, { path, reason: 'bidi-control' });
  if (INVISIBLE.test(value))
    malformed(`${path}: contains an invisible character`, { path, reason: 'invisible-character' });
  if (value !== value.normalize('NFC'))
    malformed(`${path}: is not in Unicode NFC`, { path, reason: 'not-nfc' });
  return value;
}

function parse(
  value: unknown,
  path: string,
  maxLength: number,
  allowWildcards: boolean,
): ParsedResource {
  const s = assertSafeText(value, path, maxLength);
  const colon = s.indexOf(':');
  if (colon <= 0) malformed(`${path}: must be scheme:path`, { path, reason: 'missing-scheme' });
  const scheme = s.slice(0, colon);
  if (!SCHEME.test(scheme)) {
    malformed(`${path}: scheme may only contain A-Z a-z 0-9 . _ + -`, {
      path,
      reason: 'bad-scheme',
    });
  }
  const parts = s.slice(colon + 1).split('/');
  const segments: string[] = [];
  let rest = false;
  parts.forEach((seg, i) => {
    if (seg === '') malformed(`${path}: segment ${i} is empty`, { path, reason: 'empty-segment' });
    if (seg === '.' || seg === '..')
      malformed(`${path}: segment ${i} is '${seg}'`, { path, reason: 'dot-segment' });
    if (seg.includes('*')) {
      if (!allowWildcards) {
        malformed(`${path}: a concrete resource may not contain wildcards`, {
          path,
          reason: 'wildcard-in-concrete',
        });
      }
      if (seg === '**') {
        if (i !== parts.length - 1) {
          malformed(`${path}: '**' is only allowed as the last segment`, {
            path,
            reason: 'inner-double-star',
          });
        }
        rest = true;
        return;
      }
      if (seg !== '*') {
        malformed(`${path}: segment ${i} mixes '*' with other characters`, {
          path,
          reason: 'partial-wildcard',
        });
      }
    }
    segments.push(seg);
  });
  return { scheme, segments, rest };
}

/**
 * Parses and validates a resource pattern (`scheme:seg/seg`, `*` = one segment, a trailing
 * `**` = zero or more segments).
 *
 * @throws MandateError `MANDATE_MALFORMED` (check `limits`) with `detail.path`.
 */
export function parseResourcePattern(
  value: unknown,
  path = 'resource',
  maxLength = DEFAULT_LIMITS.maxStringLength,
): ParsedResource {
  return parse(value, path, maxLength, true);
}

/** Validates a resource pattern and returns it unchanged. */
export function validateResourcePattern(
  value: unknown,
  path = 'resource',
  maxLength = DEFAULT_LIMITS.maxStringLength,
): string {
  parse(value, path, maxLength, true);
  return value as string;
}

/**
 * Parses a concrete resource, as a request names it: a pattern without `*` or `**`.
 *
 * @throws MandateError `MANDATE_MALFORMED` (check `limits`) with `detail.path`.
 */
export function parseConcreteResource(
  value: unknown,
  path = 'resource',
  maxLength = DEFAULT_LIMITS.maxStringLength,
): ParsedResource {
  return parse(value, path, maxLength, false);
}

/** Validates a concrete resource and returns it unchanged. */
export function validateConcreteResource(
  value: unknown,
  path = 'resource',
  maxLength = DEFAULT_LIMITS.maxStringLength,
): string {
  parse(value, path, maxLength, false);
  return value as string;
}

/**
 * Validates an action name: 1 to 128 characters of `A-Z a-z 0-9 . _ + - : /` (so URI-style
 * tool names fit); no wildcards, since actions are matched as exact strings.
 */
export function validateActionName(value: unknown, path = 'action'): string {
  const s = assertSafeText(value, path, MAX_NAME_LENGTH);
  if (s.length === 0) malformed(`${path}: must not be empty`, { path, reason: 'empty' });
  if (!ACTION.test(s)) {
    malformed(`${path}: may only contain A-Z a-z 0-9 . _ + - : /`, { path, reason: 'bad-action' });
  }
  return s;
}

/** Validates an argument name: 1 to 128 characters of safe text (see {@link assertSafeText}). */
export function validateArgumentName(value: unknown, path = 'argument'): string {
  const s = assertSafeText(value, path, MAX_NAME_LENGTH);
  if (s.length === 0) malformed(`${path}: must not be empty`, { path, reason: 'empty' });
  return s;
}
