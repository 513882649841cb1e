import { describe, expect, it } from 'vitest';
import {
  MemoryRevocationStore,
  prove,
  type ReplayStore,
  type RevocationStore,
} from '../../../src/index.js';
import {
  ANCHOR_ID,
  AUDIENCE,
  NOW,
  READ,
  REQUEST,
  chainOf,
  createWorld,
  verifierFor,
  verifyWith,
} from '../../helpers/fixture.js';
import { RULES } from '../../../src/verify/rules.js';
import { CHECKS } from '../../../src/core/errors.js';

const world = await createWorld();
const [a0, a1, a2] = world.agents;

describe('the rules', () => {
  it('run in the order of DESIGN.md section 3', () => {
    expect(RULES.map((rule) => rule.check)).toEqual([...CHECKS]);
  });

  it('allow a genuine 3-block chain and report the chain of principals', async () => {
    const mandate = await chainOf(world, 2);
    const decision = await verifyWith(verifierFor(world), mandate, a2);
    expect(decision).toMatchObject({
      allowed: true,
      subject: 'alice',
      chain: [ANCHOR_ID, a0.id, a1.id, a2.id],
      holder: a2.id,
    });
  });
});

describe('rule 2: trust anchor', () => {
  it('denies a root from an issuer that is not configured', async () => {
    const mandate = await chainOf(world, 0);
    const verifier = verifierFor(world, {
      trustAnchors: [{ id: 'https://other.test', publicJwk: world.anchor.publicJwk }],
    });
    expect(await verifyWith(verifier, mandate, a0)).toMatchObject({
      code: 'MANDATE_UNTRUSTED_ISSUER',
      hop: 0,
      check: 'anchor',
    });
  });

  it('denies a root signed by another key under the anchor name', async () => {
    const mandate = await chainOf(world, 0);
    const verifier = verifierFor(world, {
      trustAnchors: [{ id: ANCHOR_ID, publicJwk: world.stranger.publicJwk }],
    });
    expect(await verifyWith(verifier, mandate, a0)).toMatchObject({
      code: 'MANDATE_SIGNATURE_INVALID',
      hop: 0,
      check: 'anchor',
    });
  });

  it('denies a root beyond what its anchor may grant', async () => {
    const mandate = await chainOf(world, 1);
    const verifier = verifierFor(world, {
      trustAnchors: [
        {
          id: ANCHOR_ID,
          publicJwk: world.anchor.publicJwk,
          mayGrant: [{ resource: 'docs:public/**', actions: ['read'] }],
        },
      ],
    });
    expect(await verifyWith(verifier, mandate, a1)).toMatchObject({
      code: 'MANDATE_WIDENED',
      hop: 0,
      check: 'anchor',
    });
  });

  it('denies an algorithm the verifier does not allow', async () => {
    const mandate = await chainOf(world, 0);
    const verifier = verifierFor(world, { algorithms: ['ES256'] });
    expect(await verifyWith(verifier, mandate, a0)).toMatchObject({
      code: 'MANDATE_SIGNATURE_INVALID',
      hop: 0,
      check: 'anchor',
    });
  });
});

describe('rule 5: validity window', () => {
  it('denies an expired block, and honours the clock tolerance', async () => {
    const mandate = await chainOf(world, 1);
    const late = verifierFor(world, { clock: () => NOW + 600 });
    const proof = await prove(mandate, { signer: a1, request: REQUEST, now: NOW + 600 });
    expect(await late.verify(mandate, { action: READ, proof, request: REQUEST })).toMatchObject({
      code: 'MANDATE_EXPIRED',
      hop: 0,
      check: 'window',
    });
    const tolerant = verifierFor(world, { clock: () => NOW + 600, clockTolerance: '5s' });
    expect(await tolerant.verify(mandate, { action: READ, proof, request: REQUEST })).toMatchObject(
      { allowed: true },
    );
  });

  it('denies a block issued in the future', async () => {
    const mandate = await chainOf(world, 0);
    const early = verifierFor(world, { clock: () => NOW - 100 });
    const proof = await prove(mandate, { signer: a0, request: REQUEST, now: NOW - 100 });
    expect(await early.verify(mandate, { action: READ, proof, request: REQUEST })).toMatchObject({
      code: 'MANDATE_NOT_YET_VALID',
      hop: 0,
    });
  });
});

describe('rule 6: revocation', () => {
  it('denies when any block is revoked, naming the hop', async () => {
    const mandate = await chainOf(world, 2);
    for (const hop of [0, 1, 2]) {
      const revocation = new MemoryRevocationStore();
      await revocation.revoke(mandate.blocks[hop]!.id);
      expect(await verifyWith(verifierFor(world, { revocation }), mandate, a2)).toMatchObject({
        code: 'MANDATE_REVOKED',
        hop,
        check: 'revocation',
      });
    }
  });

  it('fails closed when the store throws, hangs or answers nonsense', async () => {
    const mandate = await chainOf(world, 0);
    const throwing: RevocationStore = {
      revoke: () => Promise.resolve(),
      isRevoked: () => Promise.reject(new Error('down')),
    };
    const hanging: RevocationStore = {
      revoke: () => Promise.resolve(),
      isRevoked: () => new Promise(() => {}),
    };
    const nonsense: RevocationStore = {
      revoke: () => Promise.resolve(),
      isRevoked: () => Promise.resolve(false),
      firstRevoked: () => Promise.resolve(42 as unknown as string),
    };
    for (const revocation of [throwing, hanging, nonsense]) {
      const verifier = verifierFor(world, { revocation, storeTimeoutMs: 50 });
      expect(await verifyWith(verifier, mandate, a0)).toMatchObject({
        code: 'MANDATE_STORE_UNAVAILABLE',
        check: 'revocation',
      });
    }
  });
});

describe('rule 7: audience', () => {
  it('denies a verifier outside the audience', async () => {
    const mandate = await chainOf(world, 1);
    expect(
      await verifyWith(verifierFor(world, { audience: 'https://elsewhere.test' }), mandate, a1),
    ).toMatchObject({
      code: 'MANDATE_AUDIENCE',
      hop: 0,
      check: 'audience',
    });
  });

  it('denies a mandate naming no audience unless the verifier opts out', async () => {
    const { mint } = await import('../../../src/index.js');
    const open = await mint({
      issuer: world.anchor,
      issuerId: ANCHOR_ID,
      subject: 'alice',
      holder: a0.publicJwk,
      capabilities: [{ resource: 'docs:**', actions: ['read'] }],
      expiresIn: 60,
      now: NOW,
    });
    const action = { resource: 'docs:a', action: 'read' };
    expect(await verifyWith(verifierFor(world), open, a0, action)).toMatchObject({
      code: 'MANDATE_AUDIENCE',
      hop: 0,
    });
    expect(
      await verifyWith(verifierFor(world, { requireAudience: false }), open, a0, action),
    ).toMatchObject({
      allowed: true,
    });
  });
});

describe('rule 8: possession', () => {
  it('requires a proof by default', async () => {
    const mandate = await chainOf(world, 1);
    expect(await verifierFor(world).verify(mandate, { action: READ })).toMatchObject({
      code: 'MANDATE_PROOF_MISSING',
      hop: 1,
      check: 'possession',
    });
  });

  it('denies a proof for another request, another mandate, or out of its window', async () => {
    const mandate = await chainOf(world, 1);
    const other = await chainOf(world, 1);
    const verifier = verifierFor(world);
    const cases = [
      {
        proof: await prove(mandate, {
          signer: a1,
          request: { method: 'POST', url: REQUEST.url },
          now: NOW,
        }),
      },
      {
        proof: await prove(mandate, {
          signer: a1,
          request: { method: 'GET', url: 'https://tool.test/docs/b' },
          now: NOW,
        }),
      },
      { proof: await prove(other, { signer: a1, request: REQUEST, now: NOW }) },
      { proof: await prove(mandate, { signer: a1, request: REQUEST, now: NOW - 61 }) },
      {
        proof: await prove(mandate, { signer: a1, request: { tool: 'read', args: {} }, now: NOW }),
      },
    ];
    for (const { proof } of cases) {
      expect(
        await verifier.verify(mandate, { action: READ, proof, request: REQUEST }),
      ).toMatchObject({
        code: 'MANDATE_PROOF_INVALID',
        hop: 1,
        check: 'possession',
      });
    }
  });

  it('accepts the query string changing under the same htu (RFC 9449 §4.3)', async () => {
    const mandate = await chainOf(world, 0);
    const proof = await prove(mandate, {
      signer: a0,
      request: { method: 'GET', url: `${REQUEST.url}?x=1#f` },
      now: NOW,
    });
    expect(
      await verifierFor(world).verify(mandate, { action: READ, proof, request: REQUEST }),
    ).toMatchObject({
      allowed: true,
    });
  });

  it('binds tool proofs to the tool and its canonical arguments', async () => {
    const mandate = await chainOf(world, 0);
    const verifier = verifierFor(world);
    const request = { tool: 'read_doc', args: { size: 10, path: 'a' } };
    const proof = await prove(mandate, { signer: a0, request, now: NOW });
    const action = { resource: 'docs:a', action: 'read', args: { size: 10 } };
    // Without explicit args, a tool call is authorized on the proven args themselves
    // (the same canonical JSON in another key order), and closed-world denies `path`.
    expect(
      await verifier.verify(mandate, {
        action: { resource: 'docs:a', action: 'read' },
        proof,
        request: { tool: 'read_doc', args: { path: 'a', size: 10 } },
      }),
    ).toMatchObject({
      code: 'MANDATE_FORBIDDEN',
      hop: 0,
      detail: { problems: [{ arg: 'path', why: 'unknown' }] },
    });
    const proof2 = await prove(mandate, {
      signer: a0,
      request: { tool: 'read_doc', args: { size: 10 } },
      now: NOW,
    });
    expect(
      await verifier.verify(mandate, {
        action,
        proof: proof2,
        request: { tool: 'read_doc', args: { size: 11 } },
      }),
    ).toMatchObject({
      code: 'MANDATE_PROOF_INVALID',
    });
    expect(
      await verifier.verify(mandate, {
        action: { resource: 'docs:a', action: 'read' },
        proof: proof2,
        request: { tool: 'read_doc', args: { size: 10 } },
      }),
    ).toMatchObject({ allowed: true });
    expect(
      await verifier.verify(mandate, {
        action,
        proof: proof2,
        request: { tool: 'other', args: { size: 10 } },
      }),
    ).toMatchObject({
      code: 'MANDATE_PROOF_INVALID',
    });
  });

  it('fails closed when the replay store is unavailable', async () => {
    const mandate = await chainOf(world, 0);
    const replay: ReplayStore = {
      checkAndStore: () => Promise.reject(new Error('down')),
      checkAndStoreAll: () => Promise.reject(new Error('down')),
    };
    expect(await verifyWith(verifierFor(world, { replay }), mandate, a0)).toMatchObject({
      code: 'MANDATE_STORE_UNAVAILABLE',
      check: 'possession',
    });
  });

  it('throws (misuse) for a proof without its request', async () => {
    const mandate = await chainOf(world, 0);
    const proof = await prove(mandate, { signer: a0, request: REQUEST, now: NOW });
    await expect(verifierFor(world).verify(mandate, { action: READ, proof })).rejects.toThrow(
      TypeError,
    );
  });

  it('prove refuses a signer that is not the last holder', async () => {
    const mandate = await chainOf(world, 1);
    await expect(prove(mandate, { signer: a0, request: REQUEST })).rejects.toMatchObject({
      code: 'MANDATE_PROOF_INVALID',
    });
  });
});

describe('rule 9: authorization', () => {
  it('names the first block that does not allow the action', async () => {
    const { delegate } = await import('../../../src/index.js');
    const root = await chainOf(world, 0);
    const narrowed = await delegate(root, {
      signer: a0,
      holder: a1.publicJwk,
      capabilities: [{ resource: 'docs:a', actions: ['read'], constraints: { size: { max: 5 } } }],
      now: NOW,
    });
    expect(await verifyWith(verifierFor(world), narrowed, a1)).toMatchObject({
      code: 'MANDATE_FORBIDDEN',
      hop: 1,
      check: 'authorize',
    });
    expect(
      await verifyWith(verifierFor(world), narrowed, a1, {
        resource: 'docs:a',
        action: 'read',
        args: { size: 500 },
      }),
    ).toMatchObject({
      code: 'MANDATE_FORBIDDEN',
      hop: 0,
    });
  });

  it('denies a malformed action as data, never a throw', async () => {
    const mandate = await chainOf(world, 0);
    for (const resource of ['docs:../x', 'docs:*', '', 'docs:a\u202e']) {
      const decision = await verifyWith(verifierFor(world), mandate, a0, {
        resource,
        action: 'read',
      });
      expect(decision.allowed).toBe(false);
    }
  });

  it('turns an unexpected failure inside a rule into MANDATE_INTERNAL', async () => {
    const mandate = await chainOf(world, 0);
    const verifier = verifierFor(world, {
      clock: () => {
        throw new Error('clock broke');
      },
    });
    expect(await verifier.verify(mandate, { action: READ })).toMatchObject({
      allowed: false,
      code: 'MANDATE_INTERNAL',
    });
  });
});

export { AUDIENCE };
