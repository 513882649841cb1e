/** The MCP hand-off check: the arguments a tool receives equal the verified ones, or a change is named. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { changedArgument } from '../../../../src/adapters/mcp/hand-off.js';
import { jsonEqual } from '../../../../src/core/json.js';
import { arbJsonValue } from '../../../../src/testing/arbitraries.js';
import { NUM_RUNS } from '../../../../src/testing/config.js';
import type { Json } from '../../../../src/core/types.js';

const arbArgs = fc.dictionary(fc.string({ maxLength: 6 }), arbJsonValue(), { maxKeys: 5 });

describe('changedArgument', () => {
  it('law: no change reported exactly when the handed arguments are JSON-equal to the verified', () => {
    fc.assert(
      fc.property(arbArgs, arbArgs, (verified, handed) => {
        const same = jsonEqual(verified, handed);
        expect(changedArgument(verified, handed) === undefined).toBe(same);
        expect(changedArgument(verified, structuredClone(verified))).toBeUndefined();
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('names the first changed argument and how', () => {
    expect(changedArgument({ to: 'bob' }, { to: 'bob', amount: 5000 })).toEqual({
      argument: 'amount',
      change: 'added',
    });
    expect(changedArgument({ to: 'bob', memo: 'x' }, { to: 'bob' })).toEqual({
      argument: 'memo',
      change: 'removed',
    });
    expect(changedArgument({ to: ' MALLORY' }, { to: 'mallory' })).toEqual({
      argument: 'to',
      change: 'changed',
    });
  });

  it('non-JSON handed values and exotic shapes are changes', () => {
    const when = '2026-03-01T00:00:00.000Z';
    expect(changedArgument({ when }, { when: new Date(when) })).toEqual({
      argument: 'when',
      change: 'changed',
    });
    expect(changedArgument({ n: 1 }, { n: 1n })).toMatchObject({ change: 'changed' });
    expect(changedArgument({}, null)).toMatchObject({ change: 'changed' });
    expect(changedArgument({}, [])).toMatchObject({ change: 'changed' });
    // A `__proto__` key that parsing turned into a prototype is gone, and the prototype shows.
    const sent = JSON.parse('{"__proto__":{"amount":5000},"to":"bob"}') as Record<string, Json>;
    const assigned: Record<string, unknown> = {};
    assigned['__proto__'] = { amount: 5000 };
    assigned['to'] = 'bob';
    expect(changedArgument(sent, assigned)).toEqual({ argument: '__proto__', change: 'removed' });
    expect(changedArgument({ to: 'bob' }, assigned)).toEqual({ argument: '', change: 'changed' });
  });
});
