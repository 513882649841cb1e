/**
 * SPIFFE identities as agent names: an X.509-SVID's single URI SAN, and a JWT-SVID's `sub`
 * (SPIFFE ID, X.509-SVID and JWT-SVID standards).
 */
import type { JWTPayload } from 'jose';
import { MandateError, type MandateErrorCode } from '../../core/errors.js';
import {
  isKeyResolver,
  staticKeys,
  type JwkSet,
  type KeyResolver,
} from '../../identity/key-resolver.js';
import type { JWK } from 'jose';
import { toX509, type CertificateInput } from '../../identity/certificate.js';

/** A parsed SPIFFE ID. */
export interface SpiffeId {
  readonly id: string;
  readonly trustDomain: string;
  /** The path, starting with `/`, or `''` for the trust domain itself. */
  readonly path: string;
}

const TRUST_DOMAIN = /^[a-z0-9._-]+$/;
const SEGMENT = /^[A-Za-z0-9._-]+$/;

/**
 * Parse a SPIFFE ID (SPIFFE ID standard §2): `spiffe://` + a lower-case trust domain +
 * an optional path of non-empty segments of `[A-Za-z0-9._-]`, no `.`/`..` segments, no
 * trailing slash, no query, fragment, port or user info; at most 2048 bytes.
 * Returns undefined for anything else.
 */
export function parseSpiffeId(value: unknown): SpiffeId | undefined {
  if (typeof value !== 'string' || value.length > 2048 || !value.startsWith('spiffe://')) {
    return undefined;
  }
  const rest = value.slice('spiffe://'.length);
  const slash = rest.indexOf('/');
  const trustDomain = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '' : rest.slice(slash);
  if (trustDomain.length === 0 || !TRUST_DOMAIN.test(trustDomain)) return undefined;
  if (path !== '') {
    const segments = path.slice(1).split('/');
    for (const segment of segments) {
      if (!SEGMENT.test(segment) || segment === '.' || segment === '..') return undefined;
    }
  }
  return { id: value, trustDomain, path };
}

/** The URI SANs of a certificate (Node's `subjectAltName` text, quoted values unescaped). */
function uriSans(subjectAltName: string | undefined): string[] {
  if (subjectAltName === undefined) return [];
  const out: string[] = [];
  const pattern = /(?:^|, )URI:("(?:[^"\\]|\\.)*"|[^,]*)/g;
  for (const match of subjectAltName.matchAll(pattern)) {
    const raw = match[1] ?? '';
    out.push(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
  }
  return out;
}

/**
 * The SPIFFE ID an X.509-SVID names (X.509-SVID standard §2, §4): a leaf certificate (not a
 * CA) with exactly one URI SAN, which is a SPIFFE ID. Returns undefined otherwise.
 *
 * Not checked here, and left to the TLS layer: the chain to the trust domain's bundle.
 * Use it on a certificate from `peerCertificate(req)` (authorized by the configured CA).
 */
export function spiffeIdFromCertificate(certificate: CertificateInput): SpiffeId | undefined {
  const cert = toX509(certificate);
  if (cert.ca) return undefined;
  const uris = uriSans(cert.subjectAltName);
  if (uris.length !== 1) return undefined;
  return parseSpiffeId(uris[0]);
}

/** Options of `verifyJwtSvid`. */
export interface VerifyJwtSvidOptions {
  /** The trust domain's JWT bundle: a key resolver or its JWKs. */
  readonly bundle: KeyResolver | JwkSet | readonly JWK[];
  /** This verifier's identity: the SVID's `aud` must contain it (JWT-SVID §3). */
  readonly audience: string;
  /** The trust domain the SVID must belong to. */
  readonly trustDomain?: string;
  /** Seconds of clock skew tolerated. Default 0. */
  readonly clockTolerance?: number;
  /** The clock, in seconds since the epoch (for tests). */
  readonly now?: number;
}

/** A verified JWT-SVID. */
export interface VerifiedJwtSvid {
  readonly spiffeId: SpiffeId;
  readonly claims: JWTPayload;
}

function svidError(
  code: MandateErrorCode,
  message: string,
  reason: string,
  cause?: unknown,
): MandateError {
  return new MandateError(code, message, { check: 'anchor', detail: { reason }, cause });
}

/**
 * Verify a JWT-SVID (JWT-SVID standard §3, §7): signed (ES256) by a key of the trust
 * domain's bundle, `sub` a SPIFFE ID (of `trustDomain` when given), `aud` containing
 * `audience`, `exp` present and not passed. Rejects with a coded `MandateError`.
 *
 * A JWT-SVID is a bearer token: it names a workload but binds no key, so it cannot by
 * itself prove that a mandate's holder is that workload. Use it to name the caller; bind
 * the holder with a signed Agent Card or an X.509-SVID (mTLS) instead.
 */
export async function verifyJwtSvid(
  token: string,
  options: VerifyJwtSvidOptions,
): Promise<VerifiedJwtSvid> {
  if (typeof options?.audience !== 'string' || options.audience.length === 0) {
    throw new TypeError('verifyJwtSvid needs an audience');
  }
  const bundle = isKeyResolver(options.bundle) ? options.bundle : staticKeys(options.bundle);
  if (typeof token !== 'string' || token.length > 16_384) {
    throw svidError('MANDATE_MALFORMED', 'a JWT-SVID must be a compact JWT', 'malformed');
  }
  // jose's JWT verification is loaded here, on first use: the verifier imports this module for
  // X.509-SVID names, and importing Mandate should not load a JWT stack it may never use.
  const [{ decodeProtectedHeader }, joseErrors, { jwtVerify }] = await Promise.all([
    import('jose/decode/protected_header'),
    import('jose/errors'),
    import('jose/jwt/verify'),
  ]);
  let header;
  try {
    header = decodeProtectedHeader(token);
  } catch (cause) {
    throw svidError('MANDATE_MALFORMED', 'a JWT-SVID must be a compact JWT', 'malformed', cause);
  }
  if (header.alg !== 'ES256') {
    throw svidError(
      'MANDATE_SIGNATURE_INVALID',
      'JWT-SVID algorithm not allowed',
      'alg-not-allowed',
    );
  }
  if (header.typ !== undefined && header.typ !== 'JWT' && header.typ !== 'JOSE') {
    throw svidError('MANDATE_MALFORMED', 'JWT-SVID typ must be JWT or JOSE', 'typ');
  }
  const key = await bundle.resolve({ alg: 'ES256', kid: header.kid });
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key.key, {
      algorithms: ['ES256'],
      audience: options.audience,
      requiredClaims: ['sub', 'aud', 'exp'],
      clockTolerance: options.clockTolerance ?? 0,
      ...(options.now === undefined ? {} : { currentDate: new Date(options.now * 1000) }),
    }));
  } catch (cause) {
    if (cause instanceof joseErrors.JWTExpired) {
      throw svidError('MANDATE_EXPIRED', 'the JWT-SVID has expired', 'exp', cause);
    }
    if (cause instanceof joseErrors.JWTClaimValidationFailed && cause.claim === 'aud') {
      throw svidError('MANDATE_AUDIENCE', 'the JWT-SVID is not for this audience', 'aud', cause);
    }
    if (cause instanceof joseErrors.JWSSignatureVerificationFailed) {
      throw svidError(
        'MANDATE_SIGNATURE_INVALID',
        'signature verification failed',
        'signature',
        cause,
      );
    }
    throw svidError('MANDATE_MALFORMED', 'the JWT-SVID is not valid', 'claims', cause);
  }
  const spiffeId = parseSpiffeId(payload.sub);
  if (spiffeId === undefined) {
    throw svidError('MANDATE_MALFORMED', 'the JWT-SVID sub is not a SPIFFE ID', 'sub');
  }
  if (options.trustDomain !== undefined && spiffeId.trustDomain !== options.trustDomain) {
    throw svidError(
      'MANDATE_UNTRUSTED_ISSUER',
      'the JWT-SVID is from another trust domain',
      'trust-domain',
    );
  }
  return { spiffeId, claims: payload };
}
