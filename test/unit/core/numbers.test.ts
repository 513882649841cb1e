/**
 * Numbers read as written (AAT draft -02, section 3.4): the strict JSON scanner rejects an
 * inadmissible number literal, or marks it in a lossless parse; integers written with a
 * fraction or exponent are reported; tool arguments can be parsed as written; the HTTP
 * body reader refuses them.
 */
import { describe, expect, it } from 'vitest';
import { readFetchJson, BodyError } from '../../../src/adapters/http/body.js';
import { authorize } from '../../../src/core/capability.js';
import {
  findJsonProblem,
  parseArguments,
  parseJsonObject,
  writtenWithFraction,
} from '../../../src/core/json-text.js';
import type { InadmissibleNumber } from '../../../src/core/numbers.js';
import { isInadmissibleNumber } from '../../../src/core/numbers.js';
import { canonicalJson } from '../../../src/core/encoding.js';

const malformed = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};

describe('the strict JSON scanner and numbers', () => {
  it.each([
    '{"n":9007199254740993}',
    '{"a":{"b":[1,2,1.00000000000000001]}}',
    '{"n":1e400}',
    '{"n":-1e-400}',
    '{"n":123456789012345678}',
  ])('rejects %s (MANDATE_MALFORMED, with the label and hop)', (text) => {
    expect(findJsonProblem(text)).toMatch(/does not survive RFC 8785 canonicalisation/);
    expect(malformed(() => parseJsonObject(text, 'block 2.payload', 'limits', 2))).toMatchObject({
      code: 'MANDATE_MALFORMED',
      hop: 2,
      check: 'limits',
      detail: { path: 'block 2.payload' },
    });
  });

  it.each([
    '{"n":9007199254740992}',
    '{"n":9007199254740994}',
    '{"n":0.1,"m":1e20,"k":-0,"j":1.0,"s":"9007199254740993"}',
    '{"n":[5e-324,1.7976931348623157e308]}',
  ])('accepts %s unchanged', (text) => {
    expect(findJsonProblem(text)).toBeUndefined();
    expect(parseJsonObject(text, 'x', 'limits')).toEqual(JSON.parse(text));
  });

  it('marks an inadmissible number in a lossless parse, and never serialises the marker', () => {
    const value = parseJsonObject(
      '{"a":[9007199254740993],"b":2}',
      'x',
      'limits',
      undefined,
      undefined,
      'mark',
    );
    const [marker] = value['a'] as unknown[];
    expect(isInadmissibleNumber(marker)).toBe(true);
    expect((marker as InadmissibleNumber).literal).toBe('9007199254740993');
    expect(value['b']).toBe(2);
    expect(() => canonicalJson(value)).toThrow(/does not survive/);
  });

  it('tells which numbers were written with a fraction or exponent', () => {
    const value = parseJsonObject(
      '{"iat":1.7e9,"exp":1800000000,"d":0.0,"nested":{"x":1.5}}',
      'x',
      'limits',
      undefined,
      undefined,
      'mark',
    );
    expect(writtenWithFraction(value, 'iat')).toBe(true);
    expect(writtenWithFraction(value, 'd')).toBe(true);
    expect(writtenWithFraction(value, 'exp')).toBe(false);
    expect(writtenWithFraction(value['nested'] as object, 'x')).toBe(true);
  });

  it('parseArguments reads arguments as written, and authorization denies the marker', () => {
    const args = parseArguments('{"count":9007199254740993}');
    const result = authorize(
      [{ resource: 'tool:t', actions: ['call'], constraints: { count: { min: 0 } } }],
      { resource: 'tool:t', action: 'call', args: args as never },
    );
    expect(result).toMatchObject({
      allowed: false,
      code: 'MANDATE_MALFORMED',
      detail: { reason: 'inadmissible-number' },
    });
    expect(malformed(() => parseArguments('{"a":1,"a":2}'))).toMatchObject({
      code: 'MANDATE_MALFORMED',
    });
  });

  it('the HTTP body reader refuses a body whose numbers would change meaning', async () => {
    const request = new Request('http://127.0.0.1/', {
      method: 'POST',
      body: '{"amount":9007199254740993}',
    });
    await expect(readFetchJson(request, 1024)).rejects.toBeInstanceOf(BodyError);
  });
});
