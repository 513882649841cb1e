/**
 * Rule 9's second part (docs/guides/approvals.md): every approval requirement of every hop
 * that covers the request is met by valid approvals of this exact call, each from a distinct
 * approver the requirement names, at least its threshold of them. The approvals are then
 * recorded in the replay store, so each is used once: all of them, with the request's other
 * single-use ids, in one all-or-none step (`recordSingleUse`, `ReplayStore.checkAndStoreAll`),
 * so one replayed id never burns the others.
 *
 * Runs after everything else has allowed the request (authorization, and in the AAT order
 * the audience and the proof too), so that a request denied for another reason never burns
 * an approval, and no approval is parsed for a request that is refused anyway.
 *
 * Order inside the rule, cheapest first: which requirements apply (none: presented approvals
 * are ignored, not read); the count cap; then per approval its shape, `typ`, algorithm and
 * key, whether that key is an approver of an applying requirement (before any signature
 * work), the signature, the lifetime, and last the bindings (the argument digest, the only
 * work that grows with the request, once). Any presented approval that fails denies the
 * request with its own code: a forged or mismatched approval is evidence of an attack, not
 * noise. Then the thresholds (`MANDATE_APPROVAL_REQUIRED`, whose detail is what a framework
 * needs to ask a human); the replay store last (`recordSingleUse`).
 */
import { jsonKey } from '../core/json.js';
import {
  APPROVER_USER,
  describeRequirement,
  requirementApplies,
  type ApprovalRequirement,
} from '../core/approval-requirement.js';
import { MandateError } from '../core/errors.js';
import type { Json } from '../core/types.js';
import { parsePublicJwk } from '../identity/jwk.js';
import { thumbprintUriSync } from '../identity/thumbprint.js';
import {
  approvalDenial,
  approvalSignatureValid,
  readApproval,
  type ApprovalCall,
  type ReadApproval,
} from '../proof/approval.js';
import { argsHash } from '../proof/request.js';
import type { VerifiableChain } from '../format/codec.js';
import type { VerifierConfig } from './config.js';
import type { VerifyState } from './rules.js';
import { approvalReplayKey } from './replay-keys.js';
import { askStore } from './store-call.js';
import type { ApprovalRecord } from './single-use.js';

/** Most approvals one request may carry. */
export const MAX_APPROVALS = 16;

/** A requirement and the first hop that carries it. */
interface Applying {
  readonly hop: number;
  readonly requirement: ApprovalRequirement;
}

/**
 * The requirements of every hop that cover the request, each once, lowest hop first. Reads
 * only the blocks' requirements, so decoded (unverified) blocks do too: the Inspector uses it
 * to say which requirements cover a call.
 */
export function applyingRequirements(
  chain: { readonly blocks: readonly Pick<VerifiableChain['blocks'][number], 'approvals'>[] },
  state: Pick<VerifyState, 'action'>,
  config: Pick<VerifierConfig, 'limits'>,
): Applying[] {
  const seen = new Set<string>();
  const out: Applying[] = [];
  for (const [hop, block] of chain.blocks.entries()) {
    for (const requirement of block.approvals ?? []) {
      const key = jsonKey(requirement as unknown as Json);
      if (seen.has(key)) continue;
      seen.add(key);
      if (requirementApplies(requirement, state.action, { limits: config.limits })) {
        out.push({ hop, requirement });
      }
    }
  }
  return out;
}

/** The user's registered keys, as principal ids (empty when this verifier cannot resolve them). */
async function userApprovers(
  config: VerifierConfig,
  subject: string,
  hop: number,
): Promise<ReadonlySet<string>> {
  const resolve = config.userKeys;
  if (resolve === undefined) return new Set();
  const keys = await askStore(config.storeTimeoutMs, 'authorize', hop, async () =>
    resolve(subject),
  );
  if (!Array.isArray(keys)) {
    throw new MandateError('MANDATE_STORE_UNAVAILABLE', 'userKeys gave no list of keys', {
      check: 'authorize',
      hop,
    });
  }
  const ids = new Set<string>();
  for (const key of keys.slice(0, 64)) {
    try {
      ids.add(thumbprintUriSync(parsePublicJwk(key, 'authorize', hop, 'userKeys')));
    } catch {
      // A key that is not a public key approves nothing.
    }
  }
  return ids;
}

/** The principal ids a requirement accepts (`'user'` stands for the user's resolved keys). */
export function acceptedBy(
  requirement: ApprovalRequirement,
  user: ReadonlySet<string>,
): Set<string> {
  const ids = new Set<string>();
  for (const approver of requirement.approvers) {
    if (approver === APPROVER_USER) for (const id of user) ids.add(id);
    else ids.add(approver);
  }
  return ids;
}

/** The approvals a request may use: who counted, and what to record. */
export interface CheckedApprovals {
  /** The principal ids whose approvals were counted (empty when nothing applied). */
  readonly approvedBy: readonly string[];
  /** The approvals to record as used, once each (`recordSingleUse`); none is recorded here. */
  readonly records: readonly ApprovalRecord[];
}

const NONE: CheckedApprovals = Object.freeze({ approvedBy: [], records: [] });

/**
 * Check the approvals a request carries against the requirements that apply to it; records
 * nothing (the caller records `records` with `recordSingleUse`). Throws a coded `MandateError` (check `authorize`, or `limits` for too many):
 * `MANDATE_APPROVAL_REQUIRED` (a threshold not met; `detail` says exactly what is missing),
 * `MANDATE_APPROVAL_INVALID` (malformed, forged, signed by a key no applying requirement
 * names, or living longer than `maxApprovalLifetime`), `MANDATE_APPROVAL_EXPIRED`,
 * `MANDATE_APPROVAL_MISMATCH` (made for another call, holder, service or mandate), or
 * `MANDATE_STORE_UNAVAILABLE` (the user's keys could not be resolved).
 */
export async function checkApprovals(
  state: VerifyState,
  config: VerifierConfig,
  chain: VerifiableChain,
): Promise<CheckedApprovals> {
  const applying = applyingRequirements(chain, state, config);
  if (applying.length === 0) return NONE;
  const { blocks } = chain;
  const hop = blocks.length - 1;
  const last = blocks[hop];
  const root = blocks[0];
  if (last === undefined || root === undefined) throw new Error('approvals ran without a chain');
  const presented = state.approvals ?? [];
  if (!Array.isArray(presented)) {
    approvalDenial('MANDATE_APPROVAL_INVALID', hop, 'approvals must be a list of strings');
  }
  if (presented.length > MAX_APPROVALS) {
    throw new MandateError(
      'MANDATE_LIMIT_EXCEEDED',
      `a request carries at most ${MAX_APPROVALS} approvals`,
      { check: 'limits', hop, detail: { path: 'approvals', limit: MAX_APPROVALS } },
    );
  }
  const needsUser = applying.some(({ requirement }) =>
    requirement.approvers.includes(APPROVER_USER),
  );
  const user = needsUser ? await userApprovers(config, root.subject, hop) : new Set<string>();
  const eligible = new Set<string>();
  for (const { requirement } of applying) {
    for (const id of acceptedBy(requirement, user)) eligible.add(id);
  }

  const call: ApprovalCall = {
    mandate: last.id,
    holder: last.holder,
    audience: config.audience,
    resource: state.action.resource,
    action: state.action.action,
    args: state.action.args ?? {},
  };
  let digest: string | undefined;
  const valid: { readonly read: ReadApproval; readonly index: number }[] = [];
  const tolerance = config.clockTolerance;
  for (const [index, value] of presented.entries()) {
    const read = readApproval(value, index, { hop, algorithms: config.algorithms });
    const path = `approvals.${index}`;
    const fail = (
      code: 'MANDATE_APPROVAL_INVALID' | 'MANDATE_APPROVAL_EXPIRED' | 'MANDATE_APPROVAL_MISMATCH',
      message: string,
      at: string,
    ): never => approvalDenial(code, hop, `approval ${index}: ${message}`, { path: at });
    if (!eligible.has(read.approver)) {
      fail(
        'MANDATE_APPROVAL_INVALID',
        'signed by a key that is not an approver of any requirement this call needs',
        `${path}.header.jwk`,
      );
    }
    if (!approvalSignatureValid(read, config.keys.get(read.approverKey, 'authorize', hop))) {
      fail('MANDATE_APPROVAL_INVALID', 'signature verification failed', `${path}.signature`);
    }
    const { claims } = read;
    if (claims.exp <= claims.iat || claims.exp - claims.iat > config.maxApprovalLifetime) {
      fail(
        'MANDATE_APPROVAL_INVALID',
        `must live more than 0 and at most ${config.maxApprovalLifetime} seconds`,
        `${path}.exp`,
      );
    }
    if (state.now - tolerance >= claims.exp) {
      fail('MANDATE_APPROVAL_EXPIRED', 'has expired', `${path}.exp`);
    }
    if (claims.iat > state.now + tolerance) {
      fail('MANDATE_APPROVAL_INVALID', 'is issued in the future', `${path}.iat`);
    }
    const bindings: [keyof typeof claims, string, string][] = [
      ['aud', call.audience, 'another service'],
      ['mandate', call.mandate, 'another mandate'],
      ['holder', call.holder, 'another holder'],
      ['resource', call.resource, 'another resource'],
      ['action', call.action, 'another action'],
    ];
    for (const [claim, expected, what] of bindings) {
      if (claims[claim] !== expected) {
        fail('MANDATE_APPROVAL_MISMATCH', `is for ${what} (${claim})`, `${path}.${claim}`);
      }
    }
    // The arguments' digest last, once: the only work that grows with the request.
    digest ??= argsHash(call.args);
    if (claims.args_hash !== digest) {
      fail('MANDATE_APPROVAL_MISMATCH', 'is for other arguments', `${path}.args_hash`);
    }
    valid.push({ read, index });
  }

  const approvers = new Set(valid.map(({ read }) => read.approver));
  const unmet = applying
    .map(({ hop: at, requirement }) => {
      const accepted = acceptedBy(requirement, user);
      const counted = [...approvers].filter((id) => accepted.has(id));
      return {
        hop: at,
        requirement,
        approvedBy: counted,
        missing: Math.max(0, requirement.threshold - counted.length),
      };
    })
    .filter((entry) => entry.missing > 0);
  const first = unmet[0];
  if (first !== undefined) {
    const { requirement } = first;
    const unresolvedUser =
      requirement.approvers.includes(APPROVER_USER) && config.userKeys === undefined;
    throw new MandateError(
      'MANDATE_APPROVAL_REQUIRED',
      `block ${first.hop} requires ${describeRequirement(requirement)}: ` +
        `${first.missing} more approval${first.missing === 1 ? '' : 's'} needed` +
        (unresolvedUser ? " (this verifier has no userKeys to resolve the user's key)" : ''),
      {
        check: 'authorize',
        hop: first.hop,
        detail: {
          requirement,
          approvers: requirement.approvers,
          threshold: requirement.threshold,
          approvedBy: first.approvedBy,
          missing: first.missing,
          unmet: unmet.map(({ hop: at, requirement: r, approvedBy, missing }) => ({
            hop: at,
            requirement: r,
            approvedBy,
            missing,
          })),
          call,
          argsHash: digest ?? argsHash(call.args),
        },
      },
    );
  }

  // Every requirement is met: the approvals to use up, each once (the same approval presented
  // twice is one), each until it expires plus the clock tolerance. The caller records them
  // with the request's other single-use ids in one all-or-none step (`recordSingleUse`).
  const records = new Map<string, ApprovalRecord>();
  for (const { read, index } of valid) {
    const jti = approvalReplayKey(read.approver, read.claims.jti);
    if (!records.has(jti)) {
      records.set(jti, {
        jti,
        expiresAt: read.claims.exp + tolerance,
        index,
        approver: read.approver,
      });
    }
  }
  return { approvedBy: [...approvers].sort(), records: [...records.values()] };
}
