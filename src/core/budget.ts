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

/** Work units (automaton-state visits, rule applications) one public call may spend. */
export const WORK_BUDGET = 1_000_000;

interface Meter {
  remaining: number;
  readonly unsat: WeakMap<Constraint, boolean>;
}

let current: Meter | undefined;

/** Runs `fn` under a fresh budget, or under the caller's when one is already running. */
export function withBudget<T>(fn: () => T): T {
  if (current !== undefined) return fn();
  current = { remaining: WORK_BUDGET, unsat: new WeakMap() };
  try {
    return fn();
  } finally {
    current = undefined;
  }
}

/** Whether a budget is running (a call made now would share it rather than start afresh). */
export function budgetRunning(): boolean {
  return current !== undefined;
}

/** Spends `units`; false once the budget is exhausted (the caller must then be conservative). */
export function spend(units: number): boolean {
  if (current === undefined) return true;
  current.remaining -= units;
  return current.remaining >= 0;
}

/** Memoises an emptiness verdict for the duration of the current call. */
export function memoUnsat(c: Constraint, compute: (c: Constraint) => boolean): boolean {
  const hit = current?.unsat.get(c);
  if (hit !== undefined) return hit;
  const r = compute(c);
  current?.unsat.set(c, r);
  return r;
}
