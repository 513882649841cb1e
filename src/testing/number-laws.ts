/**
 * Laws of admissible numbers (AAT draft -02, section 3.4): a number literal is admissible
 * exactly when its RFC 8785 form denotes the same number; every admissible literal
 * survives parse → canonicalise → parse unchanged, and every inadmissible one is denied
 * wherever Mandate reads JSON text (rejected, or marked by a lossless parse).
 */
import fc from 'fast-check';
import { canonicalJson } from '../core/encoding.js';
import { isMandateError } from '../core/errors.js';
import { parseJsonObject } from '../core/json-text.js';
import { isAdmissibleNumberLiteral, isInadmissibleNumber } from '../core/numbers.js';
import { lawParams, type RunOptions } from './config.js';

/** Options of the number laws: fast-check runs and an optional seed. */
export type NumberLawOptions = RunOptions;

const params = lawParams;

const digits = (min: number, max: number) =>
  fc
    .array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max })
    .map((ds) => ds.join(''));

/**
 * JSON number literals, admissible and not: integers around 2^53 and beyond, decimals with
 * up to 25 significant digits, exponents from -340 to 340 (overflow and underflow
 * included), and every finite double as ECMAScript writes it.
 */
export function arbNumberLiteral(): fc.Arbitrary<string> {
  const sign = fc.constantFrom('', '-');
  const whole = fc.oneof(
    fc.constant('0'),
    fc.tuple(fc.constantFrom(...'123456789'), digits(0, 24)).map(([a, b]) => a + b),
  );
  const fraction = fc.option(
    digits(1, 25).map((d) => `.${d}`),
    { nil: '' },
  );
  const exponent = fc.option(
    fc
      .tuple(
        fc.constantFrom('e', 'E'),
        fc.constantFrom('', '+', '-'),
        fc.integer({ min: 0, max: 340 }),
      )
      .map(([e, s, n]) => `${e}${s}${n}`),
    { nil: '' },
  );
  const grammar = fc.tuple(sign, whole, fraction, exponent).map((parts) => parts.join(''));
  const nearSafe = fc
    .bigInt({ min: 2n ** 52n, max: 2n ** 70n })
    .chain((n) => sign.map((s) => `${s}${n}`));
  const around2to53 = fc
    .bigInt({ min: 10n ** 15n, max: 10n ** 17n })
    .chain((n) => sign.map((s) => `${s}${n}`));
  const doubles = fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => String(d));
  // A double as written, its last significant digit changed: mostly a number no double holds.
  const nearMiss = fc
    .tuple(
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 }),
      fc.integer({ min: 1, max: 9 }),
    )
    .map(([d, bump]) =>
      String(d).replace(/(\d)(?=(?:e[+-]?\d+)?$)/, (x) => String((Number(x) + bump) % 10)),
    );
  return fc.oneof(grammar, nearSafe, around2to53, doubles, nearMiss);
}

/** A decimal literal as an exact rational `m × 10^e` with a BigInt `m` (an independent oracle). */
function exact(literal: string): { m: bigint; e: number } {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal);
  if (match === null) throw new TypeError(`not a number literal: ${literal}`);
  const [, sign = '', whole = '', fraction = '', exp = '0'] = match;
  const m = BigInt(`${sign}${whole}${fraction}`);
  return { m, e: Number(exp) - fraction.length };
}

/** Whether two decimal literals denote the same number, by exact BigInt arithmetic. */
export function sameDecimal(a: string, b: string): boolean {
  const x = exact(a);
  const y = exact(b);
  if (x.m === 0n || y.m === 0n) return x.m === 0n && y.m === 0n;
  // Exponents of a finite double's decimal stay within a few hundred: scale the smaller.
  const e = Math.min(x.e, y.e);
  if (Math.abs(x.e - y.e) > 800) return false;
  return x.m * 10n ** BigInt(x.e - e) === y.m * 10n ** BigInt(y.e - e);
}

/**
 * `isAdmissibleNumberLiteral` agrees with the definition (the canonical form of the double,
 * `String(Number(literal))`, denotes the literal's number, checked with BigInt arithmetic),
 * and then: an admissible literal parses to a value that canonicalises and parses back
 * unchanged; an inadmissible one is `MANDATE_MALFORMED` in a strict parse and an
 * `InadmissibleNumber` in a lossless one.
 */
export function checkNumberRoundTrip(o: NumberLawOptions = {}): void {
  fc.assert(
    fc.property(arbNumberLiteral(), (literal) => {
      const value = Number(literal);
      const canonical = Number.isFinite(value) ? String(value === 0 ? 0 : value) : undefined;
      const expected = canonical !== undefined && sameDecimal(literal, canonical);
      if (isAdmissibleNumberLiteral(literal) !== expected) return false;
      const text = `{"n":${literal}}`;
      if (expected) {
        const parsed = parseJsonObject(text, 'n', 'limits');
        const again = parseJsonObject(canonicalJson(parsed), 'n', 'limits');
        const marked = parseJsonObject(text, 'n', 'limits', undefined, undefined, 'mark');
        return again['n'] === parsed['n'] && marked['n'] === parsed['n'];
      }
      try {
        parseJsonObject(text, 'n', 'limits');
        return false;
      } catch (error) {
        if (!isMandateError(error) || error.code !== 'MANDATE_MALFORMED') return false;
      }
      const marked = parseJsonObject(text, 'n', 'limits', undefined, undefined, 'mark');
      return isInadmissibleNumber(marked['n']);
    }),
    params(o),
  );
}
