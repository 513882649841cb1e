/**
 * The Biscuit encoding end to end: mint / delegate / prove / verify round trips, parseMandate,
 * format detection, the mapping as other Biscuit libraries see it (biscuit-wasm opening the token
 * with the root key, its revocation ids, its authorizer running the blocks' checks), the signature
 * checks per hop and hostile tokens (the first verification in a fresh process is in
 * test/integration/format, since it spawns one).
 */
import { createPublicKey } from 'node:crypto';

import { beforeAll, describe, expect, it } from 'vitest';

import {
  createVerifier,
  delegate,
  generateKeyPair,
  mint,
  parseMandate,
  prove,
  type Action,
  type KeyPair,
  type Mandate,
} from '../../../src/index.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { decodeBiscuitChain } from '../../../src/format/biscuit/chain.js';
import { appendBiscuitBlock } from '../../../src/format/biscuit/encode.js';
import { spliceBiscuitBlocks } from '../../../src/format/biscuit/mutate.js';
import {
  fromTokenText,
  parseBiscuitToken,
  secretMatches,
  toTokenText,
} from '../../../src/format/biscuit/token.js';
import { biscuitVerifiableChain, requestCode } from '../../../src/format/biscuit/verifiable.js';
import { resourceBody } from '../../../src/format/biscuit/datalog.js';
import { withBiscuit, type BiscuitTerm } from '../../../src/format/biscuit/wasm.js';
import { detectFormat } from '../../../src/format/parse.js';
import { planDelegation } from '../../../src/format/plan.js';
import { prepareSigner } from '../../../src/identity/keys.js';
import { matchesResource } from '../../../src/core/resource.js';

const NOW = 1_800_000_000;
const ISSUER = 'https://as.biscuit.test';
const AUDIENCE = 'https://tool.biscuit.test';
const REQUEST = { method: 'POST', url: `${AUDIENCE}/pay` } as const;
const PAY: Action = { resource: 'billing:invoices/2026-03', action: 'pay', args: { amount: 120 } };

interface Parties {
  anchor: KeyPair;
  a: KeyPair;
  b: KeyPair;
  c: KeyPair;
  thief: KeyPair;
}

let p: Parties;
let root: Mandate;
let child: Mandate;
let grandchild: Mandate;

function verifier(options: { anchor?: KeyPair; audience?: string } = {}) {
  return createVerifier({
    trustAnchors: [{ id: ISSUER, publicJwk: (options.anchor ?? p.anchor).publicJwk }],
    audience: options.audience ?? AUDIENCE,
    clock: () => NOW,
  });
}

async function verifyAs(token: string, signer: KeyPair, action: Action = PAY) {
  const proof = await prove(token, { signer, request: REQUEST, now: NOW });
  return verifier().verify(token, { action, proof, request: REQUEST });
}

beforeAll(async () => {
  const [anchor, a, b, c, thief] = await Promise.all(
    Array.from({ length: 5 }, () => generateKeyPair()),
  );
  p = { anchor: anchor!, a: a!, b: b!, c: c!, thief: thief! };
  root = await mint({
    issuer: p.anchor,
    issuerId: ISSUER,
    subject: 'alice',
    holder: p.a.publicJwk,
    capabilities: [
      {
        resource: 'billing:invoices/**',
        actions: ['read', 'pay'],
        constraints: { amount: { max: 500 } },
      },
    ],
    audience: AUDIENCE,
    expiresIn: 3600,
    purpose: 'pay my March invoice',
    now: NOW,
    format: 'biscuit',
  });
  child = await delegate(root, {
    signer: p.a,
    holder: p.b.publicJwk,
    capabilities: [
      {
        resource: 'billing:invoices/2026-03',
        actions: ['pay'],
        constraints: { amount: { max: 200 } },
      },
    ],
    expiresIn: 600,
    now: NOW,
  });
  grandchild = await delegate(child, { signer: p.b, holder: p.c.publicJwk, now: NOW });
});

describe('Biscuit token form and detection', () => {
  it('is canonical URL-safe base64 with padding, never mistaken for a JWS chain', () => {
    for (const m of [root, child, grandchild]) {
      expect(m.format).toBe('biscuit');
      expect(m.token.startsWith('eyJ')).toBe(false);
      expect(detectFormat(m.token)).toBe('biscuit');
      expect(m.token).toMatch(/^[A-Za-z0-9_-]+={0,2}$/);
      expect(m.token.length % 4).toBe(0);
      expect(toTokenText(fromTokenText(m.token))).toBe(m.token);
    }
  });

  it('parseMandate shows every block as minted and delegated', async () => {
    const parsed = await parseMandate(grandchild.token);
    expect(parsed).toMatchObject({ format: 'biscuit', subject: 'alice', verified: false });
    expect(parsed.holder).toBe(p.c.id);
    expect(parsed.blocks.map((b) => b.holder)).toEqual([p.a.id, p.b.id, p.c.id]);
    expect(parsed.blocks.map((b) => b.issuer)).toEqual([ISSUER, p.a.id, p.b.id]);
    expect(parsed.blocks.map((b) => b.depth)).toEqual([0, 1, 2]);
    expect(parsed.blocks.map((b) => b.maxDepth)).toEqual([4, 4, 4]);
    expect(parsed.blocks[0]).toMatchObject({
      issuedAt: NOW,
      expiresAt: NOW + 3600,
      audience: [AUDIENCE],
      purpose: 'pay my March invoice',
      capabilities: [
        {
          resource: 'billing:invoices/**',
          actions: ['pay', 'read'],
          constraints: { amount: { constraint_type: 'range', max: 500 } },
        },
      ],
    });
    expect(parsed.blocks[1]?.expiresAt).toBe(NOW + 600);
    expect(parsed.blocks[2]?.capabilities).toEqual(parsed.blocks[1]?.capabilities);
    expect(new Set(parsed.blocks.map((b) => b.id)).size).toBe(3);
  });

  it('decodes without the root key and exposes Biscuit revocation ids', async () => {
    const blocks = await decodeBiscuitChain(grandchild.token, DEFAULT_LIMITS);
    expect(blocks.map((b) => b.kind)).toEqual(['root', 'delegation', 'delegation']);
    expect(blocks.map((b) => b.alg)).toEqual(['Ed25519', 'Ed25519', 'Ed25519']);
    for (const b of blocks) expect(b.revocationId).toMatch(/^[0-9a-f]{128}$/);
  });
});

describe('Biscuit round trip through the verifier', () => {
  it('allows the genuine call at every depth, naming the chain of principals', async () => {
    expect(await verifyAs(root.token, p.a)).toMatchObject({ allowed: true, subject: 'alice' });
    expect(await verifyAs(child.token, p.b)).toMatchObject({
      allowed: true,
      chain: [ISSUER, p.a.id, p.b.id],
    });
    expect(await verifyAs(grandchild.token, p.c)).toMatchObject({
      allowed: true,
      chain: [ISSUER, p.a.id, p.b.id, p.c.id],
    });
  });

  it('denies outside the narrowed authority at the hop that narrowed it', async () => {
    const over = { ...PAY, args: { amount: 300 } };
    expect(await verifyAs(grandchild.token, p.c, over)).toMatchObject({
      allowed: false,
      code: 'MANDATE_FORBIDDEN',
      hop: 1,
    });
  });

  it('ES256 anchors and holders work as well as Ed25519', async () => {
    const [anchor, a, b] = await Promise.all([
      generateKeyPair('ES256'),
      generateKeyPair('ES256'),
      generateKeyPair('ES256'),
    ]);
    const r = await mint({
      issuer: anchor,
      issuerId: ISSUER,
      subject: 'bob',
      holder: a.publicJwk,
      capabilities: [{ resource: 'docs:**', actions: ['read'] }],
      audience: AUDIENCE,
      expiresIn: 60,
      now: NOW,
      format: 'biscuit',
    });
    const d = await delegate(r, { signer: a, holder: b.publicJwk, now: NOW });
    const blocks = await decodeBiscuitChain(d.token, DEFAULT_LIMITS);
    expect(blocks.map((x) => x.alg)).toEqual(['ES256', 'ES256']);
    const proof = await prove(d, { signer: b, request: REQUEST, now: NOW });
    const decision = await verifier({ anchor: anchor }).verify(d.token, {
      action: { resource: 'docs:a', action: 'read' },
      proof,
      request: REQUEST,
    });
    expect(decision).toMatchObject({ allowed: true, subject: 'bob' });
  });

  it('keeps user data out of Datalog text: an injection attempt stays one string', async () => {
    const hostile = 'alice"); right("billing:**", "pay"); check if true or ("';
    const m = await mint({
      issuer: p.anchor,
      issuerId: ISSUER,
      subject: hostile,
      holder: p.a.publicJwk,
      capabilities: [{ resource: 'docs:**', actions: ['read'] }],
      expiresIn: 60,
      now: NOW,
      format: 'biscuit',
    });
    expect(m.subject).toBe(hostile);
    expect((await parseMandate(m.token)).blocks[0]?.subject).toBe(hostile);
  });
});

describe('the mapping, as biscuit-wasm sees it', () => {
  it('opens with the root key, reports the same revocation ids, and prints the facts', async () => {
    const anchorKey = createPublicKey({ key: p.anchor.publicJwk, format: 'jwk' });
    const rootHex = Buffer.from(anchorKey.export({ format: 'jwk' }).x ?? '', 'base64url');
    const seen = await withBiscuit((api, scope) => {
      const key = scope.own(api.PublicKey.fromBytes(rootHex, 0));
      const token = scope.own(api.Biscuit.fromBytes(fromTokenText(grandchild.token), key));
      return {
        count: token.countBlocks(),
        revocation: token.getRevocationIdentifiers(),
        source0: token.getBlockSource(0),
        source1: token.getBlockSource(1),
      };
    });
    const blocks = await decodeBiscuitChain(grandchild.token, DEFAULT_LIMITS);
    expect(seen.count).toBe(3);
    expect(seen.revocation).toEqual(blocks.map((b) => b.revocationId));
    expect(seen.source0).toContain('subject("alice");');
    expect(seen.source0).toContain('root_alg("Ed25519");');
    expect(seen.source0).toContain('check if time($t), $t < ');
    expect(seen.source0).toContain(
      'check if service($s), {"https://tool.biscuit.test"}.contains($s);',
    );
    expect(seen.source1).toContain(`issuer("${p.a.id}");`);
    expect(seen.source1).toContain(
      'check if operation($op), resource_scheme("billing"), resource_segment(0, "invoices"), ' +
        'resource_segment(1, "2026-03"), resource_length(2), {"pay"}.contains($op);',
    );
  });

  it("a plain Biscuit authorizer enforces the blocks' checks (what a Rust or Go verifier runs)", async () => {
    const anchorKey = createPublicKey({ key: p.anchor.publicJwk, format: 'jwk' });
    const rootRaw = Buffer.from(anchorKey.export({ format: 'jwk' }).x ?? '', 'base64url');
    const run = (resource: string, operation: string, time: string, service: string) =>
      withBiscuit((api, scope) => {
        const key = scope.own(api.PublicKey.fromBytes(rootRaw, 0));
        const token = scope.own(api.Biscuit.fromBytes(fromTokenText(child.token), key));
        const builder = scope.own(new api.AuthorizerBuilder());
        const code = requestCode(
          { resource, operation, service, times: [Date.parse(time) / 1000] },
          8,
        );
        builder.addCodeWithParameters(code.source, code.parameters, {});
        try {
          return scope
            .own(builder.buildAuthenticated(token))
            .authorizeWithLimits({ max_time_micro: 1_000_000 });
        } catch (error) {
          return JSON.stringify(error);
        }
      });
    const at = new Date(NOW * 1000).toISOString();
    const late = new Date((NOW + 601) * 1000).toISOString();
    expect(await run('billing:invoices/2026-03', 'pay', at, AUDIENCE)).toBe(0);
    expect(await run('billing:invoices/2026-04', 'pay', at, AUDIENCE)).toMatch(/"block_id":1/);
    expect(await run('billing:invoices/2026-03', 'read', at, AUDIENCE)).toMatch(/"block_id":1/);
    expect(await run('billing:invoices/2026-03', 'pay', late, AUDIENCE)).toMatch(/"block_id":1/);
    expect(await run('billing:invoices/2026-03', 'pay', at, 'https://other')).toMatch(
      /FailedLogic/,
    );
  });

  it('resource patterns in Datalog match exactly what the algebra matches', async () => {
    const patterns = [
      'docs:**',
      'docs:a/**',
      'docs:a/*',
      'docs:*/b',
      'd.x+y:a(b)/**',
      'docs:a',
      'docs:*/*/**',
    ];
    const resources = [
      'docs:a',
      'docs:a/b',
      'docs:a/b/c',
      'docs:x/b',
      'd.x+y:a(b)',
      'd.x+y:a(b)/c',
      'dZx+y:a(b)',
    ];
    const verdicts = await withBiscuit((api, scope) =>
      patterns.flatMap((pattern) => {
        const params: Record<string, BiscuitTerm> = {};
        const body = resourceBody(pattern, 'r', params);
        const builder = scope.own(api.Biscuit.builder());
        builder.addCodeWithParameters(`check if ${body};`, params, {});
        const token = scope.own(
          builder.build(scope.own(api.PrivateKey.fromBytes(new Uint8Array(32).fill(1), 0))),
        );
        return resources.map((resource) => {
          const code = requestCode({ resource, operation: 'read', service: 's', times: [NOW] }, 8);
          const auth = scope.own(new api.AuthorizerBuilder());
          auth.addCodeWithParameters(code.source, code.parameters, {});
          let allowed: boolean;
          try {
            scope
              .own(auth.buildAuthenticated(token))
              .authorizeWithLimits({ max_time_micro: 1_000_000 });
            allowed = true;
          } catch {
            allowed = false;
          }
          return [pattern, resource, allowed];
        });
      }),
    );
    expect(verdicts).toEqual(
      patterns.flatMap((pattern) =>
        resources.map((r) => [pattern, r, matchesResource(pattern, r)]),
      ),
    );
  });

  it('authorizeDatalog names the first block whose checks deny', async () => {
    const chain = await biscuitVerifiableChain(grandchild.token, DEFAULT_LIMITS);
    const context = { now: NOW, clockTolerance: 0, audience: AUDIENCE };
    // Without a verified root key it refuses to run.
    expect(await chain.authorizeDatalog?.(PAY, context)).toMatchObject({
      allowed: false,
      code: 'MANDATE_SIGNATURE_INVALID',
    });
    expect(
      chain.rootSignatureValid(createPublicKey({ key: p.anchor.publicJwk, format: 'jwk' })),
    ).toBe(true);
    expect(await chain.authorizeDatalog?.(PAY, context)).toEqual({ allowed: true });
    expect(
      await chain.authorizeDatalog?.(
        { resource: 'billing:invoices/2026-04', action: 'read' },
        context,
      ),
    ).toMatchObject({ allowed: false, code: 'MANDATE_FORBIDDEN', hop: 1 });
    expect(
      await chain.authorizeDatalog?.({ resource: 'docs:x', action: 'pay' }, context),
    ).toMatchObject({ allowed: false, code: 'MANDATE_FORBIDDEN', hop: 0 });
  });
});

describe('signatures per hop', () => {
  const key = (pair: KeyPair) => createPublicKey({ key: pair.publicJwk, format: 'jwk' });

  it('answers the three signature questions truthfully', async () => {
    const chain = await biscuitVerifiableChain(grandchild.token, DEFAULT_LIMITS);
    expect(chain.rootSignatureValid(key(p.anchor))).toBe(true);
    expect(chain.rootSignatureValid(key(p.thief))).toBe(false);
    expect(chain.linkSignatureValid(1, key(p.a))).toBe(true);
    expect(chain.linkSignatureValid(1, key(p.b))).toBe(false);
    expect(chain.linkSignatureValid(2, key(p.b))).toBe(true);
    expect(chain.parentHashValid(1)).toBe(true);
    expect(chain.parentHashValid(2)).toBe(true);
  });

  it('a thief cannot append a block naming its own key: linkage fails at that hop', async () => {
    const parent = (await decodeBiscuitChain(child.token, DEFAULT_LIMITS))[1]!;
    const plan = planDelegation(parent, 2, {
      signer: p.thief,
      holder: p.thief.publicJwk,
      now: NOW,
    });
    const stolen = await appendBiscuitBlock(child.token, plan, prepareSigner(p.thief));
    expect(await verifyAs(stolen, p.thief)).toMatchObject({
      allowed: false,
      code: 'MANDATE_SIGNATURE_INVALID',
      hop: 2,
      check: 'linkage',
    });
  });

  it('a block moved under another parent breaks linkage', async () => {
    // Same signer (a), same position, but minted under another root: its external signature
    // covers that root's signature, not this one's.
    const otherRoot = await mint({
      issuer: p.anchor,
      issuerId: ISSUER,
      subject: 'alice',
      holder: p.a.publicJwk,
      capabilities: [{ resource: 'billing:invoices/**', actions: ['pay'] }],
      audience: AUDIENCE,
      expiresIn: 3600,
      now: NOW,
      format: 'biscuit',
    });
    const other = await delegate(otherRoot, { signer: p.a, holder: p.b.publicJwk, now: NOW });
    let otherBlock: string | undefined;
    await spliceBiscuitBlocks(other.token, (blocks) => {
      otherBlock = blocks[1];
      return blocks;
    });
    const moved = await spliceBiscuitBlocks(child.token, (blocks) => [blocks[0], otherBlock]);
    const chain = await biscuitVerifiableChain(moved, DEFAULT_LIMITS);
    expect(chain.linkSignatureValid(1, key(p.a))).toBe(false);
    expect(chain.parentHashValid(1)).toBe(false);
    expect(await verifyAs(moved, p.b)).toMatchObject({
      allowed: false,
      code: 'MANDATE_SIGNATURE_INVALID',
      hop: 1,
      check: 'linkage',
    });
  });

  it('a truncated tail is no longer closed by the proof secret', async () => {
    const cut = await spliceBiscuitBlocks(grandchild.token, (blocks) => blocks.slice(0, 2));
    expect(await verifyAs(cut, p.b)).toMatchObject({
      allowed: false,
      code: 'MANDATE_LINK_BROKEN',
      hop: 1,
    });
    const rootOnly = await spliceBiscuitBlocks(grandchild.token, (blocks) => blocks.slice(0, 1));
    expect(await verifyAs(rootOnly, p.a)).toMatchObject({
      allowed: false,
      code: 'MANDATE_SIGNATURE_INVALID',
      hop: 0,
    });
  });

  it('the proof secret matches its own next key only', () => {
    const token = parseBiscuitToken(grandchild.token, DEFAULT_LIMITS);
    const keys = token.blocks.map((b) => b.nextKey);
    expect(secretMatches(token.nextSecret, keys[2]!)).toBe(true);
    expect(secretMatches(token.nextSecret, keys[1]!)).toBe(false);
    const flipped = Uint8Array.from(token.nextSecret);
    flipped[0]! ^= 1;
    expect(secretMatches(flipped, keys[2]!)).toBe(false);
    expect(secretMatches(token.nextSecret.subarray(1), keys[2]!)).toBe(false);
  });
});

describe('hostile Biscuit tokens are coded denials', () => {
  const cases: [string, () => string | Promise<string>, { code: string; hop: number }][] = [
    [
      'non-canonical base64',
      () => child.token.replace(/=*$/, ''),
      { code: 'MANDATE_MALFORMED', hop: 0 },
    ],
    [
      'truncated protobuf',
      () => toTokenText(fromTokenText(child.token).subarray(0, 40)),
      { code: 'MANDATE_MALFORMED', hop: 0 },
    ],
    [
      'random bytes',
      () => toTokenText(new Uint8Array(64).fill(0x5a)),
      { code: 'MANDATE_MALFORMED', hop: 0 },
    ],
    [
      'authority replaced by a third-party block',
      () => spliceBiscuitBlocks(child.token, (b) => [b[1], b[0]]),
      { code: 'MANDATE_MALFORMED', hop: 0 },
    ],
    [
      'duplicated block',
      () => spliceBiscuitBlocks(grandchild.token, (b) => [b[0], b[1], b[1], b[2]]),
      { code: 'MANDATE_MALFORMED', hop: 2 },
    ],
    [
      'too many blocks',
      () =>
        spliceBiscuitBlocks(child.token, (b) => [b[0], ...Array.from({ length: 20 }, () => b[1])]),
      { code: 'MANDATE_LIMIT_EXCEEDED', hop: 0 }, // the token-size limit speaks first
    ],
  ];
  for (const [name, build, expected] of cases) {
    it(name, async () => {
      const token = await build();
      const decision = await verifier().verify(token, { action: PAY });
      expect(decision).toMatchObject({ allowed: false, ...expected });
      await expect(parseMandate(token)).rejects.toMatchObject(expected);
    });
  }
});

it('counts blocks before decoding them', async () => {
  const token = await spliceBiscuitBlocks(child.token, (b) => [
    b[0],
    ...Array.from({ length: 20 }, () => b[1]),
  ]);
  await expect(
    decodeBiscuitChain(token, { ...DEFAULT_LIMITS, maxTokenBytes: 1 << 20 }),
  ).rejects.toMatchObject({ code: 'MANDATE_LIMIT_EXCEEDED', hop: 16 });
});
