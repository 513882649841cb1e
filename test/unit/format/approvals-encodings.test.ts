/**
 * Approval requirements in every encoding: carried, read back identically, enforced alike;
 * in AAT as a critical header parameter and in Biscuit behind a check, so that a verifier
 * that does not know the extension refuses the token rather than ignoring the requirement.
 */
import { describe, expect, it } from 'vitest';
import {
  approvalCall,
  approve,
  createVerifier,
  delegate,
  mint,
  parseMandate,
  prove,
  toolAction,
  type Format,
} from '../../../src/index.js';
import {
  ANCHOR_ID,
  AUDIENCE,
  NOW,
  approvalChain,
  approvalVerifier,
  callWith,
  createApprovalWorld,
  pay,
} from '../../helpers/approval-world.js';
import { createPublicKey } from 'node:crypto';
import { withBiscuit } from '../../../src/format/biscuit/wasm.js';
import { fromTokenText } from '../../../src/format/biscuit/token.js';
import { requestCode } from '../../../src/format/biscuit/request-facts.js';
import { sealMandate } from '../../../src/format/seal.js';
import { ENFORCES_APPROVALS_FACT } from '../../../src/format/biscuit/approvals.js';

const world = await createApprovalWorld();
const [a0, a1] = world.agents;

describe.each(['jws', 'biscuit'] as const)('approval requirements in %s', (format: Format) => {
  it('round-trip, are inherited by delegation, and are enforced', async () => {
    const root = await approvalChain(world, 0, format);
    const mandate = await approvalChain(world, 1, format);
    const jws = await approvalChain(world, 1, 'jws');
    expect(mandate.blocks[0]?.approvals).toEqual(jws.blocks[0]?.approvals);
    expect(mandate.blocks[1]?.approvals).toEqual(root.blocks[0]?.approvals);
    const verifier = approvalVerifier(world);
    expect(await callWith(verifier, mandate, a1, pay(250))).toMatchObject({
      code: 'MANDATE_APPROVAL_REQUIRED',
      hop: 0,
      check: 'authorize',
    });
    const approval = await approve(await approvalCall(mandate, { action: pay(250) }), world.user, {
      now: NOW,
    });
    expect(await callWith(verifier, mandate, a1, pay(250), [approval])).toMatchObject({
      allowed: true,
      approvedBy: [world.user.id],
    });
  });

  it('delegate refuses to drop them', async () => {
    const mandate = await approvalChain(world, 0, format);
    await expect(
      delegate(mandate, { signer: a0, holder: a1.publicJwk, now: NOW, approvals: [] }),
    ).rejects.toMatchObject({ code: 'MANDATE_WIDENED', hop: 1, check: 'narrowing' });
  });
});

describe('approval requirements in AAT', () => {
  const tool = { resource: 'tool:pay', actions: ['call'], constraints: { amount: { max: 1000 } } };
  const requirement = {
    resource: 'tool:pay',
    actions: ['call'],
    when: { amount: { constraint_type: 'range' as const, min: 200, min_inclusive: false } },
    approvers: ['user'],
  };
  const aatRoot = () =>
    mint({
      issuer: world.anchor,
      issuerId: ANCHOR_ID,
      holder: a0.publicJwk,
      capabilities: [tool],
      approvals: [requirement],
      expiresIn: 600,
      audience: AUDIENCE,
      now: NOW,
      format: 'aat',
    });

  it('travel as the critical header parameter mandate_approvals', async () => {
    const mandate = await aatRoot();
    const header = JSON.parse(Buffer.from(mandate.token.split('.')[0]!, 'base64url').toString());
    expect(header).toMatchObject({ crit: ['mandate_approvals'] });
    expect(header.mandate_approvals).toEqual((await parseMandate(mandate)).blocks[0]?.approvals);
    const plain = await mint({
      issuer: world.anchor,
      issuerId: ANCHOR_ID,
      holder: a0.publicJwk,
      capabilities: [tool],
      expiresIn: 600,
      now: NOW,
      format: 'aat',
    });
    const plainHeader = JSON.parse(Buffer.from(plain.token.split('.')[0]!, 'base64url').toString());
    expect(plainHeader).not.toHaveProperty('crit');
  });

  it('are enforced in the AAT rule order, approvals last', async () => {
    const root = await aatRoot();
    const mandate = await delegate(root, { signer: a0, holder: a1.publicJwk, now: NOW });
    const verifier = createVerifier({
      trustAnchors: [{ id: ANCHOR_ID, publicJwk: world.anchor.publicJwk }],
      audience: AUDIENCE,
      clock: () => NOW,
      userKeys: () => [world.user.publicJwk],
    });
    const request = { tool: 'pay', args: { amount: 250 } };
    const send = async (approvals?: string[]) =>
      verifier.verify(mandate, {
        proof: await prove(mandate, { signer: a1, request, now: NOW }),
        request,
        ...(approvals === undefined ? {} : { approvals }),
      });
    expect(await send()).toMatchObject({
      code: 'MANDATE_APPROVAL_REQUIRED',
      hop: 0,
      check: 'authorize',
    });
    const call = await approvalCall(mandate, { request });
    expect(call).toMatchObject({ ...toolAction('pay', { amount: 250 }), audience: AUDIENCE });
    const approval = await approve(call, world.user, { now: NOW });
    expect(await send([approval])).toMatchObject({ allowed: true });
    // A bad proof is denied before the approval is used: it stays good for the retry.
    const fresh = await approve(call, world.user, { now: NOW });
    expect(
      await verifier.verify(mandate, { proof: 'x.y.z', request, approvals: [fresh] }),
    ).toMatchObject({ allowed: false, check: 'possession' });
    expect(await send([fresh])).toMatchObject({ allowed: true });
  });

  it('a crit naming anything else, or crit without the parameter, is malformed', async () => {
    const mandate = await aatRoot();
    const [h, p, s] = mandate.token.split('.');
    const header = JSON.parse(Buffer.from(h!, 'base64url').toString());
    for (const changed of [
      { ...header, crit: ['exp'] },
      { ...header, mandate_approvals: undefined },
    ]) {
      const token = `${Buffer.from(JSON.stringify(changed)).toString('base64url')}.${p}.${s}`;
      await expect(parseMandate(token)).rejects.toMatchObject({
        code: 'MANDATE_MALFORMED',
        hop: 0,
        detail: { step: '3a' },
      });
    }
  });
});

describe('approval requirements in Biscuit', () => {
  it('a plain Biscuit authorizer that does not enforce them refuses the token; one that does allows it', async () => {
    // Layout 2: a standard Biscuit verifier reads a token its last holder has sealed.
    const mandate = await sealMandate(await approvalChain(world, 1, 'biscuit'), { signer: a1 });
    const anchorKey = createPublicKey({ key: world.anchor.publicJwk, format: 'jwk' });
    const rootRaw = Buffer.from(anchorKey.export({ format: 'jwk' }).x ?? '', 'base64url');
    const run = (enforces: boolean) =>
      withBiscuit((api, scope) => {
        const key = scope.own(api.PublicKey.fromBytes(rootRaw, 0));
        const token = scope.own(api.Biscuit.fromBytes(fromTokenText(mandate.token), key));
        const builder = scope.own(new api.AuthorizerBuilder());
        const code = requestCode(
          {
            resource: 'billing:invoices/2026-03',
            operation: 'pay',
            service: AUDIENCE,
            times: [NOW],
          },
          8,
        );
        const source = enforces ? `${ENFORCES_APPROVALS_FACT}\n${code.source}` : code.source;
        builder.addCodeWithParameters(source, code.parameters, {});
        try {
          return scope
            .own(builder.buildAuthenticated(token))
            .authorizeWithLimits({ max_time_micro: 1_000_000 });
        } catch (error) {
          return JSON.stringify(error);
        }
      });
    expect(await run(true)).toBe(0);
    expect(await run(false)).toMatch(/"block_id":0/);
  });
});
