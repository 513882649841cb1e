/**
 * The one failure helper and the one zod boundary: every input failure carries
 * `{ code, check, hop }` and `detail: { path, reason?, ... }`, and `detail.path` has one
 * dialect (`joinPath`'s), whichever module found the failure.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { failureAt, limitExceeded, malformed } from '../../../src/core/failure.js';
import { MandateError } from '../../../src/core/errors.js';
import { parseWith } from '../../../src/core/schemas.js';

const thrown = (run: () => unknown): MandateError => {
  try {
    run();
  } catch (error) {
    if (error instanceof MandateError) return error;
    throw error;
  }
  throw new Error('expected a MandateError');
};

describe('failure helper', () => {
  it('malformed: rule 1 by default, the path first in detail', () => {
    const error = thrown(() => malformed('x.y: must be a string', { path: 'x.y', reason: 'type' }));
    expect(error).toMatchObject({
      code: 'MANDATE_MALFORMED',
      check: 'limits',
      hop: undefined,
      message: 'x.y: must be a string',
      detail: { path: 'x.y', reason: 'type' },
    });
    expect(Object.keys(error.detail)).toEqual(['path', 'reason']);
  });

  it('keeps the given rule, hop and further evidence; no reason when none is given', () => {
    const error = failureAt('MANDATE_PROOF_INVALID', 'bad', {
      path: 'proof.htm',
      check: 'possession',
      hop: 3,
      detail: { step: '7c' },
    });
    expect(error).toMatchObject({ code: 'MANDATE_PROOF_INVALID', check: 'possession', hop: 3 });
    expect(error.detail).toEqual({ path: 'proof.htm', step: '7c' });
  });

  it('limitExceeded names the limit', () => {
    expect(
      thrown(() => limitExceeded('s: too long', { path: 's', reason: 'length', limit: 8, hop: 0 })),
    ).toMatchObject({
      code: 'MANDATE_LIMIT_EXCEEDED',
      check: 'limits',
      hop: 0,
      detail: { path: 's', reason: 'length', limit: 8 },
    });
  });
});

describe('parseWith: every zod boundary', () => {
  const schema = z.strictObject({ aud: z.array(z.string().max(4)), 'odd key': z.number() });

  it('locates the first issue in joinPath dialect, with the issue code as reason', () => {
    const error = thrown(() => parseWith(schema, { aud: [1], 'odd key': 1 }, 'payload'));
    expect(error).toMatchObject({
      code: 'MANDATE_MALFORMED',
      check: 'limits',
      message: 'payload.aud[0]: must be a string',
      detail: { path: 'payload.aud[0]', reason: 'invalid_type' },
    });
    expect(thrown(() => parseWith(schema, { aud: [], 'odd key': 'x' }, 'payload')).detail).toEqual({
      path: 'payload["odd key"]',
      reason: 'invalid_type',
    });
  });

  it('takes the code, rule and hop of its boundary', () => {
    expect(
      thrown(() =>
        parseWith(schema, {}, 'proof', {
          code: 'MANDATE_PROOF_INVALID',
          check: 'possession',
          hop: 2,
        }),
      ),
    ).toMatchObject({ code: 'MANDATE_PROOF_INVALID', check: 'possession', hop: 2 });
  });

  it('a maximum that is a configured limit is MANDATE_LIMIT_EXCEEDED only when it says so', () => {
    const long = { aud: ['12345'], 'odd key': 1 };
    expect(thrown(() => parseWith(schema, long, 'p'))).toMatchObject({
      code: 'MANDATE_MALFORMED',
      detail: { path: 'p.aud[0]', reason: 'too_big' },
    });
    expect(thrown(() => parseWith(schema, long, 'p', { limits: true, hop: 1 }))).toMatchObject({
      code: 'MANDATE_LIMIT_EXCEEDED',
      check: 'limits',
      hop: 1,
      detail: { path: 'p.aud[0]', reason: 'too_big', limit: 4 },
    });
  });

  it('returns the parsed value when it is valid', () => {
    expect(parseWith(schema, { aud: ['a'], 'odd key': 2 }, 'p')).toEqual({
      aud: ['a'],
      'odd key': 2,
    });
  });
});
