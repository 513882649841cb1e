/**
 * `mandate/http`: Mandate over HTTP. Server adapters for node:http (`mandateNode`,
 * `withMandateNode`), Fetch-API handlers and Hono (`withMandate`, `mandateHono`) and Express
 * (`mandateExpress`); a client `fetch` (`createMandateFetch`); RFC 9728 metadata.
 *
 * The mandate travels as `Authorization: DPoP <mandate>` and its proof as `DPoP` (RFC 9449).
 * The URL a proof is checked against is `publicOrigin` + the request path: configure the
 * origin clients use; the `Host` header is never trusted for it.
 *
 * A request target that routers could read differently (`\`, `..`, `%2e`, `%2f`, `//`, `;`,
 * overlong UTF-8, look-alikes) is denied 400 before any route is matched, and a request that
 * reaches a route only when case or a trailing slash is ignored is denied too: the action is
 * mapped from exactly what the framework dispatches.
 *
 * Not checked here, and left to the caller: that the route table maps each request to the
 * action it really performs (a handler that pays invoice A on a route mapped to invoice B
 * defeats the check), and TLS (use https in production; a proof binds the URL, not the channel).
 */
export {
  createHttpGuard,
  type GuardInput,
  type GuardResult,
  type HttpGuard,
  type HttpGuardOptions,
} from './guard.js';
export { readRequestTarget, type RequestTarget } from './request-target.js';
export {
  AMBIGUOUS_TARGET,
  HTTP_DENIALS,
  type ChallengeOptions,
  type DenialResponse,
  type HttpDenial,
  type OAuthError,
} from './challenge.js';
export type { HeaderValue } from './credentials.js';
export type { RouteAction, RouteContext, RouteTable } from './routes.js';
export { mandateNode, withMandateNode, mandateOf, type MandateContext } from './node.js';
export { withMandate, mandateHono, type HonoLikeContext } from './fetch.js';
export {
  mandateExpress,
  mandateExpressRoute,
  type ExpressLikeRequest,
  type ExpressLikeResponse,
} from './express.js';
export { createMandateFetch, type MandateFetchOptions } from './client.js';
export {
  protectedResourceMetadata,
  protectedResourceMetadataUrl,
  PROTECTED_RESOURCE_METADATA_PATH,
  type ProtectedResourceMetadataOptions,
} from './metadata.js';
export { httpTarget, type HttpTargetOptions } from './target.js';
export type { ExpressMiddleware } from './express.js';
