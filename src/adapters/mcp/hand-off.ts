/**
 * The hand-off check of the MCP guard: the arguments the SDK hands a tool, after its input
 * schema has parsed them (defaults, coercion, trimming, transforms, `.catch`, preprocess,
 * stripped unknown keys), must be exactly the arguments that were verified and proven.
 *
 * Why equality rather than verifying the parsed arguments: the invocation proof binds the
 * arguments as the caller signed them (DESIGN.md rule 8), and the mandate authorizes what was
 * proven. Equality makes "what was verified" and "what runs" the same value, with no second
 * verification and no proof over values the caller never saw.
 */
import { MandateError } from '../../core/errors.js';
import { assertJson, jsonEqual } from '../../core/json.js';
import type { Json } from '../../core/types.js';

/** How the tool's schema changed one argument. */
export type ArgumentChange = 'added' | 'removed' | 'changed';

/** The first argument (in code-point order) the schema changed, or undefined when none. */
export interface ChangedArgument {
  readonly argument: string;
  readonly change: ArgumentChange;
}

// The handed value only needs to be plain JSON; its size is the sent value's, already bounded.
const HANDED_BOUNDS = { maxArrayLength: Number.MAX_SAFE_INTEGER } as const;

/**
 * Compare the verified arguments with the ones the tool would receive. A handed value that is
 * not plain JSON (a `Date` from `z.coerce.date()`, a `Map`, a class instance) is a change: it
 * is not the value that was verified, whatever its JSON form.
 */
export function changedArgument(
  verified: Readonly<Record<string, Json>>,
  handed: unknown,
): ChangedArgument | undefined {
  if (typeof handed !== 'object' || handed === null || Array.isArray(handed)) {
    return { argument: '', change: 'changed' };
  }
  const record = handed as Record<string, unknown>;
  const names = [...new Set([...Object.keys(verified), ...Object.keys(record)])].sort();
  for (const argument of names) {
    const inVerified = Object.hasOwn(verified, argument);
    const inHanded = Object.hasOwn(record, argument);
    if (!inVerified) return { argument, change: 'added' };
    if (!inHanded) return { argument, change: 'removed' };
    const value = record[argument];
    try {
      assertJson(value, argument, HANDED_BOUNDS);
    } catch (error) {
      if (error instanceof MandateError) return { argument, change: 'changed' };
      throw error;
    }
    if (!jsonEqual(verified[argument] as Json, value)) return { argument, change: 'changed' };
  }
  // Same own keys, same values: anything left (an exotic prototype) is still a change.
  return Object.getPrototypeOf(handed) === Object.prototype ||
    Object.getPrototypeOf(handed) === null
    ? undefined
    : { argument: '', change: 'changed' };
}
