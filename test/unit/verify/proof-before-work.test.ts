/**
 * Issue 11, finding 7: with a garbage proof, 2 million tool arguments cost 1.2 s of
 * canonicalisation before the `MANDATE_PROOF_INVALID` denial. Work that grows with the
 * request (RFC 8785 canonicalisation of the arguments, their authorization) now runs only
 * after the proof's signature verifies. The steps are counted: a proof with a bad signature
 * is denied with no such step at all, in every encoding (AAT, whose rule order authorizes
 * before the proof, checks the proof's signature first). Timings are in
 * `bench/adversarial.bench.ts`.
 */
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as capability from '../../../src/core/capability.js';
import * as encoding from '../../../src/core/encoding.js';
import {
  createVerifier,
  mint,
  prove,
  toolResource,
  type Format,
  type Mandate,
} from '../../../src/index.js';
import { ANCHOR_ID, AUDIENCE, NOW, createWorld, type World } from '../../helpers/fixture.js';
import { flipSignatureBit } from '../../helpers/forge.js';

vi.mock('../../../src/core/encoding.js', async (importOriginal) => {
  const original = await importOriginal<typeof encoding>();
  return { ...original, canonicalJson: vi.fn(original.canonicalJson) };
});
vi.mock('../../../src/core/capability.js', async (importOriginal) => {
  const original = await importOriginal<typeof capability>();
  return { ...original, authorizeEach: vi.fn(original.authorizeEach) };
});

// Within the authorizer's own bound on JSON nodes (100,000) and the verifier's raised
// `maxRequestValues` (below), so the genuine call is allowed.
const MANY = 50_000;
function argsOf(count: number): Record<string, number> {
  const args: Record<string, number> = {};
  for (let i = 0; i < count; i++) args[`a${i}`] = i;
  return args;
}
const ARGS = argsOf(MANY);
// An AAT proof carries the arguments themselves (`hta`) within its 16 KiB bound, so the
// genuine AAT call is smaller; the attack's arguments are as large in every format.
const GENUINE = { jws: MANY, biscuit: MANY, aat: 500 } as const;

/** Steps proportional to the request: canonicalising its arguments, authorizing the call. */
function requestSizedSteps(size: number): number {
  const canonicalised = vi
    .mocked(encoding.canonicalJson)
    .mock.calls.filter(
      ([value]) => typeof value === 'object' && value !== null && Object.keys(value).length >= size,
    ).length;
  return canonicalised + vi.mocked(capability.authorizeEach).mock.calls.length;
}

function actionFor(format: Format, args: Record<string, number>) {
  return format === 'aat'
    ? { resource: toolResource('export'), action: 'call', args }
    : { resource: 'data:export', action: 'run', args };
}

describe.each(['jws', 'biscuit', 'aat'] as const)(
  'issue 11 finding 7 (%s): no request-sized work before the proof signature verifies',
  (format) => {
    let world: World;
    let mandate: Mandate;
    let proof: string;
    let genuine: { readonly tool: string; readonly args: Record<string, number> };
    let verifier: ReturnType<typeof createVerifier>;

    beforeAll(async () => {
      world = await createWorld();
      mandate = await mint({
        format,
        issuer: world.anchor,
        issuerId: ANCHOR_ID,
        ...(format === 'aat' ? {} : { subject: 'alice' }),
        holder: world.agents[0].publicJwk,
        capabilities: [
          format === 'aat'
            ? { resource: toolResource('export'), actions: ['call'] }
            : { resource: 'data:export', actions: ['run'] },
        ],
        audience: AUDIENCE,
        expiresIn: 600,
        now: NOW - 10,
      });
      genuine = { tool: 'export', args: argsOf(GENUINE[format]) };
      proof = await prove(mandate, { signer: world.agents[0], request: genuine, now: NOW });
      verifier = createVerifier({
        trustAnchors: [{ id: ANCHOR_ID, publicJwk: world.anchor.publicJwk }],
        audience: AUDIENCE,
        clock: () => NOW,
        // Past the default (4,096 values): this test is about order, not the bound.
        limits: { maxRequestValues: 2 * MANY },
      });
    });

    beforeEach(() => {
      vi.mocked(encoding.canonicalJson).mockClear();
      vi.mocked(capability.authorizeEach).mockClear();
    });

    it('a proof with a bad signature: denied after zero request-sized steps', async () => {
      // The genuine proof with one bit of its signature flipped, sent with huge arguments.
      const decision = await verifier.verify(mandate, {
        action: actionFor(format, ARGS),
        proof: flipSignatureBit(proof),
        request: { tool: 'export', args: ARGS },
      });
      expect(decision).toMatchObject({
        allowed: false,
        code: 'MANDATE_PROOF_INVALID',
        check: 'possession',
        hop: 0,
      });
      expect(requestSizedSteps(MANY)).toBe(0);
    });

    // AAT's order authorizes before the proof (its bounds come first inside authorization),
    // and its proof carries the arguments within 16 KiB: the case is JWS's and Biscuit's.
    it.runIf(format !== 'aat')(
      'the genuine proof with arguments past maxRequestValues: denied after the signature, before the proof hash or any authorization',
      async () => {
        const strict = createVerifier({
          trustAnchors: [{ id: ANCHOR_ID, publicJwk: world.anchor.publicJwk }],
          audience: AUDIENCE,
          clock: () => NOW,
          // One fewer than the genuine call's values (its MANY arguments and the object).
          limits: { maxRequestValues: MANY },
        });
        const decision = await strict.verify(mandate, {
          action: actionFor(format, genuine.args),
          proof,
          request: genuine,
        });
        expect(decision).toMatchObject({
          allowed: false,
          code: 'MANDATE_LIMIT_EXCEEDED',
          check: 'limits',
          hop: 0,
          detail: { reason: 'request-values', limit: MANY },
        });
        expect(requestSizedSteps(MANY)).toBe(0);
      },
    );

    it('the genuine proof: the same steps are counted, and it is allowed', async () => {
      const decision = await verifier.verify(mandate, {
        action: actionFor(format, genuine.args),
        proof,
        request: genuine,
      });
      expect(decision, JSON.stringify(decision)).toMatchObject({ allowed: true });
      expect(requestSizedSteps(GENUINE[format])).toBeGreaterThan(0);
    });
  },
);
