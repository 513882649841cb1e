/**
 * Rule 4 (DESIGN.md section 3) in one place: is a block no wider than its parent? `delegate`
 * asks it before signing a block (and refuses a widening), the verifier asks it of every hop
 * (and denies one), so the two can never disagree about what "narrower" means, nor describe
 * it in two vocabularies.
 *
 * The checks are a table of clauses, in the order a verifier reports them. A new narrowing
 * rule on a block's fields is one more clause; a new narrowing rule on a capability's fields
 * belongs to the capability algebra's coverage test (`findWidening`), which the
 * `capabilities` clause calls.
 */
import { budgetExhausted, withBudget } from './budget.js';
import { findWidening, type Widening } from './capability.js';
import { findApprovalLoosening, type ApprovalLoosening } from './approval-requirement.js';
import type { NarrowingProfile } from './constraint/narrowing.js';
import { MandateError, type ErrorDetail } from './errors.js';
import { explainWidening } from './explain.js';
import type { Limits } from './limits.js';
import type { BlockView } from './types.js';

/** The fields of a block that rule 4 compares with its parent's. */
export type NarrowedBlock = Pick<
  BlockView,
  | 'capabilities'
  | 'issuedAt'
  | 'expiresAt'
  | 'notBefore'
  | 'audience'
  | 'depth'
  | 'maxDepth'
  | 'approvals'
>;

/** The block field a widening is about (`detail.field` of the `MANDATE_WIDENED` error). */
export type WidenedField =
  | 'depth'
  | 'maxDepth'
  | 'expiresAt'
  | 'issuedAt'
  | 'notBefore'
  | 'audience'
  | 'capabilities'
  | 'approvals';

/** The first way a block is wider than its parent. Data; {@link widenedError} words it. */
export interface BlockWidening {
  readonly field: WidenedField;
  /** The AAT draft's step label for the check (docs/format.md, "Verification"). */
  readonly step: string;
  /** For `capabilities`: the first (capability, action) no parent capability covers. */
  readonly capability?: Widening;
  /** For `approvals`: the parent's requirement the child dropped or loosened. */
  readonly approval?: ApprovalLoosening;
  /**
   * True when the hop's work budget ran out before narrowing could be shown: the answer is
   * then the conservative one (denied as widened), not a proof that the child is wider.
   */
  readonly exhausted?: boolean;
}

/** What a narrowing check may take besides the two blocks. */
export interface WideningOptions {
  readonly limits?: Partial<Limits> | undefined;
  /** A verifier's own bound on delegation depth (`maxDelegationDepth`), if it has one. */
  readonly maxDelegationDepth?: number | undefined;
  /**
   * The child is being built (`delegate`), not verified. Mandate then narrows the audience
   * under every profile: the AAT draft leaves `aud` to the enforcement point (step 6c), so a
   * verifier accepts a foreign AAT hop that names more services, but Mandate never mints one.
   */
  readonly building?: boolean | undefined;
}

interface Clause {
  readonly field: WidenedField;
  readonly step: string;
  /** True when `child` is wider than `parent` in this clause's respect. */
  readonly widens: (
    parent: NarrowedBlock,
    child: NarrowedBlock,
    profile: NarrowingProfile,
    options: WideningOptions,
  ) => boolean;
  /** What the child does, in words; `parent` names the parent (`block 0`). */
  readonly words: (parent: string) => string;
}

/** Rule 4's block clauses, in reporting order; capabilities are the last clause. */
const CLAUSES: readonly Clause[] = [
  {
    field: 'depth',
    step: '4d',
    widens: (p, c) => c.depth !== p.depth + 1,
    words: (parent) => `depth does not follow ${parent}'s`,
  },
  {
    field: 'maxDepth',
    step: '4e',
    widens: (p) => p.depth >= p.maxDepth,
    words: (parent) => `${parent} allows no further delegation`,
  },
  {
    field: 'depth',
    step: '4f',
    widens: (_p, c, _profile, o) =>
      o.maxDelegationDepth !== undefined && c.depth > o.maxDelegationDepth,
    words: () => 'is deeper than this verifier allows',
  },
  {
    field: 'maxDepth',
    step: '4g',
    widens: (p, c) => c.maxDepth > p.maxDepth,
    words: (parent) => `allows deeper delegation than ${parent}`,
  },
  {
    field: 'expiresAt',
    step: '4h',
    widens: (p, c) => c.expiresAt > p.expiresAt,
    words: (parent) => `expires after ${parent}`,
  },
  {
    field: 'issuedAt',
    step: '4j',
    widens: (p, c) => c.issuedAt < p.issuedAt,
    words: (parent) => `issued before ${parent}`,
  },
  {
    field: 'maxDepth',
    step: '4m',
    widens: (_p, c) => c.depth > c.maxDepth,
    words: () => 'depth exceeds its own maximum',
  },
  {
    field: 'notBefore',
    step: '4i',
    widens: (p, c) => p.notBefore !== undefined && (c.notBefore ?? 0) < p.notBefore,
    words: (parent) => `valid before ${parent}`,
  },
  {
    field: 'audience',
    step: '4k',
    // AAT checks every `aud` at the enforcement point (6c) instead of narrowing per hop.
    widens: (p, c, profile, o) =>
      (profile !== 'aat' || o.building === true) &&
      p.audience !== undefined &&
      c.audience !== undefined &&
      !c.audience.every((aud) => p.audience?.includes(aud)),
    words: (parent) => `names an audience ${parent} does not`,
  },
];

/**
 * The first way `child` is wider than `parent` (rule 4), or `undefined` when it is no wider:
 * depth, remaining depth, expiry, issue time, not-before, audience (when verifying under the
 * `'aat'` profile, only {@link WideningOptions.building}: the draft checks every audience at
 * the enforcement point), then capabilities under
 * `profile`'s subsumption rules, then approval requirements (none dropped or loosened). Pure.
 *
 * Not checked here: signatures, linkage and the subject (rule 3), time against now (rule 5).
 *
 * @throws MandateError `MANDATE_MALFORMED` / `MANDATE_LIMIT_EXCEEDED` for capabilities the
 *   algebra cannot read.
 */
export function findBlockWidening(
  parent: NarrowedBlock,
  child: NarrowedBlock,
  profile: NarrowingProfile = 'mandate',
  options: WideningOptions = {},
): BlockWidening | undefined {
  // One budget for the whole hop (every capability, every `any` pair, the approvals), so a
  // hop costs at most WORK_BUDGET whatever its size, and the same in `delegate` and verify.
  return withBudget(() => {
    const widening = findWidened(parent, child, profile, options);
    return widening !== undefined && budgetExhausted()
      ? { ...widening, exhausted: true }
      : widening;
  });
}

function findWidened(
  parent: NarrowedBlock,
  child: NarrowedBlock,
  profile: NarrowingProfile,
  options: WideningOptions,
): BlockWidening | undefined {
  for (let i = 0; i < CLAUSES.length; i++) {
    const clause = CLAUSES[i];
    if (clause?.widens(parent, child, profile, options) === true) {
      return { field: clause.field, step: clause.step };
    }
  }
  const capability = findWidening(child.capabilities, parent.capabilities, {
    profile,
    limits: options.limits,
  });
  if (capability === undefined) {
    // Approval requirements (Mandate's extension in every encoding): kept or tightened.
    const approval = findApprovalLoosening(parent.approvals ?? [], child.approvals ?? [], {
      limits: options.limits,
    });
    return approval === undefined
      ? undefined
      : { field: 'approvals', step: APPROVALS_STEP, approval };
  }
  return {
    field: 'capabilities',
    step: capability.reason === 'resource' ? '4p1' : (capability.failure?.step ?? '4p'),
    capability,
  };
}

/** The step label of the approvals clause (an extension: the AAT draft has no such step). */
const APPROVALS_STEP = 'mandate-approvals';

/**
 * The evidence of a widening: `{ field, step }`, for capabilities what was uncovered, for
 * approvals which requirement and why; `reason: 'work-budget'` when the hop's work budget
 * ran out before narrowing could be shown (the denial is then the conservative answer).
 */
export function wideningDetail(w: BlockWidening): ErrorDetail {
  const budget = w.exhausted === true ? { reason: WORK_BUDGET_REASON } : {};
  if (w.approval !== undefined) {
    return {
      field: w.field,
      step: w.step,
      requirement: w.approval.requirement,
      reason: w.approval.reason,
      ...budget,
    };
  }
  const c = w.capability;
  if (c === undefined) return { field: w.field, step: w.step, ...budget };
  return {
    field: w.field,
    step: w.step,
    resource: c.resource,
    action: c.action,
    ...(c.failure === undefined ? {} : { argument: c.failure.arg }),
    ...budget,
  };
}

/** `detail.reason` of a widening denied because the hop's work budget ran out. */
const WORK_BUDGET_REASON = 'work-budget';

/** A widening in words: `block 2: expires after block 1`. */
export function explainBlockWidening(w: BlockWidening, hop: number): string {
  const words = explainWidened(w, hop);
  return w.exhausted === true
    ? `${words} (the work budget for one hop ran out before narrowing could be shown)`
    : words;
}

function explainWidened(w: BlockWidening, hop: number): string {
  const parent = `block ${hop - 1}`;
  if (w.capability !== undefined) {
    return `block ${hop}: grants more than ${parent} holds: ${explainWidening(w.capability, parent)}`;
  }
  if (w.approval !== undefined) {
    return `block ${hop}: ${w.approval.reason} approval requirement ${w.approval.requirement} of ${parent}`;
  }
  const clause = CLAUSES.find((c) => c.step === w.step);
  return `block ${hop}: ${clause === undefined ? 'is wider than its parent' : clause.words(parent)}`;
}

/**
 * The `MANDATE_WIDENED` error (check `narrowing`) for block `hop`'s widening: what `delegate`
 * throws and what the verifier's rule 4 denies with.
 */
export function widenedError(w: BlockWidening, hop: number): MandateError {
  return new MandateError('MANDATE_WIDENED', explainBlockWidening(w, hop), {
    check: 'narrowing',
    hop,
    detail: wideningDetail(w),
  });
}
