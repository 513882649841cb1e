/**
 * Strict base64url and hashing helpers. Node's decoder skips characters it does not
 * know, so two different strings could decode to the same bytes; here only the one
 * canonical encoding of a byte string is accepted.
 */
import { hash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { MandateError, type Check } from './errors.js';

const B64URL = /^[A-Za-z0-9_-]*$/;
const B64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Whether `value` is the canonical unpadded base64url of some byte string: only the alphabet,
 * a possible length, and the unused low bits of the last character zero (4 bits when the
 * length is 2 mod 4, 2 bits when 3 mod 4). Each byte string has exactly one such encoding;
 * checking that one character is the same test as re-encoding, without encoding again.
 */
export function isCanonicalBase64url(value: string): boolean {
  if (!B64URL.test(value) || value.length % 4 === 1) return false;
  return hasCanonicalTail(value);
}

/**
 * Whether the unused low bits of base64url text's last character are zero, for text already
 * known to be of the alphabet and of a possible length: the rest of {@link isCanonicalBase64url}.
 */
export function hasCanonicalTail(value: string): boolean {
  const rest = value.length % 4;
  const last = rest === 0 ? 0 : B64URL_ALPHABET.indexOf(value.charAt(value.length - 1));
  return !((rest === 2 && last % 16 !== 0) || (rest === 3 && last % 4 !== 0));
}

/** Decode unpadded base64url, accepting only the canonical encoding. */
export function decodeBase64url(value: string, label: string, check: Check, hop?: number): Buffer {
  // Text is the canonical base64url of its bytes exactly when encoding the bytes gives the
  // text back (Node's decoder skips or tolerates what is not canonical, and the encoder
  // writes only canonical text): one decode and one encode, cheaper than scanning the text
  // twice. Anything else takes the checks below, which say what is wrong.
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'base64url');
    if (bytes.toString('base64url') === value) return bytes;
  }
  if (!B64URL.test(value) || value.length % 4 === 1) {
    throw new MandateError('MANDATE_MALFORMED', `${label}: not base64url`, {
      check,
      hop,
      detail: { path: label },
    });
  }
  if (!isCanonicalBase64url(value)) {
    throw new MandateError('MANDATE_MALFORMED', `${label}: non-canonical base64url`, {
      check,
      hop,
      detail: { path: label },
    });
  }
  return Buffer.from(value, 'base64url');
}

/** base64url(SHA-256(text as UTF-8)), unpadded. */
export function sha256Base64url(text: string | Uint8Array): string {
  // The one-shot digest: no Hash object per call (every block's parent hash, every proof's `ath`).
  return hash('sha256', text, 'base64url');
}

/** RFC 8785 canonical JSON of a value (throws TypeError on values JSON cannot hold). */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}
