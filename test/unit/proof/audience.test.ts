/**
 * Issue 11, finding 4: a tool-call proof is bound to the service it is sent to. A mandate
 * whose audience names two tool services, A and B, each with its own verifier and replay
 * store: a proof made for A is accepted by A and refused by B, in every encoding (JWS and
 * Biscuit invocation proofs carry `aud`, AAT proofs `aat_aud`). A proof that names no service
 * is refused when the chain names several, and `prove` refuses to make one.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createVerifier,
  MemoryReplayStore,
  mint,
  prove,
  toolResource,
  type Format,
  type Mandate,
} from '../../../src/index.js';
import { ANCHOR_ID, NOW, createWorld, type World } from '../../helpers/fixture.js';
import { decodeJws, forgeJws } from '../../helpers/forge.js';

const TOOL_A = 'https://tool-a.test';
const TOOL_B = 'https://tool-b.test';
const ARGS = { invoice: 'inv-1', amount: 10 };

/** The action each format authorizes for the tool call `pay_invoice(ARGS)`. */
function actionFor(format: Format) {
  return format === 'aat'
    ? { resource: toolResource('pay_invoice'), action: 'call', args: ARGS }
    : { resource: 'billing:invoices/inv-1', action: 'pay', args: ARGS };
}

const REQUEST = { tool: 'pay_invoice', args: ARGS } as const;

function serviceVerifier(world: World, audience: string) {
  return createVerifier({
    trustAnchors: [{ id: ANCHOR_ID, publicJwk: world.anchor.publicJwk }],
    audience,
    clock: () => NOW,
    // Each service has its own replay store, as two processes would.
    replay: new MemoryReplayStore(),
  });
}

async function mintFor(world: World, format: Format, audience: string | string[]) {
  return mint({
    format,
    issuer: world.anchor,
    issuerId: ANCHOR_ID,
    ...(format === 'aat' ? {} : { subject: 'alice' }),
    holder: world.agents[0].publicJwk,
    capabilities:
      format === 'aat'
        ? [{ resource: toolResource('pay_invoice'), actions: ['call'] }]
        : [{ resource: 'billing:invoices/**', actions: ['pay'] }],
    expiresIn: 600,
    audience,
    now: NOW - 10,
  });
}

/** The proof with its audience claim removed and re-signed by the genuine holder. */
function withoutAudience(world: World, proof: string): string {
  const { header, payload } = decodeJws(proof);
  const claims = { ...payload };
  delete claims['aud'];
  delete claims['aat_aud'];
  return forgeJws(world.agents[0], header, claims);
}

describe.each(['jws', 'biscuit', 'aat'] as const)(
  'issue 11 finding 4 (%s): a tool-call proof made for one service is refused by another',
  (format) => {
    let world: World;
    let both: Mandate;
    const audienceClaim = format === 'aat' ? 'aat_aud' : 'aud';

    beforeAll(async () => {
      world = await createWorld();
      both = await mintFor(world, format, [TOOL_A, TOOL_B]);
    });

    it('the proof for A is accepted by A and denied by B (audience mismatch)', async () => {
      const proof = await prove(both, {
        signer: world.agents[0],
        request: REQUEST,
        now: NOW,
        audience: TOOL_A,
      });
      expect(decodeJws(proof).payload).toMatchObject({ [audienceClaim]: TOOL_A });
      const action = actionFor(format);
      const atB = await serviceVerifier(world, TOOL_B).verify(both, {
        action,
        proof,
        request: REQUEST,
      });
      expect(atB).toMatchObject({
        allowed: false,
        code: 'MANDATE_PROOF_INVALID',
        check: 'possession',
        hop: 0,
        detail: { reason: 'audience-mismatch', path: `proof.${audienceClaim}` },
      });
      const atA = await serviceVerifier(world, TOOL_A).verify(both, {
        action,
        proof,
        request: REQUEST,
      });
      expect(atA).toMatchObject({ allowed: true });
    });

    it('prove refuses to make a proof for no service in particular', async () => {
      await expect(
        prove(both, { signer: world.agents[0], request: REQUEST, now: NOW }),
      ).rejects.toThrow(TypeError);
    });

    it('a proof naming no service is denied when the chain names several', async () => {
      const named = await prove(both, {
        signer: world.agents[0],
        request: REQUEST,
        now: NOW,
        audience: TOOL_A,
      });
      const proof = withoutAudience(world, named);
      const decision = await serviceVerifier(world, TOOL_A).verify(both, {
        action: actionFor(format),
        proof,
        request: REQUEST,
      });
      expect(decision).toMatchObject({
        allowed: false,
        code: 'MANDATE_PROOF_INVALID',
        check: 'possession',
        hop: 0,
        detail: { reason: 'audience-missing' },
      });
    });

    it('a mandate for one service: the proof names it by default and is accepted there', async () => {
      const one = await mintFor(world, format, TOOL_A);
      const proof = await prove(one, { signer: world.agents[0], request: REQUEST, now: NOW });
      expect(decodeJws(proof).payload).toMatchObject({ [audienceClaim]: TOOL_A });
      const decision = await serviceVerifier(world, TOOL_A).verify(one, {
        action: actionFor(format),
        proof,
        request: REQUEST,
      });
      expect(decision).toMatchObject({ allowed: true });
    });
  },
);
