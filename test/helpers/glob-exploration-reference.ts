/**
 * The glob inclusion and intersection procedures as they were before the exploration was made
 * cheaper per state (issue 18): sets and sorts for the subset states, `shift` on the queue.
 * Kept as the reference the new code must equal answer for answer, budget exhaustion included
 * (test/unit/core/glob-inclusion.test.ts).
 */
type Token = string | typeof ONE | typeof ANY;
const ONE = Symbol('?');
const ANY = Symbol('*');
const FRESH = Symbol('fresh');
type Sym = string | typeof FRESH;

/** The exploration budget of src/core/glob.ts (automaton-state visits). */
const BUDGET = 200_000;

function tokens(pattern: string): Token[] {
  const out: Token[] = [];
  for (const ch of pattern) {
    if (ch === '*') {
      if (out[out.length - 1] !== ANY) out.push(ANY);
    } else out.push(ch === '?' ? ONE : ch);
  }
  return out;
}

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
      work += sa.length + sb.length + 1;
      if (work > BUDGET) return undefined;
      const na = step(a, sa, ch);
      if (na.length === 0) continue;
      queue.push([na, step(b, sb, ch)]);
    }
  }
  return false;
}

/** The former `globIncluded`. */
export function referenceGlobIncluded(child: string, parent: string): boolean {
  if (child === parent || /^\*+$/.test(parent)) return true;
  return explore(tokens(child), tokens(parent), (c, p) => c && !p) === false;
}

/** The former `globsIntersect`. */
export function referenceGlobsIntersect(a: string, b: string): boolean | undefined {
  return explore(tokens(a), tokens(b), (x, y) => x && y);
}
