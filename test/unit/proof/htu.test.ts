/**
 * `normalizeHtu` (RFC 9449 `htu`) remembers recent URLs by their exact text: the answer is the
 * same the first time and every time after, for URLs, for text that is not one, and for long
 * URLs it does not keep.
 */
import { describe, expect, it } from 'vitest';
import { normalizeHtu } from '../../../src/proof/request.js';

describe('normalizeHtu, first time and again', () => {
  const cases: [string, string | undefined][] = [
    ['https://api.example/pay?x=1#f', 'https://api.example/pay'],
    ['HTTPS://API.example:443/pay', 'https://api.example/pay'],
    ['http://api.example:8080/a/../b', 'http://api.example:8080/b'],
    ['ftp://api.example/pay', undefined],
    ['not a url', undefined],
    [`https://api.example/${'a'.repeat(600)}?q`, `https://api.example/${'a'.repeat(600)}`],
  ];

  it.each(cases)('%s', (url, expected) => {
    expect(normalizeHtu(url)).toBe(expected);
    expect(normalizeHtu(url)).toBe(expected);
  });

  it('keeps answers apart for texts that differ anywhere', () => {
    for (let i = 0; i < 300; i++) {
      expect(normalizeHtu(`https://api.example/${i}?q=${i}`)).toBe(`https://api.example/${i}`);
    }
    expect(normalizeHtu('https://api.example/7?q=7')).toBe('https://api.example/7');
    expect(normalizeHtu('https://api.example/7 ')).toBe('https://api.example/7');
  });
});
