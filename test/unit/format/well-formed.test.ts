/**
 * The AAT -02 revision's format-independent rules in every format: optional arguments and
 * the reserved "*" key are expressible in Mandate's own capabilities (JWS, Biscuit, AAT);
 * a constraint that is not well-formed (a range with min > max) or a number that does not
 * survive RFC 8785 canonicalisation makes a JWS or Biscuit block MANDATE_MALFORMED at its
 * hop; mint and delegate refuse to write one.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  allows,
  createVerifier,
  delegate,
  intersect,
  mint,
  prove,
  toolResource,
  type CapabilityInput,
  type Format,
  type KeyPair,
} from '../../../src/index.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { readBlockFacts, viewOfFacts } from '../../../src/format/biscuit/datalog.js';
import { parseBiscuitToken } from '../../../src/format/biscuit/token.js';
import {
  decodeJws,
  forgeJws,
  keyPairFromSeed,
  parHashOf,
  TEST_SEEDS,
} from '../../helpers/forge.js';
import { normalizeCapabilities } from '../../../src/core/capability.js';

const NOW = 1_800_000_000;
const ISSUER = 'https://as.well-formed.test';
const AUDIENCE = 'https://svc.well-formed.test';
const READ: CapabilityInput = {
  resource: 'files:docs/**',
  actions: ['read'],
  constraints: {
    path: { glob: '/docs/*' },
    head: { max: 200, optional: true },
    '*': { constraint_type: 'wildcard' },
  },
};

let anchor: KeyPair;
let alice: KeyPair;
let bob: KeyPair;

beforeAll(() => {
  anchor = keyPairFromSeed(TEST_SEEDS.anchor);
  alice = keyPairFromSeed(TEST_SEEDS.orchestrator);
  bob = keyPairFromSeed(TEST_SEEDS.billing);
});

const verifier = () =>
  createVerifier({
    trustAnchors: [{ id: ISSUER, publicJwk: anchor.publicJwk }],
    audience: AUDIENCE,
    clock: () => NOW,
  });

async function present(token: string, signer: KeyPair, args: Record<string, unknown>) {
  const request = { method: 'GET', url: `${AUDIENCE}/docs/a` };
  // `prove` decodes the token too, and refuses a malformed one: rule 1 then denies first.
  const proof = await prove(token, { signer, request, now: NOW }).catch(() => undefined);
  return verifier().verify(token, {
    ...(proof === undefined ? {} : { proof }),
    request,
    action: { resource: 'files:docs/a', action: 'read', args: args as never },
  });
}

describe('optional arguments and "*" in Mandate capabilities', () => {
  it('normalise to the optional list and keep "*" beside named arguments', () => {
    expect(normalizeCapabilities([READ])).toEqual([
      {
        resource: 'files:docs/**',
        actions: ['read'],
        constraints: {
          '*': { constraint_type: 'wildcard' },
          head: { constraint_type: 'range', max: 200 },
          path: { constraint_type: 'glob', pattern: '/docs/*' },
        },
        optional: ['head'],
      },
    ]);
    // "*" alone is the same as no constraints.
    expect(
      normalizeCapabilities([
        { resource: 'a:b', actions: ['x'], constraints: { '*': { constraint_type: 'wildcard' } } },
      ]),
    ).toEqual([{ resource: 'a:b', actions: ['x'] }]);
  });

  it('authorize: optional may be absent, "*" admits unnamed arguments, named ones stay required', () => {
    const act = (args: Record<string, unknown>) => ({
      resource: 'files:docs/a',
      action: 'read',
      args: args as never,
    });
    expect(allows([READ], act({ path: '/docs/a' }))).toBe(true);
    expect(allows([READ], act({ path: '/docs/a', encoding: 'utf-8', '*': 1 }))).toBe(true);
    expect(allows([READ], act({ path: '/docs/a', head: 500 }))).toBe(false);
    expect(allows([READ], act({ head: 5 }))).toBe(false);
  });

  it('intersect keeps "*" only when both sides have it, and forbids what one side forbids', () => {
    const closed: CapabilityInput = {
      resource: 'files:docs/**',
      actions: ['read'],
      constraints: { path: { eq: '/docs/a' } },
    };
    const [both] = intersect([READ], [closed]);
    expect(both?.constraints).toEqual({ path: { constraint_type: 'exact', value: '/docs/a' } });
    const act = { resource: 'files:docs/a', action: 'read', args: { path: '/docs/a', head: 1 } };
    expect(allows(both ? [both] : [], act)).toBe(false);
  });

  for (const format of ['jws', 'biscuit'] as const) {
    it(`${format}: travel in the token and verify (optional absent, unnamed admitted, 6b denials)`, async () => {
      const root = await mint({
        format,
        issuer: anchor,
        issuerId: ISSUER,
        subject: 'user',
        holder: alice.publicJwk,
        capabilities: [READ],
        expiresIn: 600,
        audience: AUDIENCE,
        now: NOW,
      });
      expect(root.blocks[0]?.capabilities[0]?.optional).toEqual(['head']);
      expect(await present(root.token, alice, { path: '/docs/a', enc: 'x' })).toMatchObject({
        allowed: true,
      });
      expect(await present(root.token, alice, { head: 3 })).toMatchObject({
        allowed: false,
        code: 'MANDATE_FORBIDDEN',
        hop: 0,
        check: 'authorize',
      });
      // Making the required argument optional widens; dropping the optional one (and "*") narrows.
      await expect(
        delegate(root, {
          signer: alice,
          holder: bob.publicJwk,
          capabilities: [
            {
              ...READ,
              constraints: { ...READ.constraints, path: { glob: '/docs/*', optional: true } },
            },
          ],
          now: NOW,
        }),
      ).rejects.toMatchObject({ code: 'MANDATE_WIDENED', hop: 1 });
      const child = await delegate(root, {
        signer: alice,
        holder: bob.publicJwk,
        capabilities: [{ ...READ, constraints: { path: { glob: '/docs/*' } } }],
        now: NOW,
      });
      expect(await present(child.token, bob, { path: '/docs/a', head: 3 })).toMatchObject({
        allowed: false,
        code: 'MANDATE_FORBIDDEN',
        hop: 1,
        check: 'authorize',
      });
    });
  }
});

describe('malformed constraints and inadmissible numbers in every format', () => {
  const mintWith = (format: Format, capabilities: CapabilityInput[]) =>
    mint({
      format,
      issuer: anchor,
      issuerId: format === 'aat' ? ISSUER : ISSUER,
      ...(format === 'aat' ? {} : { subject: 'user' }),
      holder: alice.publicJwk,
      capabilities,
      expiresIn: 600,
      now: NOW,
    });

  for (const format of ['jws', 'biscuit', 'aat'] as const) {
    it(`${format}: mint refuses a range with min > max`, async () => {
      await expect(
        mintWith(format, [
          {
            resource: toolResource('t'),
            actions: ['call'],
            constraints: { n: { constraint_type: 'range', min: 5, max: 1 } },
          },
        ]),
      ).rejects.toMatchObject({ code: 'MANDATE_MALFORMED', check: 'limits' });
    });
  }

  it('aat: mint writes optional and "*", and refuses what AAT cannot carry (empty one_of)', async () => {
    const cap = {
      resource: toolResource('read'),
      actions: ['call'],
      constraints: {
        path: { eq: '/a' },
        head: { max: 5, optional: true },
        '*': { constraint_type: 'wildcard' as const },
      },
    };
    const root = await mintWith('aat', [cap]);
    const payload = decodeJws(root.token).payload as {
      authorization_details: [{ tools: Record<string, unknown> }];
    };
    expect(payload.authorization_details[0].tools['read']).toEqual({
      '*': { constraint_type: 'wildcard' },
      head: { constraint_type: 'range', max: 5, optional: true },
      path: { constraint_type: 'exact', value: '/a' },
    });
    await expect(mintWith('aat', [{ ...cap, constraints: { path: { in: [] } } }])).rejects.toThrow(
      TypeError,
    );
  });

  it('jws: a hand-built block with min > max is MANDATE_MALFORMED at its hop', async () => {
    const root = await mintWith('jws', [READ]);
    const { header, payload } = decodeJws(root.token);
    const child = forgeJws(
      alice,
      { ...header, typ: 'mandate-delegation+jwt' },
      {
        ...payload,
        jti: 'child',
        iss: alice.id,
        del_depth: 1,
        par_hash: parHashOf(root.token),
        cnf: { jwk: bob.publicJwk },
        authorization_details: [
          {
            type: 'mandate',
            resource: 'files:docs/**',
            actions: ['read'],
            constraints: { n: { constraint_type: 'range', min: 9, max: 1 } },
          },
        ],
      },
    );
    expect(await present(`${root.token}~${child}`, bob, {})).toMatchObject({
      allowed: false,
      code: 'MANDATE_MALFORMED',
      hop: 1,
      check: 'limits',
    });
  });

  it('jws: a root whose constraint holds 9007199254740993 is MANDATE_MALFORMED at hop 0', async () => {
    const root = await mintWith('jws', [
      { resource: 'files:docs/**', actions: ['read'], constraints: { n: { max: 1234 } } },
    ]);
    const { header, payload } = decodeJws(root.token);
    const text = JSON.stringify(payload).replace('"max":1234', '"max":9007199254740993');
    const forged = forgeJws(anchor, header, text);
    expect(await present(forged, alice, { n: 1 })).toMatchObject({
      allowed: false,
      code: 'MANDATE_MALFORMED',
      hop: 0,
      check: 'limits',
    });
  });

  it('biscuit: a capability fact with min > max or an inadmissible number is malformed at its hop', async () => {
    const root = await mintWith('biscuit', [
      { resource: 'files:docs/**', actions: ['read'], constraints: { n: { max: 1234 } } },
    ]);
    const child = await delegate(root, { signer: alice, holder: bob.publicJwk, now: NOW });
    const parsed = parseBiscuitToken(child.token, DEFAULT_LIMITS);
    for (const hop of [0, 1]) {
      const block = parsed.blocks[hop];
      if (block === undefined) throw new Error('no block');
      const facts = readBlockFacts(block.block, hop, DEFAULT_LIMITS);
      expect(() => viewOfFacts(facts, hop, DEFAULT_LIMITS)).not.toThrow();
      for (const replacement of ['"max":9007199254740993', '"min":2000,"max":1234']) {
        const edited = facts.map((fact) =>
          fact.name !== 'capability'
            ? fact
            : {
                ...fact,
                terms: fact.terms.map((term) =>
                  term.kind === 'string'
                    ? { ...term, value: term.value.replace('"max":1234', replacement) }
                    : term,
                ),
              },
        );
        expect(() => viewOfFacts(edited, hop, DEFAULT_LIMITS), replacement).toThrow(
          expect.objectContaining({ code: 'MANDATE_MALFORMED', hop, check: 'limits' }),
        );
      }
    }
  });
});
