/**
 * What a `MANDATE_APPROVAL_REQUIRED` denial asks for, typed: the piece a framework turns into
 * its own human-in-the-loop step (show `call`, collect `missing` more approvals from
 * `approvers`, retry the call with them).
 */
import type { ApprovalRequirement } from '../core/approval-requirement.js';
import type { ApprovalCall } from '../proof/approval.js';
import type { Decision } from './decision.js';

/** One requirement not yet met, and by how much. */
export interface UnmetRequirement {
  /** The first block (0 = root) that carries the requirement. */
  readonly hop: number;
  readonly requirement: ApprovalRequirement;
  /** Approvers whose valid approvals were presented and counted. */
  readonly approvedBy: readonly string[];
  /** How many more distinct approvers must approve. */
  readonly missing: number;
}

/** The approvals a denied call still needs (`Denied.detail` of `MANDATE_APPROVAL_REQUIRED`). */
export interface ApprovalNeeded extends UnmetRequirement {
  /** The call to show the approvers and to `approve`, exactly as the verifier binds it. */
  readonly call: ApprovalCall;
  /** base64url SHA-256 of the RFC 8785 form of `call.args` (what an approval signs). */
  readonly argsHash: string;
  /** The requirement's approvers (thumbprint URIs, or `'user'`) and threshold. */
  readonly approvers: readonly string[];
  readonly threshold: number;
  /** Every requirement not met, lowest hop first (`hop`, `requirement`... are the first's). */
  readonly unmet: readonly UnmetRequirement[];
}

/**
 * The approvals a decision asks for, or `undefined` when it is not a
 * `MANDATE_APPROVAL_REQUIRED` denial. Also accepts the `approval` member of an HTTP denial's
 * JSON body (`mandate/http`), which has the same shape.
 */
export function approvalNeeded(
  decision: Decision | { readonly code?: unknown; readonly approval?: unknown },
): ApprovalNeeded | undefined {
  if (typeof decision !== 'object' || decision === null) return undefined;
  if ((decision as { code?: unknown }).code !== 'MANDATE_APPROVAL_REQUIRED') return undefined;
  const source =
    'detail' in decision
      ? (decision as { detail: unknown }).detail
      : (decision as { approval?: unknown }).approval;
  if (typeof source !== 'object' || source === null) return undefined;
  const detail = source as Record<string, unknown>;
  const unmet = detail['unmet'];
  const first = Array.isArray(unmet) ? (unmet[0] as UnmetRequirement | undefined) : undefined;
  if (first === undefined || typeof detail['call'] !== 'object') return undefined;
  return {
    ...first,
    call: detail['call'] as ApprovalCall,
    argsHash: String(detail['argsHash']),
    approvers: detail['approvers'] as readonly string[],
    threshold: Number(detail['threshold']),
    unmet: unmet as readonly UnmetRequirement[],
  };
}
