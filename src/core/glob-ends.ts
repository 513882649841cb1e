/**
 * A quick, exact proof that one glob's language is NOT included in another's, from the
 * patterns' lengths and fixed ends alone, before any automaton is built (glob inclusion asks
 * it first, and narrowing of an `any` under an `any` to skip parent clauses). Most pairs of an `any` narrowed under an `any` differ in a literal near an end
 * (`x0a*` under `x63*`), and for those the product exploration's setup was most of the cost.
 *
 * It only ever answers "not included", and only when that is the truth, so the inclusion
 * procedure's answer is the same with or without it (the exploration answers `false` for a
 * pair that is not included, and also when it gives up). A property test holds it to a
 * witness string and to the exploration (test/properties/glob-ends.test.ts).
 */
import type { GlobForm, Token } from './glob-form.js';
import { ONE } from './glob-form.js';

/** What the test found, and the positions it compared (its cost, charged by the caller). */
export interface EndsVerdict {
  readonly excluded: boolean;
  readonly steps: number;
}

/**
 * True when a child token at a fixed position lets a child string disagree with a parent
 * token there: a parent literal, and a child `?` or another literal.
 */
function disagree(c: Token | undefined, p: Token | undefined): boolean {
  return typeof p === 'string' && (c === ONE || (typeof c === 'string' && c !== p));
}

/**
 * Whether some string `child` matches is provably not matched by `parent`:
 * - lengths: the child's shortest match is shorter than any parent match, or the parent has
 *   no `*` (fixed length) while the child has a `*` or another length;
 * - fixed ends: at a position both fix from the start (before their first `*`) or from the
 *   end (after their last `*`), the parent requires a literal and the child allows (or
 *   requires) another character. A child string with that character there, and its stars
 *   empty, is a witness: glob languages are never empty and their fixed positions are
 *   independent.
 */
export function endsExclude(child: GlobForm, parent: GlobForm): EndsVerdict {
  if (child.minLength < parent.minLength) return { excluded: true, steps: 1 };
  if (!parent.starred && (child.starred || child.minLength !== parent.minLength)) {
    return { excluded: true, steps: 1 };
  }
  const c = child.tokens;
  const p = parent.tokens;
  let steps = 1;
  const head = Math.min(child.head, parent.head);
  for (let k = 0; k < head; k++, steps++) {
    if (disagree(c[k], p[k])) return { excluded: true, steps };
  }
  // A parent without `*` fixes every position from the start: the head compared them all.
  const tail = parent.starred ? Math.min(child.tail, parent.tail) : 0;
  for (let k = 1; k <= tail; k++, steps++) {
    if (disagree(c[c.length - k], p[p.length - k])) return { excluded: true, steps };
  }
  return { excluded: false, steps };
}
