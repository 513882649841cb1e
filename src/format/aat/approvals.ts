/**
 * Approval requirements in an AAT token: Mandate's extension of the draft (docs/format.md,
 * "Approval requirements"). The requirements travel in the protected header parameter
 * `mandate_approvals`, listed in `crit` (RFC 7515 §4.1.11): a verifier that does not
 * understand the extension must reject the token rather than ignore the requirement, and
 * one that follows the draft's header allow-list refuses it anyway. A token without
 * requirements carries neither member and stays a plain AAT token.
 */
import {
  normalizeApprovalRequirements,
  type ApprovalRequirement,
} from '../../core/approval-requirement.js';
import { isMandateError } from '../../core/errors.js';
import type { Limits } from '../../core/limits.js';
import { aatMalformed } from './claims.js';

/** The critical header parameter that carries a token's approval requirements. */
export const AAT_APPROVALS_HEADER = 'mandate_approvals';

/** The header members for `approvals` (none when there are none). */
export function approvalHeader(
  approvals: readonly ApprovalRequirement[] | undefined,
): Record<string, unknown> {
  if (approvals === undefined || approvals.length === 0) return {};
  return { crit: [AAT_APPROVALS_HEADER], [AAT_APPROVALS_HEADER]: [...approvals] };
}

/**
 * Read the requirements from a token's header: `crit` must be exactly `["mandate_approvals"]`
 * and present exactly when `mandate_approvals` is. Throws `MANDATE_MALFORMED` (step 3a / 4a).
 */
export function readApprovalHeader(
  header: Readonly<Record<string, unknown>>,
  hop: number,
  limits: Limits,
): ApprovalRequirement[] | undefined {
  const label = `block ${hop}`;
  const step = hop === 0 ? '3a' : '4a';
  const crit = header['crit'];
  const present = Object.hasOwn(header, AAT_APPROVALS_HEADER);
  if (crit === undefined && !present) return undefined;
  if (!present || !Array.isArray(crit) || crit.length !== 1 || crit[0] !== AAT_APPROVALS_HEADER) {
    return aatMalformed(
      `${label}: crit must be ["${AAT_APPROVALS_HEADER}"], with that header parameter present`,
      hop,
      step,
      `${label}.header.crit`,
    );
  }
  const value = header[AAT_APPROVALS_HEADER];
  if (!Array.isArray(value) || value.length === 0) {
    return aatMalformed(
      `${label}: ${AAT_APPROVALS_HEADER} must be a non-empty array`,
      hop,
      step,
      `${label}.header.${AAT_APPROVALS_HEADER}`,
    );
  }
  try {
    return normalizeApprovalRequirements(value as never, {
      limits,
      path: `${label}.header.${AAT_APPROVALS_HEADER}`,
    });
  } catch (error) {
    if (!isMandateError(error)) throw error;
    const path = error.detail['path'];
    return aatMalformed(
      error.message,
      hop,
      step,
      typeof path === 'string' ? path : `${label}.header`,
      error.code === 'MANDATE_LIMIT_EXCEEDED' ? 'MANDATE_LIMIT_EXCEEDED' : 'MANDATE_MALFORMED',
    );
  }
}
