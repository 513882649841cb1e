/** isArgMapNarrower: closed-world argument maps, optional arguments and "*". */
import { describe, expect, it } from 'vitest';
import { isArgMapNarrower } from '../../../../src/core/constraint/arg-map.js';

describe('isArgMapNarrower', () => {
  const p = { path: { in: ['/a', '/b'] }, limit: { max: 100 } } as const;
  it('accepts the same keys, each narrowed', () => {
    expect(isArgMapNarrower({ path: { eq: '/a' }, limit: { min: 0, max: 10 } }, p)).toBe(true);
  });
  it('lets a child close an open parent (4p3)', () => {
    expect(isArgMapNarrower({ path: { eq: '/a' } }, {})).toBe(true);
    expect(isArgMapNarrower({ path: { eq: '/a' } }, undefined, { profile: 'aat' })).toBe(true);
  });
  it('rejects a dropped key (4p2)', () => {
    expect(isArgMapNarrower({ path: { eq: '/a' } }, p)).toEqual({
      step: '4p2',
      arg: 'limit',
      reason: 'argument-removed',
    });
  });
  it('rejects an added key (4p2)', () => {
    expect(isArgMapNarrower({ ...p, mode: { eq: 'r' } }, p, { profile: 'aat' })).toEqual({
      step: '4p2',
      arg: 'mode',
      reason: 'argument-added',
    });
  });
  it('rejects an open child under a closed parent', () => {
    expect(isArgMapNarrower({}, p)).toEqual({
      step: '4p2',
      arg: 'limit',
      reason: 'child-unconstrained',
    });
  });
  it('rejects a widened constraint (4p4)', () => {
    expect(isArgMapNarrower({ path: { eq: '/c' }, limit: { max: 10 } }, p)).toEqual({
      step: '4p4',
      arg: 'path',
      reason: 'constraint-not-narrower',
    });
  });
  it('handles optional arguments (AAT 3.3, both profiles; 4p3)', () => {
    for (const profile of ['mandate', 'aat'] as const) {
      expect(
        isArgMapNarrower({ limit: { max: 5 } }, p, { profile, parentOptional: ['path'] }),
      ).toBe(true);
      expect(isArgMapNarrower(p, p, { profile, childOptional: ['path'] })).toEqual({
        step: '4p3',
        arg: 'path',
        reason: 'argument-made-optional',
      });
      expect(
        isArgMapNarrower(p, p, { profile, childOptional: ['path'], parentOptional: ['path'] }),
      ).toBe(true);
      // The inline form is the same as the list.
      const inline = { ...p, path: { in: ['/a', '/b'], optional: true } };
      expect(isArgMapNarrower(inline, p, { profile })).toMatchObject({ step: '4p3' });
      expect(isArgMapNarrower(p, inline, { profile })).toBe(true);
    }
  });

  it('handles the reserved "*" key (AAT 3.3, 4p2)', () => {
    const star = { constraint_type: 'wildcard' } as const;
    for (const profile of ['mandate', 'aat'] as const) {
      // A key named only under the parent's "*" narrows.
      expect(isArgMapNarrower({ ...p, mode: { eq: 'r' } }, { ...p, '*': star }, { profile })).toBe(
        true,
      );
      // Adding "*" widens; dropping it narrows.
      expect(isArgMapNarrower({ ...p, '*': star }, p, { profile })).toEqual({
        step: '4p2',
        arg: '*',
        reason: 'unnamed-added',
      });
      expect(isArgMapNarrower(p, { ...p, '*': star }, { profile })).toBe(true);
      // Omitting an optional argument while keeping "*" would let it back in with any value.
      expect(
        isArgMapNarrower(
          { limit: { max: 5 }, '*': star },
          { ...p, '*': star },
          {
            profile,
            parentOptional: ['path'],
          },
        ),
      ).toEqual({ step: '4p2', arg: 'path', reason: 'unnamed-kept' });
      // An empty map is "*".
      expect(isArgMapNarrower({ '*': star }, {}, { profile })).toBe(true);
      expect(isArgMapNarrower({}, { '*': star }, { profile })).toBe(true);
    }
  });

  it('refuses a "*" that is not a bare wildcard, and optional anywhere but the top level', () => {
    for (const bad of [
      { '*': { eq: 1 } },
      { '*': { constraint_type: 'wildcard', optional: true } },
      { '*': { constraint_type: 'wildcard', optional: false } },
      {
        x: {
          constraint_type: 'all',
          constraints: [{ constraint_type: 'wildcard', optional: true }],
        },
      },
      { x: { eq: 1, optional: 'yes' } },
    ]) {
      expect(() => isArgMapNarrower(bad as never, undefined), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ code: 'MANDATE_MALFORMED', check: 'limits' }),
      );
    }
  });
});
