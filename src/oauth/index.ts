/**
 * `mandate/oauth`: the OAuth bridge. RFC 9068 access-token
 * verification, client credentials and token exchange with `private_key_jwt` (oauth4webapi),
 * the RFC 8693 token-exchange handler that turns a user's token into a root mandate, nested
 * `act` claims for OAuth-only services, and `registerTokenExchange`, which adds that handler to
 * an oidc-provider authorization server.
 */
export {
  createAccessTokenVerifier,
  ACCESS_TOKEN_ALGORITHMS,
  DEFAULT_ACCESS_TOKEN_ALGORITHMS,
  type AccessTokenAlg,
  type AccessTokenDecision,
  type AccessTokenJwksOptions,
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  type VerifiedAccessToken,
  type VerifyAccessTokenOptions,
} from './access-token.js';
export {
  buildActClaim,
  mayActAllows,
  parseActClaim,
  parseMayActClaim,
  MAX_ACT_DEPTH,
  type Actor,
} from './act-claim.js';
export { issueActToken, type IssueActTokenOptions } from './act-token.js';
export {
  createOAuthClient,
  OAuthRequestError,
  type AuthorizationCodeRequest,
  type ClientCredentialsRequest,
  type ExchangeTokenRequest,
  type OAuthClient,
  type OAuthClientOptions,
  type TokenResponse,
} from './client.js';
export {
  registerTokenExchange,
  assertionSigningKey,
  TOKEN_EXCHANGE_PARAMETERS,
  type OidcProviderGrantContext,
  type OidcProviderLike,
} from './oidc-provider.js';
export { createScopeMap, splitScope, type ScopeMap } from './scope-map.js';
export {
  createTokenExchangeHandler,
  type MayActContext,
  type TokenExchangeErrorCode,
  type TokenExchangeHandler,
  type TokenExchangeOptions,
  type TokenExchangeRequest,
  type TokenExchangeResponse,
  type TokenExchangeResult,
} from './token-exchange.js';
export {
  ACCESS_TOKEN_TYP,
  GRANT_TYPE_TOKEN_EXCHANGE,
  MANDATE_DETAIL_TYPE,
  TOKEN_TYPE,
} from './token-types.js';
