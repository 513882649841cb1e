/**
 * Argument maps: a capability's (or an AAT tool's) constraints keyed by argument name, under
 * closed-world rules, with optional arguments and the reserved `"*"` key (AAT section 3.3):
 * their normal form and their narrowing in both profiles.
 */
import { withBudget } from '../budget.js';
import { malformed } from '../failure.js';
import { assertJson, isJsonArray, joinPath } from '../json.js';
import { resolveLimits, type Limits } from '../limits.js';
import { validateArgumentName } from '../names.js';
import type { Constraint, ConstraintInput, Json } from '../types.js';
import { argMapDecideAat } from './aat-profile.js';
import { UNNAMED_ARGUMENTS, WILDCARD, type ArgMap, type ArgMapFailure } from './forms.js';
import { narrowerMandate, type NarrowingOptions, type NarrowingProfile } from './narrowing.js';
import { constraintBounds, parseConstraintTree } from './parse.js';
import { unsat } from './satisfiability.js';

/** One argument's constraint as callers write it: optionally marked `optional: true`. */
export type ArgConstraintInput = ConstraintInput & { readonly optional?: boolean };

/**
 * A tool's / capability's argument constraints, keyed by argument name. The reserved key
 * `"*"` (AAT section 3.3) constrains every argument the map does not name; its value must be
 * `{ constraint_type: 'wildcard' }` without `optional`.
 */
export type ArgConstraints = Readonly<Record<string, ArgConstraintInput>>;

/** Options of {@link isArgMapNarrower}. */
export interface ArgMapOptions extends NarrowingOptions {
  /** Child arguments that may be absent (as if marked `optional: true`). */
  readonly childOptional?: readonly string[] | undefined;
  /** Parent arguments that may be absent (as if marked `optional: true`). */
  readonly parentOptional?: readonly string[] | undefined;
  readonly limits?: Partial<Limits> | undefined;
}

/**
 * Validates an argument map's names and constraints (well-formed as AAT section 3.4 says:
 * `optional`, where present, a boolean on a top-level entry only; `"*"` a `wildcard`
 * without `optional`) and returns its normal form. An absent map is an empty one (open).
 */
export function normalizeArgMap(input: unknown, path: string, limits: Limits): ArgMap {
  const named = new Map<string, Constraint>();
  const optional = new Set<string>();
  if (input === undefined) return { named, optional, open: true };
  assertJson(input, path, constraintBounds(limits));
  if (input === null || typeof input !== 'object' || isJsonArray(input)) {
    malformed(`${path}: must be an object mapping argument names to constraints`, {
      path,
      reason: 'type',
    });
  }
  const keys = Object.keys(input).sort();
  let open = keys.length === 0;
  for (const key of keys) {
    const p = joinPath(path, key);
    validateArgumentName(key, p);
    let entry = input[key] as Json;
    let isOptional = false;
    if (entry !== null && typeof entry === 'object' && !isJsonArray(entry)) {
      if (Object.hasOwn(entry, 'optional')) {
        const flag = entry['optional'];
        if (typeof flag !== 'boolean') {
          const at = joinPath(p, 'optional');
          malformed(`${at}: optional must be a boolean`, { path: at, reason: 'optional' });
        }
        isOptional = flag;
        entry = Object.fromEntries(Object.entries(entry).filter(([m]) => m !== 'optional'));
      }
    }
    // Nested clauses are parsed by strict schemas, so `optional` inside all / any is refused.
    const constraint = parseConstraintTree(entry, p, limits, 1);
    if (key === UNNAMED_ARGUMENTS) {
      if (constraint.constraint_type !== 'wildcard' || entry !== input[key]) {
        malformed(`${p}: "*" must be a wildcard constraint without optional`, {
          path: p,
          reason: 'unnamed-not-wildcard',
        });
      }
      open = true;
      continue;
    }
    named.set(key, constraint);
    if (isOptional) optional.add(key);
  }
  return { named, optional, open };
}

/** `ArgMap` with more arguments marked optional (Mandate's capability-level `optional` list). */
export function withOptional(map: ArgMap, names: Iterable<string>): ArgMap {
  const optional = new Set(map.optional);
  for (const name of names) optional.add(name);
  return { named: map.named, optional, open: map.open };
}

/**
 * Closed-world narrowing of argument maps on normalised input, labelled with the AAT steps.
 *
 * Profile `'aat'` is the draft's steps 4p2-4p4 exactly: every key the child names is named
 * by the parent unless the parent is open (`"*"` or empty); every key the parent names and
 * the child omits is optional in the parent, and the child is then not open; the child is
 * open only if the parent is (4p2); a required argument stays required (4p3); each named
 * constraint is subsumed by the parent's (or by the parent's `"*"`, a wildcard) (4p4).
 *
 * Profile `'mandate'` decides the same question semantically and exactly (given exact
 * constraint narrowing): a map allows, for each argument name independently, a set of
 * states (absent, or a value its constraint accepts; an unnamed argument is absent, or any
 * value when the map is open), so the child allows a subset of the parent's argument maps
 * iff it allows none at all (a required argument whose constraint matches nothing) or, name
 * by name, its states are a subset of the parent's.
 */
export function argMapNarrowerNormalized(
  child: ArgMap,
  parent: ArgMap,
  profile: NarrowingProfile = 'mandate',
): true | ArgMapFailure {
  return withBudget(() =>
    profile === 'aat' ? argMapDecideAat(child, parent) : argMapDecideMandate(child, parent),
  );
}

function argMapDecideMandate(child: ArgMap, parent: ArgMap): true | ArgMapFailure {
  for (const [k, c] of child.named) {
    // A required argument nobody can satisfy: the child allows no request at all.
    if (!child.optional.has(k) && unsat(c)) return true;
  }
  // The key rules (4p2): what the child allows absent or unnamed, the parent must allow.
  for (const [k, c] of child.named) {
    if (!parent.named.has(k) && !parent.open && !unsat(c)) {
      return { step: '4p2', arg: k, reason: 'argument-added' };
    }
  }
  for (const [k, p] of parent.named) {
    if (child.named.has(k)) continue;
    if (!parent.optional.has(k)) {
      const reason =
        child.named.size === 0 && child.open ? 'child-unconstrained' : 'argument-removed';
      return { step: '4p2', arg: k, reason };
    }
    // The child's "*" admits any value of k; the parent must too.
    if (child.open && !narrowerMandate(WILDCARD, p)) {
      return { step: '4p2', arg: k, reason: 'unnamed-kept' };
    }
  }
  if (child.open && !parent.open) {
    const [first] = parent.named.keys();
    return child.named.size === 0
      ? { step: '4p2', arg: first ?? UNNAMED_ARGUMENTS, reason: 'child-unconstrained' }
      : { step: '4p2', arg: UNNAMED_ARGUMENTS, reason: 'unnamed-added' };
  }
  // 4p3: an argument the child lets be absent, the parent must let be absent.
  for (const k of child.named.keys()) {
    if (child.optional.has(k) && parent.named.has(k) && !parent.optional.has(k)) {
      return { step: '4p3', arg: k, reason: 'argument-made-optional' };
    }
  }
  for (const [k, c] of child.named) {
    const p = parent.named.get(k) ?? (parent.open ? WILDCARD : undefined);
    // Unnamed in a closed parent: allowed only absent, so the child must forbid it (checked above).
    if (p === undefined) continue;
    if (!narrowerMandate(c, p)) return { step: '4p4', arg: k, reason: 'constraint-not-narrower' };
  }
  return true;
}

/**
 * Closed-world narrowing of a tool's (or capability's) argument constraint map: `true`, or
 * the first failure with the AAT verification step it corresponds to. An absent or empty
 * map is open (any arguments), as is a map with `"*"`; entries may carry `optional: true`.
 * See {@link argMapNarrowerNormalized} for the rules.
 *
 * @throws MandateError `MANDATE_MALFORMED` / `MANDATE_LIMIT_EXCEEDED` for invalid input.
 */
export function isArgMapNarrower(
  child: ArgConstraints | undefined,
  parent: ArgConstraints | undefined,
  options: ArgMapOptions = {},
): true | ArgMapFailure {
  const limits = resolveLimits(options.limits);
  return argMapNarrowerNormalized(
    withOptional(normalizeArgMap(child, 'child', limits), options.childOptional ?? []),
    withOptional(normalizeArgMap(parent, 'parent', limits), options.parentOptional ?? []),
    options.profile ?? 'mandate',
  );
}
