/**
 * The request target as the guard reads it: raw, never normalised, and only when no router
 * could read it differently.
 *
 * Routers disagree about paths. Express matches the raw path (a `\` or `%2e` is an ordinary
 * character to it, a `;` stays in a param) and decodes params afterwards; Hono and every
 * Fetch-API runtime see the WHATWG-parsed URL (`\` becomes `/`, `.`, `..` and `%2e` segments
 * are resolved) and Hono then `decodeURI`s it; proxies and file servers do yet other things. A
 * guard that maps the action from one reading while the framework dispatches on another is a
 * confused deputy. So a target is accepted only in the one spelling all of them read alike, and
 * anything else is denied as ambiguous (`MANDATE_MALFORMED`, check `limits`, HTTP 400) before
 * any route is matched.
 */
import { assertSafeText } from '../../core/names.js';
import { fail } from '../../core/errors.js';

/** A target's path (still percent-encoded) and its query (`?...`, or empty). */
export interface RequestTarget {
  readonly path: string;
  readonly search: string;
}

// Bytes that may appear raw in a path segment: RFC 3986 unreserved and sub-delims except `;`
// (matrix parameters in some routers), plus `:` and `@`.
const RAW = /^[A-Za-z0-9\-._~!$&'()*+,=:@]$/;
// The same bytes percent-encoded have a second spelling, which a decoding router (Hono, any
// `decodeURI`) and a raw-matching one (Express) read differently: deny it.
const HEX = /^[0-9A-Fa-f]{2}$/;
const QUERY = /^[\x21-\x22\x24-\x7E]*$/;
const ABSOLUTE = /^https?:\/\/[A-Za-z0-9\-._~!$&'()*+,;=:[\]]*(?=\/)/;
const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

function ambiguous(reason: string, message: string): never {
  fail('MANDATE_MALFORMED', 'limits', 0, `ambiguous request target: ${message}`, { reason });
}

/** One raw segment: every byte has one spelling, and its text is free of look-alikes. */
function checkSegment(segment: string, index: number): void {
  if (segment === '.' || segment === '..') {
    ambiguous('dot-segment', `segment ${index} is a dot segment`);
  }
  const bytes: number[] = [];
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i] ?? '';
    if (char !== '%') {
      if (!RAW.test(char)) {
        ambiguous('bad-character', `segment ${index} holds a character routers read differently`);
      }
      bytes.push(char.charCodeAt(0));
      continue;
    }
    const hex = segment.slice(i + 1, i + 3);
    if (!HEX.test(hex)) ambiguous('bad-percent', `segment ${index} has an invalid %-escape`);
    const byte = Number.parseInt(hex, 16);
    if (byte === 0x2f || byte === 0x5c) {
      ambiguous('encoded-separator', `segment ${index} encodes a path separator`);
    }
    if (byte === 0x25) ambiguous('encoded-percent', `segment ${index} is double-encoded`);
    if (byte < 0x20 || byte === 0x7f) {
      ambiguous('encoded-control', `segment ${index} encodes a control character`);
    }
    if (byte < 0x80 && RAW.test(String.fromCharCode(byte))) {
      ambiguous('encoded-plain', `segment ${index} encodes a character that has a raw spelling`);
    }
    bytes.push(byte);
    i += 2;
  }
  let text: string;
  try {
    // Fatal decoding rejects overlong forms (`%c0%ae`), surrogates and truncated sequences.
    text = fatalUtf8.decode(new Uint8Array(bytes));
  } catch {
    ambiguous('bad-utf8', `segment ${index} is not valid UTF-8`);
  }
  try {
    assertSafeText(text, `segment ${index}`, Number.MAX_SAFE_INTEGER);
  } catch {
    ambiguous('look-alike', `segment ${index} holds invisible, bidi or non-NFC text`);
  }
  // A compatibility form (fullwidth `．`, `／`, ligatures) is one NFKC step from another name.
  if (text.normalize('NFKC') !== text) {
    ambiguous('look-alike', `segment ${index} is not in Unicode NFKC`);
  }
}

/**
 * The path and query of a request target, read raw, or a `MandateError`
 * (`MANDATE_MALFORMED`, check `limits`, `detail.reason`) when any router could read it
 * differently: a `\`, `;` or other character outside the RFC 3986 path set; a `.` or `..`
 * segment; an empty segment (`//`) except a trailing slash; a percent-encoded `/`, `\`, `%`,
 * control character or character that has a raw spelling (`%2e`, `%41`, any case); an invalid
 * `%`-escape or invalid UTF-8 (overlong `%c0%ae`); a segment whose text is not NFC and NFKC or
 * holds bidi or invisible characters; a fragment; a query with spaces, controls or non-ASCII.
 * Absolute-form (`http://host/path`) is reduced to its path: the authority is never used.
 *
 * Not checked: what a route then does with the path.
 */
export function readRequestTarget(target: string): RequestTarget {
  const authority = ABSOLUTE.exec(target);
  const originForm = authority === null ? target : target.slice(authority[0].length);
  if (!originForm.startsWith('/')) {
    ambiguous('not-origin-form', 'a target must be a path starting with /');
  }
  const question = originForm.indexOf('?');
  const path = question === -1 ? originForm : originForm.slice(0, question);
  const search = question === -1 ? '' : originForm.slice(question);
  if (!QUERY.test(search)) {
    ambiguous('bad-query', 'the query holds a fragment, space, control or non-ASCII character');
  }
  const segments = path.split('/').slice(1);
  segments.forEach((segment, index) => {
    if (segment === '' && index !== segments.length - 1) {
      ambiguous('empty-segment', `segment ${index} is empty (//)`);
    }
    checkSegment(segment, index);
  });
  return { path, search };
}
