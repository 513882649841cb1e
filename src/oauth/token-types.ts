/**
 * The OAuth identifiers the bridge reads and writes, in one place: grant type, RFC 8693 token
 * type URIs, the RFC 9068 `typ`, and the token types under which Mandate issues its chains.
 */
import { deepFreeze } from '../core/freeze.js';

/** RFC 8693 §2.1: the token-exchange grant type. */
export const GRANT_TYPE_TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** RFC 8693 §3: token type identifiers Mandate accepts or issues. */
export const TOKEN_TYPE = deepFreeze({
  /** An OAuth access token issued by the same authorization server. */
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  /** A JWT (RFC 7519). */
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
  /** An OpenID Connect ID token: never accepted where an access token is expected. */
  idToken: 'urn:ietf:params:oauth:token-type:id_token',
  /** A Mandate chain in the JWS encoding (not an OAuth access token: `token_type` is `N_A`). */
  mandateJws: 'urn:mandate:params:oauth:token-type:mandate-jws',
  /** A Mandate chain in the Biscuit encoding. */
  mandateBiscuit: 'urn:mandate:params:oauth:token-type:mandate-biscuit',
} as const);

/** RFC 9068 §2.1: the `typ` of a JWT access token (`application/at+jwt` is accepted too). */
export const ACCESS_TOKEN_TYP = 'at+jwt';

/** RFC 9396: the `authorization_details` type that carries one Mandate capability. */
export { CAPABILITY_DETAIL_TYPE as MANDATE_DETAIL_TYPE } from '../format/jws/block.js';
