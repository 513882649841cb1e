import { describe, expect, it } from 'vitest';
import { MandateError } from '../../../src/core/errors.js';
import { intersectPatterns, isPatternSubset, matchesResource } from '../../../src/core/resource.js';

describe('matchesResource', () => {
  it.each([
    ['billing:invoices/*', 'billing:invoices/2026-03', true],
    ['billing:invoices/*', 'billing:invoices/2026/03', false],
    ['billing:invoices/*', 'billing:invoices', false],
    ['billing:invoices/**', 'billing:invoices', true], // ** matches zero segments
    ['billing:invoices/**', 'billing:invoices/a/b/c', true],
    ['billing:**', 'billing:x', true],
    ['billing:**', 'docs:x', false],
    ['billing:x', 'Billing:x', false], // schemes are case-sensitive
    ['billing:*/b', 'billing:a/b', true],
    ['billing:*/b', 'billing:a/c', false],
  ])('%s matches %s: %s', (p, c, expected) => {
    expect(matchesResource(p, c)).toBe(expected);
  });

  it('rejects a wildcard in the concrete resource', () => {
    expect(() => matchesResource('billing:**', 'billing:*')).toThrow(MandateError);
  });
});

describe('isPatternSubset', () => {
  it.each([
    ['billing:a/b', 'billing:a/*', true],
    ['billing:a/*', 'billing:a/b', false],
    ['billing:a/**', 'billing:a/*', false],
    ['billing:a/*', 'billing:a/**', true],
    ['billing:a', 'billing:a/**', true],
    ['billing:a/**', 'billing:**', true],
    ['billing:**', 'billing:*/**', true], // both match every billing resource
    ['billing:*/**', 'billing:**', true],
    ['billing:**', 'billing:a/**', false],
    ['billing:a/b/**', 'billing:a/*/**', true],
    ['billing:a/*/**', 'billing:a/b/**', false],
    ['billing:x', 'docs:x', false],
    ['billing:a/b', 'billing:a/b/c', false],
  ])('%s ⊆ %s: %s', (child, parent, expected) => {
    expect(isPatternSubset(child, parent)).toBe(expected);
  });
});

describe('intersectPatterns', () => {
  it.each([
    ['billing:a/*', 'billing:*/b', 'billing:a/b'],
    ['billing:a/**', 'billing:*/b', 'billing:a/b'],
    ['billing:a/**', 'billing:*/b/**', 'billing:a/b/**'],
    ['billing:**', 'billing:**', 'billing:**'],
    ['billing:**', 'billing:x/y', 'billing:x/y'],
    ['billing:a/**', 'billing:a', 'billing:a'],
    ['billing:a/*', 'billing:b/*', undefined],
    ['billing:a/*', 'billing:a/*/c', undefined],
    ['billing:a/*/c/**', 'billing:a', undefined],
    ['billing:x', 'docs:x', undefined],
  ])('%s ∩ %s = %s', (a, b, expected) => {
    expect(intersectPatterns(a, b)).toBe(expected);
    expect(intersectPatterns(b, a)).toBe(expected);
  });
});
