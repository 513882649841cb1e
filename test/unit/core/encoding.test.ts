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

  it('decides any text as the alphabet, length and last-character rules do, with their message', () => {
    // The decoder's fast path (decode, re-encode, compare) stands in front of these rules.
    const B64URL = /^[A-Za-z0-9_-]*$/;
    const reference = (value: string): 'ok' | 'not base64url' | 'non-canonical base64url' => {
      if (!B64URL.test(value) || value.length % 4 === 1) return 'not base64url';
      const rest = value.length % 4;
      const last = rest === 0 ? 0 : ALPHABET.indexOf(value.charAt(value.length - 1));
      return (rest === 2 && last % 16 !== 0) || (rest === 3 && last % 4 !== 0)
        ? 'non-canonical base64url'
        : 'ok';
    };
    const chars = fc.constantFrom(...ALPHABET, '=', '+', '/', ' ', '\n', '.', '~', 'é', '\u0000');
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 48 }), (list) => {
        const value = list.join('');
        const expected = reference(value);
        try {
          const bytes = decodeBase64url(value, 'x', 'limits');
          expect(expected).toBe('ok');
          expect(bytes.equals(Buffer.from(value, 'base64url'))).toBe(true);
        } catch (error) {
          expect(error).toMatchObject({ code: 'MANDATE_MALFORMED', message: `x: ${expected}` });
        }
      }),
      { numRuns: NUM_RUNS * 5 },
    );
  });

  it.each(['a', 'ab=', 'a+b/', 'ab c', 'AB\u0000', 'AR'])('refuses %j', (value) => {
    expect(accepts(value)).toBe(false);
  });
});
