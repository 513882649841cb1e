/**
 * Before an agent framework sends a guarded tool call: which approvals the run's own mandate
 * says it needs, so that the framework can pause for a human first. The verifier still decides
 * the call; this only tells the framework when to ask.
 */
import { isMandateError } from '../core/errors.js';
import type { ApprovalNeeded } from '../verify/approval-needed.js';
import { approvalNeededIn } from './human-approval.js';
import { decodedChainOf, type AgentToolRequirement, type RunAuthority } from './run-authority.js';
import { snapshotArgs } from './tool-guard.js';

/**
 * The approvals the call of a tool guarded as `requirement` with `input` needs under the run's
 * mandate, or undefined. Undefined too when it cannot be told here (arguments that are not JSON,
 * a resource the arguments do not name, an ambiguous audience): the guard's verifier then decides
 * the call and denies what these would deny, so asking a human first would only show them a
 * call that is refused anyway.
 */
export async function approvalNeededForToolCall(
  authority: RunAuthority,
  requirement: AgentToolRequirement,
  input: unknown,
  audience: string | undefined,
): Promise<ApprovalNeeded | undefined> {
  try {
    const args = snapshotArgs(input);
    const resource =
      typeof requirement.resource === 'function'
        ? requirement.resource(args)
        : requirement.resource;
    if (typeof resource !== 'string') return undefined;
    // Decoded once per run (per handle), not once per tool call.
    return approvalNeededIn(
      await decodedChainOf(authority),
      { resource, action: requirement.action, args },
      audience === undefined ? {} : { audience },
    );
  } catch (error) {
    if (isMandateError(error) || error instanceof TypeError) return undefined;
    throw error;
  }
}
