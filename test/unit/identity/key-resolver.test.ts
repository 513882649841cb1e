/** The key resolver interface: static keys, remote JWKS options, agent-card keys; anchors on them. */
import { describe, expect, it } from 'vitest';
import { remoteJwks, staticKeys } from '../../../src/identity/key-resolver.js';
import { createVerifier, generateKeyPair, mint } from '../../../src/index.js';

/** A fresh issuer key, and a root it signed as `issuerId` naming its key `kid`. */
async function rootFrom(issuerId: string, kid: string) {
  const [issuer, holder] = await Promise.all([generateKeyPair(), generateKeyPair()]);
  const mandate = await mint({
    issuer,
    issuerId,
    kid,
    subject: 'alice',
    holder: holder.publicJwk,
    capabilities: [{ resource: 'docs:**', actions: ['read'] }],
    expiresIn: 60,
    audience: 'https://tool.test',
  });
  return { issuer, mandate };
}

describe('staticKeys', () => {
  it('selects by kid and key type', async () => {
    const [a, b, p] = await Promise.all([
      generateKeyPair(),
      generateKeyPair(),
      generateKeyPair('ES256'),
    ]);
    const keys = staticKeys({
      keys: [
        { ...a.publicJwk, kid: 'a' },
        { ...b.publicJwk, kid: 'b' },
        { ...p.publicJwk, kid: 'p' },
      ],
    });
    expect((await keys.resolve({ alg: 'Ed25519', kid: 'b' })).jwk).toEqual(b.publicJwk);
    expect((await keys.resolve({ alg: 'ES256' })).jwk).toEqual(p.publicJwk);
    // An Ed25519 kid asked for as ES256 does not match: no cross-type confusion.
    await expect(keys.resolve({ alg: 'ES256', kid: 'a' })).rejects.toMatchObject({
      code: 'MANDATE_UNTRUSTED_ISSUER',
      check: 'anchor',
      detail: { reason: 'unknown-kid' },
    });
    // Two Ed25519 keys and no kid: ambiguous, denied.
    await expect(keys.resolve({ alg: 'Ed25519' })).rejects.toMatchObject({
      code: 'MANDATE_UNTRUSTED_ISSUER',
    });
  });

  it('refuses private keys, unsupported keys and duplicate kids (TypeError)', async () => {
    const a = await generateKeyPair();
    expect(() => staticKeys([])).toThrow(TypeError);
    expect(() => staticKeys([{ ...a.publicJwk, d: 'x' }])).toThrow(TypeError);
    expect(() => staticKeys([{ kty: 'RSA', n: 'x', e: 'AQAB' }])).toThrow(TypeError);
    expect(() =>
      staticKeys([
        { ...a.publicJwk, kid: 'x' },
        { ...a.publicJwk, kid: 'x' },
      ]),
    ).toThrow(TypeError);
  });
});

describe('remoteJwks', () => {
  it('validates its URL and timings', () => {
    expect(() => remoteJwks('not a url')).toThrow(TypeError);
    expect(() => remoteJwks('file:///etc/passwd')).toThrow(TypeError);
    expect(() => remoteJwks('https://as.test/jwks', { cooldownDuration: -1 })).toThrow(RangeError);
  });

  it('a fetch failure is a coded denial, never a throw out of verify', async () => {
    const { mandate } = await rootFrom('https://as.down', 'k');
    const verifier = createVerifier({
      trustAnchors: [
        {
          id: 'https://as.down',
          jwksUri: 'http://127.0.0.1:9/jwks.json',
          jwks: { timeoutDuration: 500 },
        },
      ],
      audience: 'https://tool.test',
      requireProof: false,
    });
    expect(
      await verifier.verify(mandate, { action: { resource: 'docs:a', action: 'read' } }),
    ).toMatchObject({
      allowed: false,
      code: 'MANDATE_UNTRUSTED_ISSUER',
      hop: 0,
      check: 'anchor',
    });
  });
});

describe('trust anchors on any KeyResolver', () => {
  it('{ id, keys: staticKeys(...) } verifies a root whose kid names its key', async () => {
    const { issuer, mandate } = await rootFrom('https://as.static', 'k1');
    const verifier = createVerifier({
      trustAnchors: [
        { id: 'https://as.static', keys: staticKeys([{ ...issuer.publicJwk, kid: 'k1' }]) },
      ],
      audience: 'https://tool.test',
      requireProof: false,
    });
    expect(
      await verifier.verify(mandate, { action: { resource: 'docs:a', action: 'read' } }),
    ).toMatchObject({
      allowed: true,
    });
  });
  it('a root whose kid points outside the anchor key set, or at a key it was not signed with, is denied', async () => {
    const [issuer, attacker, holder] = await Promise.all([
      generateKeyPair(),
      generateKeyPair(),
      generateKeyPair(),
    ]);
    const verifier = createVerifier({
      trustAnchors: [
        { id: 'https://as.static', keys: staticKeys([{ ...issuer.publicJwk, kid: 'k1' }]) },
      ],
      audience: 'https://tool.test',
      requireProof: false,
    });
    const rootBy = (signer: typeof issuer, kid: string) =>
      mint({
        issuer: signer,
        issuerId: 'https://as.static',
        kid,
        subject: 'alice',
        holder: holder.publicJwk,
        capabilities: [{ resource: 'docs:**', actions: ['read'] }],
        expiresIn: 60,
        audience: 'https://tool.test',
      });
    const action = { resource: 'docs:a', action: 'read' };
    // An attacker's key named by a kid the anchor does not have: no key is fetched or trusted.
    const unknownKid = await verifier.verify(await rootBy(attacker, 'attacker-key'), { action });
    expect(unknownKid).toMatchObject({
      allowed: false,
      code: 'MANDATE_UNTRUSTED_ISSUER',
      hop: 0,
      check: 'anchor',
    });
    // The anchor's kid on a root the attacker signed: the named key does not verify it.
    expect(await verifier.verify(await rootBy(attacker, 'k1'), { action })).toMatchObject({
      allowed: false,
      code: 'MANDATE_SIGNATURE_INVALID',
      hop: 0,
      check: 'anchor',
    });
  });
});
