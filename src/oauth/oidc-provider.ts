/**
 * Plugs the token-exchange handler into oidc-provider through its extension point,
 * `provider.registerGrantType`. oidc-provider authenticates the client first (this adapter
 * requires `private_key_jwt`); the adapter then works out which of the client's registered
 * keys signed this request's client assertion (the key the agent has just proven it holds)
 * and passes it to the handler as the mandate's holder.
 *
 * oidc-provider is not imported here: the provider instance is passed in, so this module
 * loads without it.
 */
import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import { algForJwk, parsePublicJwk, type PublicJwk } from '../identity/jwk.js';
import type { TokenExchangeHandler } from './token-exchange.js';
import { GRANT_TYPE_TOKEN_EXCHANGE } from './token-types.js';
import { deepFreeze } from '../core/freeze.js';

/** The request parameters of the token-exchange grant (RFC 8693 §2.1, RFC 9396). */
export const TOKEN_EXCHANGE_PARAMETERS = deepFreeze([
  'subject_token',
  'subject_token_type',
  'actor_token',
  'actor_token_type',
  'requested_token_type',
  'resource',
  'audience',
  'scope',
  'authorization_details',
] as const);

/** The part of an oidc-provider request context the adapter reads and writes. */
export interface OidcProviderGrantContext {
  oidc: {
    readonly params?: Readonly<Record<string, unknown>>;
    readonly client?: {
      readonly clientId: string;
      readonly clientAuthMethod?: string;
      readonly jwks?: { readonly keys?: readonly unknown[] };
    };
  };
  status: number;
  body: unknown;
}

/** The part of an oidc-provider `Provider` the adapter uses. */
export interface OidcProviderLike {
  registerGrantType(
    name: string,
    handler: (ctx: OidcProviderGrantContext) => Promise<void>,
    params?: readonly string[] | Set<string>,
    dupes?: readonly string[] | Set<string>,
  ): void;
}

/** The registered key (Ed25519 or P-256) that verifies `assertion`, or undefined. */
export async function assertionSigningKey(
  assertion: unknown,
  keys: readonly unknown[],
): Promise<PublicJwk | undefined> {
  if (typeof assertion !== 'string') return undefined;
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(assertion).kid;
  } catch {
    return undefined;
  }
  for (const candidate of keys) {
    if (kid !== undefined && (candidate as { kid?: unknown } | null)?.kid !== kid) continue;
    let jwk: PublicJwk;
    try {
      jwk = parsePublicJwk(stripMetadata(candidate), 'possession');
    } catch {
      continue;
    }
    const alg = algForJwk(jwk);
    try {
      const key = await importJWK({ ...jwk }, alg);
      await compactVerify(assertion, key, {
        algorithms: alg === 'Ed25519' ? ['Ed25519', 'EdDSA'] : ['ES256'],
      });
      return jwk;
    } catch {
      continue;
    }
  }
  return undefined;
}

function stripMetadata(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const {
    kid: _kid,
    alg: _alg,
    use: _use,
    key_ops: _ops,
    ...rest
  } = value as Record<string, unknown>;
  return rest;
}

/**
 * Register the RFC 8693 token-exchange grant on an oidc-provider instance, answered by
 * `handler`. Clients that use it need `grant_types` to include the grant and
 * `token_endpoint_auth_method: 'private_key_jwt'` with their keys registered inline (`jwks`);
 * a client authenticated any other way is refused (`unauthorized_client`): there would be no
 * key to bind the mandate to.
 */
export function registerTokenExchange(
  provider: OidcProviderLike,
  handler: TokenExchangeHandler,
): void {
  if (typeof provider?.registerGrantType !== 'function') {
    throw new TypeError('provider must be an oidc-provider Provider');
  }
  if (typeof handler?.exchange !== 'function')
    throw new TypeError('handler must be a token-exchange handler');
  provider.registerGrantType(
    GRANT_TYPE_TOKEN_EXCHANGE,
    async (ctx) => {
      const client = ctx.oidc.client;
      const params = ctx.oidc.params ?? {};
      const answer = (status: number, body: unknown) => {
        ctx.status = status;
        ctx.body = body;
      };
      if (client === undefined || client.clientAuthMethod !== 'private_key_jwt') {
        answer(400, {
          error: 'unauthorized_client',
          error_description: 'token exchange requires private_key_jwt client authentication',
        });
        return;
      }
      const holder = await assertionSigningKey(params['client_assertion'], client.jwks?.keys ?? []);
      if (holder === undefined) {
        answer(400, {
          error: 'unauthorized_client',
          error_description: "the client assertion's key is not a registered Ed25519 or P-256 key",
        });
        return;
      }
      const result = await handler.exchange({
        params: params as Readonly<Record<string, string | readonly string[] | undefined>>,
        client: { id: client.clientId, holder: { ...holder } },
      });
      answer(result.status, result.body);
    },
    TOKEN_EXCHANGE_PARAMETERS,
    ['resource', 'audience'],
  );
}
