/**
 * Compact JWS parsing for untrusted input: shape first, crypto later. Only the header
 * members Mandate understands are allowed, so `jku`, `x5u`, `jwk`, `crit` and friends can
 * never steer key selection.
 */
import { RecurringCache } from '../recurring-cache.js';
import { decodeBase64url } from '../encoding.js';
import { MandateError, type Check } from '../errors.js';
import { malformed } from '../failure.js';
import { deepFreeze } from '../freeze.js';
import { parseJsonObject } from '../json-text.js';

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
  /**
   * The `typ` values this JWS may carry, and what it is (`a mandate`): a JWS typed otherwise
   * (a plain JWT, an access token) is refused first, saying what it is and what was expected,
   * before its other members are judged against rules that were never meant for it.
   */
  readonly expect?: { readonly typs: readonly string[]; readonly what: string };
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

/**
 * Parsed headers by their exact base64url text. A header is a pure function of that text,
 * and the same few recur on every request (a block's `{alg, typ}`, an agent's proof header
 * with its key): parsing one once is enough. A header is kept once it recurs (a new agent's
 * first proof header is not), fingerprinted by its end (headers share their start, `{"alg":`);
 * only successful parses are kept, deep-frozen so that no reader can change what the next
 * request sees; the member checks below still run on every call.
 */
const headerCache = new RecurringCache<Readonly<Record<string, unknown>>>(256, 'end');

/**
 * Decode and parse a JWS header segment (cached by its exact text, deep-frozen, once it
 * recurs). Throws
 * `MANDATE_MALFORMED` like `parseCompactJws`; the header's members are not checked here.
 */
export function parseHeader(
  h: string,
  label: string,
  check: Check,
  hop: number | undefined,
): Readonly<Record<string, unknown>> {
  let header = headerCache.get(h);
  if (header === undefined) {
    header = parseJsonObject(
      decodeUtf8(decodeBase64url(h, `${label}.header`, check, hop), `${label}.header`, check, hop),
      `${label}.header`,
      check,
      hop,
    );
    // Kept, deep-frozen, once it recurs; a header met once is this request's alone.
    if (headerCache.metBefore(h)) headerCache.set(h, deepFreeze(header));
  }
  return header;
}

/**
 * The header allow-list every block and proof header passes: `alg`, `typ` and the members in
 * `extra`, nothing else. So `jku`, `x5u`, `jwk`, `x5c`, `b64`, `zip`, `crit` and any other
 * member can never steer key selection or the payload's meaning. Returns the first other
 * member's name (cut to 32 characters, for messages and paths), or `undefined`.
 */
export function disallowedHeaderMember(
  header: Readonly<Record<string, unknown>>,
  extra: readonly string[] = [],
): string | undefined {
  for (const key in header) {
    if (!Object.hasOwn(header, key)) continue;
    if (key !== 'alg' && key !== 'typ' && !extra.includes(key)) return key.slice(0, 32);
  }
  return undefined;
}

/** Split, decode and shape-check one compact JWS. Throws `MANDATE_MALFORMED`. */
export function parseCompactJws(compact: string, options: ParseJwsOptions): ParsedJws {
  const { label, check, hop } = options;
  // Two indexOf instead of split: the same three parts, without the array.
  const dot1 = compact.indexOf('.');
  const dot2 = dot1 === -1 ? -1 : compact.indexOf('.', dot1 + 1);
  if (dot2 === -1 || compact.indexOf('.', dot2 + 1) !== -1)
    malformed(`${label}: must be a compact JWS (three dot-separated parts)`, {
      path: label,
      check,
      hop,
    });
  const h = compact.slice(0, dot1);
  const p = compact.slice(dot1 + 1, dot2);
  const s = compact.slice(dot2 + 1);
  if (h === '' || p === '' || s === '')
    malformed(`${label}: empty JWS part`, { path: label, check, hop });
  const header = parseHeader(h, label, check, hop);
  const expected = options.expect;
  if (expected !== undefined && !expected.typs.includes(header.typ as string)) {
    // Only short, printable header values are echoed (they are attacker-written).
    const shown = (v: unknown): string =>
      typeof v === 'string' && /^[\x20-\x7E]{1,40}$/.test(v) ? JSON.stringify(v) : 'absent';
    const jwt = typeof header.typ !== 'string' || header.typ.toUpperCase() === 'JWT';
    malformed(
      `${label}: ${jwt ? 'a JWT' : 'a JWS'} (typ ${shown(header.typ)}, alg ${shown(header.alg)}), not ${expected.what}: ` +
        `expected typ ${expected.typs.join(' or ')}`,
      { path: `${label}.header.typ`, check, hop },
    );
  }
  const refused = disallowedHeaderMember(header, options.extraHeaders);
  if (refused !== undefined) {
    malformed(`${label}: header member "${refused}" is not allowed`, {
      path: `${label}.header.${refused}`,
      check,
      hop,
    });
  }
  if (typeof header.alg !== 'string')
    malformed(`${label}: header.alg must be a string`, { path: `${label}.header.alg`, check, hop });
  if (typeof header.typ !== 'string')
    malformed(`${label}: header.typ must be a string`, { path: `${label}.header.typ`, check, hop });
  const payloadText = decodeUtf8(
    decodeBase64url(p, `${label}.payload`, check, hop),
    `${label}.payload`,
    check,
    hop,
  );
  const payload = parseJsonObject(payloadText, `${label}.payload`, check, hop);
  const signature = decodeBase64url(s, `${label}.signature`, check, hop);
  if (signature.length !== SIGNATURE_BYTES)
    malformed(`${label}: signature has the wrong length`, {
      path: `${label}.signature`,
      check,
      hop,
    });
  return { header, payload, signingInput: compact.slice(0, dot2), signature };
}

/** Encode a JSON value as unpadded base64url of its UTF-8 JSON text. */
export function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}
