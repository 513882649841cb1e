/**
 * Strict parsing of untrusted JSON text: `JSON.parse` silently keeps the last of duplicate
 * keys and accepts any nesting depth. Two parsers that disagree on duplicates are a classic
 * signature bypass, so a duplicate key is an error here, as is excessive nesting.
 */
import { MandateError, type Check } from './errors.js';

/** Deepest nesting of objects and arrays accepted in a token's JSON text. */
export const MAX_TEXT_DEPTH = 32;

/**
 * Scan `text` for duplicate object keys and nesting deeper than `maxDepth`. Returns a
 * description of the first problem, or undefined. Invalid JSON is left to `JSON.parse`.
 */
export function findJsonProblem(text: string, maxDepth = MAX_TEXT_DEPTH): string | undefined {
  // One Set of seen keys per open object; `null` marks an open array.
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      while (j < text.length) {
        const c = text.charCodeAt(j);
        if (c === 0x5c /* \ */) {
          escaped = true;
          j += 2;
        } else if (c === 0x22) break;
        else j++;
      }
      const top = stack[stack.length - 1];
      if (expectKey && top) {
        let key: unknown = text.slice(i + 1, j);
        if (escaped) {
          // Only an escaped key needs decoding: "a" and "\u0061" are the same key.
          try {
            key = JSON.parse(text.slice(i, j + 1));
          } catch {
            return undefined; // an invalid string: JSON.parse will say so
          }
        }
        if (typeof key === 'string') {
          if (top.has(key)) return `duplicate key ${JSON.stringify(key.slice(0, 64))}`;
          top.add(key);
        }
        expectKey = false;
      }
      i = j;
    } else if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) {
      if (stack.length >= maxDepth) return `nesting deeper than ${maxDepth}`;
      stack.push(ch === 0x7b ? new Set() : null);
      expectKey = ch === 0x7b;
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (ch === 0x2c /* , */) {
      expectKey = stack[stack.length - 1] instanceof Set;
    }
  }
  return undefined;
}

/**
 * Parse untrusted JSON text that must be an object. Duplicate keys, excessive depth and
 * invalid JSON are `MANDATE_MALFORMED`, labelled with `label`.
 */
export function parseJsonObject(
  text: string,
  label: string,
  check: Check,
  hop?: number,
  maxDepth = MAX_TEXT_DEPTH,
): Record<string, unknown> {
  // The common case (no problem) skips building a Set of keys per object: the text's key
  // occurrences are counted, and a parse that kept as many own members dropped no
  // duplicate (and the count saw no nesting beyond maxDepth). Anything else takes the full
  // path below, whose verdicts and messages are the reference.
  const keys = maxDepth <= 32 ? countKeysWithin(text, maxDepth) : -1;
  if (keys >= 0) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // left undefined: the full path reports it
    }
    if (
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      countOwnMembers(value) === keys
    ) {
      return value as Record<string, unknown>;
    }
  }
  const problem = findJsonProblem(text, maxDepth);
  if (problem !== undefined) malformedText(label, check, hop, problem);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return malformedText(label, check, hop, 'not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    malformedText(label, check, hop, 'must be a JSON object');
  return value as Record<string, unknown>;
}

/**
 * The number of object keys in `text` (strings in key position, as `findJsonProblem` finds
 * them), or -1 when nesting goes deeper than `maxDepth`. Allocates nothing.
 */
function countKeysWithin(text: string, maxDepth: number): number {
  // Open containers as bits of one int32, 1 for an object (the caller keeps maxDepth <= 32).
  let depth = 0;
  let objects = 0;
  let keys = 0;
  let expectKey = false;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      let j = i + 1;
      while (j < length) {
        const c = text.charCodeAt(j);
        if (c === 0x5c /* \ */) j += 2;
        else if (c === 0x22) break;
        else j++;
      }
      if (expectKey && depth > 0 && (objects & (1 << (depth - 1))) !== 0) {
        keys++;
        expectKey = false;
      }
      i = j;
    } else if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) {
      if (depth >= maxDepth) return -1;
      if (ch === 0x7b) objects |= 1 << depth;
      else objects &= ~(1 << depth);
      depth++;
      expectKey = ch === 0x7b;
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      if (depth > 0) depth--;
      expectKey = false;
    } else if (ch === 0x2c /* , */) {
      expectKey = depth > 0 && (objects & (1 << (depth - 1))) !== 0;
    }
  }
  return keys;
}

/** Own members of every object in a parsed JSON value (whose depth is already bounded). */
function countOwnMembers(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) count += countOwnMembers(item);
    return count;
  }
  for (const key of Object.keys(value)) {
    count += 1 + countOwnMembers((value as Record<string, unknown>)[key]);
  }
  return count;
}

// Module-level rather than a closure per call: this runs for every segment of every token.
function malformedText(
  label: string,
  check: Check,
  hop: number | undefined,
  problem: string,
): never {
  throw new MandateError('MANDATE_MALFORMED', `${label}: ${problem}`, {
    check,
    hop,
    detail: { path: label },
  });
}
