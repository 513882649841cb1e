/**
 * ECDSA malleability and Biscuit revocation ids: (r, s) and (r, n − s) both verify, so a P-256
 * signed block has two revocation ids. The verifier looks up both, so a block revoked under one is
 * still revoked when presented under the other.
 */
import { generateKeyPairSync, sign, verify as cryptoVerify } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import {
  createVerifier,
  generateKeyPair,
  MemoryRevocationStore,
  mint,
} from '../../../src/index.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { decodeBiscuitChain } from '../../../src/format/biscuit/chain.js';
import { ecdsaTwin } from '../../../src/format/biscuit/ecdsa-twin.js';

describe('ecdsaTwin', () => {
  it('gives the other valid form of a P-256 signature, and back', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (let i = 0; i < 50; i++) {
      const data = Buffer.from(`message ${i}`);
      const signature = sign('sha256', data, { key: privateKey, dsaEncoding: 'der' });
      const twin = ecdsaTwin(signature);
      expect(twin).toBeDefined();
      expect(Buffer.from(twin!).equals(signature)).toBe(false);
      expect(cryptoVerify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, twin!)).toBe(
        true,
      );
      expect(Buffer.from(ecdsaTwin(twin!)!).equals(signature)).toBe(true);
    }
  });

  it('has no twin for what is not a DER ECDSA signature', () => {
    expect(ecdsaTwin(new Uint8Array(64))).toBeUndefined();
    expect(ecdsaTwin(Uint8Array.from([0x30, 0x02, 0x02, 0x00]))).toBeUndefined();
    expect(ecdsaTwin(new Uint8Array())).toBeUndefined();
  });
});

describe('a P-256 signed Biscuit block', () => {
  it('is revoked under either form of its signature', async () => {
    const NOW = 1_800_000_000;
    const [anchor, agent] = await Promise.all([generateKeyPair('ES256'), generateKeyPair()]);
    const root = await mint({
      issuer: anchor,
      issuerId: 'https://as.twin.test',
      subject: 'alice',
      holder: agent.publicJwk,
      capabilities: [{ resource: 'docs:**', actions: ['read'] }],
      audience: 'https://tool.twin.test',
      expiresIn: 3600,
      now: NOW,
      format: 'biscuit',
    });
    const [block] = await decodeBiscuitChain(root.token, DEFAULT_LIMITS);
    expect(block?.revocationIdTwin).toMatch(/^[0-9a-f]+$/);
    expect(block?.revocationIdTwin).not.toBe(block?.revocationId);
    const verify = (revocation: MemoryRevocationStore) =>
      createVerifier({
        trustAnchors: [{ id: 'https://as.twin.test', publicJwk: anchor.publicJwk }],
        audience: 'https://tool.twin.test',
        requireProof: false,
        revocation,
        clock: () => NOW,
      }).verify(root, { action: { resource: 'docs:a', action: 'read' } });
    expect(await verify(new MemoryRevocationStore())).toMatchObject({ allowed: true });
    // Revoked under the other form (as seen by whoever holds the malleated token): still denied.
    const store = new MemoryRevocationStore();
    await store.revoke(block!.revocationIdTwin!);
    expect(await verify(store)).toMatchObject({
      allowed: false,
      code: 'MANDATE_REVOKED',
      hop: 0,
    });
  });
});
