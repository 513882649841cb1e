/**
 * AAT chains beyond the published vectors: the tool <-> resource mapping, what Mandate
 * refuses in AAT tokens (fail closed), format detection, and the verifier options.
 */
import { createHmac, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createVerifier,
  delegate,
  generateKeyPair,
  mint,
  prove,
  toolAction,
  toolResource,
  type KeyPair,
  type VerifierOptions,
} from '../../../../src/index.js';
import { reforgeBlock } from '../../../helpers/forge.js';
import { detectFormat } from '../../../../src/format/parse.js';
import { toolFromResource } from '../../../../src/format/aat/claims.js';

const NOW = 1_800_000_000;
const ISSUER = 'https://auth.example.com';
const AUD = 'https://tools.example.com';

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function signToken(header: unknown, claims: unknown, signer: KeyPair): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${sign(null, Buffer.from(input), signer.privateKey as never).toString('base64url')}`;
}

async function world() {
  const issuer = await generateKeyPair();
  const holder = await generateKeyPair();
  const verifier = createVerifier({
    trustAnchors: [{ id: ISSUER, publicJwk: issuer.publicJwk }],
    audience: AUD,
    requireAudience: false,
    clock: () => NOW,
  });
  const claims = (tools: unknown, extra: Record<string, unknown> = {}) => ({
    jti: 'root-1',
    iss: ISSUER,
    iat: NOW - 10,
    exp: NOW + 600,
    del_depth: 0,
    del_max_depth: 2,
    cnf: { jwk: holder.publicJwk },
    authorization_details: [{ type: 'attenuating_agent_token', tools }],
    ...extra,
  });
  const verifyRoot = async (token: string, args: Record<string, never> = {}) => {
    const request = { tool: 'read_file', args };
    let proof: string | undefined;
    try {
      proof = await prove(token, { signer: holder, request, now: NOW });
    } catch {
      proof = 'x.y.z';
    }
    return verifier.verify(token, { proof, request });
  };
  return { issuer, holder, verifier, claims, verifyRoot };
}

describe('tool names map one-to-one onto single literal resource segments', () => {
  it.each([
    ['read_file', 'tool:read_file'],
    ['*', 'tool:%2A'],
    ['**', 'tool:%2A%2A'],
    ['..', 'tool:%2E%2E'],
    ['https://tools.example.com/read', 'tool:https%3A%2F%2Ftools.example.com%2Fread'],
    ["it's (x)!", 'tool:it%27s%20%28x%29%21'],
  ])('%s -> %s', (tool, resource) => {
    expect(toolResource(tool)).toBe(resource);
    expect(toolFromResource(resource)).toBe(tool);
  });

  it('only the canonical spelling names a tool', () => {
    expect(toolFromResource('tool:read%5Ffile')).toBeUndefined();
    expect(toolFromResource('tool:a/b')).toBeUndefined();
    expect(toolFromResource('docs:read_file')).toBeUndefined();
    expect(toAction()).toEqual({ resource: 'tool:read_file', action: 'call', args: { a: 1 } });
  });

  function toAction() {
    return toolAction('read_file', { a: 1 });
  }
});

describe('AAT tokens Mandate refuses (fail closed)', () => {
  it('accepts a well-formed hand-built root (control)', async () => {
    const w = await world();
    const token = signToken(
      { alg: 'Ed25519', typ: 'aat+jwt' },
      w.claims({ read_file: {} }),
      w.issuer,
    );
    expect(detectFormat(token)).toBe('aat');
    expect(await w.verifyRoot(token)).toMatchObject({
      allowed: true,
      format: 'aat',
      subject: ISSUER,
    });
  });

  it.each([
    [
      'Mandate glob is not an AAT core type',
      { path: { constraint_type: 'glob', pattern: '/a/*' } },
      '3n',
    ],
    ['terse forms are not AAT wire forms', { path: { eq: '/a' } }, '3n'],
    ['an unknown constraint_type', { path: { constraint_type: 'regex', pattern: '.*' } }, '3n'],
    ['an empty any', { path: { constraint_type: 'any', constraints: [] } }, '3n'],
  ])('%s', async (_name, tool, step) => {
    const w = await world();
    const token = signToken(
      { alg: 'Ed25519', typ: 'aat+jwt' },
      w.claims({ read_file: tool }),
      w.issuer,
    );
    expect(await w.verifyRoot(token, { path: '/a' } as never)).toMatchObject({
      allowed: false,
      code: 'MANDATE_MALFORMED',
      hop: 0,
      check: 'limits',
      detail: { step },
    });
  });

  it('a crit header, another cnf method and unknown entry members are refused', async () => {
    const w = await world();
    const cases: [unknown, unknown, string][] = [
      [{ alg: 'Ed25519', typ: 'aat+jwt', crit: ['exp'] }, w.claims({ read_file: {} }), '3a'],
      [
        { alg: 'Ed25519', typ: 'aat+jwt' },
        {
          ...w.claims({ read_file: {} }),
          cnf: { jwk: w.holder.publicJwk, 'x5t#S256': 'a'.repeat(43) },
        },
        '3l',
      ],
      [
        { alg: 'Ed25519', typ: 'aat+jwt' },
        {
          ...w.claims({}),
          authorization_details: [{ type: 'attenuating_agent_token', tools: {}, locations: ['x'] }],
        },
        '3m',
      ],
      [{ alg: 'Ed25519', typ: 'aat+jwt' }, { ...w.claims({}), iss: 'not a uri' }, '3k'],
    ];
    for (const [header, claims, step] of cases) {
      const decision = await w.verifyRoot(signToken(header, claims, w.issuer));
      expect(decision, step).toMatchObject({ allowed: false, detail: { step } });
    }
  });

  it('unknown claims are ignored, as the draft requires', async () => {
    const w = await world();
    const token = signToken(
      { alg: 'Ed25519', typ: 'aat+jwt', kid: 'k1' },
      { ...w.claims({ read_file: {} }), sub: 'ignored', custom: { a: 1 } },
      w.issuer,
    );
    expect(await w.verifyRoot(token)).toMatchObject({ allowed: true, subject: ISSUER });
  });

  it('a tool named * is a literal tool, never a wildcard', async () => {
    const w = await world();
    const token = signToken({ alg: 'Ed25519', typ: 'aat+jwt' }, w.claims({ '*': {} }), w.issuer);
    expect(await w.verifyRoot(token)).toMatchObject({
      allowed: false,
      code: 'MANDATE_FORBIDDEN',
      detail: { step: '6b' },
    });
  });
});

describe('verifier options for AAT', () => {
  /**
   * An AAT root for calling `tools`, issued 10 s ago, valid for `expiresIn`, a verifier trusting
   * its issuer (no chain audience required; `options` added), and its holder.
   */
  async function aatRoot(
    tools: readonly string[],
    expiresIn: number | string,
    options: Partial<VerifierOptions> = {},
  ) {
    const [issuer, holder] = await Promise.all([generateKeyPair(), generateKeyPair()]);
    const root = await mint({
      format: 'aat',
      issuer,
      issuerId: ISSUER,
      holder: holder.publicJwk,
      capabilities: tools.map((tool) => ({ resource: toolResource(tool), actions: ['call'] })),
      expiresIn,
      now: NOW - 10,
    });
    const verifier = createVerifier({
      trustAnchors: [{ id: ISSUER, publicJwk: issuer.publicJwk }],
      audience: AUD,
      requireAudience: false,
      ...options,
      clock: () => NOW,
    });
    return { holder, root, verifier };
  }

  it('a PoP nonce, audience, replay and the proven tool are checked', async () => {
    const { holder, root, verifier } = await aatRoot(['read_file', 'delete_file'], 600, {
      requirePopAudience: true,
      nonce: (n) => n === 'n-1',
    });
    const request = { tool: 'read_file', args: {} };
    const good = await prove(root, {
      signer: holder,
      request,
      now: NOW,
      nonce: 'n-1',
      audience: AUD,
    });
    expect(await verifier.verify(root, { proof: good, request })).toMatchObject({ allowed: true });
    // The same proof again: replay (7i).
    expect(await verifier.verify(root, { proof: good, request })).toMatchObject({
      code: 'MANDATE_REPLAYED',
      detail: { step: '7i' },
    });
    const stale = await prove(root, {
      signer: holder,
      request,
      now: NOW,
      nonce: 'n-0',
      audience: AUD,
    });
    expect(await verifier.verify(root, { proof: stale, request })).toMatchObject({
      code: 'MANDATE_PROOF_INVALID',
      detail: { step: '7h' },
    });
    const noAud = await prove(root, { signer: holder, request, now: NOW, nonce: 'n-1' });
    expect(await verifier.verify(root, { proof: noAud, request })).toMatchObject({
      code: 'MANDATE_PROOF_INVALID',
      detail: { step: '7d' },
    });
    // An action naming another tool than the proven one is refused (7e).
    expect(
      await verifier.verify(root, {
        proof: await prove(root, {
          signer: holder,
          request,
          now: NOW,
          nonce: 'n-1',
          audience: AUD,
        }),
        request,
        action: toolAction('delete_file', {}),
      }),
    ).toMatchObject({ code: 'MANDATE_PROOF_INVALID', detail: { step: '7e' } });
  });

  it('maxTokenLifetime defaults to 90 days for AAT chains', async () => {
    const { holder, root, verifier } = await aatRoot(['read_file'], '91d');
    const request = { tool: 'read_file', args: {} };
    expect(
      await verifier.verify(root, {
        proof: await prove(root, { signer: holder, request, now: NOW }),
        request,
      }),
    ).toMatchObject({ allowed: false, check: 'window', detail: { step: '3h' } });
  });
});

describe('the nonce option on Mandate chains', () => {
  it('checks a DPoP nonce and denies invocation proofs, which carry none', async () => {
    const issuer = await generateKeyPair();
    const holder = await generateKeyPair();
    const mandate = await mint({
      issuer,
      subject: 'alice',
      holder: holder.publicJwk,
      capabilities: [{ resource: 'docs:a', actions: ['read'] }],
      expiresIn: 600,
      audience: AUD,
      now: NOW - 10,
    });
    const verifier = createVerifier({
      trustAnchors: [{ id: issuer.id, publicJwk: issuer.publicJwk }],
      audience: AUD,
      nonce: 'n-1',
      clock: () => NOW,
    });
    const action = { resource: 'docs:a', action: 'read' };
    const http = { method: 'GET', url: `${AUD}/a` };
    const withNonce = await prove(mandate, {
      signer: holder,
      request: http,
      now: NOW,
      nonce: 'n-1',
    });
    expect(
      await verifier.verify(mandate, { action, proof: withNonce, request: http }),
    ).toMatchObject({
      allowed: true,
    });
    const without = await prove(mandate, { signer: holder, request: http, now: NOW });
    expect(await verifier.verify(mandate, { action, proof: without, request: http })).toMatchObject(
      {
        code: 'MANDATE_PROOF_INVALID',
        hop: 0,
        check: 'possession',
        // A Mandate chain: no AAT draft step label, the path of the missing nonce instead.
        detail: { path: 'proof.nonce' },
      },
    );
    const tool = { tool: 'read', args: {} };
    const invocation = await prove(mandate, { signer: holder, request: tool, now: NOW });
    expect(
      await verifier.verify(mandate, { action, proof: invocation, request: tool }),
    ).toMatchObject({
      code: 'MANDATE_PROOF_INVALID',
      check: 'possession',
      detail: { path: 'proof.nonce' },
    });
  });
});

describe('hostile AAT tokens: keys only from the trust configuration and the chain', () => {
  function signRaw(headerText: string, payloadText: string, signer: KeyPair): string {
    const input = `${Buffer.from(headerText).toString('base64url')}.${Buffer.from(payloadText).toString('base64url')}`;
    return `${input}.${sign(null, Buffer.from(input), signer.privateKey as never).toString('base64url')}`;
  }

  it.each([['kid', 'evil-key']])(
    'a root signed by another key whose %s header points at it: MANDATE_SIGNATURE_INVALID',
    async (member, value) => {
      const w = await world();
      const attacker = await generateKeyPair();
      const header = { alg: 'Ed25519', typ: 'aat+jwt', [member]: value };
      const token = signToken(header, w.claims({ read_file: {} }), attacker);
      expect(await w.verifyRoot(token)).toMatchObject({
        allowed: false,
        code: 'MANDATE_SIGNATURE_INVALID',
        hop: 0,
        detail: { step: '3b' },
      });
    },
  );

  it('HS256 keyed with the anchor public key (algorithm confusion): MANDATE_MALFORMED at 3a', async () => {
    const w = await world();
    const input = `${b64({ alg: 'HS256', typ: 'aat+jwt' })}.${b64(w.claims({ read_file: {} }))}`;
    const mac = createHmac('sha256', JSON.stringify(w.issuer.publicJwk))
      .update(input)
      .digest('base64url');
    expect(await w.verifyRoot(`${input}.${mac}`)).toMatchObject({
      allowed: false,
      code: 'MANDATE_MALFORMED',
      detail: { step: '3a' },
    });
  });

  it.each([
    ['iss', '"iss":"https://auth.example.com","iss":"https://evil.test"'],
    ['jti', '"jti":"root-1","jti":"root-2"'],
  ])('a duplicate %s in a validly signed payload: MANDATE_MALFORMED', async (_name, dup) => {
    const w = await world();
    const claims = w.claims({ read_file: {} }) as Record<string, unknown>;
    const { iss: _iss, jti: _jti, ...rest } = claims;
    const payload = `{${dup},${JSON.stringify(rest).slice(1)}`;
    const token = signRaw('{"alg":"Ed25519","typ":"aat+jwt"}', payload, w.issuer);
    const decision = await w.verifyRoot(token);
    expect(decision).toMatchObject({ allowed: false, code: 'MANDATE_MALFORMED', hop: 0 });
    // The reason names the real problem, not a missing claim.
    expect(decision.allowed ? '' : decision.reason).toMatch(/duplicate key/);
  });

  it('a PoP signed by another key that names itself in a jwk header: denied at 7a', async () => {
    const w = await world();
    const token = signToken(
      { alg: 'Ed25519', typ: 'aat+jwt' },
      w.claims({ read_file: {} }),
      w.issuer,
    );
    const attacker = await generateKeyPair();
    const request = { tool: 'read_file', args: {} };
    const genuine = await prove(token, { signer: w.holder, request, now: NOW });
    const claims = JSON.parse(
      Buffer.from(genuine.split('.')[1] ?? '', 'base64url').toString(),
    ) as unknown;
    const forged = signToken(
      { alg: 'Ed25519', typ: 'aat-pop+jwt', jwk: attacker.publicJwk },
      claims,
      attacker,
    );
    expect(await w.verifier.verify(token, { proof: forged, request })).toMatchObject({
      allowed: false,
      code: 'MANDATE_PROOF_INVALID',
      check: 'possession',
      detail: { step: '7a', path: 'proof.header.jwk' },
    });
  });
});

/**
 * Issue 11, finding 11: AAT blocks accepted any JOSE header member though JWS blocks reject
 * them. They share the JWS allow-list now: `alg`, `typ` and (root or not) `kid` only.
 */
describe('AAT header members are allow-listed like JWS blocks', () => {
  const HOSTILE: readonly [string, unknown][] = [
    ['jku', 'https://evil.test/jwks.json'],
    ['x5u', 'https://evil.test/cert.pem'],
    ['jwk', { kty: 'OKP', crv: 'Ed25519', x: 'A'.repeat(43) }],
    ['x5c', ['MIIB']],
    ['x5t', 'A'.repeat(27)],
    ['x5t#S256', 'A'.repeat(43)],
    ['b64', false],
    ['zip', 'DEF'],
    ['crit', ['b64']],
    ['cty', 'JWT'],
    ['x_note', 1],
  ];

  it.each(HOSTILE)('%s in a root: MANDATE_MALFORMED at 3a', async (member, value) => {
    const w = await world();
    const header = { alg: 'Ed25519', typ: 'aat+jwt', [member]: value };
    const token = signToken(header, w.claims({ read_file: {} }), w.issuer);
    expect(await w.verifyRoot(token)).toMatchObject({
      allowed: false,
      code: 'MANDATE_MALFORMED',
      hop: 0,
      check: 'limits',
      detail: { step: '3a', path: `block 0.header.${member}` },
    });
  });

  it.each(HOSTILE)(
    '%s in a delegation signed by its genuine signer: MANDATE_MALFORMED at 4a',
    async (member, value) => {
      const w = await world();
      const next = await generateKeyPair();
      const root = await mint({
        format: 'aat',
        issuer: w.issuer,
        issuerId: ISSUER,
        holder: w.holder.publicJwk,
        capabilities: [{ resource: toolResource('read_file'), actions: ['call'] }],
        expiresIn: 600,
        now: NOW,
      });
      const chain = await delegate(root, { signer: w.holder, holder: next.publicJwk, now: NOW });
      const forged = reforgeBlock(chain.token, 1, w.holder, (parts) => {
        parts.header[member] = value;
      });
      const request = { tool: 'read_file', args: {} };
      const proof = await prove(forged, { signer: next, request, now: NOW }).catch(() => 'x.y.z');
      expect(await w.verifier.verify(forged, { proof, request })).toMatchObject({
        allowed: false,
        code: 'MANDATE_MALFORMED',
        hop: 1,
        check: 'limits',
        detail: { step: '4a', path: `block 1.header.${member}` },
      });
    },
  );

  it('the same block without the member verifies (control)', async () => {
    const w = await world();
    const token = signToken(
      { alg: 'Ed25519', typ: 'aat+jwt', kid: 'k1' },
      w.claims({ read_file: {} }),
      w.issuer,
    );
    expect(await w.verifyRoot(token)).toMatchObject({ allowed: true });
  });
});

/** Issue 11, finding 11: the PoP header passes the same allow-list (`alg`, `typ`, `kid`). */
describe('AAT PoP header members are allow-listed like blocks', () => {
  const HOSTILE: readonly [string, unknown][] = [
    ['jku', 'https://evil.test/jwks.json'],
    ['x5u', 'https://evil.test/cert.pem'],
    ['x5c', ['MIIB']],
    ['b64', false],
    ['zip', 'DEF'],
    ['crit', ['b64']],
    ['x_note', 1],
  ];

  it.each(HOSTILE)(
    '%s in a PoP signed by the genuine holder: denied at 7a',
    async (member, value) => {
      const w = await world();
      const token = signToken(
        { alg: 'Ed25519', typ: 'aat+jwt' },
        w.claims({ read_file: {} }),
        w.issuer,
      );
      const request = { tool: 'read_file', args: {} };
      const genuine = await prove(token, { signer: w.holder, request, now: NOW });
      const claims = JSON.parse(
        Buffer.from(genuine.split('.')[1] ?? '', 'base64url').toString(),
      ) as unknown;
      const forged = signToken(
        { alg: 'Ed25519', typ: 'aat-pop+jwt', [member]: value },
        claims,
        w.holder,
      );
      expect(await w.verifier.verify(token, { proof: forged, request })).toMatchObject({
        allowed: false,
        code: 'MANDATE_PROOF_INVALID',
        check: 'possession',
        detail: { step: '7a', path: `proof.header.${member}` },
      });
      // The same claims under a clean header are the genuine proof's: the header alone decides.
      const clean = signToken({ alg: 'Ed25519', typ: 'aat-pop+jwt', kid: 'k1' }, claims, w.holder);
      expect(await w.verifier.verify(token, { proof: clean, request })).toMatchObject({
        allowed: true,
      });
    },
  );
});
