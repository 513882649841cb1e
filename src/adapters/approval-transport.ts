/**
 * How signed approvals travel in the metadata of MCP tool calls (`params._meta`) and A2A
 * messages (`metadata`), and how a denial tells the caller which approvals it needs.
 */
import type { Denied } from '../verify/decision.js';
import { approvalNeeded, type ApprovalNeeded } from '../verify/approval-needed.js';

/** The metadata key of the approvals a call carries (MCP `_meta`, A2A `metadata`). */
export const META_APPROVALS = 'dev.mandate/approvals';

/**
 * The approvals under {@link META_APPROVALS}: a list as sent, one string as a list of one,
 * nothing as none. Anything else is handed to the verifier as it is, which denies it
 * (`MANDATE_APPROVAL_INVALID`) when a requirement applies.
 */
export function approvalsIn(metadata: Readonly<Record<string, unknown>> | undefined): {
  readonly approvals?: readonly string[];
} {
  const value = metadata?.[META_APPROVALS];
  if (value === undefined) return {};
  if (typeof value === 'string') return { approvals: [value] };
  return { approvals: value as readonly string[] };
}

/** A denial's `approval` member for the caller: what it must get approved, when that is the reason. */
export function approvalOf(denied: Denied): { readonly approval?: ApprovalNeeded } {
  const needed = approvalNeeded(denied);
  return needed === undefined ? {} : { approval: needed };
}
