/**
 * Admissible numbers (AAT draft -02, section 3.4): a JSON number is admissible when the
 * RFC 8785 serialisation of its IEEE 754 double denotes the same number as the text it was
 * parsed from. `0.1`, `1.0`, `1e20` and `9007199254740994` are admissible;
 * `9007199254740993` (read as 9007199254740992) and `1.00000000000000001` (read as 1) are
 * not: a signer who wrote them meant a value that no check after `JSON.parse` ever sees.
 *
 * The test needs the literal as written; once parsed into a double the lost digits are
 * gone. The strict JSON scanner (`json-text.ts`) applies it to every number literal it
 * reads, and a lossless parse replaces an inadmissible literal by an
 * {@link InadmissibleNumber}, which every check downstream denies.
 */
import { deepFreeze } from './freeze.js';

/** A decimal number as sign, significant digits (no leading or trailing zeros) and exponent. */
interface Decimal {
  readonly negative: boolean;
  /** Empty for zero. */
  readonly digits: string;
  readonly exponent: number;
}

const NUMBER_LITERAL = /^(-?)(0|[1-9]\d*)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
/** Integers of at most 15 digits are exact doubles and serialise as written. */
const SHORT_INTEGER = /^-?(?:0|[1-9]\d{0,14})$/;
/** Longer exponents only matter for zero: any other value is then out of double range. */
const MAX_EXPONENT_DIGITS = 9;

function decimalOf(text: string): Decimal | undefined {
  const m = NUMBER_LITERAL.exec(text);
  if (m === null) return undefined;
  const [, sign = '', whole = '', fraction = '', exponentText] = m;
  let digits = `${whole}${fraction}`.replace(/^0+/, '');
  if (digits === '') return { negative: false, digits: '', exponent: 0 };
  let exponent = -fraction.length;
  if (exponentText !== undefined) {
    const magnitude = exponentText.replace(/^[+-]?0*/, '');
    if (magnitude.length > MAX_EXPONENT_DIGITS) return undefined;
    exponent += Number.parseInt(exponentText, 10);
  }
  const trailing = /0*$/.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(0, digits.length - trailing);
  return { negative: sign === '-', digits, exponent: exponent + trailing };
}

/**
 * True when `literal` is a JSON number whose RFC 8785 form denotes the same number: the
 * double it parses to is finite, and its shortest round-trip decimal (ECMAScript
 * `Number::toString`, which RFC 8785 section 3.2.2.3 adopts) equals the literal's value
 * exactly. `-0` is admissible (it denotes zero, as does its canonical form `0`).
 */
export function isAdmissibleNumberLiteral(literal: string): boolean {
  if (SHORT_INTEGER.test(literal)) return true;
  const written = decimalOf(literal);
  const value = Number(literal);
  if (!Number.isFinite(value)) return false;
  // Not JSON number syntax, or a non-zero value with an exponent far outside double range.
  if (written === undefined) return false;
  const canonical = decimalOf(value === 0 ? '0' : String(value));
  return (
    canonical !== undefined &&
    canonical.digits === written.digits &&
    (written.digits === '' ||
      (canonical.negative === written.negative && canonical.exponent === written.exponent))
  );
}

/**
 * What a lossless parse puts where the text held an inadmissible number: never a number,
 * never plain JSON, so `assertJson`, constraint checks and canonicalisation all refuse it
 * (a deny, never a silently different value). `literal` is the number as written.
 */
export class InadmissibleNumber {
  readonly literal: string;

  constructor(literal: string) {
    this.literal = literal.slice(0, 64);
    Object.freeze(this);
  }

  /** Serialising it is refused: there is no canonical form that means what was written. */
  toJSON(): never {
    throw new TypeError(`the number ${this.literal} does not survive RFC 8785 canonicalisation`);
  }
}

deepFreeze(InadmissibleNumber);

/** True for the marker a lossless parse leaves in place of an inadmissible number. */
export function isInadmissibleNumber(value: unknown): value is InadmissibleNumber {
  return value instanceof InadmissibleNumber;
}
