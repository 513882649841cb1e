import { describe, expect, it } from 'vitest';
import {
  parseResourcePattern,
  validateActionName,
  validateArgumentName,
  validateConcreteResource,
  validateResourcePattern,
} from '../../../src/core/names.js';
import { failure as codeOf } from '../../helpers/failure.js';

describe('resource patterns', () => {
  it.each([
    'billing:invoices/2026-03',
    'billing:invoices/*',
    'billing:**',
    'billing:invoices/**',
    'billing:*/x/**',
    'a.b+c-d_e:x',
    'urn:x:y/z', // path may contain ':'
    'docs:café',
  ])('accepts %s', (s) => {
    expect(validateResourcePattern(s)).toBe(s);
  });

  it('parses segments and a trailing **', () => {
    expect(parseResourcePattern('billing:a/*/**')).toEqual({
      scheme: 'billing',
      segments: ['a', '*'],
      rest: true,
    });
  });

  it.each([
    ['billing', 'missing-scheme'],
    [':x', 'missing-scheme'],
    ['bil ling:x', 'bad-scheme'],
    ['bil/ling:x', 'bad-scheme'],
    ['billing:', 'empty-segment'],
    ['billing:a//b', 'empty-segment'],
    ['billing:a/', 'empty-segment'],
    ['billing:a/../b', 'dot-segment'],
    ['billing:./b', 'dot-segment'],
    ['billing:inv*', 'partial-wildcard'],
    ['billing:a/***', 'partial-wildcard'],
    ['billing:**/a', 'inner-double-star'],
    ['billing:a\u0000b', 'control-character'],
    ['billing:a\u007fb', 'control-character'],
    ['billing:a\u0085b', 'control-character'],
    ['billing:a\u202Eb', 'bidi-control'],
    ['billing:a\u2067b', 'bidi-control'],
    ['billing:a\u200Fb', 'bidi-control'],
    ['billing:a\u200Bb', 'invisible-character'],
    ['billing:a\uFEFFb', 'invisible-character'],
    ['billing:a\u2060b', 'invisible-character'],
    ['billing:a\uD800b', 'lone-surrogate'],
    ['billing:cafe\u0301', 'not-nfc'],
  ])('rejects %j (%s)', (s, reason) => {
    const e = codeOf(() => validateResourcePattern(s, 'capabilities[0].resource'));
    expect(e).toEqual({
      code: 'MANDATE_MALFORMED',
      check: 'limits',
      path: 'capabilities[0].resource',
      reason,
    });
  });

  it('does not fold case in the scheme', () => {
    expect(parseResourcePattern('Billing:x').scheme).toBe('Billing');
  });

  it('rejects non-strings', () => {
    expect(codeOf(() => validateResourcePattern(42)).code).toBe('MANDATE_MALFORMED');
    expect(codeOf(() => validateResourcePattern(null)).code).toBe('MANDATE_MALFORMED');
  });

  it('bounds the length with MANDATE_LIMIT_EXCEEDED', () => {
    const long = `billing:${'a'.repeat(1100)}`;
    expect(codeOf(() => validateResourcePattern(long))).toMatchObject({
      code: 'MANDATE_LIMIT_EXCEEDED',
      check: 'limits',
      reason: 'length',
    });
    expect(validateResourcePattern(`billing:${'a'.repeat(1016)}`)).toHaveLength(1024);
  });
});

describe('concrete resources', () => {
  it('accepts a plain name', () => {
    expect(validateConcreteResource('billing:invoices/1')).toBe('billing:invoices/1');
  });
  it.each(['billing:*', 'billing:a/**'])('rejects wildcards in %s', (s) => {
    expect(codeOf(() => validateConcreteResource(s))).toMatchObject({
      code: 'MANDATE_MALFORMED',
      reason: 'wildcard-in-concrete',
    });
  });
});

describe('action and argument names', () => {
  it.each(['read', 'pay', 'read_file', 'v1.list', 'https://tools.example.com/read'])(
    'accepts action %s',
    (a) => {
      expect(validateActionName(a)).toBe(a);
    },
  );
  it.each([
    ['', 'empty'],
    ['re*d', 'bad-action'],
    ['read file', 'bad-action'],
    ['réad', 'bad-action'],
    ['read\u200B', 'invisible-character'],
  ])('rejects action %j', (a, reason) => {
    expect(codeOf(() => validateActionName(a))).toMatchObject({
      code: 'MANDATE_MALFORMED',
      reason,
    });
  });
  it('bounds action length at 128', () => {
    expect(validateActionName('a'.repeat(128))).toHaveLength(128);
    expect(codeOf(() => validateActionName('a'.repeat(129))).code).toBe('MANDATE_LIMIT_EXCEEDED');
  });
  it('validates argument names as safe text', () => {
    expect(validateArgumentName('amount')).toBe('amount');
    expect(codeOf(() => validateArgumentName('')).code).toBe('MANDATE_MALFORMED');
    expect(codeOf(() => validateArgumentName('a\u202Eb')).reason).toBe('bidi-control');
  });
});
