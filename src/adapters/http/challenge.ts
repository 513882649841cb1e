/**
 * Denials the OAuth way (RFC 6750 §3, RFC 9449 §7.1): the status, the `WWW-Authenticate: DPoP`
 * challenge and the JSON body for every denial code. The mapping is data, in one place.
 */
import type { MandateErrorCode } from '../../core/errors.js';
import type { Denied } from '../../verify/decision.js';
import { deepFreeze } from '../../core/freeze.js';
import { approvalOf } from '../approval-transport.js';

/** The OAuth error a challenge carries, or none (the request is not the client's fault). */
export type OAuthError =
  | 'invalid_request'
  | 'invalid_token'
  | 'invalid_dpop_proof'
  | 'insufficient_scope'
  | 'approval_required'
  | 'invalid_approval';

/** How one denial code is answered over HTTP. */
export interface HttpDenial {
  readonly status: 400 | 401 | 403 | 500 | 503;
  readonly error?: OAuthError;
}

/**
 * Every code's answer. 401 `invalid_token`: the mandate itself is not acceptable (re-obtain
 * one). 401 `invalid_dpop_proof` (RFC 9449 §7.1): the mandate may be fine but this request's
 * proof is missing, wrong or replayed (sign a fresh one). 403 `insufficient_scope`: a valid
 * mandate that does not allow this action. 503: a store could not answer (fail closed, retry).
 * 500: an unexpected failure inside a rule (fail closed). 503 and 500 carry no challenge.
 */
export const HTTP_DENIALS: Readonly<Record<MandateErrorCode, HttpDenial>> = deepFreeze({
  MANDATE_MALFORMED: { status: 401, error: 'invalid_token' },
  MANDATE_LIMIT_EXCEEDED: { status: 401, error: 'invalid_token' },
  MANDATE_UNTRUSTED_ISSUER: { status: 401, error: 'invalid_token' },
  MANDATE_SIGNATURE_INVALID: { status: 401, error: 'invalid_token' },
  MANDATE_LINK_BROKEN: { status: 401, error: 'invalid_token' },
  MANDATE_WIDENED: { status: 401, error: 'invalid_token' },
  MANDATE_EXPIRED: { status: 401, error: 'invalid_token' },
  MANDATE_NOT_YET_VALID: { status: 401, error: 'invalid_token' },
  MANDATE_REVOKED: { status: 401, error: 'invalid_token' },
  MANDATE_AUDIENCE: { status: 401, error: 'invalid_token' },
  MANDATE_PROOF_MISSING: { status: 401, error: 'invalid_dpop_proof' },
  MANDATE_PROOF_INVALID: { status: 401, error: 'invalid_dpop_proof' },
  MANDATE_REPLAYED: { status: 401, error: 'invalid_dpop_proof' },
  MANDATE_FORBIDDEN: { status: 403, error: 'insufficient_scope' },
  // Mandate's own error values (docs/guides/approvals.md): the mandate allows the call, but
  // a human must approve it first; or an approval presented is not valid for it.
  MANDATE_APPROVAL_REQUIRED: { status: 403, error: 'approval_required' },
  MANDATE_APPROVAL_INVALID: { status: 403, error: 'invalid_approval' },
  MANDATE_APPROVAL_EXPIRED: { status: 403, error: 'invalid_approval' },
  MANDATE_APPROVAL_MISMATCH: { status: 403, error: 'invalid_approval' },
  MANDATE_APPROVAL_REPLAYED: { status: 403, error: 'invalid_approval' },
  // Never a verifier's answer (a human refused, in an agent framework): still unapproved.
  MANDATE_APPROVAL_REFUSED: { status: 403, error: 'approval_required' },
  MANDATE_STORE_UNAVAILABLE: { status: 503 },
  MANDATE_INTERNAL: { status: 500 },
});

/**
 * The answer to a request target no router may read alike (`MANDATE_MALFORMED`, check
 * `limits`): 400 `invalid_request` (RFC 6750 §3.1), whatever the credentials. It is the
 * request's spelling that is refused, not the mandate, so no challenge is sent.
 */
export const AMBIGUOUS_TARGET: HttpDenial = deepFreeze({ status: 400, error: 'invalid_request' });

/** A denial as an HTTP response: status, headers and JSON body. */
export interface DenialResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Options shaping the challenge. */
export interface ChallengeOptions {
  /** JWS `alg` names advertised in `algs` (RFC 9449 §7.1). */
  readonly algorithms: readonly string[];
  /** RFC 9728 §5.1: the URL of this resource's protected-resource metadata. */
  readonly resourceMetadata?: string;
  /** Whether credentials were presented at all (RFC 6750 §3.1: no error code if not). */
  readonly credentialsPresented: boolean;
}

/** A quoted-string safe form of free text: printable ASCII without `"` and `\`, bounded. */
function quoted(text: string): string {
  return `"${text.replace(/[^\x20-\x7e]|["\\]/g, ' ').slice(0, 200)}"`;
}

/** The `WWW-Authenticate` value for a denial, or undefined when none is due. */
export function challengeFor(
  denied: Denied,
  options: ChallengeOptions,
  mapping: HttpDenial = HTTP_DENIALS[denied.code] ?? HTTP_DENIALS.MANDATE_INTERNAL,
): string | undefined {
  if (mapping.status !== 401 && mapping.status !== 403) return undefined;
  const params: string[] = [];
  if (options.credentialsPresented && mapping.error !== undefined) {
    params.push(`error=${quoted(mapping.error)}`, `error_description=${quoted(denied.reason)}`);
  }
  params.push(`algs=${quoted(options.algorithms.join(' '))}`);
  if (options.resourceMetadata !== undefined) {
    params.push(`resource_metadata=${quoted(options.resourceMetadata)}`);
  }
  return `DPoP ${params.join(', ')}`;
}

/**
 * The full response for a denial, answered as `HTTP_DENIALS` says for its code unless
 * `mapping` says otherwise (`AMBIGUOUS_TARGET`). The body never carries `detail`, the token or
 * the proof; the one exception is `MANDATE_APPROVAL_REQUIRED`, whose body carries `approval`:
 * what the caller must get approved (the call, the approvers, how many are missing), all of it
 * the caller's own request or read from its own mandate.
 */
export function denialResponse(
  denied: Denied,
  options: ChallengeOptions,
  mapping: HttpDenial = HTTP_DENIALS[denied.code] ?? HTTP_DENIALS.MANDATE_INTERNAL,
): DenialResponse {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'cache-control': 'no-store',
  };
  const challenge = challengeFor(denied, options, mapping);
  if (challenge !== undefined) headers['www-authenticate'] = challenge;
  if (mapping.status === 503) headers['retry-after'] = '1';
  const error =
    mapping.error !== undefined && (options.credentialsPresented || mapping.status === 400)
      ? mapping.error
      : mapping.status === 401
        ? 'unauthorized'
        : mapping.status === 503
          ? 'temporarily_unavailable'
          : 'server_error';
  return {
    status: mapping.status,
    headers,
    body: JSON.stringify({
      error,
      code: denied.code,
      hop: denied.hop,
      check: denied.check,
      reason: denied.reason,
      ...approvalOf(denied),
    }),
  };
}
