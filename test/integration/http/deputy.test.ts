/**
 * The deputy helper over real HTTP: an agent holding a caller's mandate calls a service with a
 * block narrowed to exactly that call, and cannot spend more than the caller could.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createVerifier,
  generateKeyPair,
  parseMandate,
  prove,
  type KeyPair,
  type Mandate,
} from '../../../src/index.js';
import { httpTarget } from '../../../src/adapters/http/index.js';
import { ROUTES, start, type Running } from './servers.js';
import { AS, aliceRoot, billingOwnOf, keyPairs, toBillingOf } from '../../helpers/billing.js';
import { createDeputy } from '../../../src/proof/deputy.js';

const SERVICE = 'https://payments.test';

let anchor: KeyPair;
let orchestrator: KeyPair;
let billing: KeyPair;
let toBilling: Mandate;
let billingOwn: Mandate;
let server: Running;
const audit: unknown[] = [];

beforeAll(async () => {
  [anchor, orchestrator, billing] = await keyPairs(3);
  const root = await aliceRoot(anchor, orchestrator, [SERVICE, 'https://other.test']);
  toBilling = await toBillingOf(root, orchestrator, billing);
  billingOwn = await billingOwnOf(anchor, billing, SERVICE);
  server = await start('node', {
    verifier: createVerifier({
      trustAnchors: [{ id: AS, publicJwk: anchor.publicJwk }],
      audience: SERVICE,
    }),
    routes: ROUTES,
    audit: (record) => audit.push(record),
  });
});
afterAll(() => server.close());

function payTarget(invoice: string) {
  return httpTarget({ url: `${server.origin}/invoices/${invoice}/pay`, audience: SERVICE });
}

describe('createDeputy', () => {
  it('narrows to exactly one call: one resource, one action, pinned args, target audience, no depth', async () => {
    const deputy = createDeputy({ mandate: toBilling, signer: billing, expiresIn: 30 });
    const call = await deputy.narrow(
      { audience: SERVICE },
      { resource: 'billing:invoices/2026-03', action: 'pay' },
      { amount: 120 },
    );
    const blocks = (await parseMandate(call.mandate.token)).blocks;
    const last = blocks[blocks.length - 1]!;
    expect(blocks).toHaveLength(3);
    expect(last.capabilities).toEqual([
      {
        resource: 'billing:invoices/2026-03',
        actions: ['pay'],
        constraints: { amount: { constraint_type: 'exact', value: 120 } },
      },
    ]);
    expect(last.audience).toEqual([SERVICE]);
    expect(last.maxDepth - last.depth).toBe(0);
    expect(last.expiresAt - last.issuedAt).toBeLessThanOrEqual(30);
    expect(last.holder).toBe(call.signer.id);
    expect(call.signer.id).not.toBe(billing.id);
  });

  it('calls the service with the narrowed mandate and a fresh proof', async () => {
    const deputy = createDeputy({ mandate: toBilling, signer: billing });
    const res = await deputy.call(
      payTarget('2026-03'),
      { resource: 'billing:invoices/2026-03', action: 'pay' },
      { amount: 120 },
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { user: string; chain: string[] };
    expect(body.user).toBe('alice');
    expect(body.chain).toHaveLength(4);
    expect(audit.at(-1)).toMatchObject({
      result: 'allowed',
      user: 'alice',
      action: { resource: 'billing:invoices/2026-03', action: 'pay', args: ['amount'] },
    });
  });

  it("refuses, before sending, a call outside the caller's mandate, even when the agent's own grant allows it", async () => {
    const deputy = createDeputy({ mandate: toBilling, signer: billing });
    await expect(
      deputy.call(
        payTarget('2026-04'),
        { resource: 'billing:invoices/2026-04', action: 'pay' },
        { amount: 120 },
      ),
    ).rejects.toMatchObject({ code: 'MANDATE_WIDENED' });
    await expect(
      deputy.narrow(
        { audience: 'https://elsewhere.test' },
        { resource: 'billing:invoices/2026-03', action: 'pay' },
        { amount: 1 },
      ),
    ).rejects.toMatchObject({ code: 'MANDATE_WIDENED' });
    // The agent's own grant would have covered 2026-04: the deputy never reaches for it.
    const own = createDeputy({ mandate: billingOwn, signer: billing });
    const res = await own.call(
      payTarget('2026-04'),
      { resource: 'billing:invoices/2026-04', action: 'pay' },
      { amount: 120 },
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: string }).user).toBe('svc:billing');
  });

  it('a narrowed mandate is good for its one call only: other args, other resource, other service', async () => {
    const deputy = createDeputy({ mandate: toBilling, signer: billing });
    const call = await deputy.narrow(
      { audience: SERVICE },
      { resource: 'billing:invoices/2026-03', action: 'pay' },
      { amount: 120 },
    );
    const url = `${server.origin}/invoices/2026-03/pay`;
    const send = async (amount: number) => {
      const proof = await prove(call.mandate, {
        signer: call.signer,
        request: { method: 'POST', url },
      });
      return fetch(url, {
        method: 'POST',
        headers: {
          authorization: `DPoP ${call.mandate.token}`,
          dpop: proof,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ amount }),
      });
    };
    const more = await send(121);
    expect(more.status).toBe(403);
    expect(await more.json()).toMatchObject({ code: 'MANDATE_FORBIDDEN', hop: 2 });
    const elsewhere = createVerifier({
      trustAnchors: [{ id: AS, publicJwk: anchor.publicJwk }],
      audience: 'https://other.test',
    });
    const request = { method: 'POST', url: 'https://other.test/x' };
    const decision = await elsewhere.verify(call.mandate, {
      action: call.action,
      request,
      proof: await prove(call.mandate, { signer: call.signer, request }),
    });
    expect(decision).toMatchObject({ allowed: false, code: 'MANDATE_AUDIENCE', hop: 2 });
  });

  it('grants a narrower mandate to another agent', async () => {
    const runner = await generateKeyPair();
    const deputy = createDeputy({ mandate: toBilling, signer: billing });
    const granted = await deputy.grant(runner.publicJwk, {
      capabilities: [
        {
          resource: 'billing:invoices/2026-03',
          actions: ['pay'],
          constraints: { amount: { max: 50 } },
        },
      ],
    });
    expect(granted.holder).toBe(runner.id);
    await expect(
      deputy.grant(runner.publicJwk, {
        capabilities: [{ resource: 'billing:invoices/**', actions: ['pay'] }],
      }),
    ).rejects.toMatchObject({ code: 'MANDATE_WIDENED' });
  });

  it('rejects misuse with TypeError', () => {
    expect(() => createDeputy({ mandate: 42 as never, signer: billing })).toThrow(TypeError);
  });
});
