/**
 * RFC 8693 token exchange into a root mandate: the handler an authorization server calls for
 * `grant_type=urn:ietf:params:oauth:grant-type:token-exchange`.
 *
 * - `subject_token` is the user's access token and `actor_token` the agent's own
 *   (client-credentials) token; both are verified as RFC 9068 tokens issued for this
 *   exchange. The actor token must have been issued to the authenticated client.
 * - The agent may act for the user only if the subject token's `may_act` names it (its
 *   client id as `sub` or `client_id`, and `iss` if given), or, when the token has no
 *   `may_act`, if the configured policy allows it.
 * - The mandate's holder is the agent's key: the key the client proved possession of when it
 *   authenticated this very request (`private_key_jwt`; see `registerTokenExchange`). If the
 *   actor token is DPoP-bound, its `cnf.jkt` must be that key.
 * - Capabilities = what was asked for (`authorization_details` of type `mandate`, else the
 *   `scope` parameter mapped, else every scope of the user's token) ∩ what the user's scopes
 *   map to. A request wider than the user's authority is narrowed, never widened; if nothing
 *   is left, it is refused (`invalid_target`).
 * - The audience is the `resource`/`audience` parameters, each of which must be a configured
 *   target. The mandate never outlives the user's token.
 *
 * Errors follow RFC 8693 §2.2.2 and RFC 6749 §5.2: a subject or actor token that is invalid
 * for any reason gives `invalid_request`; an unknown target `invalid_target`; an actor that
 * `may_act` does not name `invalid_grant`; an actor no policy allows `unauthorized_client`;
 * unknown scopes `invalid_scope`; malformed `authorization_details`
 * `invalid_authorization_details` (RFC 9396).
 */
import type { JWK } from 'jose';
import { intersect, isSubset, normalizeCapabilities } from '../core/capability.js';
import { isMandateError } from '../core/errors.js';
import { findJsonProblem } from '../core/json-text.js';
import { parseSpan, systemClock, type Clock, type Span } from '../core/time.js';
import type { Capability, CapabilityInput, KeyPair, Mandate } from '../core/types.js';
import { mint } from '../format/mint.js';
import type { PublicJwk } from '../identity/jwk.js';
import { requirePublicJwk } from '../identity/keys.js';
import { thumbprintSync } from '../identity/thumbprint.js';
import { mayActAllows } from './act-claim.js';
import type { AccessTokenVerifier, VerifiedAccessToken } from './access-token-contract.js';
import { createScopeMap, isScopeMap, splitScope, type ScopeMap } from './scope-map.js';
import { GRANT_TYPE_TOKEN_EXCHANGE, MANDATE_DETAIL_TYPE, TOKEN_TYPE } from './token-types.js';

/** The error codes the handler answers with. */
export type TokenExchangeErrorCode =
  | 'invalid_request'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'invalid_authorization_details'
  | 'server_error';

/** What a policy sees when a subject token has no `may_act`. */
export interface MayActContext {
  readonly subject: VerifiedAccessToken;
  readonly actor: VerifiedAccessToken | undefined;
  /** The authenticated client. */
  readonly clientId: string;
}

/** Options of `createTokenExchangeHandler`. */
export interface TokenExchangeOptions {
  /** Verifies the user's access tokens (its audience: this exchange's identifier). */
  readonly subjectTokens: AccessTokenVerifier;
  /** Verifies the agents' own tokens. Default: `subjectTokens`. */
  readonly actorTokens?: AccessTokenVerifier;
  /** What each scope lets its holder do. */
  readonly scopes: ScopeMap | Readonly<Record<string, readonly CapabilityInput[]>>;
  /** The authorization server's mandate-signing key pair (a trust anchor's key). */
  readonly signer: KeyPair;
  /** The root's issuer name: the trust anchor id verifiers configure. */
  readonly issuerId: string;
  /** `kid` of `signer` in the published key set. */
  readonly kid?: string;
  /** The audiences a mandate may be issued for (`resource` / `audience` values). */
  readonly targets: readonly string[];
  /** Longest mandate lifetime. Default 15 minutes; never beyond the subject token's expiry. */
  readonly expiresIn?: Span;
  /** Further delegations allowed below the root. Default 4. */
  readonly maxDepth?: number;
  /** Require an `actor_token`. Default true. */
  readonly requireActorToken?: boolean;
  /**
   * Who may act for a user whose token carries no `may_act`. Default: nobody. A token that
   * carries `may_act` is decided by it alone.
   */
  readonly mayAct?: (context: MayActContext) => boolean | Promise<boolean>;
  /** Encoding when `requested_token_type` does not choose one. Default `jws`. */
  readonly format?: 'jws' | 'biscuit';
  readonly clock?: Clock;
}

/** One exchange request as the token endpoint received it, after client authentication. */
export interface TokenExchangeRequest {
  /** The form parameters; `resource` and `audience` may repeat. */
  readonly params: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The authenticated client, and the public key it proved possession of. */
  readonly client: { readonly id: string; readonly holder: JWK };
}

/** The successful response body (RFC 8693 §2.2.1). */
export interface TokenExchangeResponse {
  /** The mandate token. */
  readonly access_token: string;
  readonly issued_token_type: string;
  /** `N_A`: a mandate is not an OAuth access token (RFC 8693 §2.2.1). */
  readonly token_type: 'N_A';
  readonly expires_in: number;
  /** The scopes granted, when the request was made in scopes. */
  readonly scope?: string;
  /** The capabilities granted (RFC 9396), after narrowing. */
  readonly authorization_details: readonly ({ readonly type: string } & Capability)[];
}

/** The handler's answer: a body and a status for the token endpoint to send. */
export type TokenExchangeResult =
  | {
      readonly ok: true;
      readonly status: 200;
      readonly body: TokenExchangeResponse;
      readonly mandate: Mandate;
      /** Whether the request asked for more than was granted. */
      readonly narrowed: boolean;
    }
  | {
      readonly ok: false;
      readonly status: 400 | 500;
      readonly body: { readonly error: TokenExchangeErrorCode; readonly error_description: string };
    };

/** A configured token-exchange handler. */
export interface TokenExchangeHandler {
  /** Answer one exchange request. Never rejects on a refusal (it is a result). */
  exchange(request: TokenExchangeRequest): Promise<TokenExchangeResult>;
}

class Refusal extends Error {
  constructor(
    readonly error: TokenExchangeErrorCode,
    readonly description: string,
  ) {
    super(description);
  }
}

function refuse(error: TokenExchangeErrorCode, description: string): never {
  throw new Refusal(error, description);
}

const SINGLE = [
  'grant_type',
  'subject_token',
  'subject_token_type',
  'actor_token',
  'actor_token_type',
  'requested_token_type',
  'scope',
  'authorization_details',
] as const;

const ACCEPTED_TOKEN_TYPES: readonly string[] = [TOKEN_TYPE.accessToken, TOKEN_TYPE.jwt];

function single(params: TokenExchangeRequest['params'], name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') refuse('invalid_request', `${name} must not repeat`);
  return value.length === 0 ? undefined : value;
}

function many(params: TokenExchangeRequest['params'], name: string): string[] {
  const value = params[name];
  if (value === undefined) return [];
  return (typeof value === 'string' ? [value] : [...value]).filter((v) => v.length > 0);
}

function readDetails(text: string): Capability[] {
  // Duplicate keys and deep nesting are refused, as in every untrusted JSON Mandate reads.
  const problem = findJsonProblem(text);
  if (problem !== undefined)
    refuse('invalid_authorization_details', `authorization_details: ${problem}`);
  let details: unknown;
  try {
    details = JSON.parse(text);
  } catch {
    refuse('invalid_authorization_details', 'authorization_details is not JSON');
  }
  if (!Array.isArray(details) || details.length === 0) {
    refuse('invalid_authorization_details', 'authorization_details must be a non-empty array');
  }
  const capabilities: CapabilityInput[] = [];
  for (const [i, detail] of details.entries()) {
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      refuse('invalid_authorization_details', `authorization_details[${i}] must be an object`);
    }
    const { type, ...capability } = detail as Record<string, unknown>;
    if (type !== MANDATE_DETAIL_TYPE) {
      refuse(
        'invalid_authorization_details',
        `authorization_details[${i}].type must be ${MANDATE_DETAIL_TYPE}`,
      );
    }
    capabilities.push(capability as unknown as CapabilityInput);
  }
  try {
    return normalizeCapabilities(capabilities);
  } catch (error) {
    const path = isMandateError(error) ? error.detail['path'] : undefined;
    return refuse(
      'invalid_authorization_details',
      `authorization_details: invalid capability${typeof path === 'string' ? ` at ${path}` : ''}`,
    );
  }
}

/**
 * Create the handler. Misuse (a missing verifier, a bad key, an empty target list) throws
 * TypeError here.
 */
export function createTokenExchangeHandler(options: TokenExchangeOptions): TokenExchangeHandler {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('createTokenExchangeHandler needs options');
  if (typeof options.subjectTokens?.verify !== 'function') {
    throw new TypeError('subjectTokens must be an access-token verifier');
  }
  const actorTokens = options.actorTokens ?? options.subjectTokens;
  if (typeof actorTokens.verify !== 'function')
    throw new TypeError('actorTokens must be an access-token verifier');
  const scopes: ScopeMap = isScopeMap(options.scopes)
    ? options.scopes
    : createScopeMap(options.scopes);
  if (typeof options.issuerId !== 'string' || options.issuerId.length === 0) {
    throw new TypeError('issuerId must be a non-empty string');
  }
  if (!Array.isArray(options.targets) || options.targets.length === 0) {
    throw new TypeError('targets must list the audiences mandates may be issued for');
  }
  const targets = new Set<string>(options.targets);
  const lifetime = parseSpan(options.expiresIn ?? '15m', 'expiresIn');
  if (lifetime <= 0) throw new RangeError('expiresIn must be positive');
  const clock = options.clock ?? systemClock;
  const requireActor = options.requireActorToken ?? true;
  const defaultFormat = options.format ?? 'jws';

  async function run(request: TokenExchangeRequest): Promise<TokenExchangeResult> {
    const { params } = request;
    for (const name of SINGLE) single(params, name);
    const grantType = single(params, 'grant_type');
    if (grantType !== undefined && grantType !== GRANT_TYPE_TOKEN_EXCHANGE) {
      refuse('unsupported_grant_type', 'this handler serves the token-exchange grant only');
    }
    let holder: PublicJwk;
    try {
      holder = requirePublicJwk(request.client?.holder, 'client.holder');
    } catch {
      refuse(
        'unauthorized_client',
        'the client has no Ed25519 or P-256 key to bind the mandate to',
      );
    }
    const clientId = request.client.id;

    // The request itself.
    const subjectToken = single(params, 'subject_token');
    const subjectTokenType = single(params, 'subject_token_type');
    if (subjectToken === undefined || subjectTokenType === undefined) {
      refuse('invalid_request', 'subject_token and subject_token_type are required');
    }
    if (!ACCEPTED_TOKEN_TYPES.includes(subjectTokenType)) {
      refuse(
        'invalid_request',
        'subject_token_type must be an access token (or a JWT access token)',
      );
    }
    const actorToken = single(params, 'actor_token');
    const actorTokenType = single(params, 'actor_token_type');
    if ((actorToken === undefined) !== (actorTokenType === undefined)) {
      refuse('invalid_request', 'actor_token and actor_token_type go together (RFC 8693 §2.1)');
    }
    if (actorToken === undefined && requireActor)
      refuse('invalid_request', 'actor_token is required');
    if (actorTokenType !== undefined && !ACCEPTED_TOKEN_TYPES.includes(actorTokenType)) {
      refuse('invalid_request', 'actor_token_type must be an access token (or a JWT access token)');
    }
    const requested = single(params, 'requested_token_type');
    let format: 'jws' | 'biscuit';
    if (requested === undefined) format = defaultFormat;
    else if (requested === TOKEN_TYPE.mandateJws) format = 'jws';
    else if (requested === TOKEN_TYPE.mandateBiscuit) format = 'biscuit';
    else refuse('invalid_request', 'requested_token_type must be a Mandate token type');

    // The tokens (RFC 8693 §2.2.2: invalid for any reason -> invalid_request).
    const subject = await options.subjectTokens.verify(subjectToken);
    if (!subject.allowed)
      refuse('invalid_request', `subject_token: ${subject.reason} (${subject.code})`);
    if (subject.actors.length > 0) {
      // A delegated token already names an actor: extend the mandate instead (delegate).
      refuse('invalid_request', 'subject_token is itself a delegated token (act)');
    }
    let actor: VerifiedAccessToken | undefined;
    if (actorToken !== undefined) {
      const result = await actorTokens.verify(actorToken, {
        provenKeyThumbprint: thumbprintSync(holder),
      });
      if (!result.allowed)
        refuse('invalid_request', `actor_token: ${result.reason} (${result.code})`);
      if (result.clientId !== clientId) {
        refuse('invalid_request', 'actor_token was not issued to the authenticated client');
      }
      actor = result;
    }

    // May this agent act for this user?
    const actorIdentity = {
      sub: actor?.subject ?? clientId,
      iss: actor?.issuer ?? options.subjectTokens.issuer,
      client_id: clientId,
    };
    if (subject.mayAct !== undefined) {
      if (!mayActAllows(subject.mayAct, actorIdentity)) {
        refuse('invalid_grant', "the subject token's may_act does not name this actor");
      }
    } else {
      const allowed = (await options.mayAct?.({ subject, actor, clientId })) === true;
      if (!allowed) refuse('unauthorized_client', 'this client may not act for the subject');
    }

    // Where the mandate will be used.
    const audience = [...new Set([...many(params, 'resource'), ...many(params, 'audience')])];
    if (audience.length === 0) refuse('invalid_target', 'resource or audience is required');
    const unknown = audience.filter((target) => !targets.has(target));
    if (unknown.length > 0)
      refuse('invalid_target', 'a requested resource or audience is not served');

    // What the user may do, and what is asked for.
    let userScopes = subject.scopes.filter((scope) => scopes.has(scope));
    const scopeParam = single(params, 'scope');
    if (scopeParam !== undefined) {
      const asked = splitScope(scopeParam);
      const unmapped = asked.filter((scope) => !scopes.has(scope));
      if (unmapped.length > 0) refuse('invalid_scope', `unknown scope: ${unmapped.join(' ')}`);
      userScopes = userScopes.filter((scope) => asked.includes(scope));
    }
    const authority = scopes.capabilitiesFor(userScopes);
    if (authority.length === 0)
      refuse('invalid_scope', "the subject token's scopes grant nothing requested");
    const detailsParam = single(params, 'authorization_details');
    const wanted = detailsParam === undefined ? authority : readDetails(detailsParam);
    const granted = intersect(wanted, authority);
    if (granted.length === 0) {
      refuse('invalid_target', "nothing requested lies within the subject's authority");
    }
    const narrowed =
      !isSubset(wanted, granted) ||
      (scopeParam !== undefined && userScopes.length < splitScope(scopeParam).length);

    // Mint: sub = the user, holder = the agent's key, never outliving the user's token.
    const now = clock();
    const expiresIn = Math.min(lifetime, subject.expiresAt - now);
    if (expiresIn <= 0) refuse('invalid_request', 'subject_token: the token has expired');
    const mandate = await mint({
      issuer: options.signer,
      issuerId: options.issuerId,
      subject: subject.subject,
      holder,
      capabilities: granted,
      expiresIn,
      audience,
      format,
      now,
      ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
      ...(options.kid === undefined ? {} : { kid: options.kid }),
    });
    const body: TokenExchangeResponse = {
      access_token: mandate.token,
      issued_token_type: format === 'jws' ? TOKEN_TYPE.mandateJws : TOKEN_TYPE.mandateBiscuit,
      token_type: 'N_A',
      expires_in: expiresIn,
      ...(scopeParam === undefined ? {} : { scope: userScopes.join(' ') }),
      authorization_details: granted.map((capability) => ({
        type: MANDATE_DETAIL_TYPE,
        ...capability,
      })),
    };
    return { ok: true, status: 200, body, mandate, narrowed };
  }

  // Validate the signer now (misuse), not on the first request.
  requirePublicJwk(options.signer?.publicJwk, 'signer.publicJwk');

  return {
    async exchange(request) {
      if (typeof request !== 'object' || request === null || typeof request.params !== 'object') {
        throw new TypeError('exchange needs { params, client }');
      }
      try {
        return await run(request);
      } catch (error) {
        if (error instanceof Refusal) {
          return {
            ok: false,
            status: 400,
            body: { error: error.error, error_description: error.description },
          };
        }
        return {
          ok: false,
          status: 500,
          body: { error: 'server_error', error_description: 'the exchange failed unexpectedly' },
        };
      }
    },
  };
}
