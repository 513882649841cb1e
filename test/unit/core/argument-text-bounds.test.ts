/**
 * Tool arguments arriving as text (`parseArguments`, the MCP and agent-framework path) are
 * counted before they are parsed: more JSON values than `maxValues` (default
 * `DEFAULT_LIMITS.maxRequestValues`) is `MANDATE_LIMIT_EXCEEDED` (check `limits`, hop 0,
 * `detail.reason` `request-values`), found by a scan that stops one value past the bound, so a
 * text of a million members is never parsed in full (issue 18, cost bounds). The count is the
 * one the verifier's request bounds make on the parsed value (a law, below).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { parseArguments } from '../../../src/index.js';
import { mandateErrorOf } from '../../helpers/failure.js';

/** A text of `n` members `"k<i>":<i>`, then `tail` before the closing brace. */
function membersText(n: number, tail = ''): string {
  return `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}${tail}}`;
}

/** The values of a parsed JSON value: itself, and every member and element at any depth. */
function countValues(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 1;
  const children = Array.isArray(value) ? value : Object.values(value);
  return children.reduce<number>((sum, child) => sum + countValues(child), 1);
}

const LIMIT = DEFAULT_LIMITS.maxRequestValues;
const TOO_MANY = {
  code: 'MANDATE_LIMIT_EXCEEDED',
  check: 'limits',
  hop: 0,
  detail: { path: 'args', reason: 'request-values', limit: LIMIT },
};

describe('parseArguments: maxValues (default maxRequestValues)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('at the default limit the text is parsed; one value past it is refused with the coded error', () => {
    // n members and the object itself: n + 1 values.
    expect(Object.keys(parseArguments(membersText(LIMIT - 1)))).toHaveLength(LIMIT - 1);
    expect(mandateErrorOf(() => parseArguments(membersText(LIMIT)))).toMatchObject(TOO_MANY);
  });

  it('hostile: 1,000,000 members are refused unparsed (the scan stops one value past the bound)', () => {
    const parse = vi.spyOn(JSON, 'parse');
    // Invalid JSON far past the bound: a scan that stopped there never sees it.
    const text = membersText(1_000_000, ',"x":@@@');
    expect(mandateErrorOf(() => parseArguments(text))).toMatchObject(TOO_MANY);
    expect(parse).not.toHaveBeenCalled();
  });

  it('counts every kind of value once, and no member name, brace or comma inside a string', () => {
    const text = '{"a":[true,false,null,-1.5e3,"x{[,]}\\"y"],"b":{"c":{}},"d":"null"}';
    // The object, a, its 5 elements, b, c, d: 10 values.
    expect(parseArguments(text, { maxValues: 10 })).toMatchObject({ d: 'null' });
    expect(mandateErrorOf(() => parseArguments(text, { maxValues: 9 }))).toMatchObject({
      ...TOO_MANY,
      detail: { ...TOO_MANY.detail, limit: 9 },
    });
  });

  it('takes the depth as a number still, and both bounds as options', () => {
    expect(mandateErrorOf(() => parseArguments('{"a":{"b":{}}}', 2))).toMatchObject({
      code: 'MANDATE_MALFORMED',
    });
    expect(parseArguments('{"a":{"b":{}}}', { maxDepth: 3, maxValues: 3 })).toEqual({
      a: { b: {} },
    });
  });

  it('law: a text is admitted exactly when it holds at most maxValues values (what the verifier counts)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 12 }),
        fc.boolean(),
        (args, spaced) => {
          const text = JSON.stringify(args, null, spaced ? 2 : undefined);
          const values = countValues(JSON.parse(text));
          expect(() => parseArguments(text, { maxValues: values })).not.toThrow();
          const error = mandateErrorOf(() => parseArguments(text, { maxValues: values - 1 }));
          expect(error.code).toBe('MANDATE_LIMIT_EXCEEDED');
        },
      ),
      { numRuns: 300 },
    );
  });
});
