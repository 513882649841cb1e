/**
 * Admissible numbers (AAT draft -02, section 3.4): the round-trip law on generated number
 * literals, and the examples the draft gives.
 */
import { describe, expect, it } from 'vitest';
import { isAdmissibleNumberLiteral } from '../../src/core/numbers.js';
import { checkNumberRoundTrip, sameDecimal } from '../../src/testing/number-laws.js';

describe('admissible numbers', () => {
  it('every admissible literal survives parse, canonicalise, parse; every other is denied', () =>
    checkNumberRoundTrip());

  it.each([
    ['0.1', true],
    ['1e20', true],
    ['9007199254740994', true],
    ['1.0', true],
    ['-0', true],
    ['9007199254740993', false],
    ['1.00000000000000001', false],
    ['1e400', false],
    ['1e-400', false],
  ])('the draft: %s admissible is %s', (literal, admissible) => {
    expect(isAdmissibleNumberLiteral(literal)).toBe(admissible);
  });

  it('the oracle compares decimals exactly', () => {
    expect(sameDecimal('1.50', '15e-1')).toBe(true);
    expect(sameDecimal('9007199254740993', '9007199254740992')).toBe(false);
    expect(sameDecimal('0.0', '-0e5')).toBe(true);
  });
});
