/**
 * The standards' own examples, each case named for its RFC section, and the RFC 9449
 * §4.3 proof checks as coded denials. Values are copied from the RFC texts (RFC 7638,
 * RFC 9278, RFC 8037 Appendix A, RFC 9449 §7.1), never recomputed here.
 */
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyJwsSignature } from '../../src/core/jws/signature.js';
import { parsePublicJwk } from '../../src/identity/jwk.js';
import { prepareSigner, signBytes } from '../../src/identity/keys.js';
import {
  THUMBPRINT_URI_PREFIX,
  thumbprintUri,
  thumbprintUriSync,
} from '../../src/identity/thumbprint.js';
import { accessTokenHash, normalizeHtu } from '../../src/proof/request.js';
import { NUM_RUNS } from '../../src/testing/config.js';
import {
  createVerifier,
  delegate,
  mint,
  prove,
  type KeyPair,
  type Mandate,
  type Verifier,
} from '../../src/index.js';
import { b64, forgeJws, keyPairFromSeed, segment, TEST_SEEDS } from '../helpers/forge.js';
import { TYP } from '../../src/core/typ.js';

// RFC 7638 §3.1: the example RSA public key and its SHA-256 thumbprint.
const RFC7638_RSA: JWK = {
  kty: 'RSA',
  n:
    '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_B' +
    'JECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_F' +
    'DW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4' +
    'vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'RS256',
  kid: '2011-04-29',
};
const RFC7638_THUMBPRINT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';

// RFC 8037 Appendix A.1 (private key), A.2 (public key), A.3 (thumbprint), A.4 (signing).
const RFC8037_D = 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A';
const RFC8037_X = '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo';
const RFC8037_THUMBPRINT = 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k';
const RFC8037_PAYLOAD = 'Example of Ed25519 signing';
const RFC8037_SIGNING_INPUT = 'eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc';
const RFC8037_SIGNATURE =
  'hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg';

// RFC 9449 §7.1: the example access token and the `ath` of the proof that accompanies it.
const RFC9449_ACCESS_TOKEN = 'Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU';
const RFC9449_ATH = 'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo';

const rfc8037Public = { kty: 'OKP', crv: 'Ed25519', x: RFC8037_X } as const;
const rfc8037Pair: KeyPair = {
  privateKey: { ...rfc8037Public, d: RFC8037_D },
  publicJwk: rfc8037Public,
  id: THUMBPRINT_URI_PREFIX + RFC8037_THUMBPRINT,
};

describe('RFC 7638 and RFC 9278: JWK thumbprints', () => {
  it('RFC 7638 §3.1: the RSA example key has thumbprint NzbLsXh8…', async () => {
    expect(await calculateJwkThumbprint(RFC7638_RSA, 'sha256')).toBe(RFC7638_THUMBPRINT);
    const uri = await thumbprintUri(RFC7638_RSA);
    expect(uri.slice(THUMBPRINT_URI_PREFIX.length)).toBe(RFC7638_THUMBPRINT);
  });

  it('RFC 9278 §3: the thumbprint URI of the RFC 7638 example key', async () => {
    expect(await thumbprintUri(RFC7638_RSA)).toBe(
      'urn:ietf:params:oauth:jwk-thumbprint:sha-256:NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    );
  });

  it('RFC 7638 §3.3: members other than the required ones do not change the thumbprint', async () => {
    const bare: JWK = { kty: 'RSA', n: RFC7638_RSA.n ?? '', e: 'AQAB' };
    expect(await thumbprintUri(bare)).toBe(await thumbprintUri(RFC7638_RSA));
  });
});

describe('RFC 8037 Appendix A: Ed25519', () => {
  it('RFC 8037 A.1/A.2: the public key x follows from the private key d', () => {
    const privateKey = createPrivateKey({ key: { ...rfc8037Public, d: RFC8037_D }, format: 'jwk' });
    expect(createPublicKey(privateKey).export({ format: 'jwk' })).toMatchObject(rfc8037Public);
  });

  it('RFC 8037 A.3: thumbprint kPrK_qmx… via thumbprintUri (jose)', async () => {
    expect(await thumbprintUri(rfc8037Public)).toBe(THUMBPRINT_URI_PREFIX + RFC8037_THUMBPRINT);
  });

  it('RFC 8037 A.3: thumbprint kPrK_qmx… via the hot-path thumbprintUriSync', () => {
    const jwk = parsePublicJwk(rfc8037Public, 'anchor');
    expect(thumbprintUriSync(jwk)).toBe(THUMBPRINT_URI_PREFIX + RFC8037_THUMBPRINT);
  });

  it('RFC 8037 A.4: the signing input is {"alg":"EdDSA"} . "Example of Ed25519 signing"', () => {
    expect(`${segment({ alg: 'EdDSA' })}.${b64(RFC8037_PAYLOAD)}`).toBe(RFC8037_SIGNING_INPUT);
  });

  it("RFC 8037 A.4: prepareSigner/signBytes reproduce the RFC's signature exactly", () => {
    const signer = prepareSigner(rfc8037Pair);
    expect(signer.alg).toBe('Ed25519');
    expect(signBytes(signer, RFC8037_SIGNING_INPUT).toString('base64url')).toBe(RFC8037_SIGNATURE);
  });

  it("RFC 8037 A.5: verifyJwsSignature accepts the RFC's signature", () => {
    const key = createPublicKey({ key: rfc8037Public, format: 'jwk' });
    const signature = Buffer.from(RFC8037_SIGNATURE, 'base64url');
    expect(verifyJwsSignature('Ed25519', key, RFC8037_SIGNING_INPUT, signature)).toBe(true);
  });

  it('RFC 8037 A.5: a one-bit flip anywhere in the signature or the input is rejected', () => {
    const key = createPublicKey({ key: rfc8037Public, format: 'jwk' });
    const signature = Buffer.from(RFC8037_SIGNATURE, 'base64url');
    for (const bit of [0, 7, 255, 256, 511]) {
      const flipped = Buffer.from(signature);
      flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      expect(verifyJwsSignature('Ed25519', key, RFC8037_SIGNING_INPUT, flipped), `bit ${bit}`).toBe(
        false,
      );
    }
    const input = `${RFC8037_SIGNING_INPUT.slice(0, -1)}b`; // ASCII 'c' -> 'b': one bit
    expect(verifyJwsSignature('Ed25519', key, input, signature)).toBe(false);
  });

  it('RFC 8037 A.5: the signature does not verify under an ES256 key (wrong key type)', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const signature = Buffer.from(RFC8037_SIGNATURE, 'base64url');
    expect(verifyJwsSignature('ES256', publicKey, RFC8037_SIGNING_INPUT, signature)).toBe(false);
    expect(verifyJwsSignature('Ed25519', publicKey, RFC8037_SIGNING_INPUT, signature)).toBe(false);
  });
});

describe('thumbprintUriSync agrees with jose', () => {
  it('property: Ed25519 keys from any 32-byte seed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), async (seed) => {
        const pair = keyPairFromSeed(Buffer.from(seed).toString('hex'));
        const jwk = parsePublicJwk(pair.publicJwk, 'anchor');
        expect(thumbprintUriSync(jwk)).toBe(await thumbprintUri(pair.publicJwk));
      }),
      { numRuns: Math.min(NUM_RUNS, 100) },
    );
  });

  it('property: generated P-256 keys (few runs: key generation is slow)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), async () => {
        const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        const exported = await exportJWK(publicKey);
        const jwk = parsePublicJwk(exported, 'anchor');
        expect(thumbprintUriSync(jwk)).toBe(await thumbprintUri(exported));
      }),
      { numRuns: Math.min(NUM_RUNS, 20) },
    );
  });
});

describe('RFC 9449: DPoP', () => {
  it('RFC 9449 §7.1: ath of the example access token is fUHyO2r2…', () => {
    expect(accessTokenHash(RFC9449_ACCESS_TOKEN)).toBe(RFC9449_ATH);
  });

  it('RFC 9449 §4.2/§4.3: htu is the target URI without query and fragment', () => {
    expect(normalizeHtu('https://resource.example.org/protectedresource?x=1&y=2#frag')).toBe(
      'https://resource.example.org/protectedresource',
    );
    expect(normalizeHtu('https://server.example.com/token')).toBe(
      'https://server.example.com/token',
    );
    // Normalised as a URL (RFC 3986 §6.2.2 / §6.2.3): case of the host, default port.
    expect(normalizeHtu('HTTPS://Resource.Example.org:443/p?q')).toBe(
      'https://resource.example.org/p',
    );
    expect(normalizeHtu('https://resource.example.org/a/b')).not.toBe(
      normalizeHtu('https://resource.example.org/a/c'),
    );
    expect(normalizeHtu('ftp://resource.example.org/p')).toBeUndefined();
    expect(normalizeHtu('/relative/only')).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------
// RFC 9449 §4.3: the checks a server makes on a DPoP proof, each a coded denial.
// ---------------------------------------------------------------------------------------

const NOW = 1_800_000_000;
const ISSUER = 'https://as.rfc.test';
const AUDIENCE = 'https://resource.rfc.test';
const URL_ = `${AUDIENCE}/protectedresource`;
const REQUEST = { method: 'GET', url: URL_ } as const;
const ACTION = { resource: 'docs:reports/q1', action: 'read' } as const;

const anchor = keyPairFromSeed(TEST_SEEDS.anchor);
const orchestrator = keyPairFromSeed(TEST_SEEDS.orchestrator);
const holder = keyPairFromSeed(TEST_SEEDS.billing);
const mallory = keyPairFromSeed(TEST_SEEDS.mallory);

function newVerifier(): Verifier {
  return createVerifier({
    trustAnchors: [{ id: ISSUER, publicJwk: anchor.publicJwk }],
    audience: AUDIENCE,
    clock: () => NOW,
  });
}

describe('RFC 9449 §4.3: proof checks on a mandate proof', () => {
  let mandate: Mandate;
  /** The claims of a correct proof for REQUEST, to be spoiled one at a time. */
  let goodClaims: Record<string, unknown>;
  const goodHeader = () => ({ typ: TYP.dpop, alg: 'Ed25519', jwk: { ...holder.publicJwk } });
  const HOP = 1;

  beforeAll(async () => {
    const root = await mint({
      issuer: anchor,
      issuerId: ISSUER,
      subject: 'alice',
      holder: orchestrator.publicJwk,
      capabilities: [{ resource: 'docs:**', actions: ['read'] }],
      expiresIn: 600,
      audience: AUDIENCE,
      now: NOW,
      id: 'rfc-root',
    });
    mandate = await delegate(root, {
      signer: orchestrator,
      holder: holder.publicJwk,
      now: NOW,
      id: 'rfc-hop-1',
    });
    goodClaims = {
      jti: 'proof-1',
      htm: 'GET',
      htu: URL_,
      iat: NOW,
      ath: accessTokenHash(mandate.token),
    };
  });

  const verifyWith = (
    proof: string | undefined,
    request: { readonly method: string; readonly url: string } = REQUEST,
    v = newVerifier(),
  ) =>
    v.verify(mandate.token, {
      action: ACTION,
      ...(proof === undefined ? {} : { proof }),
      request,
    });

  const denied = (code: string) => ({ allowed: false, code, hop: HOP, check: 'possession' });

  it('RFC 9449 §4.3: a correct hand-built proof is accepted (the baseline for every check)', async () => {
    expect(await verifyWith(forgeJws(holder, goodHeader(), goodClaims))).toMatchObject({
      allowed: true,
    });
  });

  it('RFC 9449 §4.3: a proof built by prove() is accepted', async () => {
    const proof = await prove(mandate, { signer: holder, request: REQUEST, now: NOW });
    expect(await verifyWith(proof)).toMatchObject({ allowed: true, subject: 'alice' });
  });

  it('RFC 9449 §4.3 (no proof): denied MANDATE_PROOF_MISSING', async () => {
    expect(await verifyWith(undefined)).toMatchObject(denied('MANDATE_PROOF_MISSING'));
  });

  it('RFC 9449 §4.3 step 4: typ other than dpop+jwt is denied', async () => {
    for (const typ of ['JWT', 'jwt', TYP.invocation, TYP.root, 'DPoP+JWT']) {
      const proof = forgeJws(holder, { ...goodHeader(), typ }, goodClaims);
      expect(await verifyWith(proof), typ).toMatchObject(denied('MANDATE_PROOF_INVALID'));
    }
  });

  it('RFC 9449 §4.3 step 5: alg none (empty signature) is denied', async () => {
    const proof = `${segment({ ...goodHeader(), alg: 'none' })}.${segment(goodClaims)}.`;
    expect(await verifyWith(proof)).toMatchObject(denied('MANDATE_PROOF_INVALID'));
  });

  it('RFC 9449 §4.3 step 5: alg none with a real signature attached is denied', async () => {
    const proof = forgeJws(holder, { ...goodHeader(), alg: 'none' }, goodClaims);
    expect(await verifyWith(proof)).toMatchObject(denied('MANDATE_PROOF_INVALID'));
  });

  it('RFC 9449 §4.3 step 5: HS256 keyed with the public key (algorithm confusion) is denied', async () => {
    for (const [alg, hash] of [
      ['HS256', 'sha256'],
      ['HS512', 'sha512'], // 64 bytes: the length of a genuine signature
    ] as const) {
      const input = `${segment({ ...goodHeader(), alg })}.${segment(goodClaims)}`;
      const secret = JSON.stringify(holder.publicJwk);
      const mac = createHmac(hash, secret).update(input).digest('base64url');
      expect(await verifyWith(`${input}.${mac}`), alg).toMatchObject(
        denied('MANDATE_PROOF_INVALID'),
      );
    }
  });

  it('RFC 9449 §4.3 step 5: alg EdDSA (not the fully-specified Ed25519) is denied', async () => {
    const proof = forgeJws(holder, { ...goodHeader(), alg: 'EdDSA' }, goodClaims);
    expect(await verifyWith(proof)).toMatchObject(denied('MANDATE_PROOF_INVALID'));
  });

  it('RFC 9449 §4.3 step 6: a proof without a jwk header is denied', async () => {
    const header: Record<string, unknown> = goodHeader();
    delete header['jwk'];
    expect(await verifyWith(forgeJws(holder, header, goodClaims))).toMatchObject(
      denied('MANDATE_PROOF_INVALID'),
    );
  });

  it('RFC 9449 §4.3 step 7: a jwk carrying the private key is denied', async () => {
    const jwk = createPrivateKey({
      key: Buffer.concat([
        Buffer.from('302e020100300506032b657004220420', 'hex'),
        Buffer.from(TEST_SEEDS.billing, 'hex'),
      ]),
      format: 'der',
      type: 'pkcs8',
    }).export({ format: 'jwk' });
    expect(jwk.d).toBeTypeOf('string');
    const proof = forgeJws(holder, { ...goodHeader(), jwk }, goodClaims);
    const decision = await verifyWith(proof);
    expect(decision).toMatchObject(denied('MANDATE_PROOF_INVALID'));
    expect(JSON.stringify(decision)).not.toContain(String(jwk.d));
  });

  it("RFC 9449 §4.3 step 8: a signature by another key (holder's jwk in the header) is denied", async () => {
    const proof = forgeJws(mallory, goodHeader(), goodClaims);
    expect(await verifyWith(proof)).toMatchObject(denied('MANDATE_PROOF_INVALID'));
  });

  it("RFC 9449 §4.3 step 12: a valid proof by a key that is not the mandate's holder is denied", async () => {
    const proof = forgeJws(mallory, { ...goodHeader(), jwk: { ...mallory.publicJwk } }, goodClaims);
    expect(await verifyWith(proof)).toMatchObject(denied('MANDATE_PROOF_INVALID'));
  });

  it('RFC 9449 §4.3 step 8: a one-bit flip of a good signature is denied', async () => {
    const good = forgeJws(holder, goodHeader(), goodClaims);
    const [h, p, s = ''] = good.split('.');
    const sig = Buffer.from(s, 'base64url');
    sig[10] = (sig[10] ?? 0) ^ 0x04;
    expect(await verifyWith(`${h}.${p}.${sig.toString('base64url')}`)).toMatchObject(
      denied('MANDATE_PROOF_INVALID'),
    );
  });

  it('RFC 9449 §4.3 step 9: htm mismatch is denied', async () => {
    for (const htm of ['POST', 'get', 'HEAD']) {
      const proof = forgeJws(holder, goodHeader(), { ...goodClaims, htm });
      expect(await verifyWith(proof), htm).toMatchObject(denied('MANDATE_PROOF_INVALID'));
    }
  });

  it('RFC 9449 §4.3 step 10: htu mismatch is denied', async () => {
    for (const htu of [
      `${AUDIENCE}/otherresource`,
      'https://evil.rfc.test/protectedresource',
      `http://resource.rfc.test/protectedresource`,
      `${URL_}/`,
    ]) {
      const proof = forgeJws(holder, goodHeader(), { ...goodClaims, htu });
      expect(await verifyWith(proof), htu).toMatchObject(denied('MANDATE_PROOF_INVALID'));
    }
  });

  it('RFC 9449 §4.3 step 10: htu comparison ignores query and fragment', async () => {
    const proof = forgeJws(holder, goodHeader(), { ...goodClaims, htu: `${URL_}?a=1#x` });
    expect(await verifyWith(proof, { method: 'GET', url: `${URL_}?b=2` })).toMatchObject({
      allowed: true,
    });
  });

  it('RFC 9449 §4.3 step 11: iat outside the window (60 s) is denied, inside accepted', async () => {
    for (const iat of [NOW - 61, NOW + 61, NOW - 3600, 0]) {
      const proof = forgeJws(holder, goodHeader(), { ...goodClaims, iat });
      expect(await verifyWith(proof), String(iat)).toMatchObject(denied('MANDATE_PROOF_INVALID'));
    }
    for (const iat of [NOW - 60, NOW + 60]) {
      const proof = forgeJws(holder, goodHeader(), { ...goodClaims, iat });
      expect(await verifyWith(proof), String(iat)).toMatchObject({ allowed: true });
    }
  });

  it('RFC 9449 §4.3 step 11: iat of the wrong type is denied', async () => {
    for (const iat of [String(NOW), NOW + 0.5, null]) {
      const proof = forgeJws(holder, goodHeader(), { ...goodClaims, iat });
      expect(await verifyWith(proof), String(iat)).toMatchObject(denied('MANDATE_PROOF_INVALID'));
    }
  });

  it('RFC 9449 §4.3 step 12 (ath): a proof bound to another token is denied', async () => {
    for (const ath of [RFC9449_ATH, accessTokenHash(`${mandate.token}~`), undefined]) {
      const proof = forgeJws(holder, goodHeader(), { ...goodClaims, ath });
      expect(await verifyWith(proof), String(ath)).toMatchObject(denied('MANDATE_PROOF_INVALID'));
    }
  });

  it('RFC 9449 §4.3 step 12 (ath): a proof for another mandate of the same holder is denied', async () => {
    const other = await delegate(mandate.token.split('~')[0] ?? '', {
      signer: orchestrator,
      holder: holder.publicJwk,
      now: NOW,
      id: 'rfc-hop-1-other',
      capabilities: [{ resource: 'docs:reports/**', actions: ['read'] }],
    });
    const proof = await prove(other, { signer: holder, request: REQUEST, now: NOW, jti: 'p-x' });
    expect(await verifyWith(proof)).toMatchObject(denied('MANDATE_PROOF_INVALID'));
  });

  it('RFC 9449 §11.1: a replayed jti is denied MANDATE_REPLAYED', async () => {
    const v = newVerifier();
    const proof = forgeJws(holder, goodHeader(), { ...goodClaims, jti: 'once-only' });
    expect(await verifyWith(proof, REQUEST, v)).toMatchObject({ allowed: true });
    expect(await verifyWith(proof, REQUEST, v)).toMatchObject(denied('MANDATE_REPLAYED'));
    // Another proof reusing the jti (new signature, same id) is a replay too.
    const again = forgeJws(holder, goodHeader(), { ...goodClaims, jti: 'once-only', iat: NOW - 1 });
    expect(await verifyWith(again, REQUEST, v)).toMatchObject(denied('MANDATE_REPLAYED'));
  });

  it('RFC 9449 §4.2: a header member outside {typ, alg, jwk} (jku, x5u, kid) is denied', async () => {
    for (const extra of [
      { jku: 'https://evil.test/jwks' },
      { x5u: 'https://evil.test/x' },
      { kid: 'k' },
    ]) {
      const proof = forgeJws(holder, { ...goodHeader(), ...extra }, goodClaims);
      expect(await verifyWith(proof), JSON.stringify(extra)).toMatchObject(
        denied('MANDATE_PROOF_INVALID'),
      );
    }
  });
});
