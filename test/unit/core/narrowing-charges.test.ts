/**
 * What a hop's narrowing is charged (issue 18): the fixed costs of every pair of an `any`
 * under an `any` count against the hop's work budget, so the budget bounds the work, not
 * only the automaton states. A glob pattern is read once per call and charged then; every
 * inclusion question, every rule application and every value a finite child checks against
 * its parent is charged; a hop of many cheap pairs runs out of the budget and is denied as
 * widened with `reason: 'work-budget'`.
 */
import { describe, expect, it } from 'vitest';
import { metered, RULE_UNITS, withBudget } from '../../../src/core/budget.js';
import { normalizeCapabilities } from '../../../src/core/capability.js';
import { isNormalizedNarrower } from '../../../src/core/constraint/narrowing.js';
import { globIncluded } from '../../../src/core/glob.js';
import type { Constraint } from '../../../src/core/types.js';
import {
  findBlockWidening,
  wideningDetail,
  widenedError,
  type NarrowedBlock,
} from '../../../src/core/widening.js';

/** Units `fn` spends from a fresh budget (its memo of patterns starts empty). */
const unitsOf = (fn: () => unknown): number => withBudget(() => metered(fn).units);

const glob = (pattern: string): Constraint => ({ constraint_type: 'glob', pattern });
const anyOf = (clauses: Constraint[]): Constraint => ({
  constraint_type: 'any',
  constraints: clauses,
});

const LONG = `p-${'z'.repeat(400)}`;

describe('what a narrowing check is charged', () => {
  it('a glob pattern is read once per call, charged one unit per character then', () => {
    // Decided at the ends (`*` is shorter than any match of LONG): no exploration runs.
    const once = unitsOf(() => globIncluded('*', LONG));
    expect(once).toBeGreaterThan(LONG.length);
    // The same parent asked about nine more times in the same call: not read again.
    const tenTimes = unitsOf(() => {
      for (let i = 0; i < 10; i++) globIncluded('*', LONG);
    });
    expect(tenTimes).toBeLessThan(once + LONG.length);
    expect(tenTimes).toBeGreaterThan(once);
  });

  it('every inclusion question is charged, at the ends or in the exploration', () => {
    const read = unitsOf(() => {
      globIncluded('x0a*', 'x9*');
      globIncluded('x1a*', 'x9*');
    });
    const askedAgain = unitsOf(() => {
      globIncluded('x0a*', 'x9*');
      globIncluded('x1a*', 'x9*');
      globIncluded('x0a*', 'x9*');
      globIncluded('x1a*', 'x9*');
    });
    expect(askedAgain - read).toBeGreaterThanOrEqual(2);
    // An explored pair is charged its alphabet before its states.
    const explored = unitsOf(() => globIncluded('x9abcdefgh*', 'x9*'));
    expect(explored).toBeGreaterThan('x9abcdefgh*'.length + 'x9*'.length + 10);
  });

  it('an `any` under an `any`: every rule application is charged RULE_UNITS', () => {
    const n = 12;
    const child = anyOf(Array.from({ length: n }, () => glob('*')));
    const parent = anyOf([...Array.from({ length: n }, (_, i) => glob(`${i}-lit`)), glob('*')]);
    const units = unitsOf(() => expect(isNormalizedNarrower(child, parent)).toBe(true));
    // n child clauses, each against all n + 1 parent clauses.
    expect(units).toBeGreaterThanOrEqual(n * (n + 1) * RULE_UNITS);
    expect(isNormalizedNarrower(child, parent, 'aat')).toBe(true);
    expect(unitsOf(() => isNormalizedNarrower(child, parent, 'aat'))).toBeGreaterThanOrEqual(
      n * (n + 1) * RULE_UNITS,
    );
  });

  it('a finite child checked against a parent `any` of globs: each clause and each match charged', () => {
    const n = 16;
    // Literal children (checked by the matcher, not the automaton) against globs that only
    // the last, `*`, lets through: n × (n + 1) clause checks.
    const child = anyOf(Array.from({ length: n }, (_, i) => glob(`c-${i}-${'q'.repeat(40)}`)));
    const parent = anyOf([
      ...Array.from({ length: n }, (_, i) => glob(`*${i}-${'z'.repeat(40)}*`)),
      glob('*'),
    ]);
    const units = unitsOf(() => expect(isNormalizedNarrower(child, parent)).toBe(true));
    // A rule application per clause checked, and the matcher's steps (≥ 40 characters read).
    expect(units).toBeGreaterThanOrEqual(n * n * (RULE_UNITS + 5));
    const aat = unitsOf(() =>
      expect(
        isNormalizedNarrower(
          { constraint_type: 'one_of', values: [`c-0-${'q'.repeat(40)}`] },
          glob(`*-${'q'.repeat(40)}`),
          'aat',
        ),
      ).toBe(true),
    );
    expect(aat).toBeGreaterThan(RULE_UNITS + 5);
  });

  describe('a hop of many cheap pairs', () => {
    // Every child clause `*` is tried against each literal parent clause (not included,
    // decided at the ends) before the last, `*`, includes it: n × (n + 1) pairs, each cheap.
    const block = (memo: Constraint, depth: number): NarrowedBlock => ({
      capabilities: normalizeCapabilities([
        { resource: 'tool:send', actions: ['call'], constraints: { memo } },
      ]),
      issuedAt: 1_000,
      expiresAt: 2_000,
      depth,
      maxDepth: 3,
    });
    const hop = (n: number) =>
      [
        block(anyOf([...Array.from({ length: n }, (_, i) => glob(`${i}-lit`)), glob('*')]), 0),
        block(anyOf(Array.from({ length: n }, () => glob('*'))), 1),
      ] as const;

    it('170 × 171 pairs (29,070, which fitted before their fixed costs were charged) run out of the budget', () => {
      const [parent, child] = hop(170);
      for (const profile of ['mandate', 'aat'] as const) {
        const w = findBlockWidening(parent, child, profile);
        expect(w).toMatchObject({ field: 'capabilities', exhausted: true });
        if (w === undefined) throw new Error('unreachable');
        const e = widenedError(w, 1);
        expect({ code: e.code, hop: e.hop, check: e.check }).toEqual({
          code: 'MANDATE_WIDENED',
          hop: 1,
          check: 'narrowing',
        });
        expect(wideningDetail(w)).toMatchObject({ reason: 'work-budget' });
      }
    });

    it('64 × 65 pairs fit: the child is narrower', () => {
      const [parent, child] = hop(64);
      expect(findBlockWidening(parent, child)).toBeUndefined();
      expect(findBlockWidening(parent, child, 'aat')).toBeUndefined();
    });
  });
});
