/**
 * Approval requirements (DESIGN.md section 2, "Approval"): a block may require that calls in
 * a scope be approved by `threshold` distinct approvers out of `approvers` before the
 * verifier allows them (rule 9). This module is the requirement's algebra: its normal form,
 * whether it applies to a call, and the narrowing law (a delegation may add or tighten a
 * requirement, never drop or loosen one).
 *
 * A requirement is a block-level statement with its own scope, not a member of one
 * capability: a set of capabilities allows a call when any one of them does, so a
 * requirement attached to one capability could be walked around through a sibling. Its
 * scope is written like a capability: `resource` (a pattern), `actions`, and `when`, a
 * trigger on the arguments. `when` absent: every call in the scope. Present: the call's
 * arguments are tested against each named constraint, and an argument that is absent
 * counts as a match (fail closed: leaving an argument out never dodges an approval);
 * arguments `when` does not name are ignored.
 *
 * Approvers are RFC 9278 JWK thumbprint URIs, or the keyword {@link APPROVER_USER}: the
 * originating user's own registered keys (the verifier's `userKeys` option resolves them).
 */
import type { z } from 'zod';
import { authorize, isSubset, normalizeCapabilities, type AlgebraOptions } from './capability.js';
import { MandateError } from './errors.js';
import { describeConstraint } from './explain.js';
import { deepFreeze } from './freeze.js';
import { jsonKey, joinPath } from './json.js';
import { resolveLimits } from './limits.js';
import { isString, listOf, optionalMembers, plainRecord, scopeMembers } from './quick-parse.js';
import { parseShape, type Shape } from './schemas.js';
import { lazySchema } from './zod.js';
import type { Action, Capability, Constraint, ConstraintInput, Json } from './types.js';

/** The approver keyword for the mandate's originating user (the root's `sub`). */
export const APPROVER_USER = 'user';

/** Most approvers one requirement may name. */
export const MAX_APPROVERS = 16;

const THUMBPRINT_URI = /^urn:ietf:params:oauth:jwk-thumbprint:sha-256:[A-Za-z0-9_-]{43}$/;

/** An approval requirement as callers write it. */
export interface ApprovalRequirementInput {
  /** Resource pattern of the calls it covers (as in a capability: `billing:invoices/**`). */
  readonly resource: string;
  /** The actions it covers. */
  readonly actions: readonly string[];
  /**
   * Only calls whose arguments match these constraints (an absent argument matches;
   * unnamed arguments are ignored). Absent: every call on `resource` with one of `actions`.
   */
  readonly when?: Readonly<Record<string, ConstraintInput>>;
  /** RFC 9278 thumbprint URIs of the approvers' keys, or `'user'` (the originating user). */
  readonly approvers: readonly string[];
  /** How many distinct approvers must approve (default 1; at most `approvers.length`). */
  readonly threshold?: number;
}

/**
 * A requirement in normal form: actions and approvers sorted and de-duplicated, `when` in
 * wire-form constraints with sorted argument names (omitted when empty), `threshold` set.
 */
export interface ApprovalRequirement {
  readonly resource: string;
  readonly actions: readonly string[];
  readonly when?: Readonly<Record<string, Constraint>>;
  readonly approvers: readonly string[];
  readonly threshold: number;
}

const requirementSchema = lazySchema((z) =>
  z.strictObject({
    resource: z.string(),
    actions: z.array(z.string()).min(1, 'must name at least one action'),
    when: z.record(z.string(), z.unknown()).optional(),
    approvers: z
      .array(z.string())
      .min(1, 'must name at least one approver')
      .max(MAX_APPROVERS, `must hold at most ${MAX_APPROVERS} items`),
    threshold: z.number().int().min(1).max(MAX_APPROVERS).optional(),
  }),
);

const REQUIREMENT_MEMBERS = new Set(['resource', 'actions', 'when', 'approvers', 'threshold']);

/**
 * A requirement as written (its schema, and a quick parser for what the schema plainly
 * accepts: a genuine requirement loads no zod; `test/unit/core/shapes.test.ts` holds the two
 * together).
 */
export const REQUIREMENT_SHAPE: Shape<z.output<ReturnType<typeof requirementSchema>>> = {
  schema: requirementSchema,
  quick: (value) => {
    const scope = scopeMembers(value, REQUIREMENT_MEMBERS);
    const approvers = scope && listOf(scope.m['approvers'], isString, 1, MAX_APPROVERS);
    if (scope === undefined || approvers === undefined) return undefined;
    const out: {
      resource: string;
      actions: string[];
      when?: Record<string, unknown>;
      approvers: string[];
      threshold?: number;
    } = { resource: scope.resource, actions: scope.actions, approvers };
    const parsed = optionalMembers(scope.m, out, {
      when: plainRecord,
      threshold: (v) =>
        Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_APPROVERS ? v : undefined,
    });
    return parsed ? out : undefined;
  },
};

const WILDCARD: Constraint = { constraint_type: 'wildcard' };
const UNNAMED = '*';

function malformed(path: string, message: string, reason: string): never {
  throw new MandateError('MANDATE_MALFORMED', `${path}: ${message}`, {
    check: 'limits',
    detail: { path, reason },
  });
}

/**
 * The calls a trigger covers, as a capability the algebra understands: every argument
 * `when` names optional (absent matches), every other argument free (`"*"`).
 */
function scopeInput(
  resource: string,
  actions: readonly string[],
  when: Readonly<Record<string, unknown>> | undefined,
): Json {
  const names = when === undefined ? [] : Object.keys(when);
  if (names.length === 0) return { resource, actions: [...actions] };
  const constraints: Record<string, Json> = {};
  for (const name of names) {
    const c = (when as Record<string, Json>)[name] as Json;
    Object.defineProperty(constraints, name, {
      value: c,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  constraints[UNNAMED] = WILDCARD;
  return { resource, actions: [...actions], constraints, optional: names };
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The scope capability of each normal-form requirement this module returned. */
const scopes = new WeakMap<ApprovalRequirement, readonly Capability[]>();

function normalizeOne(input: unknown, path: string, options?: AlgebraOptions): ApprovalRequirement {
  const raw = parseShape(REQUIREMENT_SHAPE, input, path);
  const own = input as Readonly<Record<string, unknown>>;
  // Read `when` from the input itself (zod rebuilds records by assignment: `__proto__`).
  const when = Object.hasOwn(own, 'when')
    ? (own['when'] as Readonly<Record<string, unknown>>)
    : undefined;
  if (when !== undefined && Object.hasOwn(when, UNNAMED)) {
    malformed(joinPath(joinPath(path, 'when'), UNNAMED), 'is reserved', 'reserved');
  }
  const [scope] = normalizeCapabilities([scopeInput(raw.resource, raw.actions, when)] as never, {
    ...options,
  });
  if (scope === undefined) throw new Error('a requirement scope normalised to nothing');
  const approvers = [...new Set(raw.approvers)].sort(byCodeUnit);
  approvers.forEach((approver, i) => {
    if (approver !== APPROVER_USER && !THUMBPRINT_URI.test(approver)) {
      malformed(
        joinPath(joinPath(path, 'approvers'), i),
        `must be an RFC 9278 SHA-256 thumbprint URI or '${APPROVER_USER}'`,
        'approver',
      );
    }
  });
  const threshold = raw.threshold ?? 1;
  if (threshold > approvers.length) {
    malformed(
      joinPath(path, 'threshold'),
      `${threshold} exceeds the ${approvers.length} distinct approver(s)`,
      'threshold',
    );
  }
  const named = Object.entries(scope.constraints ?? {}).filter(([name]) => name !== UNNAMED);
  const requirement: ApprovalRequirement = {
    resource: scope.resource,
    actions: scope.actions,
    ...(named.length === 0 ? {} : { when: Object.fromEntries(named) }),
    approvers,
    threshold,
  };
  deepFreeze(requirement);
  scopes.set(requirement, [scope]);
  return requirement;
}

/**
 * Validates approval requirements and returns their normal form, sorted and de-duplicated
 * (by their RFC 8785 form), deep-frozen. Idempotent.
 *
 * @throws MandateError `MANDATE_MALFORMED` / `MANDATE_LIMIT_EXCEEDED` (check `limits`) with
 *   `detail.path`.
 */
export function normalizeApprovalRequirements(
  input: readonly ApprovalRequirementInput[],
  options?: AlgebraOptions & { readonly path?: string },
): ApprovalRequirement[] {
  const path = options?.path ?? 'approvals';
  if (!Array.isArray(input)) malformed(path, 'must be an array', 'type');
  const limits = resolveLimits(options?.limits);
  if (input.length > limits.maxCapabilities) {
    throw new MandateError(
      'MANDATE_LIMIT_EXCEEDED',
      `${path}: more than ${limits.maxCapabilities} approval requirements`,
      { check: 'limits', detail: { path, limit: limits.maxCapabilities } },
    );
  }
  const byKey = new Map<string, ApprovalRequirement>();
  (input as readonly unknown[]).forEach((entry, i) => {
    const requirement = normalizeOne(entry, joinPath(path, i), options);
    byKey.set(jsonKey(requirement as unknown as Json), requirement);
  });
  return deepFreeze(
    [...byKey.entries()].sort(([a], [b]) => byCodeUnit(a, b)).map(([, requirement]) => requirement),
  );
}

/** The capability whose allowed calls are exactly the calls `requirement` covers. */
function scopeOf(
  requirement: ApprovalRequirement,
  options?: AlgebraOptions,
): readonly Capability[] {
  const known = scopes.get(requirement);
  if (known !== undefined) return known;
  const scope = normalizeCapabilities(
    [scopeInput(requirement.resource, requirement.actions, requirement.when)] as never,
    options,
  );
  scopes.set(requirement, scope);
  return scope;
}

/**
 * Whether `requirement` covers the call. Fails closed: an action the algebra cannot read
 * (malformed) counts as covered.
 */
export function requirementApplies(
  requirement: ApprovalRequirement,
  action: Action,
  options?: AlgebraOptions,
): boolean {
  const result = authorize(scopeOf(requirement, options), action, options);
  return result.allowed || result.code !== 'MANDATE_FORBIDDEN';
}

/**
 * Whether `child` is at least as strict as `parent`: it covers every call `parent` covers
 * (its scope and trigger are no narrower), needs at least as many approvals, and accepts
 * only approvers `parent` accepts — so whatever satisfies `child` satisfies `parent`.
 */
export function requirementImplies(
  child: ApprovalRequirement,
  parent: ApprovalRequirement,
  options?: AlgebraOptions,
): boolean {
  return (
    child.threshold >= parent.threshold &&
    child.approvers.every((approver) => parent.approvers.includes(approver)) &&
    isSubset(scopeOf(parent, options), scopeOf(child, options), {
      ...options,
      profile: 'mandate',
    })
  );
}

/** Why a block's requirements are looser than its parent's: the first parent requirement not kept. */
export interface ApprovalLoosening {
  /** Index of the parent's requirement (in its normal form). */
  readonly requirement: number;
  /**
   * `dropped`: no requirement of the child covers every call the parent's covers;
   * `loosened`: some do, but each needs fewer approvals or accepts other approvers.
   */
  readonly reason: 'dropped' | 'loosened';
}

/**
 * The narrowing law for approval requirements: the first requirement of `parent` that no
 * requirement of `child` implies (see {@link requirementImplies}), or `undefined` when
 * `child` keeps every one of them (possibly tightened, possibly with more of its own).
 */
export function findApprovalLoosening(
  parent: readonly ApprovalRequirement[],
  child: readonly ApprovalRequirement[],
  options?: AlgebraOptions,
): ApprovalLoosening | undefined {
  for (const [index, p] of parent.entries()) {
    if (child.some((c) => requirementImplies(c, p, options))) continue;
    const covering = child.some((c) =>
      isSubset(scopeOf(p, options), scopeOf(c, options), { ...options, profile: 'mandate' }),
    );
    return { requirement: index, reason: covering ? 'loosened' : 'dropped' };
  }
  return undefined;
}

/** A requirement in plain words: `2 of 3 approvers for pay on billing:invoices/** when amount …`. */
export function describeRequirement(requirement: ApprovalRequirement): string {
  const who =
    requirement.approvers.length === 1
      ? requirement.approvers[0] === APPROVER_USER
        ? 'the user'
        : '1 named approver'
      : `${requirement.threshold} of ${requirement.approvers.length} approvers`;
  const when = Object.entries(requirement.when ?? {})
    .map(([name, c], n) => `${n === 0 ? ' when' : ' and'} ${name} is ${describeConstraint(c)}`)
    .join('');
  return `approval by ${who} for ${requirement.actions.join('/')} on ${requirement.resource}${when}`;
}
