/**
 * RFC 7638 thumbprints and RFC 9278 thumbprint URIs, the principal ids of Mandate.
 * `thumbprintUri` is the public, jose-backed form; `thumbprintUriSync` is the hot-path
 * form used by the verifier (node:crypto, synchronous) and is tested to agree with it.
 */
import { createHash } from 'node:crypto';
import type { JWK } from 'jose';
import { BoundedMap } from '../core/bounded-map.js';
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
  return createHash('sha256').update(requiredMembers(jwk)).digest('base64url');
}

/**
 * Thumbprint URIs by the members they are computed from. The same holder keys recur in
 * every chain a verifier sees; hashing each once is enough (bounded, like every cache).
 */
const uriCache = new BoundedMap<string, string>(1024);

/** RFC 9278 thumbprint URI of a validated public JWK, synchronously. */
export function thumbprintUriSync(jwk: PublicJwk): string {
  // Keyed by the exact text that is hashed: a pure memo of the digest.
  const members = requiredMembers(jwk);
  let uri = uriCache.get(members);
  if (uri === undefined) {
    uri = THUMBPRINT_URI_PREFIX + createHash('sha256').update(members).digest('base64url');
    uriCache.set(members, uri);
  }
  return uri;
}
