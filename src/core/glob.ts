/**
 * Mandate's `glob` constraint: `*` matches any run of characters (including none and
 * including `/`), `?` exactly one character; every other character matches itself. There is
 * no escape syntax. Characters are Unicode code points.
 *
 * Inclusion and intersection of glob languages are decided exactly by exploring the product
 * of the two patterns' subset automata over the alphabet "every literal of either pattern,
 * plus one fresh character" (all other characters behave identically for both patterns).
 * The exploration is bounded; past the bound inclusion answers `false` (sound: never
 * accepts a widening) and intersection answers "unknown".
 */

import { spend } from './budget.js';

type Token = string | typeof ONE | typeof ANY;
const ONE = Symbol('?');
const ANY = Symbol('*');
/** A character that occurs in neither pattern. */
const FRESH = Symbol('fresh');

/**
 * Exploration budget for inclusion / intersection, in automaton-state visits. Small
 * patterns need a few hundred; the bound keeps hostile patterns from costing more than a
 * few milliseconds.
 */
const BUDGET = 200_000;

function tokens(pattern: string): Token[] {
  const out: Token[] = [];
  for (const ch of pattern) {
    if (ch === '*') {
      // `**` denotes the same language as `*`; collapsing keeps the automata small.
      if (out[out.length - 1] !== ANY) out.push(ANY);
    } else out.push(ch === '?' ? ONE : ch);
  }
  return out;
}

/** True when the pattern has no wildcard, i.e. matches exactly one string. */
export function isLiteralGlob(pattern: string): boolean {
  return !pattern.includes('*') && !pattern.includes('?');
}

/** Matches `value` against `pattern` (linear-time greedy matching with star backtracking). */
export function globMatch(pattern: string, value: string): boolean {
  const p = tokens(pattern);
  const s = Array.from(value);
  let i = 0;
  let j = 0;
  let star = -1;
  let mark = 0;
  while (i < s.length) {
    const t = p[j];
    if (j < p.length && t !== ANY && (t === ONE || t === s[i])) {
      i++;
      j++;
    } else if (t === ANY) {
      star = j++;
      mark = i;
    } else if (star >= 0) {
      j = star + 1;
      i = ++mark;
    } else return false;
  }
  while (p[j] === ANY) j++;
  return j === p.length;
}

type Sym = string | typeof FRESH;

function closure(p: readonly Token[], states: Iterable<number>): number[] {
  const out = new Set<number>();
  for (let i of states) {
    out.add(i);
    while (p[i] === ANY) out.add(++i);
  }
  return [...out].sort((a, b) => a - b);
}

function step(p: readonly Token[], states: readonly number[], ch: Sym): number[] {
  const next: number[] = [];
  for (const i of states) {
    const t = p[i];
    if (t === undefined) continue;
    if (t === ANY) next.push(i);
    else if (t === ONE || t === ch) next.push(i + 1);
  }
  return closure(p, next);
}

function alphabet(a: readonly Token[], b: readonly Token[]): Sym[] {
  const set = new Set<string>();
  for (const t of [...a, ...b]) if (typeof t === 'string') set.add(t);
  return [...set, FRESH];
}

/**
 * Explores the product of the two patterns' subset automata; `visit` returns true to stop
 * with a verdict. Returns the verdict, `false` when exhausted, `undefined` past the budget.
 */
function explore(
  a: readonly Token[],
  b: readonly Token[],
  visit: (acceptA: boolean, acceptB: boolean) => boolean,
): boolean | undefined {
  const sigma = alphabet(a, b);
  const start: [number[], number[]] = [closure(a, [0]), closure(b, [0])];
  const seen = new Set<string>();
  const queue: [number[], number[]][] = [start];
  let work = 0;
  while (queue.length > 0) {
    const pair = queue.shift();
    if (pair === undefined) break;
    const [sa, sb] = pair;
    const key = `${sa.join(',')}|${sb.join(',')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (visit(sa.includes(a.length), sb.includes(b.length))) return true;
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
  const found = explore(tokens(child), tokens(parent), (c, p) => c && !p);
  // found === true: a string in child but not parent exists; undefined: gave up.
  return found === false;
}

/**
 * True when some string matches both patterns, false when none does, `undefined` when the
 * exploration budget ran out.
 */
export function globsIntersect(a: string, b: string): boolean | undefined {
  return explore(tokens(a), tokens(b), (x, y) => x && y);
}
