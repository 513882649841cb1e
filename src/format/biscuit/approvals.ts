/**
 * Approval requirements in a Biscuit block (docs/format.md, "Approval requirements"): one fact
 * `approval_requirement(<RFC 8785 JSON of the requirement>)` per requirement, and one check,
 * `check if enforces("mandate_approvals")`, that only an authorizer which enforces them
 * satisfies. Mandate's authorizer supplies that fact (and rule 9 checks the approvals); a
 * standard Biscuit authorizer does not, so it refuses the token rather than ignoring the
 * requirement. A block without requirements carries neither.
 *
 * Kept apart from the block layout (datalog.ts) so that the layout can change around it.
 */
import {
  normalizeApprovalRequirements,
  type ApprovalRequirement,
} from '../../core/approval-requirement.js';
import { canonicalJson } from '../../core/encoding.js';
import { rethrowAtBlock } from '../../core/errors.js';
import { parseJsonObject } from '../../core/json-text.js';
import type { Limits } from '../../core/limits.js';
import type { BiscuitTerm } from './wasm.js';

/** The fact that carries one requirement. */
export const APPROVAL_FACT = 'approval_requirement';

/** The authorizer fact saying it enforces approval requirements (Mandate's rule 9). */
export const ENFORCES_APPROVALS_FACT = 'enforces("mandate_approvals");';

/** Adds the requirements' facts and their check to a block's code. */
export function approvalCode(
  approvals: readonly ApprovalRequirement[] | undefined,
  parameters: Record<string, BiscuitTerm>,
  lines: string[],
): void {
  if (approvals === undefined || approvals.length === 0) return;
  approvals.forEach((requirement, i) => {
    parameters[`apr${i}`] = canonicalJson(requirement);
    lines.push(`${APPROVAL_FACT}({apr${i}});`);
  });
  lines.push('check if enforces("mandate_approvals");');
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
