/**
 * The zod boundary: every zod parse goes through {@link parseWith}, which maps a failure onto a
 * coded `MandateError` (a `ZodError` never escapes), and {@link parseShape} puts a quick
 * structural parser in front of a schema on the hot paths. zod itself is loaded on first use
 * (`zod.ts`): this module imports only its types.
 */
import type { z } from 'zod';
import type { Check, MandateErrorCode } from './errors.js';
import { failureAt, limitExceeded } from './failure.js';
import { joinPath } from './json.js';

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

/**
 * A schema for a hot path: the zod schema, built on first use (`lazySchema`), and a quick
 * parser in front of it. `quick` returns the schema's output for input the schema plainly
 * accepts (reading each member once, as zod does) and `undefined` for anything else, which
 * the schema then parses: its verdict, message and `detail.path` stand for every rejection,
 * so the pair accepts and rejects exactly what the schema alone does, and a genuine request
 * never loads zod. A property test (`test/unit/core/shapes.test.ts`) holds each quick parser
 * to its schema on arbitrary and hostile JSON.
 */
export interface Shape<T> {
  /** The reference: the zod schema, built (and zod loaded) on the first call. */
  readonly schema: () => z.ZodType<T>;
  /** The schema's output, for input it plainly accepts; `undefined` defers to the schema. */
  readonly quick: (value: unknown) => T | undefined;
}

/** Parses with `shape`: its quick parser, else its schema through {@link parseWith}. */
export function parseShape<T>(shape: Shape<T>, value: unknown, path: string, site?: ParseSite): T {
  const quick = shape.quick(value);
  return quick !== undefined ? quick : parseWith(shape.schema(), value, path, site);
}
