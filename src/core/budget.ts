/**
 * A per-call work budget for the algebra's decision procedures.
 *
 * Constraint trees come from tokens an attacker may have shaped (a delegator in the middle
 * of a chain writes both the parent it holds and the child it signs), and some questions
 * (glob inclusion, narrowing of nested `all` / `any`) can cost far more than the input's
 * size. Each public entry point runs under one budget; when it is spent the procedures
 * answer conservatively (not narrower, not known to be empty, not merged), which keeps
 * every verdict sound and every call bounded. Within one call results are memoised; nothing
 * is cached across calls, so a verdict depends only on the inputs.
 */
import type { Constraint } from './types.js';

/**
 * Work units (automaton-state visits, rule applications, patterns read) one public call may
 * spend: one delegation hop's whole narrowing check, for instance. A few milliseconds of CPU on
 * an idle core; the costliest genuine hop of the test suite, the property arbitraries and the
 * examples spends 467 (docs/performance.md, "Cost per stage").
 */
export const WORK_BUDGET = 200_000;

/**
 * Units one rule application of a narrowing procedure is charged (comparing two clauses:
 * memo lookups, an equality test, the rule itself). Measured at 6–8 times an automaton-state
 * visit, the unit's reference, so the budget bounds time whatever mix of work a hop asks for
 * (docs/performance.md, "Cost per stage").
 */
export const RULE_UNITS = 8;

interface Meter {
  remaining: number;
  /** Made on first use, like `tables`: most calls (a remembered hop's replay) never ask them. */
  unsat: WeakMap<Constraint, boolean> | undefined;
  /** Per-call memo tables, one per owner (see {@link callMemo}). */
  tables: Map<object, Map<unknown, unknown>> | undefined;
}

function freshMeter(remaining: number): Meter {
  return { remaining, unsat: undefined, tables: undefined };
}

let current: Meter | undefined;

/** Runs `fn` under a fresh budget, or under the caller's when one is already running. */
export function withBudget<T>(fn: () => T): T {
  if (current !== undefined) return fn();
  current = freshMeter(WORK_BUDGET);
  try {
    return fn();
  } finally {
    current = undefined;
  }
}

/** Whether no budget is running, or the running one has spent nothing yet (a fresh start). */
export function budgetUnspent(): boolean {
  return current === undefined || current.remaining === WORK_BUDGET;
}

/** Whether the running budget ran out (a conservative answer may then be only that). */
export function budgetExhausted(): boolean {
  return current !== undefined && current.remaining < 0;
}

/**
 * Runs `fn` as a step a caller may remember and later {@link replay}: its result, and the
 * units it spent. The call's memo is then cleared, so remembering the result and replaying
 * its units leaves the budget exactly as running `fn` again would: what comes after in the
 * same call sees the same budget whether or not the step was remembered.
 */
export function metered<T>(fn: () => T): { readonly value: T; readonly units: number } {
  const before = current?.remaining ?? WORK_BUDGET;
  const value = fn();
  if (current === undefined) return { value, units: 0 };
  const units = before - current.remaining;
  current = freshMeter(current.remaining);
  return { value, units };
}

/** Charges a remembered {@link metered} step's units, as if it had run again. */
export function replay(units: number): void {
  if (current === undefined) return;
  current = freshMeter(current.remaining - units);
}

/** Spends `units`; false once the budget is exhausted (the caller must then be conservative). */
export function spend(units: number): boolean {
  if (current === undefined) return true;
  current.remaining -= units;
  return current.remaining >= 0;
}

/**
 * The running call's memo table private to `owner` (a module's own key object), or
 * `undefined` when no budget runs. Cleared with the call's other memos (see {@link metered}),
 * so work charged when an entry is made is charged again exactly when running the step again
 * would charge it: a module that charges its work on a miss keeps every budget deterministic.
 */
export function callMemo<K, V>(owner: object): Map<K, V> | undefined {
  if (current === undefined) return undefined;
  const tables = (current.tables ??= new Map<object, Map<unknown, unknown>>());
  let table = tables.get(owner);
  if (table === undefined) {
    table = new Map();
    tables.set(owner, table);
  }
  return table as Map<K, V>;
}

/** Memoises an emptiness verdict for the duration of the current call. */
export function memoUnsat(c: Constraint, compute: (c: Constraint) => boolean): boolean {
  const hit = current?.unsat?.get(c);
  if (hit !== undefined) return hit;
  const r = compute(c);
  if (current !== undefined) (current.unsat ??= new WeakMap()).set(c, r);
  return r;
}
