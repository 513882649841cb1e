/**
 * Strict base64url and hashing helpers. Node's decoder skips characters it does not
 * know, so two different strings could decode to the same bytes; here only the one
 * canonical encoding of a byte string is accepted.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { MandateError, type Check } from './errors.js';

const B64URL = /^[A-Za-z0-9_-]*$/;

/** Decode unpadded base64url, accepting only the canonical encoding. */
export function decodeBase64url(value: string, label: string, check: Check, hop?: number): Buffer {
  if (!B64URL.test(value) || value.length % 4 === 1) {
    throw new MandateError('MANDATE_MALFORMED', `${label}: not base64url`, {
      check,
      hop,
      detail: { path: label },
    });
  }
  const bytes = Buffer.from(value, 'base64url');
  if (bytes.toString('base64url') !== value) {
    throw new MandateError('MANDATE_MALFORMED', `${label}: non-canonical base64url`, {
      check,
      hop,
      detail: { path: label },
    });
  }
  return bytes;
}

/** base64url(SHA-256(text as UTF-8)), unpadded. */
export function sha256Base64url(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** RFC 8785 canonical JSON of a value (throws TypeError on values JSON cannot hold). */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}
