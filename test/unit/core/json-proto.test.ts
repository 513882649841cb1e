/**
 * A top-level member named `__proto__` (a JWS header member or claim) is refused by
 * `parseJsonObject`, however it is escaped; nested objects (capabilities, tool arguments) and
 * `parseArguments` keep it as data; the scanner alone (`findJsonProblem`, used on HTTP
 * bodies) allows it unless asked.
 */
import { describe, expect, it } from 'vitest';
import { findJsonProblem, parseArguments, parseJsonObject } from '../../../src/core/json-text.js';

function refusal(text: string): unknown {
  try {
    parseJsonObject(text, 'payload', 'limits', 2);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('parseJsonObject refuses a top-level __proto__ member', () => {
  it.each([
    ['last member', '{"a":1,"__proto__":{"admin":true}}'],
    ['first member', '{"__proto__":null}'],
    ['escaped underscores', '{"\\u005f\\u005fproto\\u005f\\u005f":{"admin":true}}'],
    ['escaped letters', '{"__pr\\u006fto__":1}'],
    ['after a number to mark', '{"n":1.5,"__proto__":{}}'],
  ])('%s -> MANDATE_MALFORMED at the given check and hop', (_name, text) => {
    expect(refusal(text)).toMatchObject({
      code: 'MANDATE_MALFORMED',
      check: 'limits',
      hop: 2,
      message: expect.stringContaining('__proto__') as unknown,
    });
  });

  it('keeps a nested __proto__ member as an own data member, with no prototype set', () => {
    const parsed = parseJsonObject('{"a":{"b":[{"__proto__":{"x":1}}]}}', 'p', 'limits');
    const inner = (parsed['a'] as { b: Record<string, unknown>[] }).b[0] ?? {};
    expect(Object.keys(inner)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(inner)).toBe(Object.prototype);
    expect((inner as { x?: unknown }).x).toBeUndefined();
  });

  it('keeps look-alike names and the word as a value', () => {
    expect(parseJsonObject('{"proto":1,"__proto":2,"x":"__proto__"}', 'p', 'limits')).toEqual({
      proto: 1,
      __proto: 2,
      x: '__proto__',
    });
    expect(parseJsonObject('{"\\u0061":1}', 'p', 'limits')).toEqual({ a: 1 });
  });

  it('parseArguments keeps an argument named __proto__ as data', () => {
    expect(Object.keys(parseArguments('{"__proto__":{"amount":5000},"to":"bob"}'))).toEqual([
      '__proto__',
      'to',
    ]);
  });

  it('findJsonProblem, used on HTTP bodies, refuses it only when asked', () => {
    expect(findJsonProblem('{"__proto__":{}}')).toBeUndefined();
    expect(findJsonProblem('{"__proto__":{}}', 32, true, true)).toBe(
      'a top-level member named "__proto__"',
    );
    expect(findJsonProblem('{"a":{"__proto__":{}}}', 32, true, true)).toBeUndefined();
  });
});
