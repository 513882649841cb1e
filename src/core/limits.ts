/**
 * Parsing and size limits (DESIGN.md section 3, rule 1). Every structure that crosses a
 * trust boundary is bounded before any work proportional to its size is done.
 */

import { MandateError } from './errors.js';
import { deepFreeze } from './freeze.js';

/** The bounds a verifier (and the capability algebra) enforces. */
export interface Limits {
  /** Largest encoded block, in bytes. */
  readonly maxTokenBytes: number;
  /** Most blocks in one chain (root included). */
  readonly maxBlocks: number;
  /** Longest name, pattern or constraint string, in UTF-16 code units. */
  readonly maxStringLength: number;
  /** Most capabilities in one block. */
  readonly maxCapabilities: number;
  /** Deepest nesting of `all` / `any` constraint trees (a leaf constraint has depth 1). */
  readonly maxConstraintDepth: number;
  /** Longest array anywhere in a capability (actions, value lists, clauses). */
  readonly maxArrayLength: number;
  /**
   * Longest string in a request (the action's resource and name, every argument value and
   * member name, the proven request's URL and tool), in UTF-16 code units.
   */
  readonly maxRequestStringLength: number;
  /**
   * Largest request arguments: one unit per JSON value plus the length of every string and
   * member name, over the action's arguments and the proven tool arguments each.
   */
  readonly maxRequestSize: number;
  /**
   * Most JSON values in request arguments (the arguments object itself, every member and
   * element, at any depth), over the action's arguments and the proven tool arguments each.
   * Counted before anything reads the members one by one (the proof's RFC 8785 hash, the shape
   * check, authorization), so a request with more is refused at a cost bounded by this limit.
   */
  readonly maxRequestValues: number;
}

/**
 * The default limits: 16 KiB tokens, 16 blocks, 1 KiB strings in tokens; 64 Ki-unit strings,
 * 1 Mi-unit arguments and 4,096 argument values in requests (override per verifier).
 */
export const DEFAULT_LIMITS: Limits = deepFreeze({
  maxTokenBytes: 16384,
  maxBlocks: 16,
  maxStringLength: 1024,
  maxCapabilities: 64,
  maxConstraintDepth: 8,
  maxArrayLength: 256,
  maxRequestStringLength: 65_536,
  maxRequestSize: 1_048_576,
  maxRequestValues: 4096,
});

/** Longest action name and argument name. */
export const MAX_NAME_LENGTH = 128;

/**
 * Deepest nesting of raw JSON accepted anywhere (capabilities, argument values). Checked
 * iteratively before any recursive code (zod, matching) sees the value.
 */
export const MAX_JSON_DEPTH = 64;

/** Most JSON nodes visited in one value; bounds work on shared (DAG) or huge inputs. */
export const MAX_JSON_NODES = 100_000;

const limitsKeys = new WeakMap<Limits, string>();

/**
 * The limits' values as one string (computed once per limits object), so equal limits in
 * different objects compare equal: what caches of limit-checked results key on.
 */
export function limitsKey(limits: Limits): string {
  let key = limitsKeys.get(limits);
  if (key === undefined) {
    key = JSON.stringify(Object.entries(limits).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    limitsKeys.set(limits, key);
  }
  return key;
}

/** Resolutions of frozen limits objects (a frozen object resolves the same way every time). */
const resolvedFrozen = new WeakMap<Partial<Limits>, Limits>();

/**
 * Fills unspecified fields from {@link DEFAULT_LIMITS}. A frozen input (the verifier's limits)
 * resolves to the same object on every call, so {@link limitsKey}'s memo keeps hitting; a fresh
 * copy per call would re-serialise the limits on every request.
 */
export function resolveLimits(limits?: Partial<Limits>): Limits {
  if (limits === undefined) return DEFAULT_LIMITS;
  if (!Object.isFrozen(limits)) return { ...DEFAULT_LIMITS, ...limits };
  let resolved = resolvedFrozen.get(limits);
  if (resolved === undefined) {
    resolved = Object.freeze({ ...DEFAULT_LIMITS, ...limits });
    resolvedFrozen.set(limits, resolved);
  }
  return resolved;
}

/**
 * Rule 1: a chain of `blocks` blocks is within `limits.maxBlocks`, or `MANDATE_LIMIT_EXCEEDED`
 * reported at the first hop past the limit. `detail` adds format-specific fields (an AAT step).
 */
export function assertBlockCount(
  blocks: number,
  limits: Limits,
  detail: Readonly<Record<string, unknown>> = {},
): void {
  if (blocks <= limits.maxBlocks) return;
  throw new MandateError(
    'MANDATE_LIMIT_EXCEEDED',
    `the mandate has more than ${limits.maxBlocks} blocks`,
    {
      check: 'limits',
      hop: limits.maxBlocks,
      detail: { limit: limits.maxBlocks, blocks, ...detail },
    },
  );
}
