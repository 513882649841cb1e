/**
 * Approvals over real HTTP on loopback (node:http, Hono, Express): a payment over 200 is
 * refused 403 `approval_required` with the call to approve, the user approves it, the retried
 * call (with `Mandate-Approval`) runs; the same approval again, or one for another amount, is
 * refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalNeeded, approve, type KeyPair, type Mandate } from '../../../src/index.js';
import { APPROVAL_HEADER, createMandateFetch } from '../../../src/adapters/http/index.js';
import { FRAMEWORKS, ROUTES, start, type Running } from './servers.js';
import { PAYMENTS, serviceGrant, type ServiceGrant } from '../../helpers/billing.js';

let agent: KeyPair;
let user: KeyPair;
let mandate: Mandate;
let verifier: ServiceGrant['verifier'];

beforeAll(async () => {
  ({
    agent,
    other: user,
    mandate,
    verifier,
  } = await serviceGrant({
    capabilities: [
      { resource: 'billing:invoices/**', actions: ['pay'], constraints: { amount: { max: 1000 } } },
    ],
    approvals: [
      {
        resource: 'billing:invoices/**',
        actions: ['pay'],
        when: { amount: { constraint_type: 'range', min: 200, min_inclusive: false } },
        approvers: ['user'],
      },
    ],
  }));
});

describe.each(FRAMEWORKS)('approvals over HTTP (%s)', (framework) => {
  let server: Running;
  beforeAll(async () => {
    server = await start(framework, {
      verifier: verifier({
        userKeys: (subject) => (subject === 'alice' ? [user.publicJwk] : []),
      }),
      routes: ROUTES,
    });
  });
  afterAll(() => server.close());

  const payWith = (amount: number, approvals: readonly string[] = []) => {
    const send = createMandateFetch({ mandate, signer: agent });
    const headers = new Headers({ 'content-type': 'application/json' });
    for (const approval of approvals) headers.append(APPROVAL_HEADER, approval);
    return send(`${server.origin}/invoices/2026-03/pay`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ amount }),
    });
  };

  it('refuses, then runs the approved retry once; another amount is refused', async () => {
    const small = await payWith(150);
    expect(small.status).toBe(200);

    const refused = await payWith(250);
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      error: 'approval_required',
      code: 'MANDATE_APPROVAL_REQUIRED',
      hop: 0,
      check: 'authorize',
    });
    const needed = approvalNeeded(body);
    expect(needed).toMatchObject({
      missing: 1,
      approvers: ['user'],
      call: { audience: PAYMENTS, action: 'pay', args: { amount: 250 } },
    });

    const approval = await approve(needed!.call, user);
    const retried = await payWith(250, [approval]);
    expect(retried.status).toBe(200);

    const replayed = await payWith(250, [approval]);
    expect(replayed.status).toBe(403);
    expect(await replayed.json()).toMatchObject({
      error: 'invalid_approval',
      code: 'MANDATE_APPROVAL_REPLAYED',
      check: 'authorize',
      hop: 0,
    });

    const other = await approve({ ...needed!.call, args: { amount: 300 } }, user);
    const mismatched = await payWith(250, [other]);
    expect(mismatched.status).toBe(403);
    expect(await mismatched.json()).toMatchObject({
      code: 'MANDATE_APPROVAL_MISMATCH',
      check: 'authorize',
      hop: 0,
    });
  });
});
