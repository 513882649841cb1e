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
}

/** The default limits: 16 KiB tokens, 16 blocks, 1 KiB strings (override per verifier). */
export const DEFAULT_LIMITS: Limits = deepFreeze({
  maxTokenBytes: 16384,
  maxBlocks: 16,
  maxStringLength: 1024,
  maxCapabilities: 64,
  maxConstraintDepth: 8,
  maxArrayLength: 256,
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

/** Fills unspecified fields from {@link DEFAULT_LIMITS}. */
export function resolveLimits(limits?: Partial<Limits>): Limits {
  return limits === undefined ? DEFAULT_LIMITS : { ...DEFAULT_LIMITS, ...limits };
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
