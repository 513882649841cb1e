/**
 * A member named `__proto__` is refused by `parseJsonObject` (every JWS header and payload,
 * Agent Card text and tool-argument text Mandate parses), however it is escaped and however
 * deep it sits; the scanner alone (`findJsonProblem`, used on HTTP bodies) still allows it.
 */
import { describe, expect, it } from 'vitest';
import { findJsonProblem, parseJsonObject } from '../../../src/core/json-text.js';

function refusal(text: string): unknown {
  try {
    parseJsonObject(text, 'payload', 'limits', 2);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('parseJsonObject refuses __proto__ members', () => {
  it.each([
    ['top level', '{"a":1,"__proto__":{"admin":true}}'],
    ['first member', '{"__proto__":null}'],
    ['nested object', '{"a":{"b":[{"__proto__":{"x":1}}]}}'],
    ['escaped underscores', '{"\\u005f\\u005fproto\\u005f\\u005f":{"admin":true}}'],
    ['escaped letters', '{"__pr\\u006fto__":1}'],
    ['with a number to mark', '{"n":1.5,"__proto__":{}}'],
  ])('%s -> MANDATE_MALFORMED at the given check and hop', (_name, text) => {
    expect(refusal(text)).toMatchObject({
      code: 'MANDATE_MALFORMED',
      check: 'limits',
      hop: 2,
      message: expect.stringContaining('__proto__') as unknown,
    });
  });

  it('keeps look-alike names and the word as a value', () => {
    expect(parseJsonObject('{"proto":1,"__proto":2,"x":"__proto__"}', 'p', 'limits')).toEqual({
      proto: 1,
      __proto: 2,
      x: '__proto__',
    });
    expect(parseJsonObject('{"\\u0061":1}', 'p', 'limits')).toEqual({ a: 1 });
  });

  it('findJsonProblem, used on HTTP bodies, leaves __proto__ to the application', () => {
    expect(findJsonProblem('{"__proto__":{}}')).toBeUndefined();
    expect(findJsonProblem('{"__proto__":{}}', 32, true, false)).toBe('a member named "__proto__"');
  });
});
