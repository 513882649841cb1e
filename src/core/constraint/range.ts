/**
 * Range arithmetic: a `range` constraint is an interval of reals (sound for IEEE doubles,
 * which are a subset), with optional exclusive bounds. Membership, emptiness, inclusion by
 * the AAT draft's rule (section 4.5) and the meet of two intervals.
 */
import type { Of } from './forms.js';

/** The `range` constraint (wire form). */
export type Range = Of<'range'>;
/** `T` with its members writable: for building a constraint member by member. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Whether the lower bound is included (absent `min_inclusive` means included). */
export const minInclusive = (r: Range): boolean => r.min_inclusive !== false;
/** Whether the upper bound is included (absent `max_inclusive` means included). */
export const maxInclusive = (r: Range): boolean => r.max_inclusive !== false;

/** A range from its bounds, writing an inclusivity flag only when it is `false`. */
export function makeRange(
  min: number | undefined,
  minInc: boolean,
  max: number | undefined,
  maxInc: boolean,
): Range {
  const out: Mutable<Range> = { constraint_type: 'range' };
  if (min !== undefined) {
    out.min = min;
    if (!minInc) out.min_inclusive = false;
  }
  if (max !== undefined) {
    out.max = max;
    if (!maxInc) out.max_inclusive = false;
  }
  return out;
}

/** Whether `x` lies in the interval. */
export function inRange(r: Range, x: number): boolean {
  if (r.min !== undefined && (x < r.min || (x === r.min && !minInclusive(r)))) return false;
  if (r.max !== undefined && (x > r.max || (x === r.max && !maxInclusive(r)))) return false;
  return true;
}

/** Whether the interval holds no number. */
export function rangeEmpty(r: Range): boolean {
  if (r.min === undefined || r.max === undefined) return false;
  return r.min > r.max || (r.min === r.max && !(minInclusive(r) && maxInclusive(r)));
}

/**
 * The draft's range rule (AAT 4.5): each derived bound at least as tight as the parent's,
 * a missing derived bound only under a missing parent bound, inclusivity only tightening.
 */
export function rangeWithin(c: Range, p: Range): boolean {
  const lower =
    p.min === undefined ||
    (c.min !== undefined &&
      (c.min > p.min || (c.min === p.min && (minInclusive(p) || !minInclusive(c)))));
  const upper =
    p.max === undefined ||
    (c.max !== undefined &&
      (c.max < p.max || (c.max === p.max && (maxInclusive(p) || !maxInclusive(c)))));
  return lower && upper;
}

export function rangeMeet(a: Range, b: Range): Range {
  let min = a.min;
  let minInc = minInclusive(a);
  if (b.min !== undefined && (min === undefined || b.min > min)) {
    min = b.min;
    minInc = minInclusive(b);
  } else if (b.min !== undefined && b.min === min) minInc = minInc && minInclusive(b);
  let max = a.max;
  let maxInc = maxInclusive(a);
  if (b.max !== undefined && (max === undefined || b.max < max)) {
    max = b.max;
    maxInc = maxInclusive(b);
  } else if (b.max !== undefined && b.max === max) maxInc = maxInc && maxInclusive(b);
  return makeRange(min, minInc, max, maxInc);
}
