/**
 * Hostile input to `verifier.verify`: every case is a coded denial (code, hop, check),
 * never a throw, a crash or an allow. Hostile blocks are built by hand and signed with the
 * genuine keys, and each carries a genuine proof of possession, so the signature and the
 * proof are valid and only the property under test is wrong.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createVerifier,
  delegate,
  mint,
  type Decision,
  type KeyPair,
  type Mandate,
  type Verifier,
  type VerifierOptions,
} from '../../../src/index.js';
import { accessTokenHash } from '../../../src/proof/request.js';
import {
  b64,
  blocksOf,
  decodeJws,
  forgeJws,
  keyPairFromSeed,
  reforgeBlock,
  segment,
  TEST_SEEDS,
  type JwsParts,
} from '../../helpers/forge.js';
import { TYP } from '../../../src/core/typ.js';

const NOW = 1_800_000_000;
const ISSUER = 'https://as.hostile.test';
const AUDIENCE = 'https://tool.hostile.test';
const REQUEST = { method: 'POST', url: `${AUDIENCE}/docs` } as const;
const ACTION = { resource: 'docs:reports/q1', action: 'read' } as const;

const anchor = keyPairFromSeed(TEST_SEEDS.anchor);
const orchestrator = keyPairFromSeed(TEST_SEEDS.orchestrator);
const billing = keyPairFromSeed(TEST_SEEDS.billing);

let proofCounter = 0;

/** A genuine DPoP proof by `signer` for `token`, built by hand (prove() would decode it). */
function proofFor(token: string, signer: KeyPair): string {
  return forgeJws(
    signer,
    { typ: TYP.dpop, alg: 'Ed25519', jwk: { ...signer.publicJwk } },
    {
      jti: `hostile-${++proofCounter}`,
      htm: REQUEST.method,
      htu: REQUEST.url,
      iat: NOW,
      ath: accessTokenHash(token),
    },
  );
}

function newVerifier(options: Partial<VerifierOptions> = {}): Verifier {
  return createVerifier({
    trustAnchors: [{ id: ISSUER, publicJwk: anchor.publicJwk }],
    audience: AUDIENCE,
    clock: () => NOW,
    ...options,
  });
}

/** Verify `token` with a genuine proof by `signer`; the verifier must resolve, not throw. */
async function verifyAs(
  token: unknown,
  signer: KeyPair,
  action: object = ACTION,
  verifier: Verifier = newVerifier(),
): Promise<Decision> {
  const proof = proofFor(typeof token === 'string' ? token : '', signer);
  return verifier.verify(token as string, {
    action: action as typeof ACTION,
    proof,
    request: REQUEST,
  });
}

function expectDenied(decision: Decision, code: string, hop: number, check: string): void {
  expect(decision).toMatchObject({ allowed: false, code, hop, check });
  if (!decision.allowed) {
    expect(decision.reason.length).toBeGreaterThan(0);
    expect(decision.reason.length).toBeLessThan(300);
  }
}

let root: Mandate;
let chain: Mandate;
let rootParts: JwsParts;
let delegationParts: JwsParts;

beforeAll(async () => {
  root = await mint({
    issuer: anchor,
    issuerId: ISSUER,
    subject: 'alice',
    holder: orchestrator.publicJwk,
    capabilities: [{ resource: 'docs:**', actions: ['read', 'write'] }],
    expiresIn: 600,
    audience: AUDIENCE,
    now: NOW,
    id: 'hostile-root',
  });
  chain = await delegate(root, {
    signer: orchestrator,
    holder: billing.publicJwk,
    capabilities: [{ resource: 'docs:reports/**', actions: ['read'] }],
    now: NOW,
    id: 'hostile-hop-1',
  });
  rootParts = decodeJws(blocksOf(root.token)[0] ?? '');
  delegationParts = decodeJws(blocksOf(chain.token)[1] ?? '');
});

/** A root signed by the genuine anchor, with header and payload as given (objects or raw JSON text). */
function forgedRoot(
  header: unknown = rootParts.header,
  payload: unknown = rootParts.payload,
): string {
  return forgeJws(anchor, header, payload);
}

/** The genuine chain with its delegation block re-signed by its genuine signer after `edit`. */
function forgedDelegation(edit: (parts: JwsParts) => void): string {
  return reforgeBlock(chain.token, 1, orchestrator, edit);
}

/** The decision on the root re-signed with `members` in its header, presented by its holder. */
function verifyRootHeader(members: Record<string, unknown>): Promise<Decision> {
  return verifyAs(forgedRoot({ ...rootParts.header, ...members }, rootParts.payload), orchestrator);
}

/** The decision on the root re-signed with `payload` under its header, presented by its holder. */
function verifyRootPayload(payload: unknown): Promise<Decision> {
  return verifyAs(forgedRoot(rootParts.header, payload), orchestrator);
}

/** The decision on the chain whose delegation block `edit` changed, presented by its holder. */
function verifyDelegation(edit: (parts: JwsParts) => void): Promise<Decision> {
  return verifyAs(forgedDelegation(edit), billing);
}

/** Root payload with one claim changed. */
function rootWith(claims: Record<string, unknown>): Record<string, unknown> {
  return { ...rootParts.payload, ...claims };
}

/** Replace the value of the first `"name":value` in JSON text (for values JSON.stringify cannot write). */
function rawClaim(name: string, rawValue: string): string {
  const text = JSON.stringify(rootParts.payload);
  const pattern = new RegExp(`"${name}":(\\d+|"[^"]*")`);
  if (!pattern.test(text)) throw new Error(`no claim ${name}`);
  return text.replace(pattern, `"${name}":${rawValue}`);
}

describe('controls: the forging helpers build blocks the verifier accepts', () => {
  it('the genuine 2-block chain is allowed', async () => {
    expect(await verifyAs(chain.token, billing)).toMatchObject({ allowed: true, subject: 'alice' });
  });

  it('a root re-signed by hand without changes is allowed', async () => {
    expect(await verifyAs(forgedRoot(), orchestrator)).toMatchObject({ allowed: true });
  });

  it('a delegation re-signed by hand without changes is allowed', async () => {
    expect(await verifyDelegation(() => {})).toMatchObject({ allowed: true });
  });
});

describe('not a token at all', () => {
  it('the empty string: MANDATE_MALFORMED', async () => {
    expectDenied(await verifyAs('', orchestrator), 'MANDATE_MALFORMED', 0, 'limits');
  });

  it.each([
    ['a number', 42],
    ['NaN', Number.NaN],
    ['an object', { not: 'a token' }],
    ['a Mandate-like object whose token is a number', { token: 42 }],
    ['an array', ['eyJ']],
    ['null', null],
    ['undefined', undefined],
  ])('%s: MANDATE_MALFORMED', async (_name, value) => {
    expectDenied(await verifyAs(value, orchestrator), 'MANDATE_MALFORMED', 0, 'limits');
  });

  it('a 1 MiB token: MANDATE_LIMIT_EXCEEDED before anything is decoded', async () => {
    const huge = `${blocksOf(root.token)[0] ?? ''}${'A'.repeat(1 << 20)}`;
    const decision = await verifyAs(huge, orchestrator);
    expectDenied(decision, 'MANDATE_LIMIT_EXCEEDED', 0, 'limits');
    expect(decision).toMatchObject({ detail: { limit: 16384 } });
  });

  it('one byte over the 16 KiB limit: MANDATE_LIMIT_EXCEEDED', async () => {
    expectDenied(
      await verifyAs(`eyJ${'A'.repeat(16384 - 2)}`, orchestrator),
      'MANDATE_LIMIT_EXCEEDED',
      0,
      'limits',
    );
  });

  it('17 blocks (limit 16): MANDATE_LIMIT_EXCEEDED naming the first block over', async () => {
    const block = blocksOf(chain.token)[1] ?? '';
    const token = [blocksOf(root.token)[0], ...Array.from({ length: 16 }, () => block)].join('~');
    expect(token.length).toBeLessThan(16384);
    expectDenied(await verifyAs(token, billing), 'MANDATE_LIMIT_EXCEEDED', 16, 'limits');
  });

  it.each([
    ['random bytes', () => randomBytes(512).toString('latin1')],
    ['random bytes after "eyJ"', () => `eyJ${randomBytes(512).toString('latin1')}`],
    ['NUL and controls', () => 'eyJ\u0000\u0001\u0002.\u0007.\u001b'],
    ['non-ASCII letters', () => 'eyJhbGciOiJFZDI1NTE5In0.ëÿ.ß'],
    ['a lone surrogate', () => 'eyJ\ud800.eyJ.AA'],
    ['whitespace around a genuine token', () => ` ${'eyJhbGc'} `],
  ])('binary garbage (%s): MANDATE_MALFORMED', async (_name, make) => {
    expectDenied(await verifyAs(make(), orchestrator), 'MANDATE_MALFORMED', 0, 'limits');
  });

  it.each([
    ['a segment of impossible length', 'eyJhb.eyJhb.AAAA'],
    ['two parts', 'eyJhbGciOiJFZDI1NTE5In0.eyJ9'],
    ['four parts', 'eyJhbGciOiJFZDI1NTE5In0.e30.AA.AA'],
    ['an empty payload', 'eyJhbGciOiJFZDI1NTE5In0..AA'],
    ['base64 of non-JSON', `eyJhbGc.${b64('not json')}.AA`],
    ['padding inside base64url', 'eyJhbGciOiJFZDI1NTE5In0=.e30.AA'],
    ['standard-base64 characters', 'eyJhbGciOiJFZDI1NTE5In0+.e30/.AA'],
    ['an empty block between separators', `${'eyJhbGc.e30.AA'}~~eyJhbGc.e30.AA`],
    ['a JSON array as payload', `eyJhbGciOiJFZDI1NTE5In0.${b64('[1]')}.AA`],
    ['a JSON string as payload', `eyJhbGciOiJFZDI1NTE5In0.${b64('"x"')}.AA`],
  ])('garbage base64 / JWS shape (%s): MANDATE_MALFORMED', async (_name, token) => {
    const decision = await verifyAs(token, orchestrator);
    expect(decision).toMatchObject({ allowed: false, code: 'MANDATE_MALFORMED', check: 'limits' });
  });
});

/** Flip a trailing (unused) bit of a base64url segment: same bytes, another spelling. */
function nonCanonical(segmentText: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = segmentText.at(-1) ?? 'A';
  const replacement = alphabet[alphabet.indexOf(last) ^ 1] ?? 'A';
  const result = segmentText.slice(0, -1) + replacement;
  expect(Buffer.from(result, 'base64url').equals(Buffer.from(segmentText, 'base64url'))).toBe(true);
  return result;
}

describe('non-canonical and invalid encodings', () => {
  it.each([0, 1, 2])(
    'non-canonical base64url (trailing bits set) in part %i of the root: MANDATE_MALFORMED',
    async (part) => {
      // The genuine root's parts: 0 header, 1 payload, 2 signature (64 bytes: 4 spare bits).
      const parts = (blocksOf(root.token)[0] ?? '').split('.');
      // A part whose length is a multiple of 4 has no spare bits: pad the JSON until it has.
      if (part !== 2 && (parts[part] ?? '').length % 4 === 0) {
        const target = part === 0 ? rootParts.header : rootParts.payload;
        parts[part] = segment(`${JSON.stringify(target)} `);
      }
      parts[part] = nonCanonical(parts[part] ?? '');
      const decision = await verifyAs(parts.join('.'), orchestrator);
      expectDenied(decision, 'MANDATE_MALFORMED', 0, 'limits');
      expect(decision).toMatchObject({ reason: expect.stringMatching(/base64url/) });
    },
  );

  it('non-canonical base64url in the signature of a delegation: MANDATE_MALFORMED at hop 1', async () => {
    const [first, second = ''] = blocksOf(chain.token);
    const parts = second.split('.');
    parts[2] = nonCanonical(parts[2] ?? '');
    expectDenied(
      await verifyAs(`${first}~${parts.join('.')}`, billing),
      'MANDATE_MALFORMED',
      1,
      'limits',
    );
  });

  it('invalid UTF-8 in a (validly signed) payload: MANDATE_MALFORMED', async () => {
    const text = Buffer.from(JSON.stringify(rootWith({ sub: 'alice' })), 'utf8');
    const at = text.indexOf('alice');
    const invalid = Buffer.concat([
      text.subarray(0, at),
      Buffer.from([0xc3, 0x28]),
      text.subarray(at),
    ]);
    const decision = await verifyRootPayload(invalid);
    expectDenied(decision, 'MANDATE_MALFORMED', 0, 'limits');
    expect(decision).toMatchObject({ detail: { path: 'block 0.payload' } });
  });

  it('CESU-8 (a UTF-8-encoded surrogate) in a header: MANDATE_MALFORMED', async () => {
    const header = Buffer.concat([
      Buffer.from('{"alg":"Ed25519","typ":"mandate-root+jwt","x":"'),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('"}'),
    ]);
    expectDenied(
      await verifyAs(forgedRoot(header), orchestrator),
      'MANDATE_MALFORMED',
      0,
      'limits',
    );
  });

  it('a UTF-8 byte-order mark before the payload JSON: MANDATE_MALFORMED', async () => {
    const payload = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(JSON.stringify(rootParts.payload)),
    ]);
    expectDenied(await verifyRootPayload(payload), 'MANDATE_MALFORMED', 0, 'limits');
  });
});

describe('algorithms and header members', () => {
  it('alg none with an empty signature: MANDATE_MALFORMED', async () => {
    const token = `${segment({ ...rootParts.header, alg: 'none' })}.${segment(rootParts.payload)}.`;
    expectDenied(await verifyAs(token, orchestrator), 'MANDATE_MALFORMED', 0, 'limits');
  });

  it.each(['none', 'None', 'NONE'])(
    'alg %s with a genuine signature attached: MANDATE_MALFORMED (allow-list before crypto)',
    async (alg) => {
      const decision = await verifyRootHeader({ alg });
      expectDenied(decision, 'MANDATE_MALFORMED', 0, 'limits');
      expect(decision).toMatchObject({ detail: { path: 'block 0.header.alg' } });
    },
  );

  it.each([
    ['HS256', 'sha256', 'the JWK text'],
    ['HS256', 'sha256', 'the raw public key bytes'],
    ['HS512', 'sha512', 'the raw public key bytes'], // a 64-byte MAC: the signature length passes
  ] as const)(
    'alg %s keyed with the anchor public key (%s, %s): MANDATE_MALFORMED',
    async (alg, hash, keyForm) => {
      const secret =
        keyForm === 'the JWK text'
          ? JSON.stringify(anchor.publicJwk)
          : Buffer.from(String(anchor.publicJwk.x), 'base64url');
      const input = `${segment({ ...rootParts.header, alg })}.${segment(rootParts.payload)}`;
      const mac = createHmac(hash, secret).update(input).digest('base64url');
      const decision = await verifyAs(`${input}.${mac}`, orchestrator);
      expectDenied(decision, 'MANDATE_MALFORMED', 0, 'limits');
    },
  );

  it('HS512 on a delegation, keyed with the parent holder public key: MANDATE_MALFORMED at hop 1', async () => {
    const input = `${segment({ ...delegationParts.header, alg: 'HS512' })}.${segment(delegationParts.payload)}`;
    const mac = createHmac('sha512', Buffer.from(String(orchestrator.publicJwk.x), 'base64url'))
      .update(input)
      .digest('base64url');
    const token = `${blocksOf(chain.token)[0]}~${input}.${mac}`;
    expectDenied(await verifyAs(token, billing), 'MANDATE_MALFORMED', 1, 'limits');
  });

  it.each(['EdDSA', 'RS256', 'PS256', 'ES384', 'ES256K', 'ed25519', 'Ed448'])(
    'alg %s (not allow-listed) on the root: MANDATE_MALFORMED',
    async (alg) => {
      const decision = await verifyRootHeader({ alg });
      expectDenied(decision, 'MANDATE_MALFORMED', 0, 'limits');
    },
  );

  it('alg ES256 over an Ed25519 signature (allow-listed, wrong for the key): MANDATE_SIGNATURE_INVALID', async () => {
    const decision = await verifyRootHeader({ alg: 'ES256' });
    expectDenied(decision, 'MANDATE_SIGNATURE_INVALID', 0, 'anchor');
  });

  it('alg ES256 on a delegation whose signer holds an Ed25519 key: MANDATE_SIGNATURE_INVALID at hop 1', async () => {
    const decision = await verifyDelegation((p) => (p.header.alg = 'ES256'));
    expectDenied(decision, 'MANDATE_SIGNATURE_INVALID', 1, 'linkage');
  });

  it.each([
    ['jku', 'https://evil.test/jwks.json'],
    ['x5u', 'https://evil.test/cert.pem'],
    ['x5c', ['MIIB']],
    ['x5t', 'AAAA'],
    ['x5t#S256', 'AAAA'],
    ['jwk', { kty: 'OKP', crv: 'Ed25519', x: 'A'.repeat(43) }],
    ['crit', ['exp']],
    ['b64', false],
    ['zip', 'DEF'],
    ['cty', 'JWT'],
    ['enc', 'A256GCM'],
    ['__proto__', { alg: 'none' }],
  ])('header member %s on the root: MANDATE_MALFORMED', async (name, value) => {
    const header = JSON.stringify(rootParts.header).replace(
      /}$/,
      `,${JSON.stringify(name)}:${JSON.stringify(value)}}`,
    );
    const decision = await verifyAs(forgedRoot(header, rootParts.payload), orchestrator);
    expectDenied(decision, 'MANDATE_MALFORMED', 0, 'limits');
  });

  it.each([
    ['jku', 'https://evil.test/jwks.json'],
    ['x5u', 'https://evil.test/cert.pem'],
    ['jwk', { kty: 'OKP', crv: 'Ed25519', x: 'A'.repeat(43) }],
    ['kid', 'orchestrator-key'],
    ['crit', ['kid']],
  ])('header member %s on a delegation block: MANDATE_MALFORMED at hop 1', async (name, value) => {
    const decision = await verifyDelegation((p) => (p.header[name] = value));
    expectDenied(decision, 'MANDATE_MALFORMED', 1, 'limits');
  });

  it('a kid on the root that is not a short string: MANDATE_MALFORMED', async () => {
    for (const kid of [42, 'k'.repeat(257), { a: 1 }]) {
      const decision = await verifyRootHeader({ kid });
      expectDenied(decision, 'MANDATE_MALFORMED', 0, 'limits');
    }
  });

  it('a kid on the root never selects a key: a static anchor ignores it', async () => {
    const decision = await verifyRootHeader({ kid: 'some-other-key' });
    expect(decision).toMatchObject({ allowed: true });
  });
});

describe('typ: one block kind is never another', () => {
  it('a root carrying the delegation typ: MANDATE_MALFORMED', async () => {
    const decision = await verifyRootHeader({ typ: TYP.delegation });
    expectDenied(decision, 'MANDATE_MALFORMED', 0, 'limits');
    expect(decision).toMatchObject({ detail: { path: 'block 0.header.typ' } });
  });

  it('a delegation carrying the root typ: MANDATE_MALFORMED at hop 1', async () => {
    const decision = await verifyDelegation((p) => (p.header.typ = TYP.root));
    expectDenied(decision, 'MANDATE_MALFORMED', 1, 'limits');
  });

  it.each(['JWT', 'jwt', 'at+jwt', TYP.dpop, TYP.invocation, TYP.aat, 'MANDATE-ROOT+JWT', ''])(
    'a root with typ %j (cross-JWT confusion): MANDATE_MALFORMED',
    async (typ) => {
      const decision = await verifyRootHeader({ typ });
      expectDenied(decision, 'MANDATE_MALFORMED', 0, 'limits');
    },
  );

  it('a root without typ: MANDATE_MALFORMED', async () => {
    const header = { ...rootParts.header };
    delete header['typ'];
    expectDenied(
      await verifyAs(forgedRoot(header, rootParts.payload), orchestrator),
      'MANDATE_MALFORMED',
      0,
      'limits',
    );
  });

  it('a DPoP proof presented as the mandate: MANDATE_MALFORMED', async () => {
    const proof = proofFor(chain.token, billing);
    expectDenied(await verifyAs(proof, billing), 'MANDATE_MALFORMED', 0, 'limits');
  });
});

describe('JSON: duplicates, depth, prototypes', () => {
  it('duplicate "alg" in the header: MANDATE_MALFORMED', async () => {
    const header = '{"alg":"Ed25519","typ":"mandate-root+jwt","alg":"none"}';
    const decision = await verifyAs(forgedRoot(header, rootParts.payload), orchestrator);
    expectDenied(decision, 'MANDATE_MALFORMED', 0, 'limits');
    expect(decision).toMatchObject({ detail: { path: 'block 0.header' } });
  });

  it('duplicate "sub" in the payload (two users): MANDATE_MALFORMED', async () => {
    const payload = JSON.stringify(rootParts.payload).replace(
      '"sub":"alice"',
      '"sub":"alice","sub":"mallory"',
    );
    const decision = await verifyRootPayload(payload);
    expectDenied(decision, 'MANDATE_MALFORMED', 0, 'limits');
    expect(decision).toMatchObject({ reason: expect.stringMatching(/duplicate key "sub"/) });
  });

  it('duplicate key spelled with an escape ("sub" and "\\u0073ub"): MANDATE_MALFORMED', async () => {
    const payload = JSON.stringify(rootParts.payload).replace(
      '"sub":"alice"',
      '"sub":"alice","\\u0073ub":"mallory"',
    );
    expectDenied(await verifyRootPayload(payload), 'MANDATE_MALFORMED', 0, 'limits');
  });

  it('duplicate key nested in cnf.jwk (two x): MANDATE_MALFORMED', async () => {
    const x = String(orchestrator.publicJwk.x);
    const payload = JSON.stringify(rootParts.payload).replace(
      `"x":"${x}"`,
      `"x":"${x}","x":"${'A'.repeat(43)}"`,
    );
    expect(payload).not.toBe(JSON.stringify(rootParts.payload));
    expectDenied(await verifyRootPayload(payload), 'MANDATE_MALFORMED', 0, 'limits');
  });

  it('duplicate "par_hash" in a delegation: MANDATE_MALFORMED at hop 1', async () => {
    const payload = JSON.stringify(delegationParts.payload).replace(
      '"par_hash":',
      `"par_hash":"${'A'.repeat(43)}","par_hash":`,
    );
    const token = `${blocksOf(chain.token)[0]}~${forgeJws(orchestrator, delegationParts.header, payload)}`;
    expectDenied(await verifyAs(token, billing), 'MANDATE_MALFORMED', 1, 'limits');
  });

  it('nesting 10,000 deep ([[[...]]]): MANDATE_LIMIT_EXCEEDED by size, MANDATE_MALFORMED by depth', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const payload = JSON.stringify(rootWith({ purpose: '@' })).replace('"@"', deep);
    const token = forgedRoot(rootParts.header, payload);
    expectDenied(await verifyAs(token, orchestrator), 'MANDATE_LIMIT_EXCEEDED', 0, 'limits');
    // With the size limit lifted, the depth limit still stops it (and nothing overflows the stack).
    const roomy = newVerifier({ limits: { maxTokenBytes: 1 << 20 } });
    const decision = await verifyAs(token, orchestrator, ACTION, roomy);
    expectDenied(decision, 'MANDATE_MALFORMED', 0, 'limits');
    expect(decision).toMatchObject({ reason: expect.stringMatching(/nesting/) });
  });

  it('a whole payload 10,000 arrays deep, size limit lifted: MANDATE_MALFORMED', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const roomy = newVerifier({ limits: { maxTokenBytes: 1 << 20 } });
    expectDenied(
      await verifyAs(forgedRoot(rootParts.header, deep), orchestrator, ACTION, roomy),
      'MANDATE_MALFORMED',
      0,
      'limits',
    );
  });

  it('nesting 40 deep inside a capability constraint (within the size limit): MANDATE_MALFORMED', async () => {
    const deep = `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`;
    const payload = JSON.stringify(
      rootWith({
        authorization_details: [
          {
            type: 'mandate',
            resource: 'docs:**',
            actions: ['read'],
            constraints: { size: { constraint_type: 'exact', value: '@' } },
          },
        ],
      }),
    ).replace('"@"', deep);
    expectDenied(await verifyRootPayload(payload), 'MANDATE_MALFORMED', 0, 'limits');
  });

  it('a "__proto__" key in the payload: MANDATE_MALFORMED, and no prototype is polluted', async () => {
    const payload = JSON.stringify(rootParts.payload).replace(
      '{',
      '{"__proto__":{"isAdmin":true,"del_max_depth":99},',
    );
    const decision = await verifyRootPayload(payload);
    expectDenied(decision, 'MANDATE_MALFORMED', 0, 'limits');
    expect(({} as Record<string, unknown>)['isAdmin']).toBeUndefined();
  });

  it('"__proto__" inside a capability and inside cnf.jwk: MANDATE_MALFORMED', async () => {
    const capability = JSON.stringify(rootParts.payload).replace(
      '"type":"mandate"',
      '"type":"mandate","__proto__":{"actions":["*"]}',
    );
    expectDenied(await verifyRootPayload(capability), 'MANDATE_MALFORMED', 0, 'limits');
    const jwk = JSON.stringify(rootParts.payload).replace(
      '"kty":"OKP"',
      '"kty":"OKP","__proto__":{"d":"x"}',
    );
    expectDenied(await verifyRootPayload(jwk), 'MANDATE_MALFORMED', 0, 'limits');
    expect(({} as Record<string, unknown>)['actions']).toBeUndefined();
  });

  it('"constructor" and "prototype" as claim names: MANDATE_MALFORMED (strict schema)', async () => {
    for (const name of ['constructor', 'prototype', 'toString']) {
      const payload = JSON.stringify(rootParts.payload).replace('{', `{"${name}":{"x":1},`);
      expectDenied(await verifyRootPayload(payload), 'MANDATE_MALFORMED', 0, 'limits');
    }
  });
});

describe('holder keys (cnf.jwk)', () => {
  const ed = () => ({ ...orchestrator.publicJwk });

  it.each([
    [
      'a private Ed25519 key (d)',
      () => ({ ...ed(), d: b64(Buffer.from(TEST_SEEDS.orchestrator, 'hex')) }),
    ],
    ['a symmetric key (kty oct, k)', () => ({ kty: 'oct', k: b64('secret') })],
    ['an RSA key', () => ({ kty: 'RSA', n: 'AQAB', e: 'AQAB' })],
    [
      'an EC point off the curve',
      () => ({ kty: 'EC', crv: 'P-256', x: b64(Buffer.alloc(32, 1)), y: b64(Buffer.alloc(32, 2)) }),
    ],
    [
      'an EC point at the origin',
      () => ({ kty: 'EC', crv: 'P-256', x: b64(Buffer.alloc(32)), y: b64(Buffer.alloc(32)) }),
    ],
    [
      'an EC key with a short x',
      () => ({ kty: 'EC', crv: 'P-256', x: b64(Buffer.alloc(31, 1)), y: b64(Buffer.alloc(32, 2)) }),
    ],
    [
      'an EC key on P-384',
      () => ({ kty: 'EC', crv: 'P-384', x: b64(Buffer.alloc(48, 1)), y: b64(Buffer.alloc(48, 2)) }),
    ],
    ['an X25519 key', () => ({ kty: 'OKP', crv: 'X25519', x: ed().x })],
    ['a key with a jku', () => ({ ...ed(), jku: 'https://evil.test/jwks' })],
    ['a key with x5c', () => ({ ...ed(), x5c: ['MIIB'] })],
    ['a string', () => 'urn:ietf:params:oauth:jwk-thumbprint:sha-256:abc'],
    ['null', () => null],
  ])('cnf.jwk that is %s: MANDATE_MALFORMED', async (_name, jwk) => {
    const decision = await verifyRootPayload(rootWith({ cnf: { jwk: jwk() } }));
    expectDenied(decision, 'MANDATE_MALFORMED', 0, 'limits');
  });

  it('the private key in cnf.jwk never appears in the decision', async () => {
    const d = b64(Buffer.from(TEST_SEEDS.orchestrator, 'hex'));
    const decision = await verifyRootPayload(rootWith({ cnf: { jwk: { ...ed(), d } } }));
    expect(JSON.stringify(decision)).not.toContain(d);
  });

  it('cnf with jkt instead of jwk: MANDATE_MALFORMED', async () => {
    const decision = await verifyRootPayload(rootWith({ cnf: { jkt: 'A'.repeat(43) } }));
    expectDenied(decision, 'MANDATE_MALFORMED', 0, 'limits');
  });

  it('an off-curve EC key on a delegation block: MANDATE_MALFORMED at that hop', async () => {
    const offCurve = {
      kty: 'EC',
      crv: 'P-256',
      x: b64(Buffer.alloc(32, 1)),
      y: b64(Buffer.alloc(32, 2)),
    };
    const decision = await verifyDelegation((p) => (p.payload.cnf = { jwk: offCurve }));
    expectDenied(decision, 'MANDATE_MALFORMED', 1, 'limits');
  });
});

describe('unicode look-alikes in names', () => {
  const tricks: [string, string][] = [
    ['a bidi override (U+202E)', 'ali\u202Eecilа'],
    ['a bidi isolate (U+2066)', 'ali\u2066ce'],
    ['a zero-width joiner (U+200D)', 'ali\u200Dce'],
    ['a zero-width space (U+200B)', 'alice\u200B'],
    ['a BOM (U+FEFF)', '\uFEFFalice'],
    ['a decomposed é (not NFC)', 'cafe\u0301'],
    ['a lone surrogate', 'ali\uD800ce'],
    ['a control character', 'ali\u0007ce'],
  ];

  it.each(tricks)('subject with %s: MANDATE_MALFORMED', async (_name, subject) => {
    const decision = await verifyRootPayload(rootWith({ sub: subject }));
    expectDenied(decision, 'MANDATE_MALFORMED', 0, 'limits');
    expect(decision).toMatchObject({ detail: { path: 'block 0.sub' } });
  });

  it.each(tricks)('resource with %s: MANDATE_MALFORMED', async (_name, trick) => {
    const resource = `docs:${trick}/**`;
    const details = [{ type: 'mandate', resource, actions: ['read'] }];
    const decision = await verifyRootPayload(rootWith({ authorization_details: details }));
    expectDenied(decision, 'MANDATE_MALFORMED', 0, 'limits');
  });

  it.each(tricks)(
    'delegation subject with %s: MANDATE_MALFORMED at hop 1',
    async (_name, subject) => {
      const decision = await verifyDelegation((p) => (p.payload.sub = subject));
      expectDenied(decision, 'MANDATE_MALFORMED', 1, 'limits');
    },
  );

  it.each([
    ['iss', { iss: `${ISSUER}\u202E` }],
    ['aud', { aud: `${AUDIENCE}\u200B` }],
    ['aud (array entry)', { aud: [AUDIENCE, 'x\u202Ey'] }],
    ['jti', { jti: 'root\u200D' }],
    ['purpose', { purpose: 'pay \u202Eyortsed' }],
  ])('%s with a look-alike character: MANDATE_MALFORMED', async (_name, claims) => {
    const decision = await verifyRootPayload(rootWith(claims));
    expectDenied(decision, 'MANDATE_MALFORMED', 0, 'limits');
  });

  it('an action name with a look-alike character in a capability: MANDATE_MALFORMED', async () => {
    const details = [{ type: 'mandate', resource: 'docs:**', actions: ['re\u200Dad'] }];
    const decision = await verifyRootPayload(rootWith({ authorization_details: details }));
    expectDenied(decision, 'MANDATE_MALFORMED', 0, 'limits');
  });

  it('a Cyrillic look-alike subject is a different user, never "alice"', async () => {
    // Homoglyphs in valid NFC text are legal names; they are compared byte for byte.
    const decision = await verifyRootPayload(rootWith({ sub: 'аlice' }));
    expect(decision).toMatchObject({ allowed: true, subject: 'аlice' });
    expect(decision.allowed && decision.subject === 'alice').toBe(false);
  });
});

describe('wrong types in claims', () => {
  it.each([
    ['iat as a string', { iat: String(NOW) }],
    ['exp as a string', { exp: String(NOW + 600) }],
    ['exp as a fraction', { exp: NOW + 600.5 }],
    ['exp negative', { exp: -1 }],
    ['exp beyond 2^53', { exp: 2 ** 60 }],
    ['nbf as a boolean', { nbf: true }],
    ['aud as an object', { aud: { value: AUDIENCE } }],
    ['aud as an empty array', { aud: [] }],
    ['aud as a number', { aud: 7 }],
    ['sub as a number', { sub: 7 }],
    ['sub empty', { sub: '' }],
    ['jti as a number', { jti: 1 }],
    ['del_depth negative', { del_depth: -1 }],
    ['del_max_depth as a string', { del_max_depth: '4' }],
    ['del_depth above del_max_depth', { del_depth: 5, del_max_depth: 4 }],
    ['par_hash on a root', { par_hash: 'A'.repeat(43) }],
    ['authorization_details as an object', { authorization_details: { type: 'mandate' } }],
    [
      'authorization_details of another type',
      {
        authorization_details: [
          { type: 'payment_initiation', resource: 'docs:**', actions: ['read'] },
        ],
      },
    ],
    [
      'a capability whose actions is a string',
      { authorization_details: [{ type: 'mandate', resource: 'docs:**', actions: 'read' }] },
    ],
    ['an unknown claim', { admin: true }],
  ])('%s: MANDATE_MALFORMED', async (_name, claims) => {
    const decision = await verifyRootPayload(rootWith(claims));
    expectDenied(decision, 'MANDATE_MALFORMED', 0, 'limits');
  });

  it.each([
    ['sub too long', { sub: 'a'.repeat(1025) }],
    ['purpose too long', { purpose: 'a'.repeat(1025) }],
  ])(
    '%s: MANDATE_LIMIT_EXCEEDED, as in Biscuit and AAT (issue 11, finding 9)',
    async (_name, claims) => {
      const decision = await verifyRootPayload(rootWith(claims));
      expectDenied(decision, 'MANDATE_LIMIT_EXCEEDED', 0, 'limits');
    },
  );

  it.each([
    ['exp', '1e400'],
    ['exp', '-1e400'],
    ['iat', '1800000000.5'],
    ['iat', '-0.5'],
    ['iat', 'null'],
    ['exp', 'NaN'],
    ['exp', '0x6B49D200'],
  ])('%s written as %s in the JSON text: MANDATE_MALFORMED', async (name, raw) => {
    const decision = await verifyRootPayload(rawClaim(name, raw));
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_MALFORMED',
      hop: 0,
      check: 'limits',
    });
  });

  it('numbers are read as JSON numbers (RFC 8259 §6): exp written as 18000006e2 is 1800000600', async () => {
    expect(rootParts.payload['exp']).toBe(1_800_000_600);
    const decision = await verifyRootPayload(rawClaim('exp', '18000006e2'));
    expect(decision).toMatchObject({ allowed: true });
  });

  it('a missing required claim (each of jti, iss, sub, iat, exp, cnf): MANDATE_MALFORMED', async () => {
    for (const name of [
      'jti',
      'iss',
      'sub',
      'iat',
      'exp',
      'cnf',
      'del_depth',
      'authorization_details',
    ]) {
      const payload = { ...rootParts.payload };
      delete payload[name];
      const decision = await verifyRootPayload(payload);
      expect(decision, name).toMatchObject({
        allowed: false,
        code: 'MANDATE_MALFORMED',
        hop: 0,
        check: 'limits',
      });
    }
  });

  it('a delegation without par_hash: MANDATE_MALFORMED at hop 1', async () => {
    const decision = await verifyDelegation((p) => delete p.payload.par_hash);
    expectDenied(decision, 'MANDATE_MALFORMED', 1, 'limits');
  });
});

describe('malformed requests (the action), against a genuine chain', () => {
  it.each([
    'billing:../x',
    'docs:reports/../../secrets',
    'docs:reports/./q1',
    'a:*',
    'docs:**',
    'docs:reports/q*',
    'docs:reports//q1',
    'docs:',
    'no-scheme',
    '',
    'docs:reports/q1\u202E',
    'docs:reports/q\u200B1',
  ])('resource %j: a coded denial, never a throw', async (resource) => {
    const decision = await verifyAs(chain.token, billing, { ...ACTION, resource });
    expectDenied(decision, 'MANDATE_MALFORMED', 0, 'authorize');
  });

  it.each([
    ['an empty action', { resource: 'docs:reports/q1', action: '' }],
    ['an action with a space', { resource: 'docs:reports/q1', action: 're ad' }],
    ['a wildcard action', { resource: 'docs:reports/q1', action: '*' }],
    ['a resource that is not a string', { resource: 42, action: 'read' }],
    ['args that are not an object', { resource: 'docs:reports/q1', action: 'read', args: [1] }],
  ])('%s: a coded denial, never a throw', async (_name, action) => {
    const decision = await verifyAs(chain.token, billing, action);
    expectDenied(decision, 'MANDATE_MALFORMED', 0, 'authorize');
  });
});
