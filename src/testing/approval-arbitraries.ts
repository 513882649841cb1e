/**
 * fast-check arbitraries for approval requirements (docs/guides/approvals.md): requirements
 * over the same tiny alphabets as the capabilities, their tightenings (which a delegation may
 * make) and their loosenings (which it may not).
 */
import fc from 'fast-check';
import { APPROVER_USER, type ApprovalRequirementInput } from '../core/approval-requirement.js';
import type { ConstraintInput } from '../core/types.js';
import { ACTIONS, ARG_NAMES, arbResourcePattern, arbTerseConstraint } from './arbitraries.js';

/** Approver ids to draw from: three fixed thumbprint URIs and `'user'`. */
export const APPROVER_IDS = Object.freeze([
  APPROVER_USER,
  ...['A', 'B', 'C'].map((c) => `urn:ietf:params:oauth:jwk-thumbprint:sha-256:${c.repeat(43)}`),
]);

/** One requirement: a scope, sometimes a trigger on one or two arguments, m of n approvers. */
export function arbApprovalRequirement(
  approvers: readonly string[] = APPROVER_IDS,
): fc.Arbitrary<ApprovalRequirementInput> {
  return fc
    .record({
      resource: arbResourcePattern(),
      actions: fc.subarray([...ACTIONS], { minLength: 1 }),
      when: fc.option(
        fc
          .subarray([...ARG_NAMES], { minLength: 1, maxLength: 2 })
          .chain((names) =>
            fc
              .tuple(...names.map(() => arbTerseConstraint()))
              .map((cs) => Object.fromEntries(names.map((n, i) => [n, cs[i] as ConstraintInput]))),
          ),
        { nil: undefined },
      ),
      approvers: fc.subarray([...approvers], { minLength: 1 }),
    })
    .chain((r) =>
      fc.integer({ min: 1, max: r.approvers.length }).map((threshold) => ({
        resource: r.resource,
        actions: r.actions,
        ...(r.when === undefined ? {} : { when: r.when }),
        approvers: r.approvers,
        threshold,
      })),
    );
}

/**
 * A requirement at least as strict as `r`: as many approvals or more, from a subset of its
 * approvers, on a scope and trigger that cover at least its calls.
 */
export function arbTightening(r: ApprovalRequirementInput): fc.Arbitrary<ApprovalRequirementInput> {
  const threshold = r.threshold ?? 1;
  const scheme = r.resource.slice(0, r.resource.indexOf(':'));
  return fc
    .record({
      approvers: fc.subarray([...r.approvers], { minLength: threshold }),
      wider: fc.constantFrom('same', 'any-args', 'whole-scheme', 'more-actions'),
    })
    .chain(({ approvers, wider }) =>
      fc.integer({ min: threshold, max: approvers.length }).map((t) => {
        const base = { approvers, threshold: t };
        switch (wider) {
          case 'any-args':
            return { ...base, resource: r.resource, actions: r.actions };
          case 'whole-scheme':
            return { ...base, resource: `${scheme}:**`, actions: r.actions };
          case 'more-actions':
            return {
              ...base,
              resource: r.resource,
              actions: [...ACTIONS],
              ...(r.when === undefined ? {} : { when: r.when }),
            };
          default:
            return { ...base, resource: r.resource, actions: r.actions, ...whenOf(r) };
        }
      }),
    );
}

function whenOf(r: ApprovalRequirementInput): {
  when?: NonNullable<ApprovalRequirementInput['when']>;
} {
  return r.when === undefined ? {} : { when: r.when };
}

/**
 * A requirement strictly looser than `r` on some call or some set of approvals: fewer
 * approvals, an approver `r` does not accept, fewer actions, or a trigger that covers fewer
 * calls (each of these is looser for certain, so a law can demand that it be refused).
 */
export function arbLoosening(
  r: ApprovalRequirementInput,
  approvers: readonly string[] = APPROVER_IDS,
): fc.Arbitrary<ApprovalRequirementInput> {
  const threshold = r.threshold ?? 1;
  const options: fc.Arbitrary<ApprovalRequirementInput>[] = [
    // A trigger on an argument `r` does not name: calls that leave it out still match, but a
    // value outside it no longer does.
    fc.constant({
      ...r,
      when: { ...r.when, loosened: { eq: 'only-this' } },
    }),
  ];
  if (threshold > 1) options.push(fc.constant({ ...r, threshold: threshold - 1 }));
  const foreign = approvers.filter((a) => !r.approvers.includes(a));
  if (foreign.length > 0) {
    options.push(
      fc.constantFrom(...foreign).map((extra) => ({
        ...r,
        approvers: [...r.approvers, extra],
        threshold: Math.max(1, threshold),
      })),
    );
  }
  if (r.actions.length > 1) {
    options.push(fc.constant({ ...r, actions: r.actions.slice(1) }));
  }
  return fc.oneof(...options);
}
