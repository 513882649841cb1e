/**
 * One delegation hop's narrowing check runs under one work budget (issue 18): a hop whose
 * check needs more is refused by `delegate` and denied by the verifier alike, with the same
 * `{ code, hop, check }` and `detail.reason: 'work-budget'`, and a hop that fits is allowed.
 */
import { describe, expect, it } from 'vitest';
import {
  createVerifier,
  delegate,
  generateKeyPair,
  mint,
  toolResource,
  type Capability,
  type CapabilityInput,
  type Constraint,
} from '../../../src/index.js';
import { MandateError } from '../../../src/core/errors.js';
import { forgeLeafCapabilities } from '../../../src/testing/forge.js';

const SERVICE = 'https://tools.example';
const ANCHOR = 'anchor';
const SEND = { resource: toolResource('send'), actions: ['call'] };

/** `any` of `n` globs; `pattern(i)` gives each. */
const anyOf = (n: number, pattern: (i: number) => string): Constraint => ({
  constraint_type: 'any',
  constraints: Array.from({ length: n }, (_, i) => ({
    constraint_type: 'glob',
    pattern: pattern(i),
  })),
});

// Each child glob a?a?…i is included in the parent's *a*a*…i, but showing it explores far
// more automaton states than one hop's budget allows: the check cannot finish.
const PARENT = anyOf(4, (i) => `*${'a*'.repeat(64)}${i}`);
const CHILD = anyOf(4, (i) => `${'a?'.repeat(64)}${i}`);

describe('the per-hop work budget', async () => {
  const [anchor, holder] = await Promise.all([generateKeyPair(), generateKeyPair()]);
  const verifier = createVerifier({
    trustAnchors: [{ id: ANCHOR, publicJwk: anchor.publicJwk }],
    audience: SERVICE,
  });
  const root = await mint({
    issuer: anchor,
    issuerId: ANCHOR,
    subject: 'alice',
    holder: holder.publicJwk,
    capabilities: [{ ...SEND, constraints: { memo: PARENT } }] as CapabilityInput[],
    audience: SERVICE,
    expiresIn: 600,
  });
  const send = { resource: SEND.resource, action: 'call', args: { memo: 'a0' } } as never;

  it('a hop past the budget: delegate refuses it and the verifier denies it alike', async () => {
    const child = [{ ...SEND, constraints: { memo: CHILD } }] as Capability[];
    let refused: unknown;
    try {
      await delegate(root, { signer: holder, holder: holder.publicJwk, capabilities: child });
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(MandateError);
    const e = refused as MandateError;
    expect({ code: e.code, hop: e.hop, check: e.check }).toEqual({
      code: 'MANDATE_WIDENED',
      hop: 1,
      check: 'narrowing',
    });
    expect(e.detail).toMatchObject({ field: 'capabilities', reason: 'work-budget' });
    expect(e.message).toMatch(/work budget/);

    // The same hop, signed without delegate's check: the verifier's rule 4 says the same.
    const genuine = await delegate(root, {
      signer: holder,
      holder: holder.publicJwk,
      capabilities: [],
    });
    const forged = await forgeLeafCapabilities(genuine, child, [anchor, holder]);
    const decision = await verifier.verify(forged, { action: send });
    // The decision reports what `delegate`'s error does, less the AAT step label.
    const { step: _step, ...detail } = e.detail;
    expect(decision).toMatchObject({
      allowed: false,
      code: e.code,
      hop: e.hop,
      check: e.check,
      detail,
    });
  });

  it('the same shape within the budget is a genuine delegation', async () => {
    const small = anyOf(4, (i) => `${'a'.repeat(64)}${i}`);
    await expect(
      delegate(root, {
        signer: holder,
        holder: holder.publicJwk,
        capabilities: [{ ...SEND, constraints: { memo: small } }] as Capability[],
      }),
    ).resolves.toBeDefined();
  });
});
