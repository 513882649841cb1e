/**
 * The laws of approval requirements as reusable property checks (docs/guides/approvals.md):
 * the narrowing law is sound (keeping or tightening requirements never lets a call through
 * with fewer or other approvals than before) and refuses every loosening and every drop.
 */
import fc from 'fast-check';
import {
  APPROVER_USER,
  findApprovalLoosening,
  normalizeApprovalRequirements,
  requirementApplies,
  type ApprovalRequirement,
  type ApprovalRequirementInput,
} from '../core/approval-requirement.js';
import type { Action } from '../core/types.js';
import { arbAction } from './arbitraries.js';
import {
  APPROVER_IDS,
  arbApprovalRequirement,
  arbLoosening,
  arbTightening,
} from './approval-arbitraries.js';
import { lawParams, type RunOptions } from './config.js';

/** Options of the approval laws. */
export interface ApprovalLawOptions extends RunOptions {
  /** Requirements to draw from (default: {@link arbApprovalRequirement}). */
  readonly requirements?: fc.Arbitrary<ApprovalRequirementInput>;
}

/**
 * Whether a set of approvers meets every requirement that covers `action` (the verifier's
 * counting, with `'user'` standing for the user's one key).
 */
export function meetsAll(
  requirements: readonly ApprovalRequirement[],
  action: Action,
  approvedBy: ReadonlySet<string>,
): boolean {
  return requirements.every(
    (r) =>
      !requirementApplies(r, action) ||
      r.approvers.filter((a) => approvedBy.has(a)).length >= r.threshold,
  );
}

const arbApprovedBy = fc
  .subarray([...APPROVER_IDS, APPROVER_USER])
  .map((ids) => new Set(ids) as ReadonlySet<string>);

function scopesOf(requirements: readonly ApprovalRequirementInput[]) {
  return requirements.map((r) => ({ resource: r.resource, actions: [...r.actions] }));
}

/**
 * Adding or tightening requirements never allows more: when a child's requirements pass the
 * narrowing law against its parent's, every call and set of approvers that meets the child's
 * meets the parent's too.
 */
export function checkApprovalNarrowingSound(o: ApprovalLawOptions = {}): void {
  const req = o.requirements ?? arbApprovalRequirement();
  const arbPair = fc.array(req, { minLength: 1, maxLength: 3 }).chain((parent) =>
    fc.record({
      parent: fc.constant(parent),
      child: fc.oneof(
        // Tightened, each kept, sometimes with one more.
        fc
          .tuple(fc.tuple(...parent.map(arbTightening)), fc.array(req, { maxLength: 1 }))
          .map(([kept, added]) => [...kept, ...added]),
        // Anything at all: the law must hold whatever the child is, when it is accepted.
        fc.array(req, { maxLength: 3 }),
      ),
    }),
  );
  fc.assert(
    fc.property(
      arbPair.chain(({ parent, child }) =>
        fc.record({
          parent: fc.constant(parent),
          child: fc.constant(child),
          action: arbAction(scopesOf([...parent, ...child])),
          approvedBy: arbApprovedBy,
        }),
      ),
      ({ parent, child, action, approvedBy }) => {
        const p = normalizeApprovalRequirements(parent);
        const c = normalizeApprovalRequirements(child);
        if (findApprovalLoosening(p, c) !== undefined) return true;
        return !meetsAll(c, action, approvedBy) || meetsAll(p, action, approvedBy);
      },
    ),
    lawParams(o),
  );
}

/** Every tightening is accepted by the narrowing law (it is complete on tightenings). */
export function checkTighteningAccepted(o: ApprovalLawOptions = {}): void {
  const req = o.requirements ?? arbApprovalRequirement();
  fc.assert(
    fc.property(
      req.chain((r) => fc.tuple(fc.constant(r), arbTightening(r))),
      ([parent, child]) =>
        findApprovalLoosening(
          normalizeApprovalRequirements([parent]),
          normalizeApprovalRequirements([child]),
        ) === undefined,
    ),
    lawParams(o),
  );
}

/** Dropping a requirement, or replacing it with a looser one, is always refused. */
export function checkLooseningRefused(o: ApprovalLawOptions = {}): void {
  const req = o.requirements ?? arbApprovalRequirement();
  fc.assert(
    fc.property(
      req.chain((r) => fc.tuple(fc.constant(r), arbLoosening(r))),
      ([parent, looser]) => {
        const p = normalizeApprovalRequirements([parent]);
        return (
          findApprovalLoosening(p, []) !== undefined &&
          findApprovalLoosening(p, normalizeApprovalRequirements([looser])) !== undefined
        );
      },
    ),
    lawParams(o),
  );
}
