import { describe, expect, it } from 'vitest';
import { isMandateError } from '../../../src/core/errors.js';
import {
  createScopeMap,
  mayActAllows,
  parseActClaim,
  parseMayActClaim,
} from '../../../src/oauth/index.js';
import { MAX_ACT_DEPTH, buildActClaim } from '../../../src/oauth/act-claim.js';

function malformedPath(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    if (isMandateError(error) && error.code === 'MANDATE_MALFORMED') return error.detail['path'];
    throw error;
  }
  throw new Error('expected MANDATE_MALFORMED');
}

describe('act', () => {
  it('keeps identity members and other claims apart', () => {
    expect(
      parseActClaim({ sub: 'a', iss: 'https://i', email: 'a@x', act: { client_id: 'c' } }),
    ).toEqual([
      { sub: 'a', iss: 'https://i', claims: { email: 'a@x' } },
      { client_id: 'c', claims: {} },
    ]);
    expect(parseActClaim(undefined)).toEqual([]);
  });

  it('refuses malformed claims with their path', () => {
    expect(malformedPath(() => parseActClaim('admin'))).toBe('act');
    expect(malformedPath(() => parseActClaim({ act: { sub: 'x' } }))).toBe('act');
    expect(malformedPath(() => parseActClaim({ sub: 'a', act: { sub: 7 } }))).toBe('act.act.sub');
    expect(malformedPath(() => parseActClaim({ sub: 'a', act: [] }))).toBe('act.act');
    expect(malformedPath(() => parseMayActClaim({ sub: 'a', act: { sub: 'b' } }))).toBe(
      'may_act.act',
    );
  });

  it(`refuses nesting deeper than ${MAX_ACT_DEPTH}`, () => {
    const deep = buildActClaim(
      Array.from({ length: MAX_ACT_DEPTH + 1 }, (_, i) => ({ sub: `s${i}` })),
    );
    expect(() => parseActClaim(deep)).toThrow(/deeper/);
    const ok = buildActClaim(Array.from({ length: MAX_ACT_DEPTH }, (_, i) => ({ sub: `s${i}` })));
    expect(parseActClaim(ok)).toHaveLength(MAX_ACT_DEPTH);
  });

  it('may_act matches every identifying member it states', () => {
    const mayAct = { sub: 'agent', iss: 'https://as', claims: {} };
    expect(mayActAllows(mayAct, { sub: 'agent', iss: 'https://as' })).toBe(true);
    expect(mayActAllows(mayAct, { sub: 'agent', iss: 'https://other' })).toBe(false);
    expect(mayActAllows(mayAct, { sub: 'agent' })).toBe(false);
    expect(mayActAllows({ client_id: 'c', claims: {} }, { sub: 'x', client_id: 'c' })).toBe(true);
  });
});

describe('scope map', () => {
  const map = createScopeMap({
    read: [{ resource: 'docs:**', actions: ['read'] }],
    write: [{ resource: 'docs:drafts/**', actions: ['write'] }],
  });

  it('maps scopes to the union of their capabilities; unknown scopes grant nothing', () => {
    expect(map.capabilitiesFor(['read', 'nope'])).toEqual([
      { resource: 'docs:**', actions: ['read'] },
    ]);
    expect(map.capabilitiesFor([])).toEqual([]);
  });

  it('lists the scopes wholly within some capabilities', () => {
    expect(map.scopesWithin([{ resource: 'docs:**', actions: ['read', 'write'] }])).toEqual([
      'read',
      'write',
    ]);
    expect(map.scopesWithin([{ resource: 'docs:drafts/**', actions: ['read', 'write'] }])).toEqual([
      'write',
    ]);
  });

  it('refuses misuse with TypeError', () => {
    expect(() => createScopeMap({ 'has space': [] })).toThrow(TypeError);
    expect(() => createScopeMap({ bad: [{ resource: 'no-scheme', actions: ['x'] }] })).toThrow(
      TypeError,
    );
  });
});
