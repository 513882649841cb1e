/**
 * Argument constraints: normalisation, evaluation (`check`), narrowing (`subsumes`) and
 * intersection.
 *
 * Semantics follow the IETF AAT draft (draft-niyikiza-oauth-attenuating-agent-tokens-02,
 * section 3.4 for `check`, section 4.5 / invariant I4 for subsumption) plus Mandate's `glob`
 * extension. Narrowing comes in two profiles:
 *
 * - `'aat'`: exactly the draft's structural rules. Every (parent, derived) type pair the
 *   draft does not list is rejected, even when semantically narrower (the draft's vectors
 *   J.8.4 and J.18.1 require this). Mandate's `glob` declares its own pairs: glob/glob,
 *   and a derived `exact` / `one_of` whose strings all match the parent glob.
 * - `'mandate'` (default): the draft's rules extended by further pairs that are sound by
 *   construction (never accept a widening) and that make narrowing exact for the terse
 *   forms (`eq`, `in`, `min`/`max`, `glob`): a finite derived constraint is narrower when
 *   each of its values passes the parent's `check`; a derived `any` when each alternative
 *   is narrower; anything is narrower than an `all` it is narrower than clause by clause;
 *   an unsatisfiable derived constraint is narrower than everything.
 *
 * Numbers are treated as reals (a range is an interval of reals); this is sound for IEEE
 * doubles, which are a subset.
 */
import { memoUnsat, spend, withBudget } from './budget.js';
import { MandateError } from './errors.js';
import { globIncluded, globMatch, globsIntersect, isLiteralGlob } from './glob.js';
import {
  assertJson,
  cloneJson,
  isJsonArray,
  jsonEqual,
  jsonIncludes,
  joinPath,
  uniqueJson,
  type JsonBounds,
} from './json.js';
import { resolveLimits, type Limits } from './limits.js';
import { validateArgumentName } from './names.js';
import { TERSE_CONSTRAINT_SCHEMAS, WIRE_CONSTRAINT_SCHEMAS, parseWith } from './schemas.js';
import type { Constraint, ConstraintInput, ConstraintType, Json } from './types.js';

type Of<K extends ConstraintType> = Extract<Constraint, { readonly constraint_type: K }>;
/** The `range` constraint (wire form). */
export type Range = Of<'range'>;
/** `T` with its members writable: for building a constraint member by member. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Which subsumption rules to apply; see the module documentation. */
export type NarrowingProfile = 'mandate' | 'aat';

export interface NarrowingOptions {
  /** Default `'mandate'`. */
  readonly profile?: NarrowingProfile | undefined;
}

export interface ConstraintParseOptions {
  /** Prefix for `detail.path` in errors. */
  readonly path?: string | undefined;
  readonly limits?: Partial<Limits> | undefined;
}

/** Most alternatives `intersectConstraints` creates when distributing over `any`. */
const MAX_DISTRIBUTED = 64;

/** Most globs of one conjunction compared pairwise for inclusion / disjointness. */
const MAX_GLOB_MERGE = 8;

/**
 * Most rule applications in one mandate-profile narrowing decision. Past it the answer is
 * `false` (sound: a widening is never accepted); it bounds work on hostile trees.
 */
const NARROWING_BUDGET = 50_000;

/** The constraint that matches nothing. */
export function emptyConstraint(): Constraint {
  return { constraint_type: 'one_of', values: [] };
}

function isEmptyOneOf(c: Constraint): boolean {
  return c.constraint_type === 'one_of' && c.values.length === 0;
}

// ---------------------------------------------------------------------------------------
// Parsing

/** The JSON bounds applied to capabilities and constraints. */
export function constraintBounds(limits: Limits): JsonBounds {
  return {
    maxArrayLength: limits.maxArrayLength,
    maxStringLength: limits.maxStringLength,
    wellFormedStrings: true,
  };
}

function malformed(path: string, message: string, detail: Record<string, unknown>): never {
  throw new MandateError('MANDATE_MALFORMED', `${path}: ${message}`, {
    check: 'limits',
    detail: { path, ...detail },
  });
}

/**
 * Validates a constraint (terse or wire form) and returns its wire form: `{ eq }` becomes
 * `exact`, `{ in }` `one_of`, `{ min, max }` an inclusive `range`, `{ glob }` `glob`; wire
 * forms pass through (copied, without unknown members). An unknown `constraint_type`, an
 * empty `all` / `any`, or a tree deeper than `limits.maxConstraintDepth` is rejected.
 *
 * @throws MandateError `MANDATE_MALFORMED` or `MANDATE_LIMIT_EXCEEDED` (check `limits`),
 *   with `detail.path`.
 */
export function normalizeConstraint(
  input: unknown,
  options: ConstraintParseOptions = {},
): Constraint {
  const limits = resolveLimits(options.limits);
  const path = options.path ?? 'constraint';
  assertJson(input, path, constraintBounds(limits));
  return parseConstraintTree(input, path, limits, 1);
}

/**
 * Parses a constraint tree that `assertJson` has already bounded. Recursion is limited by
 * `limits.maxConstraintDepth` (a leaf has depth 1).
 */
export function parseConstraintTree(
  input: Json,
  path: string,
  limits: Limits,
  depth: number,
): Constraint {
  if (depth > limits.maxConstraintDepth) {
    throw new MandateError(
      'MANDATE_LIMIT_EXCEEDED',
      `${path}: constraint nested deeper than ${limits.maxConstraintDepth}`,
      {
        check: 'limits',
        detail: { path, reason: 'constraint-depth', limit: limits.maxConstraintDepth },
      },
    );
  }
  if (input === null || typeof input !== 'object' || isJsonArray(input)) {
    malformed(path, 'a constraint must be an object', { reason: 'type' });
  }
  if (Object.hasOwn(input, 'constraint_type')) {
    const t = input['constraint_type'];
    if (typeof t !== 'string' || !Object.hasOwn(WIRE_CONSTRAINT_SCHEMAS, t)) {
      // Fail closed: an unrecognised type is a restriction we cannot evaluate (AAT 3.4).
      malformed(joinPath(path, 'constraint_type'), 'unknown constraint_type', {
        reason: 'unknown-constraint-type',
        constraintType: typeof t === 'string' ? t.slice(0, 64) : typeof t,
      });
    }
    return parseWire(t as ConstraintType, input, path, limits, depth);
  }
  const has = (k: string): boolean => Object.hasOwn(input, k);
  if (has('eq')) {
    const r = parseWith(TERSE_CONSTRAINT_SCHEMAS.eq, input, path);
    return { constraint_type: 'exact', value: cloneJson(r.eq) };
  }
  if (has('in')) {
    const r = parseWith(TERSE_CONSTRAINT_SCHEMAS.in, input, path);
    return { constraint_type: 'one_of', values: r.in.map(cloneJson) };
  }
  if (has('glob')) {
    const r = parseWith(TERSE_CONSTRAINT_SCHEMAS.glob, input, path);
    return { constraint_type: 'glob', pattern: r.glob };
  }
  if (has('min') || has('max')) {
    const r = parseWith(TERSE_CONSTRAINT_SCHEMAS.range, input, path);
    checkRangeBounds(r, path);
    return makeRange(r.min, true, r.max, true);
  }
  return malformed(path, 'needs constraint_type or one of eq, in, min, max, glob', {
    reason: 'unknown-constraint-form',
  });
}

function parseWire(
  t: ConstraintType,
  input: Json,
  path: string,
  limits: Limits,
  depth: number,
): Constraint {
  const S = WIRE_CONSTRAINT_SCHEMAS;
  switch (t) {
    case 'exact':
      return { constraint_type: t, value: cloneJson(parseWith(S.exact, input, path).value) };
    case 'one_of':
      return { constraint_type: t, values: parseWith(S.one_of, input, path).values.map(cloneJson) };
    case 'not_one_of':
      return {
        constraint_type: t,
        excluded: parseWith(S.not_one_of, input, path).excluded.map(cloneJson),
      };
    case 'contains':
      return {
        constraint_type: t,
        required: parseWith(S.contains, input, path).required.map(cloneJson),
      };
    case 'subset':
      return {
        constraint_type: t,
        allowed: parseWith(S.subset, input, path).allowed.map(cloneJson),
      };
    case 'wildcard':
      parseWith(S.wildcard, input, path);
      return { constraint_type: t };
    case 'glob':
      return { constraint_type: t, pattern: parseWith(S.glob, input, path).pattern };
    case 'range': {
      const r = parseWith(S.range, input, path);
      checkRangeBounds(r, path);
      for (const [flag, bound] of [
        ['min_inclusive', r.min],
        ['max_inclusive', r.max],
      ] as const) {
        if (r[flag] !== undefined && bound === undefined) {
          malformed(joinPath(path, flag), `${flag} is only allowed with its bound`, {
            reason: 'range-flag-without-bound',
          });
        }
      }
      // Pass-through: keep exactly the members given (explicit `true` flags included).
      const out: Mutable<Range> = { constraint_type: 'range' };
      if (r.min !== undefined) out.min = r.min;
      if (r.max !== undefined) out.max = r.max;
      if (r.min_inclusive !== undefined) out.min_inclusive = r.min_inclusive;
      if (r.max_inclusive !== undefined) out.max_inclusive = r.max_inclusive;
      return out;
    }
    case 'all':
    case 'any': {
      const r = t === 'all' ? parseWith(S.all, input, path) : parseWith(S.any, input, path);
      const base = joinPath(path, 'constraints');
      const constraints = (r.constraints as Json[]).map((x, i) =>
        parseConstraintTree(x, joinPath(base, i), limits, depth + 1),
      );
      return { constraint_type: t, constraints };
    }
  }
}

// ---------------------------------------------------------------------------------------
// Ranges

/**
 * A range whose `min` is greater than its `max` is malformed (AAT section 3.4, steps 3n/4o),
 * in every format: it would look like a constraint while matching nothing.
 */
function checkRangeBounds(
  r: { readonly min?: number | undefined; readonly max?: number | undefined },
  path: string,
): void {
  if (r.min !== undefined && r.max !== undefined && r.min > r.max) {
    malformed(path, 'min is greater than max', { reason: 'range-inverted' });
  }
}

const minInclusive = (r: Range): boolean => r.min_inclusive !== false;
const maxInclusive = (r: Range): boolean => r.max_inclusive !== false;

function makeRange(
  min: number | undefined,
  minInc: boolean,
  max: number | undefined,
  maxInc: boolean,
): Range {
  const out: Mutable<Range> = { constraint_type: 'range' };
  if (min !== undefined) {
    out.min = min;
    if (!minInc) out.min_inclusive = false;
  }
  if (max !== undefined) {
    out.max = max;
    if (!maxInc) out.max_inclusive = false;
  }
  return out;
}

function inRange(r: Range, x: number): boolean {
  if (r.min !== undefined && (x < r.min || (x === r.min && !minInclusive(r)))) return false;
  if (r.max !== undefined && (x > r.max || (x === r.max && !maxInclusive(r)))) return false;
  return true;
}

function rangeEmpty(r: Range): boolean {
  if (r.min === undefined || r.max === undefined) return false;
  return r.min > r.max || (r.min === r.max && !(minInclusive(r) && maxInclusive(r)));
}

/**
 * The draft's range rule (AAT 4.5): each derived bound at least as tight as the parent's,
 * a missing derived bound only under a missing parent bound, inclusivity only tightening.
 */
function rangeWithin(c: Range, p: Range): boolean {
  const lower =
    p.min === undefined ||
    (c.min !== undefined &&
      (c.min > p.min || (c.min === p.min && (minInclusive(p) || !minInclusive(c)))));
  const upper =
    p.max === undefined ||
    (c.max !== undefined &&
      (c.max < p.max || (c.max === p.max && (maxInclusive(p) || !maxInclusive(c)))));
  return lower && upper;
}

function rangeMeet(a: Range, b: Range): Range {
  let min = a.min;
  let minInc = minInclusive(a);
  if (b.min !== undefined && (min === undefined || b.min > min)) {
    min = b.min;
    minInc = minInclusive(b);
  } else if (b.min !== undefined && b.min === min) minInc = minInc && minInclusive(b);
  let max = a.max;
  let maxInc = maxInclusive(a);
  if (b.max !== undefined && (max === undefined || b.max < max)) {
    max = b.max;
    maxInc = maxInclusive(b);
  } else if (b.max !== undefined && b.max === max) maxInc = maxInc && maxInclusive(b);
  return makeRange(min, minInc, max, maxInc);
}

// ---------------------------------------------------------------------------------------
// check

/** `check` on a normalised constraint (AAT section 3.4, plus `glob`). */
export function checkNormalized(c: Constraint, v: Json): boolean {
  switch (c.constraint_type) {
    case 'exact':
      return jsonEqual(c.value, v);
    case 'one_of':
      return jsonIncludes(c.values, v);
    case 'not_one_of':
      return !jsonIncludes(c.excluded, v);
    case 'range':
      return typeof v === 'number' && inRange(c, v);
    case 'contains':
      return isJsonArray(v) && c.required.every((r) => jsonIncludes(v, r));
    case 'subset':
      return isJsonArray(v) && v.every((e) => jsonIncludes(c.allowed, e));
    case 'wildcard':
      return true;
    case 'all':
      return c.constraints.every((x) => checkNormalized(x, v));
    case 'any':
      return c.constraints.some((x) => checkNormalized(x, v));
    case 'glob':
      return typeof v === 'string' && globMatch(c.pattern, v);
  }
}

/**
 * True when `value` satisfies the constraint. A value that is not plain JSON (NaN, a
 * function, a cycle...) satisfies nothing.
 *
 * @throws MandateError `MANDATE_MALFORMED` / `MANDATE_LIMIT_EXCEEDED` for an invalid constraint.
 */
export function checkConstraint(constraint: ConstraintInput, value: Json): boolean {
  const c = normalizeConstraint(constraint);
  try {
    assertJson(value, 'value', { maxArrayLength: Number.MAX_SAFE_INTEGER });
  } catch {
    return false;
  }
  return checkNormalized(c, value);
}

// ---------------------------------------------------------------------------------------
// Emptiness, finite sets and conjunction

/** The values of a constraint that denotes a finite set, else `undefined`. */
function finiteValues(c: Constraint): readonly Json[] | undefined {
  switch (c.constraint_type) {
    case 'exact':
      return [c.value];
    case 'one_of':
      return c.values;
    case 'glob':
      return isLiteralGlob(c.pattern) ? [c.pattern] : undefined;
    case 'range':
      return c.min !== undefined && c.min === c.max && minInclusive(c) && maxInclusive(c)
        ? [c.min]
        : undefined;
    case 'subset':
      // Only the empty array has all its elements in the empty set.
      return c.allowed.length === 0 ? [[]] : undefined;
    default:
      return undefined;
  }
}

/**
 * True when the constraint provably matches no value. Sound (never true for a satisfiable
 * constraint); exact for the terse forms.
 */
export function isUnsatisfiable(c: Constraint): boolean {
  return withBudget(() => unsat(c));
}

function unsat(c: Constraint): boolean {
  switch (c.constraint_type) {
    case 'one_of':
      return c.values.length === 0;
    case 'range':
      return rangeEmpty(c);
    case 'any':
      return memoUnsat(c, (x) => (x as Of<'any'>).constraints.every(unsat));
    case 'all':
      return memoUnsat(c, (x) => isEmptyOneOf(conjoinClauses((x as Of<'all'>).constraints)));
    default:
      return false;
  }
}

type JsonKind = 'number' | 'string' | 'array';

/** The only JSON type a constraint can accept, when it is restricted to one. */
function kindOf(c: Constraint): JsonKind | undefined {
  switch (c.constraint_type) {
    case 'range':
      return 'number';
    case 'glob':
      return 'string';
    case 'contains':
    case 'subset':
      return 'array';
    default:
      return undefined;
  }
}

/**
 * A simplified constraint equivalent to the conjunction of `clauses`: nested `all`s are
 * flattened, a finite clause filters down to the values every clause accepts, same-kind
 * clauses merge (ranges meet, exclusions and requirements unite, allowed sets intersect,
 * included globs drop), clauses restricted to different JSON types yield the empty
 * constraint. It never distributes over `any` clauses (they are kept as they are), so its
 * cost stays linear in the clauses apart from the bounded glob comparisons.
 */
export function conjoin(clauses: readonly Constraint[]): Constraint {
  return withBudget(() => conjoinClauses(clauses));
}

function conjoinClauses(clauses: readonly Constraint[]): Constraint {
  const flat: Constraint[] = [];
  const stack = [...clauses].reverse();
  while (stack.length > 0) {
    const c = stack.pop();
    if (c === undefined) break;
    if (c.constraint_type === 'all') stack.push(...[...c.constraints].reverse());
    else if (c.constraint_type !== 'wildcard') flat.push(c);
  }
  if (flat.length === 0) return { constraint_type: 'wildcard' };
  if (flat.some(unsat)) return emptyConstraint();
  // Out of budget: the plain conjunction is exact, only not simplified.
  if (!spend(flat.length)) return { constraint_type: 'all', constraints: flat };

  // A finite clause bounds the whole conjunction: keep its values that every clause accepts.
  // Prefer an `exact` source so exact ∩ X stays exact, then the smallest finite clause.
  let source = flat.findIndex((c) => c.constraint_type === 'exact');
  if (source < 0) {
    let best = Infinity;
    flat.forEach((c, i) => {
      const n = finiteValues(c)?.length;
      if (n !== undefined && n < best) {
        best = n;
        source = i;
      }
    });
  }
  const src = flat[source];
  const srcValues = src === undefined ? undefined : finiteValues(src);
  if (src !== undefined && srcValues !== undefined) {
    const vals = uniqueJson(srcValues).filter((v) =>
      flat.every((c, i) => i === source || checkNormalized(c, v)),
    );
    if (src.constraint_type === 'one_of') return { constraint_type: 'one_of', values: vals };
    // exact, a literal glob, a one-point range, subset([]): a single value, kept or not.
    return vals.length === 1 ? src : emptyConstraint();
  }

  const kinds = new Set(flat.map(kindOf).filter((k) => k !== undefined));
  if (kinds.size > 1) return emptyConstraint();

  let range: Range | undefined;
  let excluded: Json[] | undefined;
  let required: Json[] | undefined;
  let allowed: Json[] | undefined;
  let globs: string[] = [];
  const rest: Constraint[] = [];
  for (const c of flat) {
    switch (c.constraint_type) {
      case 'range':
        range = range === undefined ? c : rangeMeet(range, c);
        break;
      case 'not_one_of':
        excluded = uniqueJson([...(excluded ?? []), ...c.excluded]);
        break;
      case 'contains':
        required = uniqueJson([...(required ?? []), ...c.required]);
        break;
      case 'subset':
        allowed =
          allowed === undefined
            ? uniqueJson(c.allowed)
            : allowed.filter((a) => jsonIncludes(c.allowed, a));
        break;
      case 'glob': {
        const g = c.pattern;
        // Merging is quadratic in the number of globs; past a few, keep them as they are.
        if (globs.length >= MAX_GLOB_MERGE) globs.push(g);
        else if (!globs.some((k) => globIncluded(k, g))) {
          globs = [...globs.filter((k) => !globIncluded(g, k)), g];
        }
        break;
      }
      default:
        rest.push(c);
    }
  }
  if (range !== undefined && rangeEmpty(range)) return emptyConstraint();
  if (required !== undefined && allowed !== undefined) {
    const a = allowed;
    if (!required.every((r) => jsonIncludes(a, r))) return emptyConstraint();
  }
  for (let i = 0; i < Math.min(globs.length, MAX_GLOB_MERGE); i++) {
    for (let j = i + 1; j < Math.min(globs.length, MAX_GLOB_MERGE); j++) {
      if (globsIntersect(globs[i] ?? '', globs[j] ?? '') === false) return emptyConstraint();
    }
  }
  const typed: Constraint[] = [];
  if (range !== undefined) typed.push(range);
  for (const pattern of globs) typed.push({ constraint_type: 'glob', pattern });
  if (required !== undefined) typed.push({ constraint_type: 'contains', required });
  if (allowed !== undefined) typed.push({ constraint_type: 'subset', allowed });
  const out: Constraint[] = [...typed];
  if (excluded !== undefined) {
    // Exclusions the typed clauses already reject are redundant.
    const ex = excluded.filter((e) => typed.every((t) => checkNormalized(t, e)));
    if (ex.length > 0) out.push({ constraint_type: 'not_one_of', excluded: ex });
  }
  out.push(...rest);
  if (out.length === 0) return { constraint_type: 'wildcard' };
  if (out.length === 1 && out[0] !== undefined) return out[0];
  return { constraint_type: 'all', constraints: out };
}

// ---------------------------------------------------------------------------------------
// Narrowing

function sameConstraint(a: Constraint, b: Constraint): boolean {
  // Constraints are JSON values themselves.
  return a === b || jsonEqual(a, b);
}

interface NarrowingContext {
  steps: number;
  readonly memo: Map<Constraint, Map<Constraint, boolean>>;
  readonly conjoined: Map<Constraint, Constraint>;
}

function newContext(): NarrowingContext {
  return { steps: 0, memo: new Map(), conjoined: new Map() };
}

/** Mandate profile: the draft's rules plus sound extensions (module documentation). */
function narrowerMandate(
  c: Constraint,
  p: Constraint,
  ctx: NarrowingContext = newContext(),
): boolean {
  if (++ctx.steps > NARROWING_BUDGET || !spend(1)) return false;
  let row = ctx.memo.get(c);
  const known = row?.get(p);
  if (known !== undefined) return known;
  const result = decideMandate(c, p, ctx);
  if (row === undefined) {
    row = new Map();
    ctx.memo.set(c, row);
  }
  row.set(p, result);
  return result;
}

function decideMandate(c: Constraint, p: Constraint, ctx: NarrowingContext): boolean {
  if (sameConstraint(c, p)) return true;
  if (p.constraint_type === 'wildcard') return true;
  if (unsat(c)) return true;
  const finite = finiteValues(c);
  if (finite !== undefined) return finite.every((v) => checkNormalized(p, v));
  // The next three rules are exact (iff), so their verdict is final.
  // not_one_of(E) accepts everything outside E: c is narrower iff it accepts no e in E.
  if (p.constraint_type === 'not_one_of') return p.excluded.every((e) => !checkNormalized(c, e));
  if (c.constraint_type === 'any') return c.constraints.every((x) => narrowerMandate(x, p, ctx));
  if (p.constraint_type === 'all') return p.constraints.every((q) => narrowerMandate(c, q, ctx));
  // For a conjunction child or a disjunction parent the rules are only sufficient: try each.
  if (c.constraint_type === 'all') {
    let s = ctx.conjoined.get(c);
    if (s === undefined) {
      s = conjoinClauses(c.constraints);
      ctx.conjoined.set(c, s);
    }
    if (s.constraint_type !== 'all') return narrowerMandate(s, p, ctx);
    if (s.constraints.some((x) => narrowerMandate(x, p, ctx))) return true;
  }
  if (p.constraint_type === 'any') {
    return p.constraints.some((q) => narrowerMandate(c, q, ctx));
  }
  if (c.constraint_type === 'all') return false;
  switch (c.constraint_type) {
    case 'range':
      return p.constraint_type === 'range' && rangeWithin(c, p);
    case 'contains':
      return (
        p.constraint_type === 'contains' && p.required.every((r) => jsonIncludes(c.required, r))
      );
    case 'subset':
      if (p.constraint_type === 'subset') return c.allowed.every((a) => jsonIncludes(p.allowed, a));
      // Every array contains the empty requirement; a non-empty one rejects `[]`.
      return p.constraint_type === 'contains' && p.required.length === 0;
    case 'glob':
      return p.constraint_type === 'glob' && globIncluded(c.pattern, p.pattern);
    default:
      // wildcard and not_one_of accept values of every type and infinitely many of each.
      return false;
  }
}

/** AAT profile: exactly the pairs the draft lists (section 4.5), plus glob's own pairs. */
function narrowerAat(c: Constraint, p: Constraint): boolean {
  if (p.constraint_type === 'wildcard') return true;
  switch (c.constraint_type) {
    case 'exact':
      switch (p.constraint_type) {
        case 'exact':
          return jsonEqual(c.value, p.value);
        case 'range':
          return typeof c.value === 'number' && inRange(p, c.value);
        case 'one_of':
          return jsonIncludes(p.values, c.value);
        case 'glob':
          return typeof c.value === 'string' && globMatch(p.pattern, c.value);
        default:
          return false;
      }
    case 'range':
      return p.constraint_type === 'range' && rangeWithin(c, p);
    case 'one_of':
      if (p.constraint_type === 'one_of') return c.values.every((v) => jsonIncludes(p.values, v));
      return (
        p.constraint_type === 'glob' &&
        c.values.every((v) => typeof v === 'string' && globMatch(p.pattern, v))
      );
    case 'not_one_of':
      return (
        p.constraint_type === 'not_one_of' && p.excluded.every((e) => jsonIncludes(c.excluded, e))
      );
    case 'wildcard':
      return false;
    case 'all':
      // Every parent clause subsumes at least one derived clause; reuse permitted.
      return (
        p.constraint_type === 'all' &&
        p.constraints.every((q) => c.constraints.some((x) => narrowerAat(x, q)))
      );
    case 'any':
      // Every derived alternative is subsumed by some parent alternative.
      return (
        p.constraint_type === 'any' &&
        c.constraints.every((x) => p.constraints.some((q) => narrowerAat(x, q)))
      );
    case 'contains':
      return (
        p.constraint_type === 'contains' && p.required.every((r) => jsonIncludes(c.required, r))
      );
    case 'subset':
      return p.constraint_type === 'subset' && c.allowed.every((a) => jsonIncludes(p.allowed, a));
    case 'glob':
      return p.constraint_type === 'glob' && globIncluded(c.pattern, p.pattern);
  }
}

/** Narrowing on normalised constraints. */
export function isNormalizedNarrower(
  child: Constraint,
  parent: Constraint,
  profile: NarrowingProfile = 'mandate',
): boolean {
  return withBudget(() =>
    profile === 'aat' ? narrowerAat(child, parent) : narrowerMandate(child, parent),
  );
}

/**
 * True when every value `child` accepts is accepted by `parent` according to the chosen
 * profile's rules (sound in both: `true` always means narrower-or-equal). The `'mandate'`
 * profile is exact for the terse forms (`eq`, `in`, `min`/`max`, `glob`); the `'aat'`
 * profile reproduces the draft's structural verdicts, including its rejections of
 * semantically narrower but undeclared pairs.
 *
 * @throws MandateError `MANDATE_MALFORMED` / `MANDATE_LIMIT_EXCEEDED` for an invalid constraint.
 */
export function isConstraintNarrower(
  child: ConstraintInput,
  parent: ConstraintInput,
  options: NarrowingOptions = {},
): boolean {
  const c = normalizeConstraint(child, { path: 'child' });
  const p = normalizeConstraint(parent, { path: 'parent' });
  return isNormalizedNarrower(c, p, options.profile);
}

// ---------------------------------------------------------------------------------------
// Intersection

/** Intersection on normalised constraints. */
export function intersectNormalized(a: Constraint, b: Constraint): Constraint {
  return withBudget(() => meet(a, b));
}

function meet(a: Constraint, b: Constraint): Constraint {
  if (unsat(a) || unsat(b)) return emptyConstraint();
  if (narrowerMandate(a, b)) return a;
  if (narrowerMandate(b, a)) return b;
  if (a.constraint_type === 'any' || b.constraint_type === 'any') {
    const [x, y] = a.constraint_type === 'any' ? [a, b] : [b, a];
    const xs = x.constraint_type === 'any' ? x.constraints : [x];
    const ys = y.constraint_type === 'any' ? y.constraints : [y];
    // Distribution multiplies sizes; past the bound (or the budget) the plain conjunction
    // is just as exact.
    if (xs.length * ys.length <= MAX_DISTRIBUTED && spend(xs.length * ys.length)) {
      // (x1 ∨ x2) ∧ Y = (x1 ∧ Y) ∨ (x2 ∧ Y): exact, and each alternative is narrower than
      // both sides, which the `any` rules can verify.
      const parts: Constraint[] = [];
      for (const xi of xs) {
        for (const yj of ys) {
          const r = meet(xi, yj);
          if (!unsat(r)) parts.push(r);
        }
      }
      if (parts.length === 0) return emptyConstraint();
      if (parts.length === 1 && parts[0] !== undefined) return parts[0];
      const finite = parts.map(finiteValues);
      if (finite.every((f) => f !== undefined)) {
        return { constraint_type: 'one_of', values: uniqueJson(finite.flatMap((f) => f ?? [])) };
      }
      return { constraint_type: 'any', constraints: parts };
    }
  }
  return conjoinClauses([a, b]);
}

/**
 * A constraint accepting exactly the values both accept, narrower than each under the
 * `'mandate'` profile. Same-kind inputs give same-kind results where the kind is closed
 * under intersection (range ∩ range = range, one_of ∩ one_of = one_of, exact ∩ X = exact
 * or empty); otherwise an `all`. The empty result is `{ constraint_type: 'one_of', values: [] }`.
 *
 * @throws MandateError `MANDATE_MALFORMED` / `MANDATE_LIMIT_EXCEEDED` for an invalid constraint.
 */
export function intersectConstraints(a: ConstraintInput, b: ConstraintInput): Constraint {
  const na = normalizeConstraint(a, { path: 'a' });
  const nb = normalizeConstraint(b, { path: 'b' });
  return intersectNormalized(na, nb);
}

// ---------------------------------------------------------------------------------------
// Argument maps (closed world, optional arguments, the reserved "*" key)

/** One argument's constraint as callers write it: optionally marked `optional: true`. */
export type ArgConstraintInput = ConstraintInput & { readonly optional?: boolean };

/**
 * A tool's / capability's argument constraints, keyed by argument name. The reserved key
 * `"*"` (AAT section 3.3) constrains every argument the map does not name; its value must be
 * `{ constraint_type: 'wildcard' }` without `optional`.
 */
export type ArgConstraints = Readonly<Record<string, ArgConstraintInput>>;

/** The reserved constraint-map key for arguments the map does not name (AAT section 3.3). */
export const UNNAMED_ARGUMENTS = '*';

/**
 * A normalised argument map: the named constraints, the named arguments that may be absent,
 * and whether unnamed arguments are allowed (with any value: the map has `"*"`, or is empty,
 * which AAT section 3.3 makes shorthand for `"*"`).
 */
export interface ArgMap {
  readonly named: ReadonlyMap<string, Constraint>;
  readonly optional: ReadonlySet<string>;
  readonly open: boolean;
}

/** Why an argument map is not narrower, labelled with the AAT verification step (4p2-4p4). */
export interface ArgMapFailure {
  /**
   * `4p2`: the key rules (a named argument the parent neither names nor admits, a required
   * argument dropped, `"*"` added or kept over an omitted argument); `4p3`: a required
   * argument made optional; `4p4`: a constraint is not narrower.
   */
  readonly step: '4p2' | '4p3' | '4p4';
  readonly arg: string;
  readonly reason:
    | 'argument-added'
    | 'argument-removed'
    | 'argument-made-optional'
    | 'child-unconstrained'
    | 'unnamed-added'
    | 'unnamed-kept'
    | 'constraint-not-narrower';
}

export interface ArgMapOptions extends NarrowingOptions {
  /** Child arguments that may be absent (as if marked `optional: true`). */
  readonly childOptional?: readonly string[] | undefined;
  /** Parent arguments that may be absent (as if marked `optional: true`). */
  readonly parentOptional?: readonly string[] | undefined;
  readonly limits?: Partial<Limits> | undefined;
}

const WILDCARD: Constraint = Object.freeze({ constraint_type: 'wildcard' });

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
    malformed(path, 'must be an object mapping argument names to constraints', { reason: 'type' });
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
          malformed(joinPath(p, 'optional'), 'optional must be a boolean', { reason: 'optional' });
        }
        isOptional = flag;
        entry = Object.fromEntries(Object.entries(entry).filter(([m]) => m !== 'optional'));
      }
    }
    // Nested clauses are parsed by strict schemas, so `optional` inside all / any is refused.
    const constraint = parseConstraintTree(entry, p, limits, 1);
    if (key === UNNAMED_ARGUMENTS) {
      if (constraint.constraint_type !== 'wildcard' || entry !== input[key]) {
        malformed(p, '"*" must be a wildcard constraint without optional', {
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

function argMapDecideAat(child: ArgMap, parent: ArgMap): true | ArgMapFailure {
  for (const k of child.named.keys()) {
    if (!parent.named.has(k) && !parent.open) {
      return { step: '4p2', arg: k, reason: 'argument-added' };
    }
  }
  for (const k of parent.named.keys()) {
    if (child.named.has(k)) continue;
    if (!parent.optional.has(k)) return { step: '4p2', arg: k, reason: 'argument-removed' };
    if (child.open) return { step: '4p2', arg: k, reason: 'unnamed-kept' };
  }
  if (child.open && !parent.open) {
    return { step: '4p2', arg: UNNAMED_ARGUMENTS, reason: 'unnamed-added' };
  }
  for (const k of child.named.keys()) {
    if (child.optional.has(k) && parent.named.has(k) && !parent.optional.has(k)) {
      return { step: '4p3', arg: k, reason: 'argument-made-optional' };
    }
  }
  for (const [k, c] of child.named) {
    if (!narrowerAat(c, parent.named.get(k) ?? WILDCARD)) {
      return { step: '4p4', arg: k, reason: 'constraint-not-narrower' };
    }
  }
  return true;
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
