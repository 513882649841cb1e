/**
 * The approval requirements of each hop, as the Inspector shows them: who must approve
 * (approvers by RFC 9278 id, with a readable label where the chain says who they are), how
 * many, for which calls, and where each requirement comes from — set by the root, inherited
 * unchanged, tightened, or added at this hop. Pure functions over decoded blocks; nothing here
 * verifies a signature, and whether a requirement is met is the verifier's answer (rule 9),
 * never this module's.
 *
 * @module
 */
import {
  APPROVER_USER,
  findApprovalLoosening,
  requirementImplies,
  type ApprovalRequirement,
} from '../../core/approval-requirement.js';
import { jsonKey } from '../../core/json.js';
import type { Json } from '../../core/types.js';
import { describeConstraint, partyLabel } from './describe.js';

/** An approver as the page shows it. */
export interface ApproverView {
  /** The RFC 9278 thumbprint URI, or `'user'`. */
  readonly id: string;
  /** `the originating user (alice)`, `holder 1 (key …3mIq)`, or `key …3mIq`. */
  readonly label: string;
}

/**
 * Where a hop's requirement comes from: `root` (the grant sets it), `inherited` (the parent
 * has exactly it), `tightened` (it is stricter than one of the parent's), `added` (new here).
 */
export type RequirementOrigin = 'root' | 'inherited' | 'tightened' | 'added';

/** One approval requirement of one hop, in plain words. */
export interface RequirementView {
  /** Its index in the block's (normal-form) list of requirements. */
  readonly index: number;
  readonly requirement: ApprovalRequirement;
  readonly approvers: readonly ApproverView[];
  readonly threshold: number;
  /** The trigger in words (`200 < amount`), or absent: every call in its scope. */
  readonly when?: string;
  /** The whole requirement in one sentence. */
  readonly text: string;
  readonly origin: RequirementOrigin;
  /** Where it comes from, in words (`inherited unchanged from hop 0`, `tightens hop 0's: …`). */
  readonly originText: string;
}

/** What the labels of approvers are read from: the chain's subject and holders. */
export interface PartyNames {
  readonly subject: string;
  /** Principal id of each block's holder, root first. */
  readonly holders: readonly string[];
}

/** An approver's readable label: the user, a holder of this chain, or a short key label. */
export function approverLabel(id: string, names: PartyNames): string {
  if (id === APPROVER_USER) return `the originating user (${names.subject})`;
  const holder = names.holders.indexOf(id);
  return holder === -1 ? partyLabel(id) : `holder ${holder} (${partyLabel(id)})`;
}

/** The trigger in words: `200 < amount and currency = EUR`. */
function whenText(requirement: ApprovalRequirement): string | undefined {
  const entries = Object.entries(requirement.when ?? {});
  if (entries.length === 0) return undefined;
  return entries.map(([arg, c]) => describeConstraint(arg, c)).join(' and ');
}

/** `pay on billing:** needs 2 of 3 approvers (…) when 200 < amount`. */
export function describeRequirementText(
  requirement: ApprovalRequirement,
  names: PartyNames,
): string {
  const labels = requirement.approvers.map((id) => approverLabel(id, names));
  const who =
    labels.length === 1
      ? `1 approval, by ${labels[0] ?? ''}`
      : `${requirement.threshold} of ${labels.length} approvers (${labels.join(', ')})`;
  const when = whenText(requirement);
  return (
    `${requirement.actions.join(', ')} on ${requirement.resource} needs ${who}` +
    (when === undefined ? ', for every call' : `, when ${when}`)
  );
}

/** How `child` is stricter than `parent`, in words. */
function tighteningText(child: ApprovalRequirement, parent: ApprovalRequirement): string {
  const changes: string[] = [];
  if (child.threshold > parent.threshold) {
    changes.push(`threshold ${parent.threshold} → ${child.threshold}`);
  }
  const removed = parent.approvers.length - child.approvers.length;
  if (removed > 0) {
    changes.push(`${removed} approver${removed === 1 ? '' : 's'} fewer`);
  }
  if (child.resource !== parent.resource) {
    changes.push(`scope ${parent.resource} → ${child.resource}`);
  }
  if (child.actions.join() !== parent.actions.join()) {
    changes.push(`actions ${parent.actions.join(',')} → ${child.actions.join(',')}`);
  }
  const before = whenText(parent);
  const after = whenText(child);
  if (before !== after) {
    changes.push(`trigger ${before ?? 'every call'} → ${after ?? 'every call'}`);
  }
  return changes.length === 0 ? 'same calls, same approvers' : changes.join('; ');
}

const keyOf = (requirement: ApprovalRequirement): string => jsonKey(requirement as unknown as Json);

/**
 * The requirements of block `hop` (`own`), each with where it comes from, relative to the
 * parent block's (`parent`; undefined for the root). A requirement the algebra cannot read
 * is shown as added: the page states what the block says, and the verifier judges it.
 */
export function requirementViews(
  hop: number,
  own: readonly ApprovalRequirement[],
  parent: readonly ApprovalRequirement[] | undefined,
  names: PartyNames,
): RequirementView[] {
  const inherited = new Set((parent ?? []).map(keyOf));
  return own.map((requirement, index) => {
    let origin: RequirementOrigin = parent === undefined ? 'root' : 'added';
    let originText = parent === undefined ? 'set by the root grant' : `added at hop ${hop}`;
    if (parent !== undefined && inherited.has(keyOf(requirement))) {
      origin = 'inherited';
      originText = `inherited unchanged from hop ${hop - 1}`;
    } else if (parent !== undefined) {
      const tightened = parent.find((p) => {
        try {
          return requirementImplies(requirement, p);
        } catch {
          return false;
        }
      });
      if (tightened !== undefined) {
        origin = 'tightened';
        originText = `tightens hop ${hop - 1}'s (${tighteningText(requirement, tightened)})`;
      }
    }
    const when = whenText(requirement);
    return {
      index,
      requirement,
      approvers: requirement.approvers.map((id) => ({ id, label: approverLabel(id, names) })),
      threshold: requirement.threshold,
      ...(when === undefined ? {} : { when }),
      text: describeRequirementText(requirement, names),
      origin,
      originText,
    };
  });
}

/**
 * The parent's requirement a block drops or loosens, in words (a verifier denies such a
 * chain at `narrowing`), or undefined when the block keeps every one of them.
 */
export function approvalLooseningText(
  child: readonly ApprovalRequirement[],
  parent: readonly ApprovalRequirement[],
  names: PartyNames,
): string | undefined {
  let loosening;
  try {
    loosening = findApprovalLoosening(parent, child);
  } catch (error) {
    return `approval requirements could not be compared: ${error instanceof Error ? error.message : 'unknown error'}`;
  }
  if (loosening === undefined) return undefined;
  const requirement = parent[loosening.requirement];
  const text =
    requirement === undefined ? 'a requirement' : describeRequirementText(requirement, names);
  return `${loosening.reason} the parent's approval requirement: ${text}`;
}
