/**
 * `importPublicJwk` (src/identity/jwk.ts) imports with V8's stack-trace capture switched off, for
 * speed: it must give the very key node:crypto's JWK import gives, for every 32 bytes, refuse what
 * that import refuses, and always put the global stack-trace limit back.
 */
import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { importPublicJwk, KeyCache, type PublicJwk } from '../../../src/identity/jwk.js';
import { NUM_RUNS } from '../../../src/testing/config.js';

function jwkImport(jwk: PublicJwk) {
  return createPublicKey({ key: { ...jwk }, format: 'jwk' });
}

describe('importPublicJwk', () => {
  it('an Ed25519 key imports as the same key the JWK import gives, for any 32 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const jwk: PublicJwk = {
          kty: 'OKP',
          crv: 'Ed25519',
          x: Buffer.from(bytes).toString('base64url'),
        };
        const fast = importPublicJwk(jwk);
        expect(fast.type).toBe('public');
        expect(fast.asymmetricKeyType).toBe('ed25519');
        expect(fast.equals(jwkImport(jwk))).toBe(true);
        expect(fast.export({ format: 'jwk' })).toEqual(jwk);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('verifies exactly what the JWK-imported key verifies', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const jwk = publicKey.export({ format: 'jwk' }) as PublicJwk;
    const message = Buffer.from('signed');
    const signature = sign(null, message, privateKey);
    expect(verify(null, message, importPublicJwk(jwk), signature)).toBe(true);
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as PublicJwk;
    expect(verify(null, message, importPublicJwk(other), signature)).toBe(false);
  });

  it('P-256 keys take the JWK import: the same key, and an off-curve point is refused', () => {
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      format: 'jwk',
    }) as PublicJwk;
    expect(importPublicJwk(jwk).equals(jwkImport(jwk))).toBe(true);
    const offCurve = { ...jwk, y: Buffer.alloc(32, 1).toString('base64url') } as PublicJwk;
    expect(() => importPublicJwk(offCurve)).toThrow();
    expect(() => jwkImport(offCurve)).toThrow();
    expect(() => new KeyCache().get(offCurve, 'linkage', 2)).toThrow(
      expect.objectContaining({ code: 'MANDATE_MALFORMED', check: 'linkage', hop: 2 }),
    );
  });

  it('puts Error.stackTraceLimit back, after an import and after a refusal', () => {
    const before = Error.stackTraceLimit;
    const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as PublicJwk;
    importPublicJwk(jwk);
    expect(Error.stackTraceLimit).toBe(before);
    const short = { kty: 'OKP', crv: 'Ed25519', x: 'AAAA' } as PublicJwk;
    expect(() => importPublicJwk(short)).toThrow();
    expect(() => jwkImport(short)).toThrow();
    expect(Error.stackTraceLimit).toBe(before);
  });

  it('imports normally where the stack-trace limit cannot be changed (frozen intrinsics)', () => {
    const descriptor = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')!;
    Object.defineProperty(Error, 'stackTraceLimit', { ...descriptor, writable: false });
    try {
      const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as PublicJwk;
      expect(importPublicJwk(jwk).equals(jwkImport(jwk))).toBe(true);
    } finally {
      Object.defineProperty(Error, 'stackTraceLimit', descriptor);
    }
  });
});
