/**
 * Mandate's Biscuit-layout vectors (test/vectors/biscuit-chain.json): (a) the committed file is
 * exactly what scripts/biscuit-vectors.ts produces, (b) its byte-level breakdown is what the
 * token holds and every listed signature verifies over its listed payload (what another
 * implementation checks), and (c) every case reaches its expected decision through
 * `createVerifier`.
 */
import { createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import {
  BISCUIT_VECTORS_PATH,
  generateBiscuitVectors,
  type BiscuitVectorFile,
} from '../../scripts/biscuit-vectors.js';
import { renderVectors } from '../../scripts/vector-file.js';
import { createVerifier, type TrustAnchor } from '../../src/index.js';
import { itChecksGeneratedFile } from '../helpers/vector-file.js';
import { readVectorFile } from '../helpers/vectors.js';

const committed = readVectorFile<BiscuitVectorFile>(BISCUIT_VECTORS_PATH);
const file = committed.json;
const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const keyOf = (raw: string) =>
  createPublicKey({
    key: Buffer.concat([ED25519_SPKI, Buffer.from(raw, 'hex')]),
    format: 'der',
    type: 'spki',
  });

describe('biscuit-chain.json: the file', () => {
  itChecksGeneratedFile('biscuit-chain.json', committed, async () =>
    renderVectors(await generateBiscuitVectors()),
  );
});

describe('biscuit-chain.json: the layout, byte by byte', () => {
  const { layout } = file;
  const tokenHex = layout.tokenHex;

  it('each block, next key and signature is in the token where the layout puts it', () => {
    expect(Buffer.from(layout.token, 'base64url').toString('hex')).toBe(tokenHex);
    for (const b of layout.blocks) {
      expect(tokenHex).toContain(b.block);
      expect(tokenHex).toContain(b.nextKey.key);
      expect(tokenHex).toContain(b.signature);
    }
    // The open token ends with an empty Proof (field 4, length 0).
    expect(tokenHex.endsWith('2200')).toBe(true);
  });

  it('every signature verifies over its payload under its signer: the anchor, then each holder', () => {
    const holderOf = (party: string) =>
      String((file.keys[party as keyof typeof file.keys].publicJwk as { x: string }).x);
    layout.blocks.forEach((b, hop) => {
      const signerKey = Buffer.from(holderOf(b.signer), 'base64url').toString('hex');
      // A delegation's signer is its parent's holder: the parent's next key.
      if (hop > 0) expect(signerKey).toBe(layout.blocks[hop - 1]?.nextKey.key);
      const payload = Buffer.from(b.signedPayload, 'hex');
      expect(payload.includes(Buffer.from(b.block, 'hex'))).toBe(true);
      expect(verify(null, payload, keyOf(signerKey), Buffer.from(b.signature, 'hex'))).toBe(true);
    });
    const last = layout.blocks[layout.blocks.length - 1]!;
    expect(
      verify(
        null,
        Buffer.from(layout.sealed.sealPayload, 'hex'),
        keyOf(last.nextKey.key),
        Buffer.from(layout.sealed.finalSignature, 'hex'),
      ),
    ).toBe(true);
  });
});

describe('biscuit-chain.json: every case through createVerifier', () => {
  for (const c of file.tests) {
    it(`tcId ${c.tcId} ${c.name}: ${c.comment}`, async () => {
      const v = file.verifier;
      const verifier = createVerifier({
        trustAnchors: v.trustAnchors as TrustAnchor[],
        audience: v.audience,
        proofWindow: v.proofWindow,
        limits: v.limits,
        clock: () => c.now,
      });
      const decision = await verifier.verify(c.token, {
        action: c.action,
        ...(c.proof === null ? {} : { proof: c.proof }),
        request: c.request,
      });
      expect(decision, `tcId ${c.tcId} ${c.name}`).toMatchObject({
        allowed: c.result === 'valid',
        ...c.expected,
      });
    });
  }
});
