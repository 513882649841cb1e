/** Time spans and the clock. All times are whole seconds since the epoch. */

/** A clock returning seconds since the epoch. Injected wherever time matters. */
export type Clock = () => number;

/** The wall clock, in whole seconds. */
export const systemClock: Clock = () => Math.floor(Date.now() / 1000);

/** A span: seconds, or a string such as `'90s'`, `'15m'`, `'2h'`, `'7d'`. */
export type Span = number | string;

const UNITS: Readonly<Record<string, number>> = {
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  d: 86400,
  day: 86400,
  days: 86400,
  w: 604800,
  week: 604800,
  weeks: 604800,
};

/**
 * Parse a span into whole seconds. `0` means zero. A negative, fractional-garbage or
 * unknown-unit span is a RangeError (misuse, not a denial).
 */
export function parseSpan(span: Span, label = 'span'): number {
  if (typeof span === 'number') {
    if (!Number.isFinite(span) || span < 0) throw new RangeError(`${label} must be >= 0 seconds`);
    return Math.floor(span);
  }
  if (typeof span !== 'string') throw new TypeError(`${label} must be seconds or a span string`);
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(span);
  const unit = match?.[2] === '' || match?.[2] === undefined ? 's' : match[2].toLowerCase();
  const factor = UNITS[unit];
  if (match?.[1] === undefined || factor === undefined) {
    throw new RangeError(`${label}: cannot read span ${JSON.stringify(span)}`);
  }
  return Math.floor(Number(match[1]) * factor);
}
