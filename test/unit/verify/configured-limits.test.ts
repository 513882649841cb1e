/**
 * Configured limits decide identically in every encoding (issue 11, finding 9: with
 * `maxArrayLength: 4` the same scenario was `MANDATE_LIMIT_EXCEEDED` in Biscuit and AAT but
 * allowed in JWS, whose capability normalisation ignored the verifier's limits and cached
 * its result globally), and requests are bounded before any matching (finding 6), reported
 * as check `limits`.
 */
import { describe, expect, it } from 'vitest';
import {
  createVerifier,
  delegate,
  mint,
  prove,
  toolAction,
  toolResource,
  type Format,
  type Limits,
  type Mandate,
} from '../../../src/index.js';
import { ANCHOR_ID, AUDIENCE, NOW, createWorld } from '../../helpers/fixture.js';

const world = await createWorld();
const [a0, a1] = world.agents;
const TOOL = 'pay';
const FIVE = [1, 2, 3, 4, 5];
const FORMATS: readonly Format[] = ['jws', 'biscuit', 'aat'];

async function rootWith(format: Format, constraints: Record<string, unknown>): Promise<Mandate> {
  return mint({
    issuer: world.anchor,
    issuerId: ANCHOR_ID,
    ...(format === 'aat' ? {} : { subject: 'alice' }),
    holder: a0.publicJwk,
    capabilities: [{ resource: toolResource(TOOL), actions: ['call'], constraints } as never],
    expiresIn: 600,
    audience: AUDIENCE,
    now: NOW,
    format,
  });
}

function verifierWith(limits?: Partial<Limits>, requireProof = true) {
  return createVerifier({
    trustAnchors: [{ id: ANCHOR_ID, publicJwk: world.anchor.publicJwk }],
    audience: AUDIENCE,
    clock: () => NOW,
    requireProof,
    ...(limits === undefined ? {} : { limits }),
  });
}

async function call(
  verifier: ReturnType<typeof verifierWith>,
  mandate: Mandate,
  args: Record<string, unknown>,
  signer = a0,
) {
  const request = { tool: TOOL, args } as never;
  const proof = await prove(mandate, { signer, request, now: NOW });
  return verifier.verify(mandate, { action: toolAction(TOOL, args as never), proof, request });
}

describe('configured capability limits (issue 11, finding 9)', () => {
  it.each(FORMATS)(
    'regression: a 5-value one_of under maxArrayLength 4 is MANDATE_LIMIT_EXCEEDED in %s',
    async (format) => {
      const mandate = await rootWith(format, { amount: { in: FIVE } });
      // A verifier with the default limits allows it first, filling every cache on the way.
      expect(await call(verifierWith(), mandate, { amount: 3 })).toMatchObject({ allowed: true });
      expect(await call(verifierWith({ maxArrayLength: 4 }), mandate, { amount: 3 })).toMatchObject(
        { allowed: false, code: 'MANDATE_LIMIT_EXCEEDED', hop: 0, check: 'limits' },
      );
      // And the default verifier is not affected by the strict one in turn.
      expect(await call(verifierWith(), mandate, { amount: 4 })).toMatchObject({ allowed: true });
    },
  );

  it.each(FORMATS)('a delegation past the limits is denied at its hop in %s', async (format) => {
    const root = await rootWith(format, { amount: { in: FIVE } });
    const child = await delegate(root, { signer: a0, holder: a1.publicJwk, now: NOW });
    const strict = verifierWith({ maxArrayLength: 4 });
    expect(await call(strict, child, { amount: 3 }, a1)).toMatchObject({
      allowed: false,
      code: 'MANDATE_LIMIT_EXCEEDED',
      hop: 0,
      check: 'limits',
    });
  });
});

describe('request bounds (issue 11, finding 6)', () => {
  const GLOB = `*${'a'.repeat(1000)}b`;

  // AAT has no glob (its `wildcard` matches anything): the bound applies to it all the same.
  const constraintFor = (format: Format) =>
    format === 'aat' ? { constraint_type: 'wildcard' } : { glob: GLOB };

  it.each(FORMATS)(
    'regression: the self-delegated glob attack with a 200 KB argument is denied before any matching (%s)',
    async (format) => {
      const mandate = await rootWith(format, { memo: constraintFor(format) });
      const decision = await call(verifierWith(), mandate, { memo: 'a'.repeat(200_000) });
      // An AAT proof carries the arguments themselves (`hta`), within its own 16 KiB bound.
      expect(decision).toMatchObject(
        format === 'aat'
          ? { allowed: false, code: 'MANDATE_PROOF_INVALID', hop: 0, check: 'possession' }
          : { allowed: false, code: 'MANDATE_LIMIT_EXCEEDED', hop: 0, check: 'limits' },
      );
    },
  );

  it.each(['jws', 'biscuit'] as const)(
    'at the limit the same glob is decided (forbidden) in %s',
    async (format) => {
      const mandate = await rootWith(format, { memo: { glob: GLOB } });
      const value = 'a'.repeat(65_536);
      expect(await call(verifierWith(), mandate, { memo: value })).toMatchObject({
        allowed: false,
        code: 'MANDATE_FORBIDDEN',
        check: 'authorize',
      });
      expect(await call(verifierWith(), mandate, { memo: `${value.slice(1)}b` })).toMatchObject({
        allowed: true,
      });
    },
  );

  it('a configured bound applies: longer strings allowed when raised, shorter refused when lowered', async () => {
    const mandate = await rootWith('jws', { memo: { glob: '*' } });
    const long = 'x'.repeat(100_000);
    expect(
      await call(verifierWith({ maxRequestStringLength: 200_000 }), mandate, { memo: long }),
    ).toMatchObject({ allowed: true });
    expect(
      await call(verifierWith({ maxRequestStringLength: 8 }), mandate, { memo: 'x'.repeat(9) }),
    ).toMatchObject({ allowed: false, code: 'MANDATE_LIMIT_EXCEEDED', hop: 0, check: 'limits' });
  });

  it('bounds the arguments as a whole: many small values past maxRequestSize are refused', async () => {
    const mandate = await rootWith('jws', { memo: { glob: '*' } });
    const verifier = verifierWith({ maxRequestSize: 1000 });
    expect(await call(verifier, mandate, { memo: 'x'.repeat(900) })).toMatchObject({
      allowed: true,
    });
    expect(await call(verifier, mandate, { memo: 'x'.repeat(1000) })).toMatchObject({
      allowed: false,
      code: 'MANDATE_LIMIT_EXCEEDED',
      hop: 0,
      check: 'limits',
    });
    // A long array is refused before its elements are read (no proof: the bound alone).
    const decision = await verifierWith({ maxRequestSize: 1000 }, false).verify(mandate, {
      action: toolAction(TOOL, { memo: new Array(10_000_000).fill(0) }),
    });
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_LIMIT_EXCEEDED',
      hop: 0,
      check: 'limits',
    });
  });

  /** `n` numbered arguments: `n + 1` JSON values with the arguments object. */
  const numbered = (n: number): Record<string, number> =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, i]));

  /** The denial of arguments past `maxRequestValues`. */
  const tooManyValues = (limit: number) => ({
    allowed: false,
    code: 'MANDATE_LIMIT_EXCEEDED',
    hop: 0,
    check: 'limits',
    detail: { reason: 'request-values', limit },
  });

  it.each(['jws', 'biscuit'] as const)(
    'maxRequestValues (default 4,096): at the limit allowed, one past denied after the proof signature in %s',
    async (format) => {
      const mandate = await rootWith(format, {});
      // 4,095 members and the arguments object: 4,096 values, exactly the default.
      expect(await call(verifierWith(), mandate, numbered(4095))).toMatchObject({
        allowed: true,
      });
      expect(await call(verifierWith(), mandate, numbered(4096))).toMatchObject(
        tooManyValues(4096),
      );
    },
  );

  it('maxRequestValues counts nested values (elements, members, at any depth), and applies as configured', async () => {
    // No constraints: any arguments are allowed, so only the bound decides.
    const mandate = await rootWith('jws', {});
    const verifier = verifierWith({ maxRequestValues: 8 });
    // 1 (arguments) + memo + list + 3 elements + nested + its one member = 8.
    const at = { memo: 'x', list: [1, 2, 3], nested: { deep: null } };
    const atDecision = await call(verifier, mandate, at);
    expect(atDecision, JSON.stringify(atDecision)).toMatchObject({ allowed: true });
    const past = { ...at, nested: { deep: null, deeper: true } };
    expect(await call(verifier, mandate, past)).toMatchObject(tooManyValues(8));
    // Raised, the same arguments are allowed: the bound is the verifier's.
    expect(await call(verifierWith({ maxRequestValues: 9 }), mandate, past)).toMatchObject({
      allowed: true,
    });
    // Without a proof, rule 9 checks the same bound before any matching.
    const decision = await verifierWith({ maxRequestValues: 8 }, false).verify(mandate, {
      action: toolAction(TOOL, past),
    });
    expect(decision).toMatchObject(tooManyValues(8));
  });

  it('hostile: 100,000 arguments with a genuine proof are refused with the coded denial', async () => {
    const mandate = await rootWith('jws', {});
    expect(await call(verifierWith(), mandate, numbered(100_000))).toMatchObject({
      ...tooManyValues(4096),
      detail: { path: 'action.args', reason: 'request-values', limit: 4096 },
    });
  });

  it('a request that cannot be read is MANDATE_MALFORMED, never a throw', async () => {
    const mandate = await rootWith('jws', { memo: { glob: '*' } });
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no');
        },
      },
    );
    const decision = await verifierWith(undefined, false).verify(mandate, {
      action: { resource: toolResource(TOOL), action: 'call', args: hostile },
    });
    expect(decision).toMatchObject({
      allowed: false,
      code: 'MANDATE_MALFORMED',
      hop: 0,
      check: 'authorize',
    });
  });
});
