/**
 * Parsing: a constraint as a caller writes it (terse `eq` / `in` / `min`-`max` / `glob`, or
 * the AAT draft's wire form) validated into its wire form, with `detail.path` on every failure.
 * Recursion over `all` / `any` is bounded by `limits.maxConstraintDepth`, after `assertJson`
 * has bounded the value, so no hostile nesting reaches zod (loaded only for input that is not
 * plainly valid: `capability-shapes.ts`).
 */
import { limitExceeded, malformed } from '../failure.js';
import { assertJson, cloneJson, isJsonArray, joinPath, type JsonBounds } from '../json.js';
import { resolveLimits, type Limits } from '../limits.js';
import { TERSE_CONSTRAINT_SHAPES, WIRE_CONSTRAINT_SHAPES } from '../capability-shapes.js';
import { parseShape } from '../schemas.js';
import type { Constraint, ConstraintType, Json } from '../types.js';
import { makeRange, type Mutable, type Range } from './range.js';

/** Options of {@link normalizeConstraint}. */
export interface ConstraintParseOptions {
  /** Prefix for `detail.path` in errors. */
  readonly path?: string | undefined;
  readonly limits?: Partial<Limits> | undefined;
}

/** The JSON bounds applied to capabilities and constraints. */
export function constraintBounds(limits: Limits): JsonBounds {
  return {
    maxArrayLength: limits.maxArrayLength,
    maxStringLength: limits.maxStringLength,
    wellFormedStrings: true,
  };
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
    limitExceeded(`${path}: constraint nested deeper than ${limits.maxConstraintDepth}`, {
      path,
      reason: 'constraint-depth',
      limit: limits.maxConstraintDepth,
    });
  }
  if (input === null || typeof input !== 'object' || isJsonArray(input)) {
    malformed(`${path}: a constraint must be an object`, { path, reason: 'type' });
  }
  if (Object.hasOwn(input, 'constraint_type')) {
    const t = input['constraint_type'];
    if (typeof t !== 'string' || !Object.hasOwn(WIRE_CONSTRAINT_SHAPES, t)) {
      // Fail closed: an unrecognised type is a restriction we cannot evaluate (AAT 3.4).
      const at = joinPath(path, 'constraint_type');
      malformed(`${at}: unknown constraint_type`, {
        path: at,
        reason: 'unknown-constraint-type',
        detail: { constraintType: typeof t === 'string' ? t.slice(0, 64) : typeof t },
      });
    }
    return parseWire(t as ConstraintType, input, path, limits, depth);
  }
  const has = (k: string): boolean => Object.hasOwn(input, k);
  if (has('eq')) {
    const r = parseShape(TERSE_CONSTRAINT_SHAPES.eq, input, path);
    return { constraint_type: 'exact', value: cloneJson(r.eq) };
  }
  if (has('in')) {
    const r = parseShape(TERSE_CONSTRAINT_SHAPES.in, input, path);
    return { constraint_type: 'one_of', values: r.in.map(cloneJson) };
  }
  if (has('glob')) {
    const r = parseShape(TERSE_CONSTRAINT_SHAPES.glob, input, path);
    return { constraint_type: 'glob', pattern: r.glob };
  }
  if (has('min') || has('max')) {
    const r = parseShape(TERSE_CONSTRAINT_SHAPES.range, input, path);
    checkRangeBounds(r, path);
    return makeRange(r.min, true, r.max, true);
  }
  return malformed(`${path}: needs constraint_type or one of eq, in, min, max, glob`, {
    path,
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
  const S = WIRE_CONSTRAINT_SHAPES;
  switch (t) {
    case 'exact':
      return { constraint_type: t, value: cloneJson(parseShape(S.exact, input, path).value) };
    case 'one_of':
      return {
        constraint_type: t,
        values: parseShape(S.one_of, input, path).values.map(cloneJson),
      };
    case 'not_one_of':
      return {
        constraint_type: t,
        excluded: parseShape(S.not_one_of, input, path).excluded.map(cloneJson),
      };
    case 'contains':
      return {
        constraint_type: t,
        required: parseShape(S.contains, input, path).required.map(cloneJson),
      };
    case 'subset':
      return {
        constraint_type: t,
        allowed: parseShape(S.subset, input, path).allowed.map(cloneJson),
      };
    case 'wildcard':
      parseShape(S.wildcard, input, path);
      return { constraint_type: t };
    case 'glob':
      return { constraint_type: t, pattern: parseShape(S.glob, input, path).pattern };
    case 'range': {
      const r = parseShape(S.range, input, path);
      checkRangeBounds(r, path);
      for (const [flag, bound] of [
        ['min_inclusive', r.min],
        ['max_inclusive', r.max],
      ] as const) {
        if (r[flag] !== undefined && bound === undefined) {
          const at = joinPath(path, flag);
          malformed(`${at}: ${flag} is only allowed with its bound`, {
            path: at,
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
      const r = t === 'all' ? parseShape(S.all, input, path) : parseShape(S.any, input, path);
      const base = joinPath(path, 'constraints');
      const constraints = (r.constraints as Json[]).map((x, i) =>
        parseConstraintTree(x, joinPath(base, i), limits, depth + 1),
      );
      return { constraint_type: t, constraints };
    }
  }
}

/**
 * A range whose `min` is greater than its `max` is malformed (AAT section 3.4, steps 3n/4o),
 * in every format: it would look like a constraint while matching nothing.
 */
function checkRangeBounds(
  r: { readonly min?: number | undefined; readonly max?: number | undefined },
  path: string,
): void {
  if (r.min !== undefined && r.max !== undefined && r.min > r.max) {
    malformed(`${path}: min is greater than max`, { path, reason: 'range-inverted' });
  }
}
