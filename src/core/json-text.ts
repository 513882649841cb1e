/**
 * Strict parsing of untrusted JSON text: `JSON.parse` silently keeps the last of duplicate
 * keys, accepts any nesting depth, and rounds every number to a double. Two parsers that
 * disagree on duplicates are a classic signature bypass, so a duplicate key is an error
 * here, as is excessive nesting; and a number literal whose double does not denote what
 * was written (`9007199254740993`, AAT section 3.4) is an error, or, in a lossless parse,
 * becomes an {@link InadmissibleNumber} that every later check denies.
 */
import type { Check } from './errors.js';
import { limitExceeded, malformed } from './failure.js';
import { DEFAULT_LIMITS } from './limits.js';
import { InadmissibleNumber, isAdmissibleNumberLiteral } from './numbers.js';

/** Deepest nesting of objects and arrays accepted in a token's JSON text. */
export const MAX_TEXT_DEPTH = 32;

/**
 * What to do with a number literal that is not admissible: `'reject'` it (the whole text is
 * malformed), or `'mark'` it (a lossless parse puts an {@link InadmissibleNumber} in its
 * place, so the caller can deny it at the step its own rules name).
 */
export type NumberMode = 'reject' | 'mark';

const isNumberStart = (ch: number): boolean => ch === 0x2d /* - */ || (ch >= 0x30 && ch <= 0x39);
// Digits, `+ - . e E`: the characters of a JSON number literal (the scan stops at any other).
const isNumberChar = (ch: number): boolean =>
  (ch >= 0x30 && ch <= 0x39) || ch === 0x2b || ch === 0x2d || ch === 0x2e || (ch | 0x20) === 0x65;

/** What the scanner returns when the text holds more values than it may (see `maxValues`). */
const TOO_MANY_VALUES = -2;

const isLiteralStart = (ch: number): boolean =>
  ch === 0x74 /* t */ || ch === 0x66 /* f */ || ch === 0x6e; /* n */

/**
 * Index of the quote that closes the string whose opening quote is at `i` (the text's length
 * when none does): the next quote not escaped, i.e. not after an odd run of backslashes. Found
 * by `indexOf`, not character by character: most of a token's text is inside its strings.
 */
function stringEnd(text: string, i: number): number {
  let quote = text.indexOf('"', i + 1);
  while (quote !== -1) {
    let k = quote - 1;
    // Stops at `i` at the latest: the opening quote is not a backslash.
    while (text.charCodeAt(k) === 0x5c /* \ */) k--;
    if ((quote - 1 - k) % 2 === 0) return quote;
    quote = text.indexOf('"', quote + 1);
  }
  return text.length;
}

/** End (exclusive) of the number literal starting at `i`. */
function numberEnd(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length && isNumberChar(text.charCodeAt(j))) j++;
  return j;
}

/** Whether a number literal is written with only digits (and a sign), at most 15 of them. */
function isShortInteger(text: string, start: number, end: number): boolean {
  const digits = end - start - (text.charCodeAt(start) === 0x2d ? 1 : 0);
  if (digits > 15) return false;
  for (let k = start; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x2e || (c | 0x20) === 0x65) return false;
  }
  return true;
}

/**
 * The one scanner of JSON text, in two modes. `exact`: a Set of keys per open object, and the
 * first problem in words (a duplicate key, nesting deeper than `maxDepth`, an inadmissible
 * number when `numbers` is `'reject'`, with `refuseProto` a member of the top-level object
 * named `__proto__`). Counting (`exact` false, `maxDepth` at most 32): open containers as
 * bits of one int32, nothing allocated for keys or short integers, and -1 for anything the
 * exact mode must look at (too deep, a number that is not a short integer and
 * is inadmissible, or, under `'mark'`, any such number: the lossless parse must see it).
 * Otherwise it returns the number of keys (strings in key position). In both modes, once the
 * text holds more than `maxValues` JSON values (every object, array, string, number and
 * literal but member names) the scan stops there and returns {@link TOO_MANY_VALUES}: a text
 * of a million members is refused after reading `maxValues + 1` of them. Invalid JSON is left
 * to `JSON.parse`.
 */
function scanJsonText(
  text: string,
  maxDepth: number,
  numbers: NumberMode | 'ignore',
  exact: boolean,
  refuseProto = false,
  maxValues = Infinity,
): number | string {
  // Exact: one Set of seen keys per open object, `null` for an open array.
  const sets: (Set<string> | null)[] | undefined = exact ? [] : undefined;
  let depth = 0;
  let objects = 0;
  let keys = 0;
  let values = 0;
  let expectKey = false;
  let backslash = exact ? text.indexOf('\\') : -1;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const ch = text.charCodeAt(i);
    // A value starts here (a member name is not one): count it, and stop past the bound.
    if (
      (ch === 0x22 /* " */ ? !expectKey : ch === 0x7b || ch === 0x5b || isNumberStart(ch)) ||
      isLiteralStart(ch)
    ) {
      if (++values > maxValues) return TOO_MANY_VALUES;
    }
    if (ch === 0x22 /* " */) {
      const j = stringEnd(text, i);
      // In key position: `expectKey` is set only inside an object.
      if (expectKey) {
        keys++;
        expectKey = false;
        const seen = sets === undefined ? undefined : sets[sets.length - 1];
        if (seen) {
          let key: unknown = text.slice(i + 1, j);
          // The first backslash at or after this string, looked for again only once passed:
          // one pass over the text in all.
          if (backslash !== -1 && backslash <= i) backslash = text.indexOf('\\', i + 1);
          if (backslash !== -1 && backslash < j) {
            // Only an escaped key needs decoding: "a" and "\u0061" are the same key.
            try {
              key = JSON.parse(text.slice(i, j + 1));
            } catch {
              return keys; // an invalid string: JSON.parse will say so
            }
          }
          if (typeof key === 'string') {
            if (seen.has(key)) return `duplicate key ${JSON.stringify(key.slice(0, 64))}`;
            if (refuseProto && sets?.length === 1 && key === '__proto__')
              return 'a top-level member named "__proto__"';
            seen.add(key);
          }
        }
      }
      i = j;
    } else if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) {
      if (depth >= maxDepth) return exact ? `nesting deeper than ${maxDepth}` : -1;
      if (sets !== undefined) sets.push(ch === 0x7b ? new Set() : null);
      else if (ch === 0x7b) objects |= 1 << depth;
      else objects &= ~(1 << depth);
      depth++;
      expectKey = ch === 0x7b;
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      if (depth > 0) {
        depth--;
        sets?.pop();
      }
      expectKey = false;
    } else if (ch === 0x2c /* , */) {
      expectKey =
        sets === undefined
          ? depth > 0 && (objects & (1 << (depth - 1))) !== 0
          : sets[sets.length - 1] instanceof Set;
    } else if (isNumberStart(ch)) {
      const end = numberEnd(text, i);
      if (numbers !== 'ignore' && !isShortInteger(text, i, end)) {
        const literal = text.slice(i, end);
        if (exact) {
          if (numbers === 'reject' && !isAdmissibleNumberLiteral(literal))
            return inadmissible(literal);
        } else if (numbers === 'mark' || !isAdmissibleNumberLiteral(literal)) return -1;
      }
      i = end - 1;
    } else if (isLiteralStart(ch)) {
      // `true`, `false`, `null`: counted once, not letter by letter.
      while (i + 1 < length && text.charCodeAt(i + 1) >= 0x61 && text.charCodeAt(i + 1) <= 0x7a)
        i++;
    }
  }
  return keys;
}

/**
 * Scan `text` for duplicate object keys, nesting deeper than `maxDepth`, (unless
 * `numbers` is false) number literals that are not admissible and (with `refuseProto`) a
 * top-level member named `__proto__`. Returns a description of the first problem, or
 * undefined. Invalid JSON is left to `JSON.parse`.
 */
export function findJsonProblem(
  text: string,
  maxDepth = MAX_TEXT_DEPTH,
  numbers = true,
  refuseProto = false,
): string | undefined {
  const found = scanJsonText(text, maxDepth, numbers ? 'reject' : 'ignore', true, refuseProto);
  return typeof found === 'string' ? found : undefined;
}

function inadmissible(literal: string): string {
  return `the number ${literal.slice(0, 40)} does not survive RFC 8785 canonicalisation`;
}

/**
 * Parse untrusted JSON text that must be an object. Duplicate keys, excessive depth, invalid
 * JSON and (unless `protoMember` is `'keep'`) a top-level member named `__proto__` are
 * `MANDATE_MALFORMED`, labelled with `label`; so is an inadmissible number with `numbers` `'reject'` (the default), while
 * `'mark'` parses losslessly: each inadmissible number becomes an
 * {@link InadmissibleNumber}, and {@link writtenWithFraction} tells which numbers were
 * written with a fraction or exponent.
 */
export function parseJsonObject(
  text: string,
  label: string,
  check: Check,
  hop?: number,
  maxDepth = MAX_TEXT_DEPTH,
  numbers: NumberMode = 'reject',
  protoMember: 'refuse' | 'keep' = 'refuse',
  maxValues = Infinity,
): Record<string, unknown> {
  const tooMany = (): never =>
    limitExceeded(`${label}: more than ${maxValues} values`, {
      path: label,
      reason: 'request-values',
      limit: maxValues,
      check: 'limits',
      hop: hop ?? 0,
    });
  // The common case (no problem) skips building a Set of keys per object: the text's key
  // occurrences are counted, and a parse that kept as many own members dropped no
  // duplicate (and the count saw no nesting beyond maxDepth, and no number that needs a
  // closer look). Anything else takes the full path below, whose verdicts and messages are
  // the reference.
  const keys = maxDepth <= 32 ? scanJsonText(text, maxDepth, numbers, false, false, maxValues) : -1;
  if (keys === TOO_MANY_VALUES) tooMany();
  // A top-level `__proto__` member (however escaped) of a header or claim set is refused:
  // JSON.parse keeps it as an own member, but a copy of the claims by assignment
  // (Object.assign) would make it a prototype, and no header member or claim is named so
  // (RFC 8725 vectors `*/proto-*`). Nested objects keep it as data: a tool argument may be
  // named `__proto__`, and every reader defines members, never assigns them. Text that
  // could name one takes the full path, which decodes every key.
  if (
    typeof keys === 'number' &&
    keys >= 0 &&
    !text.includes('__proto__') &&
    !text.includes('\\u')
  ) {
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
  const found = scanJsonText(
    text,
    maxDepth,
    numbers === 'reject' ? 'reject' : 'ignore',
    true,
    protoMember === 'refuse',
    maxValues,
  );
  if (found === TOO_MANY_VALUES) tooMany();
  const at = { path: label, check, hop };
  if (typeof found === 'string') malformed(`${label}: ${found}`, at);
  let value: unknown;
  try {
    value = numbers === 'mark' ? parseMarkingNumbers(text) : JSON.parse(text);
  } catch {
    return malformed(`${label}: not valid JSON`, at);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    malformed(`${label}: must be a JSON object`, at);
  return value as Record<string, unknown>;
}

/** Per parsed container, the members whose number was written with a fraction or exponent. */
const fractionMembers = new WeakMap<object, Set<string>>();

/** The reviver's third argument (ES2025 JSON.parse source text access; Node 21 and later). */
interface ReviverContext {
  readonly source?: string;
}

/** `JSON.parse` that sees every number as written (see {@link parseJsonObject}'s `'mark'`). */
function parseMarkingNumbers(text: string): unknown {
  const reviver = function (this: object, key: string, value: unknown, context?: ReviverContext) {
    if (typeof value !== 'number') return value;
    const source = context?.source;
    // Without the source text the digits cannot be checked: fail closed.
    if (typeof source !== 'string') return new InadmissibleNumber(String(value));
    if (!isAdmissibleNumberLiteral(source)) return new InadmissibleNumber(source);
    if (/[.eE]/.test(source)) {
      let members = fractionMembers.get(this);
      if (members === undefined) {
        members = new Set();
        fractionMembers.set(this, members);
      }
      members.add(key);
    }
    return value;
  };
  return JSON.parse(text, reviver);
}

/**
 * Whether `holder[key]`, from a lossless parse (`numbers: 'mark'`), is a number written with
 * a fraction or exponent part (`1.0`, `1e3`): the AAT draft's integer claims may not be.
 * False for anything else, including values from other parses.
 */
export function writtenWithFraction(holder: object, key: string): boolean {
  return fractionMembers.get(holder)?.has(key) === true;
}

/** Bounds of {@link parseArguments}. */
export interface ArgumentTextBounds {
  /** Deepest nesting of objects and arrays. Default 32. */
  readonly maxDepth?: number;
  /**
   * Most JSON values in the text, the arguments object itself included (member names are not
   * values). Default `DEFAULT_LIMITS.maxRequestValues` (4,096); pass the verifier's
   * `limits.maxRequestValues` when it is configured otherwise.
   */
  readonly maxValues?: number;
}

/**
 * Parse tool arguments as written (AAT step 6b: "every number in args, as written in the
 * invocation, is admissible"): a JSON object, strict like every token Mandate reads, where
 * an inadmissible number becomes an {@link InadmissibleNumber} that verification denies.
 * Pass the result as `request.args` when the invocation arrives as text. The text is counted
 * before it is parsed, and the count stops at `maxValues`: a text with more values is refused
 * after reading one past the bound, never parsed in full. `bounds` may also be a number, the
 * `maxDepth`.
 *
 * @throws MandateError `MANDATE_MALFORMED` for text that is not a JSON object, has a
 *   duplicate key or nests deeper than `maxDepth`; `MANDATE_LIMIT_EXCEEDED` (check `limits`,
 *   hop 0, `detail.reason` `request-values`, `detail.limit`) for more than `maxValues`
 *   values. An argument named `__proto__` is kept as data.
 */
export function parseArguments(
  text: string,
  bounds: ArgumentTextBounds | number = {},
): Record<string, unknown> {
  if (typeof text !== 'string') throw new TypeError('parseArguments needs the JSON text');
  const { maxDepth = MAX_TEXT_DEPTH, maxValues = DEFAULT_LIMITS.maxRequestValues } =
    typeof bounds === 'number' ? { maxDepth: bounds } : bounds;
  return parseJsonObject(text, 'args', 'authorize', undefined, maxDepth, 'mark', 'keep', maxValues);
}

/** Own members of every object in a parsed JSON value (whose depth is already bounded). */
function countOwnMembers(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) count += countOwnMembers(value[i]);
    return count;
  }
  // Values, not keys: no lookup by name per member (parsed objects come in every shape).
  const members = Object.values(value);
  count = members.length;
  for (let i = 0; i < members.length; i++) {
    const member: unknown = members[i];
    if (typeof member === 'object' && member !== null) count += countOwnMembers(member);
  }
  return count;
}
