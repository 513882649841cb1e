/**
 * The agent's side of OAuth, on oauth4webapi: discovery, client credentials and RFC 8693
 * token exchange with `private_key_jwt` client authentication (RFC 7523), and the
 * authorization-code flow (PKCE) by which a user grants an app a token. The agent's identity
 * is its key: the same key pair that signs its client assertions holds its mandates.
 */
import { KeyObject, createPrivateKey, webcrypto, type JsonWebKey } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import type { CapabilityInput, KeyPair } from '../core/types.js';
import { prepareSigner } from '../identity/keys.js';
import { GRANT_TYPE_TOKEN_EXCHANGE, MANDATE_DETAIL_TYPE, TOKEN_TYPE } from './token-types.js';
import { deepFreeze } from '../core/freeze.js';

/** An error response from the authorization server (RFC 6749 §5.2), or a malformed reply. */
export class OAuthRequestError extends Error {
  override readonly name = 'OAuthRequestError';
  /** The OAuth `error` code (`invalid_grant`, ...), or `invalid_response`. */
  readonly error: string;
  readonly errorDescription: string | undefined;
  /** The HTTP status, when the server answered. */
  readonly status: number | undefined;

  constructor(
    error: string,
    description: string | undefined,
    status: number | undefined,
    cause?: unknown,
  ) {
    super(description === undefined ? error : `${error}: ${description}`, { cause });
    this.error = error;
    this.errorDescription = description;
    this.status = status;
  }
}

deepFreeze(OAuthRequestError);

/** Options of `createOAuthClient`. */
export interface OAuthClientOptions {
  /** The authorization server's issuer identifier (discovery starts there). */
  readonly issuer: string | URL;
  readonly clientId: string;
  /** The client's key pair: it signs `private_key_jwt` assertions (RFC 7523). */
  readonly key: KeyPair;
  /** `kid` of the key in the client's registered JWKS, sent in assertion headers. */
  readonly kid?: string;
  /** Discovery document: OpenID (`oidc`, default) or RFC 8414 (`oauth2`). */
  readonly discovery?: 'oidc' | 'oauth2';
  /** A fetch implementation. */
  readonly fetch?: typeof fetch;
}

/** A token response, as the client sees it. */
export interface TokenResponse {
  readonly accessToken: string;
  /** Lower-cased `token_type` (`bearer`, `dpop`, `n_a`). */
  readonly tokenType: string;
  readonly expiresIn?: number;
  readonly scope?: string;
  readonly issuedTokenType?: string;
  readonly idToken?: string;
  /** The whole response body. */
  readonly body: Readonly<Record<string, unknown>>;
}

/** A client credentials request. */
export interface ClientCredentialsRequest {
  readonly scope?: string | readonly string[];
  /** The resource server the token is for (RFC 8707). */
  readonly resource?: string;
  /** Bind the token to this key with RFC 9449 DPoP (`cnf.jkt`); the key then proves each use. */
  readonly dpop?: KeyPair;
}

/** A token exchange request (RFC 8693 §2.1). */
export interface ExchangeTokenRequest {
  /** The user's access token. */
  readonly subjectToken: string;
  readonly subjectTokenType?: string;
  /** The agent's own (client-credentials) access token. */
  readonly actorToken?: string;
  readonly actorTokenType?: string;
  /** Where the issued mandate will be used (RFC 8707). */
  readonly resource?: string | readonly string[];
  readonly audience?: string | readonly string[];
  readonly scope?: string | readonly string[];
  /** The capabilities asked for, sent as RFC 9396 `authorization_details` of type `mandate`. */
  readonly capabilities?: readonly CapabilityInput[];
  /** Default: a JWS-encoded mandate. */
  readonly requestedTokenType?: string;
}

/** Options of the authorization-code flow. */
export interface AuthorizationCodeRequest {
  readonly redirectUri: string;
  readonly scope?: string | readonly string[];
  readonly resource?: string;
  /** Extra authorization request parameters (`login_hint`, `prompt`, ...). */
  readonly parameters?: Readonly<Record<string, string>>;
  /**
   * The user agent: opens the authorization URL, lets the user sign in and consent, and
   * resolves the URL the server redirected back to (`redirectUri` with the response).
   */
  readonly userAgent: (authorizationUrl: URL) => Promise<URL>;
}

/** A configured OAuth client. */
export interface OAuthClient {
  readonly clientId: string;
  /** The authorization server's metadata, as discovered. */
  readonly metadata: Readonly<oauth.AuthorizationServer>;
  /** Client credentials grant (RFC 6749 §4.4) with `private_key_jwt`. */
  clientCredentials(request?: ClientCredentialsRequest): Promise<TokenResponse>;
  /** RFC 8693 token exchange; the issued token is in `accessToken`. */
  exchangeToken(request: ExchangeTokenRequest): Promise<TokenResponse>;
  /** Authorization code grant with PKCE (S256) and `private_key_jwt`. */
  authorizationCode(request: AuthorizationCodeRequest): Promise<TokenResponse>;
}

function isLoopback(url: URL): boolean {
  return url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname === 'localhost';
}

/** The private key as a WebCrypto key, which oauth4webapi signs with. */
async function toCryptoKey(pair: KeyPair): Promise<CryptoKey> {
  const signer = prepareSigner(pair);
  const source = pair.privateKey;
  if (typeof CryptoKey !== 'undefined' && source instanceof CryptoKey) return source;
  const keyObject =
    source instanceof KeyObject
      ? source
      : createPrivateKey({ key: source as JsonWebKey, format: 'jwk' });
  const der = keyObject.export({ format: 'der', type: 'pkcs8' });
  const algorithm =
    signer.alg === 'Ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', namedCurve: 'P-256' };
  return await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
}

/** The key pair as WebCrypto keys, for oauth4webapi's DPoP proofs. */
async function toCryptoKeyPair(pair: KeyPair): Promise<CryptoKeyPair> {
  const signer = prepareSigner(pair);
  const algorithm =
    signer.alg === 'Ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', namedCurve: 'P-256' };
  const publicKey = await webcrypto.subtle.importKey(
    'jwk',
    { ...signer.publicJwk },
    algorithm,
    true,
    ['verify'],
  );
  return { privateKey: await toCryptoKey(pair), publicKey };
}

function list(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : [...value];
}

function toResponse(body: oauth.TokenEndpointResponse): TokenResponse {
  const issued = body['issued_token_type'];
  return {
    accessToken: body.access_token,
    tokenType: body.token_type,
    ...(body.expires_in === undefined ? {} : { expiresIn: body.expires_in }),
    ...(body.scope === undefined ? {} : { scope: body.scope }),
    ...(typeof issued === 'string' ? { issuedTokenType: issued } : {}),
    ...(body.id_token === undefined ? {} : { idToken: body.id_token }),
    body: { ...body },
  };
}

function rethrow(error: unknown): never {
  if (error instanceof oauth.ResponseBodyError) {
    throw new OAuthRequestError(error.error, error.error_description, error.status, error);
  }
  if (error instanceof oauth.AuthorizationResponseError) {
    throw new OAuthRequestError(error.error, error.error_description, undefined, error);
  }
  if (error instanceof oauth.OperationProcessingError) {
    throw new OAuthRequestError('invalid_response', error.message, undefined, error);
  }
  throw error;
}

/**
 * Discover the authorization server and return a client for it. Plain `http` is allowed only
 * for a loopback issuer (tests, the demo); anything else must be `https`.
 */
export async function createOAuthClient(options: OAuthClientOptions): Promise<OAuthClient> {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('createOAuthClient needs options');
  if (typeof options.clientId !== 'string' || options.clientId.length === 0) {
    throw new TypeError('clientId must be a non-empty string');
  }
  const issuer = new URL(options.issuer);
  const insecure = issuer.protocol === 'http:' && isLoopback(issuer);
  if (issuer.protocol !== 'https:' && !insecure) {
    throw new TypeError('the issuer must be https (plain http only on loopback)');
  }
  const fetchImpl = options.fetch;
  const http = {
    ...(insecure ? { [oauth.allowInsecureRequests]: true } : {}),
    ...(fetchImpl === undefined
      ? {}
      : {
          [oauth.customFetch]: (url: string, init: oauth.CustomFetchOptions<string, unknown>) =>
            fetchImpl(url, init as RequestInit),
        }),
  };
  let as: oauth.AuthorizationServer;
  try {
    const response = await oauth.discoveryRequest(issuer, {
      algorithm: options.discovery ?? 'oidc',
      ...http,
    });
    as = await oauth.processDiscoveryResponse(issuer, response);
  } catch (error) {
    rethrow(error);
  }
  const client: oauth.Client = { client_id: options.clientId };
  const clientAuth = oauth.PrivateKeyJwt({
    key: await toCryptoKey(options.key),
    ...(options.kid === undefined ? {} : { kid: options.kid }),
  });
  const recognizedTokenTypes = { n_a: () => undefined };

  return {
    clientId: options.clientId,
    metadata: as,
    async clientCredentials(request = {}) {
      const parameters = new URLSearchParams();
      const scope = list(request.scope);
      if (scope.length > 0) parameters.set('scope', scope.join(' '));
      if (request.resource !== undefined) parameters.set('resource', request.resource);
      const dpop =
        request.dpop === undefined
          ? undefined
          : oauth.DPoP(client, await toCryptoKeyPair(request.dpop));
      try {
        const response = await oauth.clientCredentialsGrantRequest(
          as,
          client,
          clientAuth,
          parameters,
          {
            ...http,
            ...(dpop === undefined ? {} : { DPoP: dpop }),
          },
        );
        return toResponse(await oauth.processClientCredentialsResponse(as, client, response));
      } catch (error) {
        return rethrow(error);
      }
    },
    async exchangeToken(request) {
      const parameters = new URLSearchParams();
      parameters.set('subject_token', request.subjectToken);
      parameters.set('subject_token_type', request.subjectTokenType ?? TOKEN_TYPE.accessToken);
      if (request.actorToken !== undefined) {
        parameters.set('actor_token', request.actorToken);
        parameters.set('actor_token_type', request.actorTokenType ?? TOKEN_TYPE.accessToken);
      }
      for (const resource of list(request.resource)) parameters.append('resource', resource);
      for (const audience of list(request.audience)) parameters.append('audience', audience);
      const scope = list(request.scope);
      if (scope.length > 0) parameters.set('scope', scope.join(' '));
      if (request.capabilities !== undefined) {
        parameters.set(
          'authorization_details',
          JSON.stringify(request.capabilities.map((c) => ({ type: MANDATE_DETAIL_TYPE, ...c }))),
        );
      }
      parameters.set('requested_token_type', request.requestedTokenType ?? TOKEN_TYPE.mandateJws);
      try {
        const response = await oauth.genericTokenEndpointRequest(
          as,
          client,
          clientAuth,
          GRANT_TYPE_TOKEN_EXCHANGE,
          parameters,
          http,
        );
        return toResponse(
          await oauth.processGenericTokenEndpointResponse(as, client, response, {
            recognizedTokenTypes,
          }),
        );
      } catch (error) {
        return rethrow(error);
      }
    },
    async authorizationCode(request) {
      const endpoint = as.authorization_endpoint;
      if (endpoint === undefined) throw new TypeError('the server has no authorization endpoint');
      const verifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const url = new URL(endpoint);
      const scope = list(request.scope);
      url.searchParams.set('client_id', options.clientId);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('redirect_uri', request.redirectUri);
      url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
      url.searchParams.set('code_challenge_method', 'S256');
      url.searchParams.set('state', state);
      if (scope.length > 0) url.searchParams.set('scope', scope.join(' '));
      if (request.resource !== undefined) url.searchParams.set('resource', request.resource);
      for (const [name, value] of Object.entries(request.parameters ?? {}))
        url.searchParams.set(name, value);
      try {
        const callback = await request.userAgent(url);
        const params = oauth.validateAuthResponse(as, client, callback, state);
        const response = await oauth.authorizationCodeGrantRequest(
          as,
          client,
          clientAuth,
          params,
          request.redirectUri,
          verifier,
          {
            ...http,
            ...(request.resource === undefined
              ? {}
              : { additionalParameters: { resource: request.resource } }),
          },
        );
        return toResponse(
          await oauth.processAuthorizationCodeResponse(as, client, response, {
            ...(scope.includes('openid') ? { requireIdToken: true } : {}),
          }),
        );
      } catch (error) {
        return rethrow(error);
      }
    },
  };
}
