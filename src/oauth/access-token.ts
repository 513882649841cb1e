/**
 * RFC 9068 JWT access tokens: the resource-server side. `createAccessTokenVerifier` checks a
 * token issued by one authorization server for this service, and resolves either the
 * verified identity or a coded denial (like `createVerifier`: it never rejects on a denial).
 *
 * The checks run in the order of DESIGN.md section 3 so a token failing several reports the
 * first: `limits` (size, shape, `typ`, required claims: `access-token-claims.ts`), `anchor`
 * (allow-listed algorithm, issuer, signature with a key from the issuer's JWKS), `window`
 * (exp, nbf, iat with clock tolerance), `audience` (this service's own identifier: a token
 * issued for anyone else is refused, the MCP "no token passthrough" rule), `possession` (a
 * token bound with `cnf.jkt` needs an RFC 9449 DPoP proof, `dpop-binding.ts`: presented as a
 * plain bearer token it is refused, RFC 9449 §7.2), `authorize` (required scopes).
 */
import { compactVerify } from 'jose';
import { MandateError, fail, isMandateError, type Check } from '../core/errors.js';
import { deniedFrom, type Denied } from '../verify/decision.js';
import { readAccessToken, type AccessTokenClaims } from './access-token-claims.js';
import { resolveAccessTokenConfig, type AccessTokenConfig } from './access-token-config.js';
import type {
  AccessTokenVerifier,
  AccessTokenVerifierOptions,
  VerifiedAccessToken,
  VerifyAccessTokenOptions,
} from './access-token-contract.js';
import { checkDpopBinding } from './dpop-binding.js';
import { splitScope } from './scope-map.js';

function toDenied(error: unknown, fallbackCheck: Check): Denied {
  if (isMandateError(error)) return deniedFrom(error);
  return deniedFrom(
    new MandateError('MANDATE_INTERNAL', 'access-token verification failed unexpectedly', {
      check: fallbackCheck,
      hop: 0,
    }),
  );
}

/** `anchor`: an allowed algorithm, the configured issuer, a signature by one of its keys. */
async function checkAnchor(
  token: string,
  header: Readonly<Record<string, unknown>>,
  claims: AccessTokenClaims,
  config: AccessTokenConfig,
): Promise<void> {
  const alg = header['alg'];
  if (typeof alg !== 'string' || !(config.algorithms as readonly string[]).includes(alg)) {
    fail(
      'MANDATE_SIGNATURE_INVALID',
      'anchor',
      0,
      'the token uses an algorithm that is not allowed',
      {
        alg: typeof alg === 'string' ? alg.slice(0, 32) : null,
      },
    );
  }
  if (claims.iss !== config.issuer) {
    fail('MANDATE_UNTRUSTED_ISSUER', 'anchor', 0, 'the token was issued by an untrusted issuer', {
      issuer: claims.iss.slice(0, 256),
    });
  }
  try {
    await compactVerify(token, config.keySet, { algorithms: config.algorithms });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') {
      fail('MANDATE_SIGNATURE_INVALID', 'anchor', 0, 'signature verification failed');
    }
    fail(
      'MANDATE_UNTRUSTED_ISSUER',
      'anchor',
      0,
      "no key of the issuer's key set verifies the token",
      {
        reason: typeof code === 'string' ? code : 'key-resolution-failed',
      },
    );
  }
}

/** `window`: not expired, valid already, not issued in the future (with clock tolerance). */
function checkWindow(claims: AccessTokenClaims, now: number, tolerance: number): void {
  if (now >= claims.exp + tolerance) {
    fail('MANDATE_EXPIRED', 'window', 0, 'the token has expired', { exp: claims.exp });
  }
  if (claims.nbf !== undefined && now + tolerance < claims.nbf) {
    fail('MANDATE_NOT_YET_VALID', 'window', 0, 'the token is not valid yet', { nbf: claims.nbf });
  }
  if (now + tolerance < claims.iat) {
    fail('MANDATE_NOT_YET_VALID', 'window', 0, 'the token was issued in the future', {
      iat: claims.iat,
    });
  }
}

/**
 * `possession`: a `cnf.jkt`-bound token needs the DPoP proof (or a key proven otherwise); an
 * unbound token takes no proof; a certificate-bound one is refused (nothing here can check it).
 */
async function checkPossession(
  token: string,
  claims: AccessTokenClaims,
  call: VerifyAccessTokenOptions,
  now: number,
  config: AccessTokenConfig,
): Promise<void> {
  const cnf = claims.cnf as Record<string, unknown> | undefined;
  if (cnf !== undefined && Object.hasOwn(cnf, 'x5t#S256')) {
    fail(
      'MANDATE_PROOF_MISSING',
      'possession',
      0,
      'certificate-bound tokens are not supported here',
    );
  }
  const jkt = claims.cnf?.jkt;
  if (jkt !== undefined) {
    if (call.provenKeyThumbprint !== undefined) {
      if (call.provenKeyThumbprint !== jkt) {
        fail('MANDATE_PROOF_INVALID', 'possession', 0, 'the token is bound to another key');
      }
    } else if (call.dpop === undefined) {
      fail(
        'MANDATE_PROOF_MISSING',
        'possession',
        0,
        'a DPoP-bound token was presented as a bearer token (RFC 9449 §7.2)',
      );
    } else {
      await checkDpopBinding(token, { jti: claims.jti, jkt }, call.dpop, now, config);
    }
  } else if (call.dpop !== undefined) {
    fail(
      'MANDATE_PROOF_INVALID',
      'possession',
      0,
      'a DPoP proof was sent with a token not bound to a key',
    );
  }
}

/** Every check, in order; the first failure throws its coded `MandateError`. */
async function verifyAccessToken(
  token: string,
  call: VerifyAccessTokenOptions,
  config: AccessTokenConfig,
): Promise<VerifiedAccessToken> {
  // limits: size and shape before any crypto.
  const read = readAccessToken(token, config.maxLength, config.requiredClaims);
  const { claims, payload, actors, mayAct } = read;
  await checkAnchor(token, read.header, claims, config);
  const now = config.clock();
  checkWindow(claims, now, config.tolerance);
  const aud = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
  if (!aud.includes(config.audience)) {
    fail('MANDATE_AUDIENCE', 'audience', 0, 'the token was not issued for this service');
  }
  await checkPossession(token, claims, call, now, config);
  const scopes = splitScope(claims.scope);
  const wanted = [...config.requiredScopes, ...(call.scopes ?? [])];
  const missing = wanted.filter((s) => !scopes.includes(s));
  if (missing.length > 0) {
    fail('MANDATE_FORBIDDEN', 'authorize', 0, 'the token lacks a required scope', { missing });
  }
  const jkt = claims.cnf?.jkt;
  return {
    allowed: true,
    issuer: claims.iss,
    subject: claims.sub,
    clientId: claims.client_id,
    audience: aud,
    scopes,
    issuedAt: claims.iat,
    expiresAt: claims.exp,
    ...(claims.nbf === undefined ? {} : { notBefore: claims.nbf }),
    jti: claims.jti,
    ...(jkt === undefined ? {} : { jkt }),
    actors,
    ...(mayAct === undefined ? {} : { mayAct }),
    claims: Object.freeze({ ...payload }),
  };
}

/**
 * Create an access-token verifier for one issuer and this service's identifier. Returns
 * synchronously (a remote JWKS is fetched on first use). Misuse throws TypeError here.
 */
export function createAccessTokenVerifier(
  options: AccessTokenVerifierOptions,
): AccessTokenVerifier {
  const config = resolveAccessTokenConfig(options);
  return {
    issuer: config.issuer,
    audience: config.audience,
    async verify(token, call = {}) {
      if (typeof token !== 'string') throw new TypeError('verify needs the access token string');
      if (typeof call !== 'object' || call === null)
        throw new TypeError('options must be an object');
      try {
        return await verifyAccessToken(token, call, config);
      } catch (error) {
        return toDenied(error, 'internal');
      }
    },
  };
}
