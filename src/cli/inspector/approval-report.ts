/**
 * What the Inspector says about the approvals pasted beside a request: for each approval its
 * approver, the call it approves, its expiry, whether its signature verifies, and which
 * requirement at which hop it counts toward; for each requirement that covers the call,
 * whether it is met. Every verdict here is the real verifier's (rule 9 is run, never
 * re-implemented): `decide` verifies the request with a fresh verifier, once with all the
 * approvals (the verdict) and once with each approval alone (that approval's own outcome).
 * Reading an approval for display uses the verifier's own reader (`readApproval`).
 *
 * @module
 */
import type { ApprovalRequirement } from '../../core/approval-requirement.js';
import { isMandateError } from '../../core/errors.js';
import { jsonKey } from '../../core/json.js';
import { DEFAULT_LIMITS } from '../../core/limits.js';
import type { Action, BlockView, Json } from '../../core/types.js';
import { importPublicJwk, parsePublicJwk } from '../../identity/jwk.js';
import { thumbprintUriSync } from '../../identity/thumbprint.js';
import { approvalSignatureValid, readApproval, type ReadApproval } from '../../proof/approval.js';
import { approvalNeeded, type ApprovalNeeded } from '../../verify/approval-needed.js';
import { acceptedBy, applyingRequirements } from '../../verify/approval-rule.js';
// The verifier's default algorithms: the Inspector's verifiers use the defaults too.
import { ALGORITHMS } from '../../verify/config.js';
import type { Decision } from '../../verify/decision.js';
import { partyLabel } from './describe.js';
import {
  approverLabel,
  describeRequirementText,
  type ApproverView,
  type PartyNames,
} from './requirements.js';

/** The approval codes that mean "this approval itself is refused". */
const REFUSALS = new Set<string>([
  'MANDATE_APPROVAL_INVALID',
  'MANDATE_APPROVAL_EXPIRED',
  'MANDATE_APPROVAL_MISMATCH',
  'MANDATE_APPROVAL_REPLAYED',
]);

/** A coded error, as the page shows it. */
export interface CodedError {
  readonly code: string;
  readonly message: string;
  /** Where in the request (`approvals.0.exp`), when the verifier said. */
  readonly path?: string;
}

/** A requirement of the call, by the first hop that carries it. */
export interface RequirementRef {
  readonly hop: number;
  /** Its index in that block's requirements. */
  readonly index: number;
  readonly text: string;
}

/**
 * What the verifier made of one approval presented alone: `counted` (valid for this call and
 * counted toward a requirement), `refused` (the verifier denies the request because of it:
 * `error`), `ignored` (no requirement covers the call, so the verifier does not read
 * approvals), `undetermined` (the verifier denied the request for another reason first).
 */
export type ApprovalOutcome = 'counted' | 'refused' | 'ignored' | 'undetermined';

/** One pasted approval. */
export interface PresentedApproval {
  /** Its position in the pasted list (0 first). */
  readonly index: number;
  /** Absent when the approval does not parse (`readError` says why). */
  readonly approver?: ApproverView;
  /** The call it approves, as signed. */
  readonly call?: {
    readonly audience: string;
    readonly mandate: string;
    readonly holder: string;
    readonly holderLabel: string;
    readonly resource: string;
    readonly action: string;
    /** base64url SHA-256 of the RFC 8785 form of the approved arguments. */
    readonly argsHash: string;
    /** The call in one line. */
    readonly text: string;
  };
  readonly issuedAt?: number;
  readonly expiresAt?: number;
  /** `expiresAt - now`: negative once expired. */
  readonly expiresIn?: number;
  /** Whether the signature verifies with the key in its header; `unchecked`: it did not parse. */
  readonly signature: 'valid' | 'invalid' | 'unchecked';
  /** Why it does not parse (the verifier's own reader's code). */
  readonly readError?: CodedError;
  readonly outcome: ApprovalOutcome;
  /** For `refused` and `undetermined`: the verifier's code for this approval presented alone. */
  readonly error?: CodedError;
  /** The requirements covering this call whose approvers include this approval's signer. */
  readonly countsToward: readonly RequirementRef[];
  /** The outcome in plain words. */
  readonly text: string;
}

/** A requirement that covers the call, and whether the verifier found it met. */
export interface ApplyingRequirementView extends RequirementRef {
  readonly requirement: ApprovalRequirement;
  readonly approvers: readonly ApproverView[];
  readonly threshold: number;
  /** `not evaluated`: the verifier denied the request before counting approvals. */
  readonly status: 'met' | 'unmet' | 'not evaluated';
  /** Approvers whose presented approvals were counted toward it. */
  readonly approvedBy: readonly ApproverView[];
  /** For `unmet`: how many more distinct approvers must approve (the verifier's count). */
  readonly missing?: number;
}

/** The answer's `approvals` member of `POST /api/verify`. */
export interface ApprovalReport {
  /** Requirements of any hop that cover the call, lowest hop first, each once. */
  readonly applying: readonly ApplyingRequirementView[];
  readonly approvals: readonly PresentedApproval[];
  /** On `MANDATE_APPROVAL_REQUIRED`: what is still missing (`approvalNeeded`). */
  readonly needed?: ApprovalNeeded;
  /** The verdict about approvals in one line. */
  readonly summary: string;
}

/** What {@link approvalReport} needs. */
export interface ApprovalReportInput {
  /** The decoded (unverified) blocks; undefined when the token does not decode. */
  readonly blocks: readonly BlockView[] | undefined;
  readonly action: Action;
  readonly approvals: readonly string[];
  /** The originating user's registered keys (what the verifier's `userKeys` returned). */
  readonly userKeys: readonly unknown[];
  /** Seconds since the epoch, the same the verifier runs at. */
  readonly now: number;
  /** The verifier's decision with all the approvals. */
  readonly decision: Decision;
  /** Verify the same request with a fresh verifier and these approvals. */
  readonly decide: (approvals: readonly string[]) => Promise<Decision>;
}

const codedOf = (error: unknown): CodedError => {
  if (isMandateError(error)) {
    const path = error.detail['path'];
    return {
      code: error.code,
      message: error.message,
      ...(typeof path === 'string' ? { path } : {}),
    };
  }
  return { code: 'MANDATE_INTERNAL', message: 'the approval could not be read' };
};

const deniedError = (decision: Decision): CodedError | undefined => {
  if (decision.allowed) return undefined;
  const path = decision.detail['path'];
  return {
    code: decision.code,
    message: decision.reason,
    ...(typeof path === 'string' ? { path } : {}),
  };
};

/** The principal ids of the user's keys; a key that is not a public key is skipped (as rule 9 does). */
function userIds(keys: readonly unknown[]): ReadonlySet<string> {
  const ids = new Set<string>();
  for (const key of keys) {
    try {
      ids.add(thumbprintUriSync(parsePublicJwk(key, 'authorize', 0, 'userKeys')));
    } catch {
      // approves nothing
    }
  }
  return ids;
}

interface Applying {
  readonly ref: RequirementRef;
  readonly requirement: ApprovalRequirement;
  readonly accepted: ReadonlySet<string>;
}

function readForDisplay(value: string, index: number, hop: number): ReadApproval | CodedError {
  try {
    return readApproval(value, index, { hop, algorithms: ALGORITHMS });
  } catch (error) {
    return codedOf(error);
  }
}

function signatureOf(read: ReadApproval): 'valid' | 'invalid' {
  try {
    return approvalSignatureValid(read, importPublicJwk(read.approverKey)) ? 'valid' : 'invalid';
  } catch {
    return 'invalid';
  }
}

function outcomeText(
  outcome: ApprovalOutcome,
  counts: readonly RequirementRef[],
  error?: CodedError,
): string {
  switch (outcome) {
    case 'counted':
      return counts.length === 0
        ? 'valid for this call'
        : `valid for this call; counts toward ${counts.map((r) => `hop ${r.hop}'s requirement ${r.index}`).join(' and ')}`;
    case 'refused':
      return `the verifier refuses the request because of it: ${error?.code ?? ''} (${error?.message ?? ''})`;
    case 'ignored':
      return 'not read: no approval requirement covers this call, so the verifier ignores approvals';
    case 'undetermined':
      return `not reached: the verifier denies the request before reading approvals (${error?.code ?? ''})`;
  }
}

/**
 * Report on the approvals of one request: each approval's own outcome and every applying
 * requirement's status, all from the verifier's decisions (see the module comment).
 */
export async function approvalReport(input: ApprovalReportInput): Promise<ApprovalReport> {
  const blocks = input.blocks ?? [];
  const names: PartyNames = {
    subject: blocks[0]?.subject ?? '',
    holders: blocks.map((block) => block.holder),
  };
  const users = userIds(input.userKeys);
  const label = (id: string): ApproverView => ({
    id,
    label: users.has(id)
      ? `the originating user's key (${partyLabel(id)})`
      : approverLabel(id, names),
  });
  const applying: Applying[] =
    input.blocks === undefined
      ? []
      : applyingRequirements({ blocks }, { action: input.action }, { limits: DEFAULT_LIMITS }).map(
          ({ hop, requirement }) => ({
            ref: {
              hop,
              index: blocks[hop]?.approvals?.indexOf(requirement) ?? -1,
              text: describeRequirementText(requirement, names),
            },
            requirement,
            accepted: acceptedBy(requirement, users),
          }),
        );
  const lastHop = Math.max(0, blocks.length - 1);

  const approvals: PresentedApproval[] = [];
  for (const [index, value] of input.approvals.entries()) {
    const read = readForDisplay(value, index, lastHop);
    const parsed = 'claims' in read ? read : undefined;
    const countsToward =
      parsed === undefined
        ? []
        : applying.filter((a) => a.accepted.has(parsed.approver)).map((a) => a.ref);
    let outcome: ApprovalOutcome;
    let error: CodedError | undefined;
    if (input.blocks === undefined) {
      outcome = 'undetermined';
      error = deniedError(input.decision);
    } else if (applying.length === 0) {
      outcome = 'ignored';
    } else {
      // The verifier's own answer for this approval presented alone.
      const alone = await input.decide([value]);
      error = deniedError(alone);
      if (alone.allowed || alone.code === 'MANDATE_APPROVAL_REQUIRED') outcome = 'counted';
      else if (REFUSALS.has(alone.code)) outcome = 'refused';
      else outcome = 'undetermined';
      if (outcome === 'counted') error = undefined;
    }
    const base = {
      index,
      signature: parsed === undefined ? ('unchecked' as const) : signatureOf(parsed),
      outcome,
      ...(error === undefined ? {} : { error }),
      countsToward: outcome === 'counted' ? countsToward : [],
      text: outcomeText(outcome, outcome === 'counted' ? countsToward : [], error),
    };
    if (parsed === undefined) {
      approvals.push({ ...base, readError: read as CodedError });
      continue;
    }
    const { claims } = parsed;
    const holderLabel = approverLabel(claims.holder, names);
    approvals.push({
      ...base,
      approver: label(parsed.approver),
      call: {
        audience: claims.aud,
        mandate: claims.mandate,
        holder: claims.holder,
        holderLabel,
        resource: claims.resource,
        action: claims.action,
        argsHash: claims.args_hash,
        text:
          `${claims.action} on ${claims.resource} for service ${claims.aud}, by ${holderLabel}, ` +
          `under mandate ${claims.mandate}, arguments digest ${claims.args_hash}`,
      },
      issuedAt: claims.iat,
      expiresAt: claims.exp,
      expiresIn: claims.exp - input.now,
    });
  }

  const { decision } = input;
  const needed = approvalNeeded(decision);
  const unmet = new Map(
    (needed?.unmet ?? []).map((u) => [`${u.hop}:${jsonKey(u.requirement as unknown as Json)}`, u]),
  );
  const counted = [
    ...new Set(
      approvals.flatMap((a) =>
        a.outcome === 'counted' && a.approver !== undefined ? [a.approver.id] : [],
      ),
    ),
  ];
  const evaluated = decision.allowed || needed !== undefined;
  const views: ApplyingRequirementView[] = applying.map(({ ref, requirement, accepted }) => {
    const missing = unmet.get(`${ref.hop}:${jsonKey(requirement as unknown as Json)}`);
    // Where the verifier reported the requirement unmet, its own tally; otherwise the
    // approvals it counted one by one whose signer the requirement accepts.
    const approvedBy = (missing?.approvedBy ?? counted.filter((id) => accepted.has(id))).map(label);
    return {
      ...ref,
      requirement,
      approvers: requirement.approvers.map(label),
      threshold: requirement.threshold,
      status: !evaluated ? 'not evaluated' : missing === undefined ? 'met' : 'unmet',
      approvedBy,
      ...(missing === undefined ? {} : { missing: missing.missing }),
    };
  });
  return {
    applying: views,
    approvals,
    ...(needed === undefined ? {} : { needed }),
    summary: summaryOf(decision, views, needed),
  };
}

function summaryOf(
  decision: Decision,
  applying: readonly ApplyingRequirementView[],
  needed: ApprovalNeeded | undefined,
): string {
  if (applying.length === 0) return 'No approval requirement of any hop covers this call.';
  if (decision.allowed) {
    return `Every approval requirement that covers this call is met (${applying.length}).`;
  }
  if (needed !== undefined) {
    return (
      `Approval required: ${needed.unmet.length} requirement(s) not met; the first, at hop ` +
      `${needed.hop}, needs ${needed.missing} more.`
    );
  }
  if (decision.code.startsWith('MANDATE_APPROVAL_')) {
    return `Denied by an approval: ${decision.code}.`;
  }
  return `Approvals were not evaluated: the verifier denies the request first (${decision.code}).`;
}
