/**
 * zod schemas for capabilities and constraints at the trust boundary, and the mapping of a
 * `ZodError` onto `MANDATE_MALFORMED` (a `ZodError` never escapes this module's callers).
 *
 * The schemas check shape only. Before they run, `assertJson` has already bounded the
 * value (depth, sizes, finite numbers, plain objects), so zod never walks hostile nesting;
 * constraint trees are recursed by `constraint/parse.ts` with an explicit depth limit rather than
 * by `z.lazy`, for the same reason.
 */
import { z } from 'zod';
import type { Check, MandateErrorCode } from './errors.js';
import { failureAt, limitExceeded } from './failure.js';
import { joinPath } from './json.js';
import type { Json } from './types.js';

// Values were validated as JSON by assertJson before any schema runs.
const json = z.custom<Json>(() => true);
const jsonList = z.array(json);
// zod 4 numbers reject NaN and ±Infinity.
const finite = z.number();

/** Wire constraint schemas, keyed by `constraint_type`; nested clauses are parsed separately. */
export const WIRE_CONSTRAINT_SCHEMAS = {
  exact: z.strictObject({ constraint_type: z.literal('exact'), value: json }),
  one_of: z.strictObject({ constraint_type: z.literal('one_of'), values: jsonList }),
  not_one_of: z.strictObject({ constraint_type: z.literal('not_one_of'), excluded: jsonList }),
  range: z.strictObject({
    constraint_type: z.literal('range'),
    min: finite.optional(),
    max: finite.optional(),
    min_inclusive: z.boolean().optional(),
    max_inclusive: z.boolean().optional(),
  }),
  contains: z.strictObject({ constraint_type: z.literal('contains'), required: jsonList }),
  subset: z.strictObject({ constraint_type: z.literal('subset'), allowed: jsonList }),
  wildcard: z.strictObject({ constraint_type: z.literal('wildcard') }),
  all: z.strictObject({
    constraint_type: z.literal('all'),
    // An empty conjunction would accept everything while looking like a constraint
    // (AAT section 4.5, steps 3n/4o).
    constraints: z.array(z.unknown()).min(1, 'must not be empty'),
  }),
  any: z.strictObject({
    constraint_type: z.literal('any'),
    constraints: z.array(z.unknown()).min(1, 'must not be empty'),
  }),
  glob: z.strictObject({ constraint_type: z.literal('glob'), pattern: z.string() }),
} as const;

/** The terse forms a TypeScript caller may write. */
export const TERSE_CONSTRAINT_SCHEMAS = {
  eq: z.strictObject({ eq: json }),
  in: z.strictObject({ in: jsonList }),
  glob: z.strictObject({ glob: z.string() }),
  range: z
    .strictObject({ min: finite.optional(), max: finite.optional() })
    .refine((r) => r.min !== undefined || r.max !== undefined, 'needs min or max'),
} as const;

/** Shape of one capability as callers write it (names are validated separately). */
export const CAPABILITY_INPUT_SCHEMA = z.strictObject({
  resource: z.string(),
  actions: z.array(z.string()).min(1, 'must name at least one action'),
  constraints: z.record(z.string(), z.unknown()).optional(),
  optional: z.array(z.string()).optional(),
});

/** How {@link parseWith} reports a failure: the code, rule and block (default: rule 1). */
export interface ParseSite {
  /** Default `MANDATE_MALFORMED`. */
  readonly code?: MandateErrorCode | undefined;
  /** Default `limits`. */
  readonly check?: Check | undefined;
  readonly hop?: number | undefined;
  /**
   * The schema's maximum lengths are configured limits: a string or list past one is
   * `MANDATE_LIMIT_EXCEEDED` with `detail.limit`, as in every encoding.
   */
  readonly limits?: boolean | undefined;
}

/**
 * Parses with `schema`: every zod boundary goes through here, so a failure is always a
 * `MandateError` (never a `ZodError`) whose message words the first issue plainly and whose
 * `detail` is `{ path, reason }`, `path` locating the issue under `path` in `joinPath`'s
 * dialect (`payload.authorization_details[0].type`) and `reason` the zod issue code.
 */
export function parseWith<T>(
  schema: z.ZodType<T>,
  value: unknown,
  path: string,
  site: ParseSite = {},
): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const first = firstIssue(r.error, path);
  const at = {
    path: first.path,
    reason: issue?.code ?? 'invalid',
    check: site.check,
    hop: site.hop,
  };
  if (
    site.limits === true &&
    issue?.code === 'too_big' &&
    (issue.origin === 'string' || issue.origin === 'array')
  ) {
    limitExceeded(first.message, { ...at, limit: Number(issue.maximum) });
  }
  throw failureAt(site.code ?? 'MANDATE_MALFORMED', first.message, at);
}

/** One zod issue in plain words (`must not be empty`, `must be a string`), never zod's own. */
export function plainIssue(issue: z.core.$ZodIssue | undefined): string {
  if (issue === undefined) return 'is not valid';
  const got = issue as unknown as Readonly<Record<string, unknown>>;
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${/^[aeiou]/.test(String(got['expected'])) ? 'an' : 'a'} ${String(got['expected'])}`;
    case 'too_small': {
      const min = Number(got['minimum']);
      if (got['origin'] === 'string')
        return min === 1 ? 'must not be empty' : `must have at least ${min} characters`;
      if (got['origin'] === 'array')
        return min === 1 ? 'must not be empty' : `must hold at least ${min} items`;
      return `must be at least ${min}`;
    }
    case 'too_big': {
      const max = Number(got['maximum']);
      if (got['origin'] === 'string') return `must have at most ${max} characters`;
      if (got['origin'] === 'array') return `must hold at most ${max} items`;
      return `must be at most ${max}`;
    }
    case 'invalid_value':
      return `must be ${(got['values'] as readonly unknown[]).map((v) => JSON.stringify(v)).join(' or ')}`;
    case 'unrecognized_keys':
      return `has unknown member(s) ${(got['keys'] as readonly string[]).map((k) => JSON.stringify(k.slice(0, 32))).join(', ')}`;
    default:
      return issue.message === '' ? 'is not valid' : issue.message;
  }
}

/**
 * Where the first issue of a failed parse is (under `base`, in `joinPath`'s dialect), and what
 * it is, in plain words.
 */
export function firstIssue(
  error: z.ZodError,
  base: string,
): { readonly path: string; readonly message: string } {
  const issue = error.issues[0];
  let path = base;
  for (const k of issue?.path ?? []) path = joinPath(path, typeof k === 'number' ? k : String(k));
  return { path, message: `${path}: ${plainIssue(issue)}` };
}
