/**
 * RFC 7638 thumbprints and RFC 9278 thumbprint URIs, the principal ids of Mandate.
 * `thumbprintUri` is the public, jose-backed form; `thumbprintUriSync` is the hot-path
 * form used by the verifier (node:crypto, synchronous) and is tested to agree with it.
 */
import { hash } from 'node:crypto';
import type { JWK } from 'jose';
import type { PublicJwk } from './jwk.js';

/** The RFC 9278 prefix for SHA-256 thumbprints. */
export const THUMBPRINT_URI_PREFIX = 'urn:ietf:params:oauth:jwk-thumbprint:sha-256:';

/** RFC 9278 thumbprint URI of a public JWK of any key type (jose, loaded on first use). */
export async function thumbprintUri(jwk: JWK): Promise<string> {
  const { calculateJwkThumbprintUri } = await import('jose/jwk/thumbprint');
  return calculateJwkThumbprintUri(jwk, 'sha256');
}

/** RFC 7638 required members, in lexicographic order, serialised without whitespace. */
function requiredMembers(jwk: PublicJwk): string {
  if (jwk.kty === 'OKP') {
    return `{"crv":${JSON.stringify(jwk.crv)},"kty":"OKP","x":${JSON.stringify(jwk.x)}}`;
  }
  return `{"crv":${JSON.stringify(jwk.crv)},"kty":"EC","x":${JSON.stringify(jwk.x)},"y":${JSON.stringify(jwk.y)}}`;
}

/** RFC 7638 SHA-256 thumbprint (base64url) of a validated public JWK, synchronously. */
export function thumbprintSync(jwk: PublicJwk): string {
  return hash('sha256', requiredMembers(jwk), 'base64url');
}

/**
 * RFC 9278 thumbprint URI of a validated public JWK, synchronously. Not cached: the one-shot
 * digest of the ≈ 90 characters costs less than a cache of them would (a lookup hashes the
 * same text, and a verifier meeting new keys would churn the cache for nothing).
 */
export function thumbprintUriSync(jwk: PublicJwk): string {
  return THUMBPRINT_URI_PREFIX + thumbprintSync(jwk);
}
