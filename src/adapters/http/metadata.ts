/** RFC 9728 OAuth 2.0 Protected Resource Metadata for a Mandate-protected resource. */

/** Options of `protectedResourceMetadata`. */
export interface ProtectedResourceMetadataOptions {
  /** The resource identifier (RFC 9728 §2 `resource`): this service's audience / origin. */
  readonly resource: string;
  /** Issuers of root mandates (RFC 9728 `authorization_servers`). */
  readonly authorizationServers?: readonly string[];
  /** Human-readable name. */
  readonly resourceName?: string;
  /** Scopes / resources offered (free-form, for discovery only; never trusted). */
  readonly scopesSupported?: readonly string[];
  /** Algorithms accepted for DPoP proofs. Default `['Ed25519', 'ES256']`. */
  readonly algorithms?: readonly string[];
  /** Documentation URL. */
  readonly documentation?: string;
}

/** The well-known path (RFC 9728 §3) for a resource at the origin root. */
export const PROTECTED_RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

/**
 * The metadata document: a DPoP-bound resource (`dpop_bound_access_tokens_required`), tokens
 * in the `Authorization` header only, plus `mandate_formats_supported` naming the formats.
 */
export function protectedResourceMetadata(
  options: ProtectedResourceMetadataOptions,
): Record<string, unknown> {
  if (typeof options?.resource !== 'string' || options.resource.length === 0) {
    throw new TypeError('resource must be a non-empty string');
  }
  const algorithms = options.algorithms ?? ['Ed25519', 'ES256'];
  return {
    resource: options.resource,
    ...(options.authorizationServers === undefined
      ? {}
      : { authorization_servers: [...options.authorizationServers] }),
    bearer_methods_supported: ['header'],
    dpop_bound_access_tokens_required: true,
    dpop_signing_alg_values_supported: [...algorithms],
    ...(options.resourceName === undefined ? {} : { resource_name: options.resourceName }),
    ...(options.scopesSupported === undefined
      ? {}
      : { scopes_supported: [...options.scopesSupported] }),
    ...(options.documentation === undefined
      ? {}
      : { resource_documentation: options.documentation }),
    mandate_formats_supported: ['jws', 'biscuit'],
  };
}

/** The metadata URL for a resource (RFC 9728 §3.1: the well-known segment before the path). */
export function protectedResourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.origin}${PROTECTED_RESOURCE_METADATA_PATH}${path}`;
}
