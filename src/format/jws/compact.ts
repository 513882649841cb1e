/**
 * Compact JWS parsing for untrusted input: shape first, crypto later. Only the header
 * members Mandate understands are allowed, so `jku`, `x5u`, `jwk`, `crit` and friends can
 * never steer key selection.
 */
import { decodeBase64url } from '../../core/encoding.js';
import { MandateError, type Check } from '../../core/errors.js';
import { parseJsonObject } from '../../core/json-text.js';

/** A compact JWS split and decoded, not yet verified. */
export interface ParsedJws {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
  /** ASCII `base64url(header).base64url(payload)`: what is signed and what `par_hash` covers. */
  readonly signingInput: string;
  readonly signature: Buffer;
}

export interface ParseJwsOptions {
  readonly label: string;
  readonly check: Check;
  readonly hop?: number | undefined;
  /** Header members allowed besides `alg` and `typ`. */
  readonly extraHeaders?: readonly string[];
}

const SIGNATURE_BYTES = 64; // Ed25519 and ES256 (raw r||s) alike
// Invalid UTF-8 must not silently become U+FFFD: two byte strings would read the same.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(bytes: Buffer, label: string, check: Check, hop: number | undefined): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new MandateError('MANDATE_MALFORMED', `${label}: not valid UTF-8`, {
      check,
      hop,
      detail: { path: label },
    });
  }
}

/** Split, decode and shape-check one compact JWS. Throws `MANDATE_MALFORMED`. */
export function parseCompactJws(compact: string, options: ParseJwsOptions): ParsedJws {
  const { label, check, hop } = options;
  const malformed = (message: string, path = label): never => {
    throw new MandateError('MANDATE_MALFORMED', `${label}: ${message}`, {
      check,
      hop,
      detail: { path },
    });
  };
  const parts = compact.split('.');
  if (parts.length !== 3) malformed('must be a compact JWS (three dot-separated parts)');
  const [h = '', p = '', s = ''] = parts;
  if (h === '' || p === '' || s === '') malformed('empty JWS part');
  const header = parseJsonObject(
    decodeUtf8(decodeBase64url(h, `${label}.header`, check, hop), `${label}.header`, check, hop),
    `${label}.header`,
    check,
    hop,
  );
  const allowed = new Set(['alg', 'typ', ...(options.extraHeaders ?? [])]);
  for (const key of Object.keys(header)) {
    if (!allowed.has(key))
      malformed(
        `header member "${key.slice(0, 32)}" is not allowed`,
        `${label}.header.${key.slice(0, 32)}`,
      );
  }
  if (typeof header.alg !== 'string')
    malformed('header.alg must be a string', `${label}.header.alg`);
  if (typeof header.typ !== 'string')
    malformed('header.typ must be a string', `${label}.header.typ`);
  const payloadText = decodeUtf8(
    decodeBase64url(p, `${label}.payload`, check, hop),
    `${label}.payload`,
    check,
    hop,
  );
  const payload = parseJsonObject(payloadText, `${label}.payload`, check, hop);
  const signature = decodeBase64url(s, `${label}.signature`, check, hop);
  if (signature.length !== SIGNATURE_BYTES)
    malformed('signature has the wrong length', `${label}.signature`);
  return { header, payload, signingInput: `${h}.${p}`, signature };
}

/** Encode a JSON value as unpadded base64url of its UTF-8 JSON text. */
export function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}
