/** SPIFFE IDs (SPIFFE ID standard §2) and JWT-SVIDs (JWT-SVID standard §3, §7). */
import { generateKeyPairSync } from 'node:crypto';
import { exportJWK, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { verifyJwtSvid } from '../../../../src/proof/mtls/index.js';
import { parseSpiffeId } from '../../../../src/proof/mtls/spiffe.js';

describe('parseSpiffeId', () => {
  it.each([
    ['spiffe://example.org/billing', 'example.org', '/billing'],
    ['spiffe://example.org', 'example.org', ''],
    [
      'spiffe://prod.acme-corp.io/ns/pay_ments/sa/v1.2',
      'prod.acme-corp.io',
      '/ns/pay_ments/sa/v1.2',
    ],
  ])('accepts %s', (id, trustDomain, path) => {
    expect(parseSpiffeId(id)).toEqual({ id, trustDomain, path });
  });

  it.each([
    'https://example.org/billing',
    'SPIFFE://example.org/billing',
    'spiffe://Example.org/billing',
    'spiffe://example.org/',
    'spiffe://example.org//billing',
    'spiffe://example.org/./billing',
    'spiffe://example.org/../billing',
    'spiffe://example.org:443/billing',
    'spiffe://user@example.org/billing',
    'spiffe://example.org/billing?x=1',
    'spiffe://example.org/billing#frag',
    'spiffe://example.org/bill%20ing',
    'spiffe:///billing',
    `spiffe://example.org/${'a'.repeat(2048)}`,
  ])('rejects %s', (id) => {
    expect(parseSpiffeId(id)).toBeUndefined();
  });
});

describe('verifyJwtSvid', () => {
  const NOW = 1_800_000_000;
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  async function svid(claims: Record<string, unknown>, key = privateKey, kid = 'b1') {
    return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' }).sign(key);
  }
  const bundle = async () => [{ ...(await exportJWK(publicKey)), kid: 'b1' }];
  const good = { sub: 'spiffe://example.org/billing', aud: ['https://tool.test'], exp: NOW + 60 };

  it('accepts a valid SVID and names the workload', async () => {
    const result = await verifyJwtSvid(await svid(good), {
      bundle: await bundle(),
      audience: 'https://tool.test',
      trustDomain: 'example.org',
      now: NOW,
    });
    expect(result.spiffeId).toMatchObject({ id: good.sub, trustDomain: 'example.org' });
  });

  it.each([
    ['expired', { ...good, exp: NOW - 1 }, 'MANDATE_EXPIRED'],
    ['another audience', { ...good, aud: ['https://other.test'] }, 'MANDATE_AUDIENCE'],
    ['sub not a SPIFFE ID', { ...good, sub: 'billing' }, 'MANDATE_MALFORMED'],
    ['no exp', { sub: good.sub, aud: good.aud }, 'MANDATE_MALFORMED'],
    [
      'another trust domain',
      { ...good, sub: 'spiffe://evil.org/billing' },
      'MANDATE_UNTRUSTED_ISSUER',
    ],
  ])('denies %s with %s', async (_name, claims, code) => {
    await expect(
      verifyJwtSvid(await svid(claims), {
        bundle: await bundle(),
        audience: 'https://tool.test',
        trustDomain: 'example.org',
        now: NOW,
      }),
    ).rejects.toMatchObject({ code, check: 'anchor' });
  });

  it('denies a key outside the bundle and a forged signature', async () => {
    await expect(
      verifyJwtSvid(await svid(good, other.privateKey, 'unknown'), {
        bundle: await bundle(),
        audience: 'https://tool.test',
        now: NOW,
      }),
    ).rejects.toMatchObject({ code: 'MANDATE_UNTRUSTED_ISSUER' });
    await expect(
      verifyJwtSvid(await svid(good, other.privateKey, 'b1'), {
        bundle: await bundle(),
        audience: 'https://tool.test',
        now: NOW,
      }),
    ).rejects.toMatchObject({ code: 'MANDATE_SIGNATURE_INVALID' });
  });

  it('denies alg none and HS256', async () => {
    const body = Buffer.from(JSON.stringify(good)).toString('base64url');
    for (const alg of ['none', 'HS256']) {
      const header = Buffer.from(JSON.stringify({ alg, kid: 'b1' })).toString('base64url');
      await expect(
        verifyJwtSvid(`${header}.${body}.`, {
          bundle: await bundle(),
          audience: 'https://tool.test',
        }),
        alg,
      ).rejects.toMatchObject({
        code: 'MANDATE_SIGNATURE_INVALID',
        detail: { reason: 'alg-not-allowed' },
      });
    }
  });
});
