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
  const fail = (problem: string): never => {
    throw new MandateError('MANDATE_MALFORMED', `${label}: ${problem}`, {
      check,
      hop,
      detail: { path: label },
    });
  };
  const problem = findJsonProblem(text, maxDepth);
  if (problem !== undefined) fail(problem);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('must be a JSON object');
  return value as Record<string, unknown>;
}
