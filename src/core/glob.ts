/**
 * Mandate's `glob` constraint: `*` matches any run of characters (including none and
 * including `/`), `?` exactly one character; every other character matches itself. There is
 * no escape syntax. Characters are Unicode code points.
 *
 * Inclusion and intersection of glob languages are decided exactly by exploring the product
 * of the two patterns' subset automata over the alphabet "every literal of either pattern,
 * plus one fresh character" (all other characters behave identically for both patterns).
 * The exploration is bounded; past the bound inclusion answers `false` (sound: never
 * accepts a widening) and intersection answers "unknown". Each pattern is read once per call
 * (glob-form.ts), and an inclusion the patterns' fixed ends already refute is answered before
 * any automaton is built (glob-ends.ts); both are charged to the call's work budget.
 */

import { BoundedMap } from './bounded-map.js';
import { spend } from './budget.js';
import { endsExclude } from './glob-ends.js';
import { ANY, globForm, ONE, tokens, type GlobForm, type Token } from './glob-form.js';

/** A character that occurs in neither pattern. */
const FRESH = Symbol('fresh');

/**
 * Exploration budget for inclusion / intersection, in automaton-state visits. Small
 * patterns need a few hundred; the bound keeps hostile patterns from costing more than a
 * few milliseconds.
 */
const BUDGET = 200_000;

/** True when the pattern has no wildcard, i.e. matches exactly one string. */
export function isLiteralGlob(pattern: string): boolean {
  return !pattern.includes('*') && !pattern.includes('?');
}

/** What one match cost, in steps: the unit its bound is stated in (see {@link globMatchSteps}). */
export interface GlobMatchResult {
  readonly matched: boolean;
  /**
   * Code points read, failure links followed and bit-vector words touched, compiling the
   * pattern included (even when it came from the cache).
   */
  readonly steps: number;
}

/** Bits per word of the bit-parallel search (31, so every shift stays a small integer). */
const WORD = 31;

/**
 * A fixed-length piece of a pattern between stars (literal code points and `?`), prepared
 * for searching: a literal one with its Knuth-Morris-Pratt failure links, one with `?` with
 * its Shift-And table (row per distinct literal, row 0 for every other character).
 */
interface Segment {
  readonly tokens: readonly Token[];
  readonly fail?: Int32Array;
  readonly shiftAnd?: ShiftAnd;
}

interface ShiftAnd {
  readonly ids: ReadonlyMap<string, number>;
  readonly words: number;
  readonly table: Int32Array;
}

/** A compiled pattern: its segments and what compiling them cost. */
interface Compiled {
  readonly segments: readonly Segment[];
  readonly steps: number;
}

function setBit(words: Int32Array, offset: number, bit: number): void {
  const w = offset + Math.floor(bit / WORD);
  words[w] = (words[w] ?? 0) | (1 << (bit % WORD));
}

function failureLinks(seg: readonly Token[], meter: { steps: number }): Int32Array {
  const fail = new Int32Array(seg.length);
  for (let i = 1, k = 0; i < seg.length; i++) {
    while (k > 0 && seg[i] !== seg[k]) {
      k = fail[k - 1] ?? 0;
      meter.steps++;
    }
    if (seg[i] === seg[k]) k++;
    fail[i] = k;
    meter.steps++;
  }
  return fail;
}

function shiftAndTable(seg: readonly Token[], meter: { steps: number }): ShiftAnd {
  const words = Math.ceil(seg.length / WORD);
  const ids = new Map<string, number>();
  for (const t of seg) if (typeof t === 'string' && !ids.has(t)) ids.set(t, ids.size + 1);
  const table = new Int32Array((ids.size + 1) * words);
  // Row 0: the `?` positions, which every character matches; each row starts from it.
  seg.forEach((t, k) => t === ONE && setBit(table, 0, k));
  for (let row = 1; row <= ids.size; row++) table.copyWithin(row * words, 0, words);
  seg.forEach((t, k) => typeof t === 'string' && setBit(table, (ids.get(t) ?? 0) * words, k));
  meter.steps += seg.length + table.length;
  return { ids, words, table };
}

function compile(pattern: string): Compiled {
  const meter = { steps: 0 };
  const pieces: Token[][] = [[]];
  for (const t of tokens(pattern)) {
    meter.steps++;
    if (t === ANY) pieces.push([]);
    else pieces[pieces.length - 1]?.push(t);
  }
  // Only the segments between stars are searched; the first and last are anchored.
  const segments = pieces.map((seg, i): Segment => {
    if (i === 0 || i === pieces.length - 1 || seg.length === 0) return { tokens: seg };
    return seg.includes(ONE)
      ? { tokens: seg, shiftAnd: shiftAndTable(seg, meter) }
      : { tokens: seg, fail: failureLinks(seg, meter) };
  });
  return { segments, steps: meter.steps };
}

/** Whether `seg` matches `s` at `at` (the caller checked it fits). */
function matchesAt(seg: readonly Token[], s: ArrayLike<string>, at: number): boolean {
  for (let k = 0; k < seg.length; k++) {
    const t = seg[k];
    if (t !== ONE && t !== s[at + k]) return false;
  }
  return true;
}

/**
 * Leftmost occurrence of the literal segment in `s[from, to)` (it must end by `to`), or -1:
 * Knuth-Morris-Pratt, at most 2·(to - from) steps.
 */
function findLiteral(
  seg: readonly Token[],
  fail: Int32Array,
  s: ArrayLike<string>,
  from: number,
  to: number,
  meter: { steps: number },
): number {
  for (let i = from, k = 0; i < to; i++) {
    while (k > 0 && s[i] !== seg[k]) {
      k = fail[k - 1] ?? 0;
      meter.steps++;
    }
    if (s[i] === seg[k]) k++;
    meter.steps++;
    if (k === seg.length) return i - seg.length + 1;
  }
  return -1;
}

/**
 * Leftmost occurrence of a segment with `?` in `s[from, to)`, or -1: bit-parallel Shift-And
 * over ⌈|seg|/31⌉ words, so at most (to - from)·⌈|seg|/31⌉ steps (one word per character
 * for the segments patterns usually have).
 */
function findWithAny(
  seg: readonly Token[],
  { ids, words, table }: ShiftAnd,
  s: ArrayLike<string>,
  from: number,
  to: number,
  meter: { steps: number },
): number {
  const state = new Int32Array(words);
  const lastWord = words - 1;
  const lastBit = 1 << ((seg.length - 1) % WORD);
  // Words from `live` up are zero: one shift can make at most one more word non-zero.
  let live = 0;
  for (let i = from; i < to; i++) {
    const base = (ids.get(s[i] ?? '') ?? 0) * words;
    const top = Math.min(words, live + 1);
    // state = ((state << 1) | 1) & row, carrying bit 30 of each word into the next.
    let carry = 1;
    live = 0;
    for (let w = 0; w < top; w++) {
      const word = state[w] ?? 0;
      const next = (word >>> (WORD - 1)) & 1;
      const shifted = (((word << 1) & 0x7fffffff) | carry) & (table[base + w] ?? 0);
      state[w] = shifted;
      if (shifted !== 0) live = w + 1;
      carry = next;
    }
    meter.steps += top;
    if (((state[lastWord] ?? 0) & lastBit) !== 0) return i - seg.length + 1;
  }
  return -1;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Compiled patterns by their text: a verifier sees the same few globs on every request. */
const compiled = new BoundedMap<string, Compiled>(256);

/**
 * {@link globMatch} with its cost. The pattern splits at its stars into fixed-length
 * segments; the first must match at the start, the last at the end, and each one between
 * at its leftmost place after the previous one (leftmost is never worse: it leaves the most
 * room for the rest). Every character of the value is scanned by at most one segment
 * search and nothing backtracks, so for a value of n and a pattern of m code points the cost
 * is O(n + m) steps when every segment between stars is literal or at most 31 code points
 * long, and O((n + m)·⌈L/31⌉) at worst, where L is the longest segment with a `?` (at most
 * 34 words under the default `maxStringLength` of 1024). It does not grow with the number
 * of stars or with how often a segment almost matches.
 */
export function globMatchSteps(pattern: string, value: string): GlobMatchResult {
  let c = compiled.get(pattern);
  if (c === undefined) {
    c = compile(pattern);
    compiled.set(pattern, c);
  }
  // Code points: a value without surrogates is its own code points, read in place (no copy).
  const s: ArrayLike<string> = SURROGATE.test(value) ? Array.from(value) : value;
  const n = s.length;
  const meter = { steps: c.steps + n };
  const segs = c.segments;
  const first = segs[0]?.tokens ?? [];
  if (segs.length === 1) {
    meter.steps += first.length;
    return { matched: n === first.length && matchesAt(first, s, 0), steps: meter.steps };
  }
  const last = segs[segs.length - 1]?.tokens ?? [];
  meter.steps += first.length + last.length;
  const fits =
    first.length + last.length <= n &&
    matchesAt(first, s, 0) &&
    matchesAt(last, s, n - last.length);
  if (!fits) return { matched: false, steps: meter.steps };
  let pos = first.length;
  const end = n - last.length;
  for (let k = 1; k < segs.length - 1; k++) {
    const seg = segs[k];
    if (seg === undefined || seg.tokens.length === 0) continue;
    const at =
      seg.shiftAnd !== undefined
        ? findWithAny(seg.tokens, seg.shiftAnd, s, pos, end, meter)
        : findLiteral(seg.tokens, seg.fail ?? new Int32Array(0), s, pos, end, meter);
    if (at < 0) return { matched: false, steps: meter.steps };
    pos = at + seg.tokens.length;
  }
  return { matched: true, steps: meter.steps };
}

/**
 * Recent answers by pattern: every block of a chain usually carries the same glob for the
 * same argument, and the value is the same string each time, so one match suffices.
 */
const recent = new BoundedMap<string, { readonly value: string; readonly matched: boolean }>(64);

/**
 * Matches `value` against `pattern`: linear in both for the usual patterns, never worse
 * than O((n + m)·⌈L/31⌉) (see {@link globMatchSteps}).
 */
export function globMatch(pattern: string, value: string): boolean {
  const hit = recent.get(pattern);
  if (hit !== undefined && hit.value === value) return hit.matched;
  const { matched } = globMatchSteps(pattern, value);
  recent.set(pattern, { value, matched });
  return matched;
}

type Sym = string | typeof FRESH;

/**
 * Adds position `i` to the ascending state list `out`, with every position a `*` at `i`
 * reaches without reading (the ε-closure). `step` visits its states in ascending order and
 * each yields positions at most two past it, so a new position is almost always past the
 * last one or equal to one of the last two: no set and no sort, and a misplaced one is
 * still inserted in order.
 */
function addClosed(p: readonly Token[], out: number[], from: number): void {
  for (let i = from; ; i++) {
    const last = out.length - 1;
    const top = out[last] ?? -1;
    if (i > top) out.push(i);
    else if (i !== top && i !== out[last - 1]) insertSorted(out, i);
    if (p[i] !== ANY) return;
  }
}

function insertSorted(out: number[], i: number): void {
  let lo = 0;
  let hi = out.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((out[mid] ?? 0) < i) lo = mid + 1;
    else hi = mid;
  }
  if (out[lo] !== i) out.splice(lo, 0, i);
}

/** The subset state after reading `ch` from `states` (ascending, no repeats). */
function step(p: readonly Token[], states: readonly number[], ch: Sym): number[] {
  const next: number[] = [];
  for (const i of states) {
    const t = p[i];
    if (t === undefined) continue;
    if (t === ANY) addClosed(p, next, i);
    else if (t === ONE || t === ch) addClosed(p, next, i + 1);
  }
  return next;
}

/**
 * Every literal of either pattern (in order of first occurrence, the first pattern's first),
 * then one fresh character: every other character behaves as the fresh one for both.
 */
function alphabet(a: GlobForm, b: GlobForm): Sym[] {
  const set = new Set<string>(a.literals);
  for (const t of b.literals) set.add(t);
  return [...set, FRESH];
}

/** A product state as a string, for the set of states seen: one character per position. */
function stateKey(sa: readonly number[], sb: readonly number[], wide: boolean): string {
  if (wide) return `${sa.join(',')}|${sb.join(',')}`;
  // 0xffff is never a position here, so it separates the two lists unambiguously.
  return String.fromCharCode(...sa, 0xffff, ...sb);
}

/**
 * Explores the product of the two patterns' subset automata; `visit` returns true to stop
 * with a verdict. Returns the verdict, `false` when exhausted, `undefined` past the budget.
 */
function explore(
  fa: GlobForm,
  fb: GlobForm,
  visit: (acceptA: boolean, acceptB: boolean) => boolean,
): boolean | undefined {
  const a = fa.tokens;
  const b = fb.tokens;
  // Positions fit one UTF-16 unit each unless a pattern has 65,535 tokens or more.
  const wide = Math.max(a.length, b.length) >= 0xffff;
  const seen = new Set<string>();
  // Breadth first; the head index walks the queue (shifting would copy it every time). The
  // start states are the forms' own: states are never written once built.
  const queue: (readonly [readonly number[], readonly number[]])[] = [[fa.start, fb.start]];
  let sigma: readonly Sym[] | undefined;
  let work = 0;
  for (let head = 0; head < queue.length; head++) {
    const pair = queue[head];
    if (pair === undefined) break;
    const [sa, sb] = pair;
    const key = stateKey(sa, sb, wide);
    if (seen.has(key)) continue;
    seen.add(key);
    // States are ascending: the accepting position, the largest, is last when present.
    if (visit(sa[sa.length - 1] === a.length, sb[sb.length - 1] === b.length)) return true;
    if (sigma === undefined) {
      // Built only past the start state (often decisive), and charged to the call's budget:
      // it is per pair, not per pattern.
      if (!spend(fa.literals.length + fb.literals.length + 1)) return undefined;
      sigma = alphabet(fa, fb);
    }
    for (const ch of sigma) {
      const units = sa.length + sb.length + 1;
      work += units;
      if (work > BUDGET || !spend(units)) return undefined;
      const na = step(a, sa, ch);
      // Once the first automaton is dead nothing below can matter for either question.
      if (na.length === 0) continue;
      queue.push([na, step(b, sb, ch)]);
    }
  }
  return false;
}

/**
 * True when every string `child` matches is matched by `parent`. Exact within the
 * exploration budget; `false` beyond it.
 */
export function globIncluded(child: string, parent: string): boolean {
  if (child === parent) return true;
  const p = globForm(parent);
  // `*` (or `**`...) matches every string: it includes any child without exploring.
  if (p.allStars) return true;
  const c = globForm(child);
  // Most pairs differ at an end: not included, the answer the exploration would give.
  const ends = endsExclude(c, p);
  if (!spend(ends.steps) || ends.excluded) return false;
  const found = explore(c, p, (x, y) => x && !y);
  // found === true: a string in child but not parent exists; undefined: gave up.
  return found === false;
}

/**
 * True when some string matches both patterns, false when none does, `undefined` when the
 * exploration budget ran out.
 */
export function globsIntersect(a: string, b: string): boolean | undefined {
  return explore(globForm(a), globForm(b), (x, y) => x && y);
}
