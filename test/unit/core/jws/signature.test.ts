/**
 * JWS signatures are verified over signing inputs written into one reused buffer: whatever was
 * verified before (a longer input, a shorter one), each signature is checked over exactly its
 * own input's bytes, and an input too long for the buffer is verified all the same.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyJwsSignature } from '../../../../src/core/jws/signature.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const signed = (text: string) => sign(null, Buffer.from(text, 'ascii'), privateKey);
const jwk = { key: publicKey.export({ format: 'jwk' }), format: 'jwk' } as const;

describe('verifyJwsSignature over reused bytes', () => {
  const long = `eyJh.${'A'.repeat(900)}`;
  const short = `eyJh.${'A'.repeat(100)}`;

  it('checks each input over its own bytes, whatever was verified before', () => {
    for (const key of [publicKey, jwk]) {
      expect(verifyJwsSignature('Ed25519', key, long, signed(long))).toBe(true);
      // The shorter input now sits where the longer one was: its tail must not be read.
      expect(verifyJwsSignature('Ed25519', key, short, signed(short))).toBe(true);
      expect(verifyJwsSignature('Ed25519', key, short, signed(long))).toBe(false);
      expect(verifyJwsSignature('Ed25519', key, long, signed(short))).toBe(false);
    }
  });

  it('verifies an input longer than the reused buffer', () => {
    const huge = `eyJh.${'B'.repeat(70_000)}`;
    expect(verifyJwsSignature('Ed25519', publicKey, huge, signed(huge))).toBe(true);
    expect(verifyJwsSignature('Ed25519', publicKey, huge.slice(0, -1), signed(huge))).toBe(false);
    expect(verifyJwsSignature('Ed25519', publicKey, short, signed(short))).toBe(true);
  });

  it('reads text as bytes and bytes as they are, alike', () => {
    const bytes = Buffer.from(short, 'ascii');
    expect(verifyJwsSignature('Ed25519', publicKey, bytes, signed(short))).toBe(true);
    expect(verifyJwsSignature('Ed25519', publicKey, bytes, signed(long))).toBe(false);
  });
});
