/**
 * `findBlockWidening` is rule 4 for both `delegate` and the verifier: each clause reports its
 * field and AAT step, in the verifier's order, and the error both throw carries
 * `{ code, hop, check }` and one detail vocabulary.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findBlockWidening, widenedError, type NarrowedBlock } from '../../../src/core/widening.js';
import { normalizeCapabilities } from '../../../src/core/capability.js';
import { NUM_RUNS } from '../../../src/testing/config.js';

const CAPS = normalizeCapabilities([
  {
    resource: 'billing:invoices/*',
    actions: ['read', 'pay'],
    constraints: { amount: { max: 500 } },
  },
]);

const PARENT: NarrowedBlock = {
  capabilities: CAPS,
  issuedAt: 1_000,
  expiresAt: 2_000,
  notBefore: 1_000,
  audience: ['https://a.example', 'https://b.example'],
  depth: 0,
  maxDepth: 3,
};
const CHILD: NarrowedBlock = { ...PARENT, depth: 1, maxDepth: 3 };

describe('findBlockWidening', () => {
  it('a child no wider than its parent: none', () => {
    expect(findBlockWidening(PARENT, CHILD)).toBeUndefined();
    expect(findBlockWidening(PARENT, CHILD, 'aat')).toBeUndefined();
  });

  type Fields = { [K in keyof NarrowedBlock]?: NarrowedBlock[K] | undefined };
  const cases: [string, Fields, string, string, Fields?][] = [
    ['depth that does not follow', { depth: 2 }, 'depth', '4d'],
    ['a terminal parent', {}, 'maxDepth', '4e', { maxDepth: 0 }],
    ['deeper delegation', { maxDepth: 4 }, 'maxDepth', '4g'],
    ['a later expiry', { expiresAt: 2_001 }, 'expiresAt', '4h'],
    ['an earlier issue time', { issuedAt: 999 }, 'issuedAt', '4j'],
    ['depth past its own maximum', { depth: 1, maxDepth: 0 }, 'maxDepth', '4m'],
    ['an earlier not-before', { notBefore: 999 }, 'notBefore', '4i'],
    ['no not-before under a parent with one', { notBefore: undefined }, 'notBefore', '4i'],
    ['a wider audience', { audience: ['https://c.example'] }, 'audience', '4k'],
  ];
  for (const [name, child, field, step, parent] of cases) {
    it(`${name}: ${field} (${step})`, () => {
      // An `undefined` member stands for an absent one.
      const p = JSON.parse(JSON.stringify({ ...PARENT, ...parent })) as NarrowedBlock;
      const c = JSON.parse(JSON.stringify({ ...CHILD, ...child })) as NarrowedBlock;
      expect(findBlockWidening(p, c)).toEqual({ field, step });
    });
  }

  it('capabilities: the uncovered resource and action, step 4p1', () => {
    const wider = normalizeCapabilities([{ resource: 'billing:**', actions: ['read'] }]);
    expect(findBlockWidening(PARENT, { ...CHILD, capabilities: wider })).toMatchObject({
      field: 'capabilities',
      step: '4p1',
      capability: { resource: 'billing:**', action: 'read', reason: 'resource' },
    });
  });

  it('a looser argument constraint names the argument', () => {
    const looser = normalizeCapabilities([
      { resource: 'billing:invoices/*', actions: ['pay'], constraints: { amount: { max: 900 } } },
    ]);
    const w = findBlockWidening(PARENT, { ...CHILD, capabilities: looser });
    expect(w).toMatchObject({ field: 'capabilities', capability: { reason: 'arguments' } });
    expect(w && widenedError(w, 1).detail).toEqual({
      field: 'capabilities',
      step: '4p4',
      resource: 'billing:invoices/*',
      action: 'pay',
      argument: 'amount',
    });
  });

  it("the verifier's own depth bound (4f) counts only when given", () => {
    const deep = { ...PARENT, depth: 2, maxDepth: 6 };
    const child = { ...deep, depth: 3 };
    expect(findBlockWidening(deep, child)).toBeUndefined();
    expect(findBlockWidening(deep, child, 'mandate', { maxDelegationDepth: 2 })).toEqual({
      field: 'depth',
      step: '4f',
    });
  });

  it("the 'aat' profile leaves audience to the enforcement point, except when building", () => {
    const child = { ...CHILD, audience: ['https://c.example'] };
    expect(findBlockWidening(PARENT, child, 'aat')).toBeUndefined();
    expect(findBlockWidening(PARENT, child, 'aat', { building: true })).toEqual({
      field: 'audience',
      step: '4k',
    });
  });

  it('clauses are reported in the verifier order (depth before expiry before capabilities)', () => {
    const wider = normalizeCapabilities([{ resource: 'billing:**', actions: ['read'] }]);
    const child = { ...CHILD, depth: 2, expiresAt: 3_000, capabilities: wider };
    expect(findBlockWidening(PARENT, child)?.step).toBe('4d');
    expect(findBlockWidening(PARENT, { ...child, depth: 1 })?.step).toBe('4h');
  });

  it('the error names the hop, the rule and the parent', () => {
    const w = findBlockWidening(PARENT, { ...CHILD, expiresAt: 2_001 });
    if (w === undefined) throw new Error('expected a widening');
    const error = widenedError(w, 3);
    expect(error).toMatchObject({
      code: 'MANDATE_WIDENED',
      hop: 3,
      check: 'narrowing',
      detail: { field: 'expiresAt', step: '4h' },
    });
    expect(error.message).toBe('block 3: expires after block 2');
  });

  it('law: a child with every field at or within its parent is never widened', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000 }),
        fc.integer({ min: 0, max: 1_000 }),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        (earlier, later, spare, oneAudience) => {
          const child: NarrowedBlock = {
            capabilities: CAPS,
            issuedAt: PARENT.issuedAt + later,
            expiresAt: PARENT.expiresAt - earlier,
            notBefore: (PARENT.notBefore ?? 0) + later,
            audience: oneAudience ? ['https://b.example'] : (PARENT.audience ?? []),
            depth: 1,
            maxDepth: 1 + Math.min(spare, PARENT.maxDepth - 1),
          };
          return findBlockWidening(PARENT, child) === undefined;
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});
