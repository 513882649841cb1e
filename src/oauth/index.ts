/**
 * `mandate/oauth`: the OAuth bridge. RFC 9068 access-token
 * verification, client credentials and token exchange with `private_key_jwt` (oauth4webapi),
 * the RFC 8693 token-exchange handler that turns a user's token into a root mandate, nested
 * `act` claims for OAuth-only services, and `registerTokenExchange`, which adds that handler to
 * an oidc-provider authorization server.
 */
export { createAccessTokenVerifier } from './access-token.js';
export {
  type AccessTokenAlg,
  type AccessTokenDecision,
  type AccessTokenJwksOptions,
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  type VerifiedAccessToken,
  type VerifyAccessTokenOptions,
} from './access-token-contract.js';
export { mayActAllows, parseActClaim, parseMayActClaim, type Actor } from './act-claim.js';
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
  type OidcProviderGrantContext,
  type OidcProviderLike,
} from './oidc-provider.js';
export { createScopeMap, type ScopeMap } from './scope-map.js';
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
export { TOKEN_TYPE } from './token-types.js';
