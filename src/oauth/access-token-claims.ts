/**
 * Rule 1 for an RFC 9068 access token: size and shape before any crypto. The compact JWS is
 * split, its header must be typed `at+jwt`, its payload must carry RFC 9068's claims (and the
 * verifier's required ones) with sane types; `act` / `may_act` are read as RFC 8693 says.
 */
import type { infer as Infer } from 'zod';
import { zod } from '../core/zod.js';
import { decodeBase64url, isCanonicalBase64url } from '../core/encoding.js';
import { fail } from '../core/errors.js';
import { malformed } from '../core/failure.js';
import { parseJsonObject } from '../core/json-text.js';
import { parseWith } from '../core/schemas.js';
import { parseActClaim, parseMayActClaim, type Actor } from './act-claim.js';
import { ACCESS_TOKEN_TYP } from './token-types.js';

// This entry's schemas are built on import, with the one zod every Mandate module shares.
const z = zod();

const str = z.string().min(1).max(4096);
const seconds = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const claimsSchema = z.looseObject({
  iss: str,
  sub: str,
  client_id: str,
  aud: z.union([str, z.array(str).min(1).max(64)]),
  exp: seconds,
  iat: seconds,
  jti: str,
  nbf: seconds.optional(),
  scope: z.string().max(16_384).optional(),
  cnf: z
    .looseObject({
      jkt: z
        .string()
        .regex(/^[A-Za-z0-9_-]{43}$/)
        .optional(),
    })
    .optional(),
});

/** One segment of the compact JWS: canonical base64url of a JSON object (no duplicate keys). */
function decodeJson(segment: string, label: string): Record<string, unknown> {
  return parseJsonObject(
    decodeBase64url(segment, label, 'limits').toString('utf8'),
    label,
    'limits',
  );
}

/**
 * RFC 7515 §4.1.11: a `crit` extension the verifier does not implement must be refused, and
 * Mandate implements none; `b64: false` (RFC 7797) would make the signature cover the payload
 * text as-is while the claims are read from its base64url decoding (RFC 8725 vectors
 * `access-token/crit-*` and `access-token/b64-*`).
 */
function rejectUnsupportedHeader(header: Readonly<Record<string, unknown>>): void {
  for (const member of ['crit', 'b64']) {
    if (Object.hasOwn(header, member)) {
      malformed(`header.${member} is not supported`, { path: `header.${member}`, hop: 0 });
    }
  }
}

/** `typ` per RFC 9068 §4: `at+jwt`, or `application/at+jwt`, compared case-insensitively. */
function isAccessTokenTyp(typ: unknown): boolean {
  if (typeof typ !== 'string') return false;
  const lower = typ.toLowerCase();
  return lower === ACCESS_TOKEN_TYP || lower === `application/${ACCESS_TOKEN_TYP}`;
}

/** The claims of an access token, as the schema reads them. */
export type AccessTokenClaims = Infer<typeof claimsSchema>;

/** An access token read (not yet verified): its header, payload, typed claims and actors. */
export interface ReadAccessToken {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly claims: AccessTokenClaims;
  readonly actors: readonly Actor[];
  readonly mayAct: Actor | undefined;
}

/**
 * Reads an access token's structure (check `limits`, hop 0): at most `maxLength` characters,
 * three canonical base64url segments, `typ` `at+jwt`, no `crit` or `b64`, the RFC 9068 claims and every one of `requiredClaims`.
 * Nothing here is verified: the signature, issuer, time and audience are the caller's.
 */
export function readAccessToken(
  token: string,
  maxLength: number,
  requiredClaims: readonly string[],
): ReadAccessToken {
  if (token.length > maxLength) {
    fail('MANDATE_LIMIT_EXCEEDED', 'limits', 0, `the token exceeds ${maxLength} characters`);
  }
  const segments = token.split('.');
  if (segments.length !== 3) {
    fail('MANDATE_MALFORMED', 'limits', 0, 'an access token is a compact JWS (three segments)');
  }
  const header = decodeJson(segments[0] ?? '', 'header');
  if (!isAccessTokenTyp(header['typ'])) {
    malformed(`header.typ must be ${ACCESS_TOKEN_TYP} (RFC 9068)`, { path: 'header.typ', hop: 0 });
  }
  rejectUnsupportedHeader(header);
  const payload = decodeJson(segments[1] ?? '', 'payload');
  // jose decodes the signature leniently (padding, unused bits, whitespace): only the one
  // canonical text of a token is accepted, as for the header and payload above.
  if (!isCanonicalBase64url(segments[2] ?? '')) {
    malformed('signature: non-canonical base64url', { path: 'signature', hop: 0 });
  }
  const claims = parseWith(claimsSchema, payload, 'payload', { hop: 0 });
  for (const name of requiredClaims) {
    if (!Object.hasOwn(payload, name)) {
      malformed(`payload.${name} is required`, { path: `payload.${name}`, hop: 0 });
    }
  }
  return {
    header,
    payload,
    claims,
    actors: parseActClaim(payload['act']),
    mayAct: parseMayActClaim(payload['may_act']),
  };
}
