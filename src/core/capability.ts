/**
 * The capability algebra: normal form, authorization, inclusion and intersection of
 * capability sets (DESIGN.md sections 2 and 5).
 *
 * A capability allows an action when its resource pattern matches, its actions include the
 * action, and its constraints hold for the arguments. Constraints apply to every one of its
 * actions. Arguments are closed-world: once a capability constrains any argument, an
 * argument it does not name is denied unless the map has the reserved key `"*"` (AAT
 * section 3.3: a wildcard for every unnamed argument), and a constrained argument that is
 * absent is denied unless it is optional (listed in `optional`, or its entry marked
 * `optional: true`). A capability without constraints (or with an empty map, or only `"*"`)
 * allows any arguments. A set of capabilities allows an action when one of them does.
 */
import { budgetUnspent, metered, replay, withBudget } from './budget.js';
import { MandateError, type ErrorDetail, type MandateErrorCode } from './errors.js';
import { limitExceeded, malformed } from './failure.js';
import { deepFreeze } from './freeze.js';
import { assertRequestWithin } from './request-bounds.js';
import { argMapNarrowerNormalized, normalizeArgMap } from './constraint/arg-map.js';
import { checkNormalized } from './constraint/check.js';
import {
  emptyConstraint,
  UNNAMED_ARGUMENTS,
  WILDCARD,
  type ArgMap,
  type ArgMapFailure,
} from './constraint/forms.js';
import { intersectNormalized } from './constraint/intersection.js';
import type { NarrowingProfile } from './constraint/narrowing.js';
import { constraintBounds } from './constraint/parse.js';
import { isUnsatisfiable } from './constraint/satisfiability.js';
import { assertJson, jsonKey, joinPath, type JsonBounds } from './json.js';
import { describeConstraint, explainMissing, explainUnknown, explainViolation } from './explain.js';
import { MAX_JSON_NODES, limitsKey, resolveLimits, type Limits } from './limits.js';
import {
  parseConcreteResource,
  parseResourcePattern,
  validateActionName,
  validateArgumentName,
} from './names.js';
import type { ParsedResource } from './names.js';
import { intersectParsed, isParsedSubset, matchesParsed, formatResource } from './resource.js';
import { CAPABILITY_INPUT_SHAPE } from './capability-shapes.js';
import { parseShape } from './schemas.js';
import type { Action, Capability, CapabilityInput, Constraint, Json } from './types.js';

/** Options shared by the algebra's entry points. */
export interface AlgebraOptions {
  readonly limits?: Partial<Limits> | undefined;
  /**
   * The subsumption rules `findWidening` / {@link isSubset} apply (default `'mandate'`).
   * `'aat'` is the AAT draft's exact structural rules: every child capability needs a
   * covering parent (even one that allows nothing), and argument maps narrow by steps 4p2-4p4.
   */
  readonly profile?: NarrowingProfile | undefined;
}

/** A capability prepared for repeated evaluation. */
interface Prepared {
  readonly cap: Capability;
  readonly resource: ParsedResource;
  readonly args: ReadonlyMap<string, Constraint>;
  readonly optional: ReadonlySet<string>;
  /** Unnamed arguments are allowed (no constraints, or `"*"`). */
  readonly open: boolean;
}

function argMapOf(p: Prepared): ArgMap {
  return { named: p.args, optional: p.optional, open: p.open };
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The normal form: named constraints sorted, `"*"` only beside named ones (alone it is the
 * same as no constraints), `optional` sorted. `open` false with no named argument cannot
 * be written (it would read as open): callers keep a forbidden argument instead.
 */
function build(
  resource: string,
  actions: readonly string[],
  args: ReadonlyMap<string, Constraint>,
  optional: ReadonlySet<string>,
  open = false,
): Capability {
  if (args.size === 0) return { resource, actions };
  const keys = [...args.keys()].sort(byCodeUnit);
  const entries: [string, Constraint][] = keys.map((k) => [k, args.get(k) as Constraint]);
  if (open) entries.unshift([UNNAMED_ARGUMENTS, WILDCARD]);
  // fromEntries defines members, so an argument named `__proto__` stays a data member.
  const constraints = Object.fromEntries(entries);
  const opt = keys.filter((k) => optional.has(k));
  return opt.length > 0
    ? { resource, actions, constraints, optional: opt }
    : { resource, actions, constraints };
}

function prepareOne(input: unknown, path: string, limits: Limits): Prepared {
  const raw = parseShape(CAPABILITY_INPUT_SHAPE, input, path);
  // zod rebuilds records by assignment, which would turn an argument named `__proto__`
  // into a prototype and silently drop its constraint (a widening): read the validated
  // input's own members instead of zod's copy.
  const own = input as { readonly [k: string]: Json };
  const rawConstraints = Object.hasOwn(own, 'constraints') ? own['constraints'] : undefined;
  const resource = parseResourcePattern(
    raw.resource,
    joinPath(path, 'resource'),
    limits.maxStringLength,
  );
  const actions = [
    ...new Set(
      raw.actions.map((a, i) => validateActionName(a, joinPath(joinPath(path, 'actions'), i))),
    ),
  ].sort(byCodeUnit);
  const map = normalizeArgMap(rawConstraints, joinPath(path, 'constraints'), limits);
  const args = map.named;
  const optional = new Set(map.optional);
  (raw.optional ?? []).forEach((name, i) => {
    const p = joinPath(joinPath(path, 'optional'), i);
    validateArgumentName(name, p);
    // An optional argument that is not constrained would be meaningless (and, in an
    // unconstrained capability, suggest closed-world semantics that do not apply).
    if (!args.has(name))
      malformed(`${p}: '${name}' is not a constrained argument`, {
        path: p,
        reason: 'optional-unconstrained',
      });
    optional.add(name);
  });
  const open = map.open;
  return {
    cap: build(raw.resource, actions, args, optional, open),
    resource,
    args,
    optional,
    open,
  };
}

/**
 * Normal-form arrays this module returned (deep-frozen, so they cannot go stale), with their
 * prepared form and the limits they were validated under. A verifier asks about the same
 * block capabilities on every hop and every request; preparing them once, validation
 * included, keeps that off the hot path. A hit counts only under the same limits: a normal
 * form validated under looser limits is validated again under stricter ones.
 */
const preparedCache = new WeakMap<
  object,
  { readonly prepared: Prepared[]; readonly limits: string }
>();

/** The prepared form of a normal form this module returned under `limits`, if it is one. */
function cachedPrepared(input: unknown, limits: Limits): Prepared[] | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const hit = preparedCache.get(input);
  return hit !== undefined && hit.limits === limitsKey(limits) ? hit.prepared : undefined;
}

function prepareAll(input: unknown, options: AlgebraOptions | undefined): Prepared[] {
  const limits = resolveLimits(options?.limits);
  const hit = cachedPrepared(input, limits);
  if (hit !== undefined) return hit;
  const path = 'capabilities';
  if (!Array.isArray(input)) malformed(`${path}: must be an array`, { path, reason: 'type' });
  if (input.length > limits.maxCapabilities) {
    limitExceeded(`${path}: more than ${limits.maxCapabilities} capabilities`, {
      path,
      reason: 'capabilities',
      limit: limits.maxCapabilities,
    });
  }
  assertJson(input, path, constraintBounds(limits));
  const out: Prepared[] = [];
  const seen = new Set<string>();
  input.forEach((c, i) => {
    const p = prepareOne(c, joinPath(path, i), limits);
    const key = jsonKey(p.cap as unknown as Json);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  });
  return out;
}

/**
 * Validates capabilities and returns their normal form: wire-form constraints with sorted
 * argument names, sorted and de-duplicated actions and `optional`, empty `constraints` /
 * `optional` omitted, duplicate capabilities dropped. Idempotent.
 *
 * @throws MandateError `MANDATE_MALFORMED` or `MANDATE_LIMIT_EXCEEDED` (check `limits`) with
 *   `detail.path`; never a `ZodError`.
 */
export function normalizeCapabilities(
  input: readonly CapabilityInput[],
  options?: AlgebraOptions,
): Capability[] {
  const prepared = prepareAll(input, options);
  const capabilities = deepFreeze(prepared.map((p) => p.cap));
  preparedCache.set(capabilities, {
    prepared,
    limits: limitsKey(resolveLimits(options?.limits)),
  });
  return capabilities;
}

// ---------------------------------------------------------------------------------------
// Authorization

/** The outcome of {@link authorize}. */
export type Authorization =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      /** `MANDATE_FORBIDDEN`, or `MANDATE_MALFORMED` / `MANDATE_LIMIT_EXCEEDED` for bad input. */
      readonly code: MandateErrorCode;
      readonly reason: string;
      readonly detail: ErrorDetail;
    };

/** The first argument a capability refuses, and why in plain words (`reason`). */
type ArgProblem = {
  readonly arg: string;
  readonly why: 'unknown' | 'missing' | 'constraint';
  readonly reason: string;
  /** For `constraint`: what the capability allows there (`a number at most 200`). */
  readonly expected?: string;
};

function argProblem(p: Prepared, args: Readonly<Record<string, Json>>): ArgProblem | undefined {
  if (p.args.size === 0) return undefined;
  // Unnamed arguments: denied in a closed map, any value under "*" (an argument literally
  // named "*" is unnamed too, AAT section 3.3).
  if (!p.open) {
    for (const name of Object.keys(args)) {
      if (!p.args.has(name)) {
        return { arg: name, why: 'unknown', reason: explainUnknown(name, [...p.args.keys()]) };
      }
    }
  }
  for (const [name, c] of p.args) {
    if (!Object.hasOwn(args, name)) {
      if (p.optional.has(name)) continue;
      return { arg: name, why: 'missing', reason: explainMissing(name, p.cap.actions) };
    }
    const value = args[name] as Json;
    if (!checkNormalized(c, value)) {
      return {
        arg: name,
        why: 'constraint',
        reason: explainViolation(name, c, value),
        expected: describeConstraint(c),
      };
    }
  }
  return undefined;
}

const REQUEST_BOUNDS: JsonBounds = { maxArrayLength: MAX_JSON_NODES };

/**
 * Decides whether the capabilities allow the action. Never throws: malformed capabilities
 * or a malformed action (bad resource name, non-JSON arguments) are denials with
 * `MANDATE_MALFORMED` / `MANDATE_LIMIT_EXCEEDED`; an action outside the capabilities is
 * `MANDATE_FORBIDDEN`, with `detail` naming the resource, the action and, when a capability
 * matched resource and action, the first argument problem of each such capability
 * (`detail.problems`: argument names and what each capability allows there, never values;
 * the reason, for the first problem, shows the value that was sent and the limit it broke).
 *
 * Not checked here: who is asking, or whether the capabilities are genuine — that is the
 * verifier's job (its nine rules, docs/format.md).
 */
export function authorize(
  capabilities: readonly CapabilityInput[],
  action: Action,
  options?: AlgebraOptions,
): Authorization {
  let prepared: Prepared[];
  let parsed: ParsedAction;
  try {
    prepared = prepareAll(capabilities, options);
    parsed = parseAction(action, options);
  } catch (err) {
    return inputDenial(err);
  }
  return decide(prepared, action, parsed);
}

/**
 * {@link authorize} against each capability set in turn, the action read once: the first
 * set that does not allow it, with its index and the denial `authorize` would give, or
 * `undefined` when every set allows it.
 */
export function authorizeEach(
  sets: readonly (readonly CapabilityInput[])[],
  action: Action,
  options?: AlgebraOptions,
):
  | { readonly index: number; readonly denial: Authorization & { readonly allowed: false } }
  | undefined {
  let parsed: ParsedAction | undefined;
  for (let index = 0; index < sets.length; index++) {
    // The same set as the one before (a hop that kept its parent's capabilities: decoded
    // blocks with the same entries share one normalised array) allows what that one allowed.
    if (index > 0 && sets[index] === sets[index - 1]) continue;
    let prepared: Prepared[];
    try {
      prepared = prepareAll(sets[index], options);
      parsed ??= parseAction(action, options);
    } catch (err) {
      return { index, denial: inputDenial(err) };
    }
    const result = decide(prepared, action, parsed);
    if (!result.allowed) return { index, denial: result };
  }
  return undefined;
}

interface ParsedAction {
  readonly resource: ParsedResource;
  readonly args: Readonly<Record<string, Json>>;
}

function inputDenial(err: unknown): Authorization & { readonly allowed: false } {
  if (err instanceof MandateError) return denial(err.code, err.message, err.detail);
  return denial('MANDATE_MALFORMED', 'input could not be read', {});
}

function denial(
  code: MandateErrorCode,
  reason: string,
  detail: ErrorDetail,
): Authorization & { readonly allowed: false } {
  return { allowed: false, code, reason, detail };
}

/** Validates the action; throws a coded error for a malformed one. */
function parseAction(action: Action, options: AlgebraOptions | undefined): ParsedAction {
  const limits = resolveLimits(options?.limits);
  const a = action as unknown;
  if (a === null || typeof a !== 'object')
    malformed(`action: must be an object`, { path: 'action', reason: 'type' });
  const { resource: r, action: name, args: rawArgs } = action;
  // Sizes first, so nothing below (names, shape, matching) works on an oversized request.
  assertRequestWithin(action, undefined, limits);
  const resource = parseConcreteResource(r, 'action.resource', limits.maxStringLength);
  validateActionName(name, 'action.action');
  let args: Readonly<Record<string, Json>>;
  if (rawArgs === undefined) args = {};
  else {
    assertJson(rawArgs, 'action.args', REQUEST_BOUNDS);
    if (rawArgs === null || typeof rawArgs !== 'object' || Array.isArray(rawArgs)) {
      malformed(`action.args: must be an object`, { path: 'action.args', reason: 'type' });
    }
    args = rawArgs;
  }
  return { resource, args };
}

function decide(prepared: Prepared[], action: Action, parsed: ParsedAction): Authorization {
  const { resource, args } = parsed;
  const onResource = prepared.filter((p) => matchesParsed(p.resource, resource));
  const withAction = onResource.filter((p) => p.cap.actions.includes(action.action));
  const problems: (ArgProblem & { capability: number })[] = [];
  for (const p of withAction) {
    const problem = argProblem(p, args);
    if (problem === undefined) return { allowed: true };
    problems.push({ ...problem, capability: prepared.indexOf(p) });
  }
  const base = { resource: action.resource, action: action.action };
  if (onResource.length === 0) {
    return denial('MANDATE_FORBIDDEN', `no capability covers resource '${action.resource}'`, base);
  }
  if (withAction.length === 0) {
    return denial(
      'MANDATE_FORBIDDEN',
      `action '${action.action}' is not granted on '${action.resource}'`,
      base,
    );
  }
  const why = problems[0]?.reason ?? 'arguments not allowed';
  return denial('MANDATE_FORBIDDEN', why, {
    ...base,
    problems: problems.map(({ reason: _reason, ...problem }) => problem),
  });
}

/**
 * True when the capabilities allow the action (resource, action and every argument), as the
 * verifier's `authorize` rule decides it. Never throws.
 */
export function allows(
  capabilities: readonly CapabilityInput[],
  action: Action,
  options?: AlgebraOptions,
): boolean {
  return authorize(capabilities, action, options).allowed;
}

// ---------------------------------------------------------------------------------------
// Inclusion

/** A required argument that no value satisfies: the capability allows nothing. */
function isEmptyCapability(p: Prepared): boolean {
  for (const [k, c] of p.args) if (!p.optional.has(k) && isUnsatisfiable(c)) return true;
  return false;
}

/** Why a capability set is not a subset of another: the first uncovered (capability, action). */
export interface Widening {
  /** Index of the capability (in the normalised child set). */
  readonly capability: number;
  readonly action: string;
  readonly resource: string;
  /**
   * `resource`: no parent capability grants the action on a covering resource pattern;
   * `arguments`: some do, but none has narrower argument constraints (`failure` is the
   * first such parent's).
   */
  readonly reason: 'resource' | 'arguments';
  readonly failure?: ArgMapFailure;
}

function argsNarrower(c: Prepared, p: Prepared, profile: NarrowingProfile): true | ArgMapFailure {
  return argMapNarrowerNormalized(argMapOf(c), argMapOf(p), profile);
}

function findWideningPrepared(
  child: Prepared[],
  parent: Prepared[],
  profile: NarrowingProfile = 'mandate',
): Widening | undefined {
  for (const [i, c] of child.entries()) {
    // The draft has no notion of an empty capability: a tool must be in the parent (4p1).
    if (profile === 'mandate' && isEmptyCapability(c)) continue;
    for (const action of c.cap.actions) {
      const candidates = parent.filter(
        (p) => p.cap.actions.includes(action) && isParsedSubset(c.resource, p.resource),
      );
      let failure: ArgMapFailure | undefined;
      let covered = false;
      for (const p of candidates) {
        const r = argsNarrower(c, p, profile);
        if (r === true) {
          covered = true;
          break;
        }
        failure ??= r;
      }
      if (covered) continue;
      const base = { capability: i, action, resource: c.cap.resource };
      return failure === undefined
        ? { ...base, reason: 'resource' }
        : { ...base, reason: 'arguments', failure };
    }
  }
  return undefined;
}

/**
 * The first (capability, action) of `child` that no single capability of `parent` covers,
 * or `undefined` when `child` is a subset of `parent` (see {@link isSubset}).
 *
 * @throws MandateError `MANDATE_MALFORMED` / `MANDATE_LIMIT_EXCEEDED` for invalid input.
 */
export function findWidening(
  child: readonly CapabilityInput[],
  parent: readonly CapabilityInput[],
  options?: AlgebraOptions,
): Widening | undefined {
  const c = prepareAll(child, options);
  const p = prepareAll(parent, options);
  // Between normal forms this module returned (deep-frozen, so they cannot change), from a
  // fresh budget, the answer depends only on the pair and the profile: remember it, with the
  // units it spent (replayed on a hit, so the rest of a hop's check sees the same budget). A
  // verifier asks it for every hop of every chain, and the same grants recur.
  // The answer depends on the prepared forms only, not on the limits they were checked under.
  const memoable =
    budgetUnspent() &&
    preparedCache.get(child)?.prepared === c &&
    preparedCache.get(parent)?.prepared === p;
  if (!memoable) return withBudget(() => findWideningPrepared(c, p, options?.profile));
  const profile = options?.profile ?? 'mandate';
  let byParent = wideningMemo.get(child);
  if (byParent === undefined) {
    byParent = new WeakMap();
    wideningMemo.set(child, byParent);
  }
  let byProfile = byParent.get(parent);
  if (byProfile === undefined) {
    byProfile = new Map();
    byParent.set(parent, byProfile);
  }
  const known = byProfile.get(profile);
  if (known !== undefined) {
    replay(known.units);
    return known.widening;
  }
  const { value, units } = withBudget(() => metered(() => findWideningPrepared(c, p, profile)));
  const widening = value === undefined ? undefined : deepFreeze(value);
  byProfile.set(profile, { widening, units });
  return widening;
}

/** `findWidening`'s answers between normal forms (and their cost): child, parent, profile. */
const wideningMemo = new WeakMap<
  object,
  WeakMap<
    object,
    Map<NarrowingProfile, { readonly widening: Widening | undefined; readonly units: number }>
  >
>();

/**
 * True when every request `a` allows, `b` allows. Decided per (capability, action) of `a`:
 * one capability of `b` must grant the action on a pattern that includes `a`'s and have
 * argument constraints narrower under closed-world rules (see `isArgMapNarrower`, profile
 * `'mandate'`). Sound always; exact for the terse constraint forms as long as one capability
 * of `b` covers each capability of `a` (coverage by a union of `b`'s capabilities is not
 * detected, so such an `a` is reported as not a subset).
 *
 * @throws MandateError `MANDATE_MALFORMED` / `MANDATE_LIMIT_EXCEEDED` for invalid input.
 */
export function isSubset(
  a: readonly CapabilityInput[],
  b: readonly CapabilityInput[],
  options?: AlgebraOptions,
): boolean {
  return findWidening(a, b, options) === undefined;
}

// ---------------------------------------------------------------------------------------
// Intersection

function intersectPair(a: Prepared, b: Prepared): Capability | undefined {
  const resource = intersectParsed(a.resource, b.resource);
  if (resource === undefined) return undefined;
  const actions = a.cap.actions.filter((x) => b.cap.actions.includes(x));
  if (actions.length === 0) return undefined;
  const pattern = formatResource(resource);
  // An unconstrained side accepts every argument map: the other side alone decides.
  if (a.args.size === 0) return build(pattern, actions, b.args, b.optional, b.open);
  if (b.args.size === 0) return build(pattern, actions, a.args, a.optional, a.open);
  // Argument by argument (they are independent): absent when both allow it absent, values
  // both accept; an argument a side does not name is absent, or any value if it is open.
  const open = a.open && b.open;
  const args = new Map<string, Constraint>();
  const optional = new Set<string>();
  // Arguments that must be absent.
  const absent: string[] = [];
  const keys = new Set([...a.args.keys(), ...b.args.keys()]);
  const side = (p: Prepared, k: string) => {
    const c = p.args.get(k);
    if (c !== undefined) return { c, absent: p.optional.has(k) };
    return { c: p.open ? WILDCARD : emptyConstraint(), absent: true };
  };
  for (const k of keys) {
    const x = side(a, k);
    const y = side(b, k);
    const c = intersectNormalized(x.c, y.c);
    const opt = x.absent && y.absent;
    if (isUnsatisfiable(c)) {
      if (!opt) return undefined;
      absent.push(k);
      // In an open result an unnamed argument may take any value: name it to forbid it.
      if (open) {
        args.set(k, emptyConstraint());
        optional.add(k);
      }
      continue;
    }
    args.set(k, c);
    if (opt) optional.add(k);
  }
  if (args.size === 0) {
    // Both sides are closed-world, so the result must stay closed-world even though no
    // argument may be present: keep one forbidden (optional, matches-nothing) argument.
    const [k] = absent.sort(byCodeUnit);
    if (k !== undefined) {
      args.set(k, emptyConstraint());
      optional.add(k);
    }
  }
  return build(pattern, actions, args, optional, open);
}

/**
 * Capabilities allowing exactly the requests both `a` and `b` allow: the pairwise
 * intersections (resource patterns, actions, and argument maps under closed-world rules;
 * an argument only one side names must be absent, so it is dropped when optional there and
 * makes the pair empty otherwise). Empty pairs are omitted; the result may hold up to
 * |a|·|b| capabilities and is not re-checked against `limits.maxCapabilities`.
 *
 * @throws MandateError `MANDATE_MALFORMED` / `MANDATE_LIMIT_EXCEEDED` for invalid input.
 */
export function intersect(
  a: readonly CapabilityInput[],
  b: readonly CapabilityInput[],
  options?: AlgebraOptions,
): Capability[] {
  const pa = prepareAll(a, options);
  const pb = prepareAll(b, options);
  return withBudget(() => intersectPrepared(pa, pb));
}

function intersectPrepared(pa: readonly Prepared[], pb: readonly Prepared[]): Capability[] {
  const out: Capability[] = [];
  const seen = new Set<string>();
  for (const x of pa) {
    if (isEmptyCapability(x)) continue;
    for (const y of pb) {
      if (isEmptyCapability(y)) continue;
      const c = intersectPair(x, y);
      if (c === undefined) continue;
      const key = jsonKey(c as unknown as Json);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(c);
    }
  }
  return out;
}
