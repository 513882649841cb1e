/**
 * Approval requirements in a Biscuit block (docs/format.md, "Approval requirements"): one fact
 * `approval_requirement(<RFC 8785 JSON of the requirement>)` per requirement, and one check,
 * `check if enforces("mandate_approvals")`, that only an authorizer which enforces them
 * satisfies. Mandate's verifier enforces them (rule 9) and runs no Datalog; a standard Biscuit
 * authorizer does not state `enforces("mandate_approvals")`, so it refuses the token rather than
 * ignoring the requirement. A block that states no requirements carries neither (a delegation
 * inherits its parent's, whose check stays in force).
 *
 * Kept apart from the block layout (block.ts), which writes these facts byte by byte.
 */
import {
  normalizeApprovalRequirements,
  type ApprovalRequirement,
} from '../../core/approval-requirement.js';
import { canonicalJson } from '../../core/encoding.js';
import { rethrowAtBlock } from '../../core/errors.js';
import { parseJsonObject } from '../../core/json-text.js';
import type { Limits } from '../../core/limits.js';

/** The fact that carries one requirement. */
export const APPROVAL_FACT = 'approval_requirement';

/** The predicate and value of the fact an authorizer states when it enforces approvals. */
export const ENFORCES_PREDICATE = 'enforces';
export const ENFORCES_APPROVALS = 'mandate_approvals';

/** The authorizer fact saying it enforces approval requirements (Mandate's rule 9). */
export const ENFORCES_APPROVALS_FACT = `${ENFORCES_PREDICATE}("${ENFORCES_APPROVALS}");`;

/** The fact texts of `approvals`, in order: RFC 8785 JSON of each normalized requirement. */
export function approvalTexts(approvals: readonly ApprovalRequirement[]): string[] {
  return approvals.map((requirement) => canonicalJson(requirement));
}

/** The requirements a block's `approval_requirement` facts carry, in normal form. */
export function readApprovals(
  texts: readonly string[],
  hop: number,
  limits: Limits,
): ApprovalRequirement[] | undefined {
  if (texts.length === 0) return undefined;
  const label = `block ${hop}`;
  try {
    const values = texts.map((text, i) =>
      parseJsonObject(text, `${label}.${APPROVAL_FACT}.${i}`, 'limits', hop),
    );
    return normalizeApprovalRequirements(values as never, {
      limits,
      path: `${label}.${APPROVAL_FACT}`,
    });
  } catch (error) {
    rethrowAtBlock(error, label, hop);
  }
}
