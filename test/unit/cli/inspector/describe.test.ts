/**
 * The Inspector's readable text: constraints as a reader writes them, short party labels, and
 * the guess about input that is not a mandate (never a mandate format).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  describeCapability,
  describeConstraint,
  partyLabel,
} from '../../../../src/cli/inspector/describe.js';
import { guessForeign } from '../../../../src/cli/inspector/guess.js';
import type { Constraint } from '../../../../src/core/types.js';

describe('describeConstraint', () => {
  const cases: [Constraint, string][] = [
    [{ constraint_type: 'range', max: 200 }, 'amount ≤ 200'],
    [{ constraint_type: 'range', min: 1, max: 200, max_inclusive: false }, '1 ≤ amount < 200'],
    [{ constraint_type: 'range' }, 'amount is any number'],
    [{ constraint_type: 'one_of', values: ['a', 'b'] }, 'amount ∈ {a, b}'],
    [{ constraint_type: 'one_of', values: [] }, 'amount: nothing allowed'],
    [{ constraint_type: 'not_one_of', excluded: [1] }, 'amount ∉ {1}'],
    [{ constraint_type: 'exact', value: 'EUR' }, 'amount = EUR'],
    [{ constraint_type: 'exact', value: { a: 1 } }, 'amount = {"a":1}'],
    [{ constraint_type: 'glob', pattern: 'docs/**' }, 'amount matches docs/**'],
    [{ constraint_type: 'wildcard' }, 'amount: any value'],
    [{ constraint_type: 'subset', allowed: ['x'] }, 'amount ⊆ {x}'],
    [{ constraint_type: 'contains', required: ['x'] }, 'amount contains {x}'],
    [
      {
        constraint_type: 'all',
        constraints: [
          { constraint_type: 'range', min: 0 },
          { constraint_type: 'range', max: 9 },
        ],
      },
      '0 ≤ amount and amount ≤ 9',
    ],
    [
      {
        constraint_type: 'any',
        constraints: [
          { constraint_type: 'exact', value: 1 },
          { constraint_type: 'exact', value: 2 },
        ],
      },
      '(amount = 1 or amount = 2)',
    ],
  ];
  it.each(cases)('%j reads as %s', (constraint, text) => {
    expect(describeConstraint('amount', constraint)).toBe(text);
  });

  it('cuts a long value with an ellipsis', () => {
    const text = describeConstraint('to', { constraint_type: 'exact', value: 'x'.repeat(500) });
    expect(text.length).toBeLessThan(70);
    expect(text.endsWith('…')).toBe(true);
  });

  it('a capability in one line', () => {
    expect(
      describeCapability({
        resource: 'billing:invoices/**',
        actions: ['pay'],
        constraints: { amount: { constraint_type: 'range', max: 200 } },
      }),
    ).toBe('pay on billing:invoices/** where amount ≤ 200');
    expect(
      describeCapability({
        resource: 'tool:send',
        actions: ['call'],
        constraints: {
          to: { constraint_type: 'one_of', values: ['a', 'b'] },
          '*': { constraint_type: 'wildcard' },
        },
        optional: ['to'],
      }),
    ).toBe('call on tool:send where to ∈ {a, b}, any other argument (optional: to)');
  });
});

describe('partyLabel', () => {
  it('shortens a thumbprint URN to its last four characters and keeps other ids', () => {
    const urn =
      'urn:ietf:params:oauth:jwk-thumbprint:sha-256:NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC3mI';
    expect(partyLabel(urn)).toBe('key …C3mI');
    expect(partyLabel('https://auth.example')).toBe('https://auth.example');
  });
});

describe('guessForeign', () => {
  it('a JWT is "a JWT, not a mandate"', () => {
    const jwt = [
      Buffer.from('{"alg":"RS256","typ":"at+jwt"}').toString('base64url'),
      Buffer.from('{"sub":"alice"}').toString('base64url'),
      'c2ln',
    ].join('.');
    expect(guessForeign(jwt)).toMatchObject({ kind: 'jwt' });
    expect(guessForeign(jwt).text).toMatch(/^a JWT \(RS256, typ at\+jwt\), not a mandate/);
  });

  it('any string without JWS structure is "not a mandate", never a format', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        fc.pre(!text.trim().startsWith('eyJ'));
        const guess = guessForeign(text);
        expect(guess.kind === 'unknown' || guess.kind === 'jwt').toBe(true);
        expect(guess.text).not.toMatch(/^(a )?biscuit/i);
      }),
    );
    expect(guessForeign('En0KEwoEcmVhZBgDIgkKBwgKEgMYgAgSJAgAEiB').kind).toBe('unknown');
  });
});
