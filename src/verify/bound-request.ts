/**
 * The request's bounds as the verifier enforces them (`maxRequestStringLength`,
 * `maxRequestSize`, `maxRequestValues`): checked by rule 8 as soon as the proof's signature
 * holds, before the proof's RFC 8785 hash over the arguments, their comparison with the
 * action's, the shape check and authorization, each of which reads every member. The walk
 * stops at the limits, so a request past them costs work bounded by the limits, whatever its
 * size; a garbage proof still costs none (its signature fails first).
 */
import { assertRequestWithin } from '../core/request-bounds.js';
import { fail, isMandateError } from '../core/errors.js';
import type { Limits } from '../core/limits.js';
import type { Action, ProofRequest } from '../core/types.js';

/**
 * Denies a request past `limits` as rule 9 would have (its authorization checks the same bounds
 * first): `MANDATE_LIMIT_EXCEEDED`, check `limits`, hop 0, `detail.reason` naming the bound
 * (`request-string-length`, `request-size`, `request-values`) and `detail.limit` its value; an
 * unreadable request is `MANDATE_MALFORMED`, check `authorize`, hop 0.
 */
export function boundRequest(
  action: Action,
  request: ProofRequest | undefined,
  limits: Limits,
): void {
  try {
    assertRequestWithin(action, request, limits);
  } catch (error) {
    if (isMandateError(error) && error.code === 'MANDATE_MALFORMED') {
      fail(error.code, 'authorize', 0, error.message, error.detail);
    }
    throw error;
  }
}
