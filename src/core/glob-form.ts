/**
 * A glob pattern as the inclusion and intersection procedures read it (glob.ts): its tokens,
 * the literals it compares characters with, its start state and its fixed ends.
 *
 * Read once per pattern per call: a narrowing check of an `any` under an `any` asks about
 * every (child clause, parent clause) pair, so one pattern is asked about many times, and
 * reading it again for each pair was work the call's budget did not see (issue 18). The form
 * is memoised for the running call only (`callMemo`), and reading it is charged to the
 * budget on the miss, one unit per UTF-16 unit: what the memo saves is never charged, so the
 * units a call spends depend only on its inputs.
 */
import { callMemo, spend } from './budget.js';

/** A code point, `?` ({@link ONE}) or `*` ({@link ANY}). */
export type Token = string | typeof ONE | typeof ANY;
/** The `?` token: exactly one character. */
export const ONE = Symbol('?');
/** The `*` token: any run of characters. */
export const ANY = Symbol('*');

/** The pattern's tokens, by code point; `**` collapses to one `*` (the same language). */
export function tokens(pattern: string): Token[] {
  const out: Token[] = [];
  for (const ch of pattern) {
    if (ch === '*') {
      // `**` denotes the same language as `*`; collapsing keeps the automata small.
      if (out[out.length - 1] !== ANY) out.push(ANY);
    } else out.push(ch === '?' ? ONE : ch);
  }
  return out;
}

/** A pattern read for the automaton procedures; every field depends on the pattern only. */
export interface GlobForm {
  readonly tokens: readonly Token[];
  /** Its distinct literal code points, in order of first occurrence. */
  readonly literals: readonly string[];
  /** The start state of its subset automaton: position 0 and what a `*` there reaches. */
  readonly start: readonly number[];
  /** Tokens before its first `*` (all of them when it has none): a fixed-length prefix. */
  readonly head: number;
  /** Tokens after its last `*` (all of them when it has none): a fixed-length suffix. */
  readonly tail: number;
  /** Its shortest match's length: the tokens that are not `*`. */
  readonly minLength: number;
  /** Whether it has a `*` (otherwise every match has length {@link minLength}). */
  readonly starred: boolean;
  /** Whether it is only stars: it matches every string. */
  readonly allStars: boolean;
}

function readForm(pattern: string): GlobForm {
  const toks = tokens(pattern);
  const literals = new Set<string>();
  let first = -1;
  let last = -1;
  let stars = 0;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t === ANY) {
      if (first < 0) first = i;
      last = i;
      stars++;
    } else if (typeof t === 'string') literals.add(t);
  }
  const starred = first >= 0;
  return {
    tokens: toks,
    literals: [...literals],
    start: toks[0] === ANY ? [0, 1] : [0],
    head: starred ? first : toks.length,
    tail: starred ? toks.length - 1 - last : toks.length,
    minLength: toks.length - stars,
    starred,
    allStars: starred && toks.length === 1,
  };
}

/** The owner key of the per-call memo of forms. */
const FORMS = {};

/**
 * The pattern's form, read once per running call (charged then: one unit per UTF-16 unit,
 * plus one); outside a budget it is read each time.
 */
export function globForm(pattern: string): GlobForm {
  const memo = callMemo<string, GlobForm>(FORMS);
  let form = memo?.get(pattern);
  if (form === undefined) {
    form = readForm(pattern);
    // The form is the answer's input whatever the budget says: charge it, then use it.
    spend(pattern.length + 1);
    memo?.set(pattern, form);
  }
  return form;
}
