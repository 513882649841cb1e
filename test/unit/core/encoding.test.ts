import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64url } from '../../../src/core/encoding.js';
import { NUM_RUNS } from '../../../src/testing/config.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function accepts(value: string): boolean {
  try {
    decodeBase64url(value, 'x', 'limits');
    return true;
  } catch (error) {
    expect(error).toMatchObject({ code: 'MANDATE_MALFORMED', check: 'limits' });
    return false;
  }
}

describe('decodeBase64url', () => {
  it('accepts exactly the canonical encodings (same as re-encoding the bytes)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ALPHABET), { maxLength: 64 }), (chars) => {
        const value = chars.join('');
        const canonical =
          value.length % 4 !== 1 && Buffer.from(value, 'base64url').toString('base64url') === value;
        return accepts(value) === canonical;
      }),
      { numRuns: NUM_RUNS * 5 },
    );
  });

  it('round-trips every byte string', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = Buffer.from(bytes).toString('base64url');
        return decodeBase64url(text, 'x', 'limits').equals(Buffer.from(bytes));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it.each(['a', 'ab=', 'a+b/', 'ab c', 'AB\u0000', 'AR'])('refuses %j', (value) => {
    expect(accepts(value)).toBe(false);
  });
});
