import { describe, expect, it } from 'vitest';

import {
  assertClusterPrefix,
  assertPrefix,
  keyFor,
  revocationKeyFor,
  ttlMs,
} from '../../../../src/stores/redis/keys.js';

describe('redis keys', () => {
  const hostile = [
    'plain-id',
    'id\r\nFLUSHALL\r\n',
    '*',
    'mandate:jti:abc',
    '../../etc',
    '\u0000nul',
    'x'.repeat(1024),
    'e\u0301',
    '\u00e9',
    '😀',
  ];

  it('maps every id, hostile or not, to a short key of a fixed alphabet', () => {
    for (const id of hostile) {
      const key = keyFor('mandate:', 'rev', id);
      expect(key).toMatch(/^mandate:rev:[A-Za-z0-9_-]{43}$/);
    }
  });

  it('gives distinct ids distinct keys and keeps the kinds apart', () => {
    const keys = new Set(hostile.map((id) => keyFor('p:', 'rev', id)));
    expect(keys.size).toBe(hostile.length);
    expect(keyFor('p:', 'rev', 'same')).not.toBe(keyFor('p:', 'jti', 'same'));
  });

  it('accepts sensible prefixes and refuses odd ones', () => {
    for (const prefix of ['', 'mandate:', 'tenant-7/mandate:']) {
      expect(() => assertPrefix(prefix)).not.toThrow();
    }
    for (const prefix of ['has space', 'new\nline', 'glob*', 'a'.repeat(129), 42, 'é']) {
      expect(() => assertPrefix(prefix)).toThrow(TypeError);
    }
  });

  it('computes a relative TTL with the grace, never shorter than the grace', () => {
    const now = 1_700_000_000_000;
    expect(ttlMs(now / 1000 + 60, 0, now)).toBe(60_000);
    expect(ttlMs(now / 1000 + 60, 30, now)).toBe(90_000);
    expect(ttlMs(now / 1000 - 10, 30, now)).toBe(30_000); // already past: the grace remains
    expect(ttlMs(now / 1000 - 10, 0, now)).toBe(1); // never 0 (Redis refuses PX 0)
    expect(ttlMs(now / 1000 + 0.0001, 0, now)).toBe(1); // rounded up, never down
    expect(ttlMs(Number.MAX_SAFE_INTEGER, 0, now)).toBeUndefined(); // too far: keep for good
  });

  it('on a cluster, gives every revocation key of a prefix the same hash tag', () => {
    /** Redis Cluster's hash tag: between the first `{` and the first `}` after it, if not empty. */
    const tagOf = (key: string): string => {
      const open = key.indexOf('{');
      const close = open === -1 ? -1 : key.indexOf('}', open + 1);
      return close > open + 1 ? key.slice(open + 1, close) : key;
    };
    for (const prefix of ['', 'mandate:', 'tenant-7/', 'x:y:']) {
      const tags = new Set(hostile.map((id) => tagOf(revocationKeyFor(prefix, id, true))));
      expect([prefix, tags.size]).toEqual([prefix, 1]);
    }
    expect(revocationKeyFor('mandate:', 'b', true)).toMatch(
      /^mandate:\{mandate:rev\}:[A-Za-z0-9_-]{43}$/,
    );
    // A prefix with braces would pick the tag itself ('{}' would even make it empty): refused.
    for (const prefix of ['{}', 'a{b', 'x}y{']) {
      expect(() => assertClusterPrefix(prefix)).toThrow(TypeError);
    }
    // One server keeps the layout it always had.
    expect(revocationKeyFor('mandate:', 'b', false)).toBe(keyFor('mandate:', 'rev', 'b'));
    // Two prefixes, two tags: tenants can spread over primaries.
    expect(tagOf(revocationKeyFor('a:', 'b', true))).not.toBe(
      tagOf(revocationKeyFor('c:', 'b', true)),
    );
  });
});
