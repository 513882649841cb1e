/**
 * Finding 13 of issue 11: a grant seen in transit is not a bearer credential. The message that
 * carries a grant is signed by the key that delegated it (the sender proof); an agent on
 * @a2a-js/sdk, over loopback, refuses a grant without it, with someone else's, for another
 * message, another agent, or a second time.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientFactory, type Client } from '@a2a-js/sdk/client';
import type { Message } from '@a2a-js/sdk';
import { mint, type KeyPair, type Mandate } from '../../../src/index.js';
import {
  a2aDenial,
  A2A_META_MANDATE,
  A2A_META_PROOF,
  contentOf,
  grantMetadata,
  proveSender,
  sendWithGrant,
  SENDER_TOOL,
} from '../../../src/adapters/a2a/index.js';
import { signProof } from '../../../src/proof/prove.js';
import { accessTokenHash, argsHash } from '../../../src/proof/request.js';
import { prepareSigner } from '../../../src/identity/keys.js';
import {
  BILLING,
  GRANT,
  payMessage,
  sendRaw as sendTo,
  startBillingAgent,
  type RunningAgent,
} from './agent.js';
import { AS, aliceRoot, keyPairs } from '../../helpers/billing.js';
import { TYP } from '../../../src/core/typ.js';
import { createDeputy } from '../../../src/proof/deputy.js';

let anchor: KeyPair;
let orchestrator: KeyPair;
let billingKey: KeyPair;
let provider: KeyPair;
let thief: KeyPair;
let root: Mandate;
let agent: RunningAgent;
let client: Client;
let runs = 0;

beforeAll(async () => {
  [anchor, orchestrator, billingKey, provider, thief] = await keyPairs(5);
  root = await aliceRoot(anchor, orchestrator, BILLING);
  agent = await startBillingAgent({
    key: billingKey,
    provider,
    anchor,
    ran: () => (runs += 1),
  });
  client = await new ClientFactory().createFromUrl(agent.origin);
});
afterAll(() => agent?.close());

type Outgoing = Omit<Message, 'metadata'>;

/** A message asking to pay invoice 2026-03. */
function payFor(amount: number, messageId?: string): Outgoing {
  return payMessage('2026-03', amount, messageId);
}

const sendRaw = (message: Outgoing, metadata: Record<string, unknown>) =>
  sendTo(client, message, metadata);

function freshGrant(): Promise<Mandate> {
  return createDeputy({ mandate: root, signer: orchestrator }).grant(billingKey.publicJwk, GRANT);
}

/** The genuine sender's message: the grant and the orchestrator's sender proof. */
async function genuine(grant: Mandate, message: Outgoing, audience = BILLING) {
  const proof = await proveSender(grant, {
    signer: orchestrator,
    request: { audience, message: message.messageId, content: contentOf(message) },
  });
  return grantMetadata(grant, proof);
}

/** A sender proof signed by hand with any key (`proveSender` refuses a non-delegator). */
function handSigned(
  signer: KeyPair,
  grant: Mandate,
  message: Outgoing,
  overrides: { typ?: string; iat?: number } = {},
): string {
  const args = { message_id: message.messageId, content: contentOf(message) };
  return signProof(prepareSigner(signer), (overrides.typ ?? TYP.sender) as typeof TYP.sender, {
    jti: randomUUID(),
    tool: SENDER_TOOL,
    args_hash: argsHash(args),
    iat: overrides.iat ?? Math.floor(Date.now() / 1000),
    ath: accessTokenHash(grant.token),
    aud: BILLING,
  });
}

async function expectDenied(
  result: Promise<unknown>,
  expected: { code: string; hop: number },
): Promise<void> {
  const before = runs;
  expect(a2aDenial(await result)).toMatchObject({ ...expected, check: 'possession' });
  expect(runs).toBe(before);
}

describe('A2A sender proof (issue 11, finding 13)', () => {
  it('genuine: the delegator signs the message; the agent acts once', async () => {
    const before = runs;
    const result = await sendWithGrant(client, payFor(120), {
      deputy: createDeputy({ mandate: root, signer: orchestrator }),
      agentKey: billingKey.publicJwk,
      audience: BILLING,
      options: GRANT,
    });
    expect(a2aDenial(result)).toBeUndefined();
    expect(JSON.stringify(result)).toContain('paying for alice');
    expect(runs).toBe(before + 1);
  });

  it('genuine, with text, raw bytes and part members the SDK fills in: both ends bind alike', async () => {
    const grant = await freshGrant();
    const base = payFor(70);
    const message = {
      ...base,
      parts: [
        ...base.parts,
        { content: { $case: 'text', value: 'March, as agreed' } },
        {
          content: { $case: 'raw', value: Buffer.from([0, 1, 2, 250]) },
          filename: 'invoice.pdf',
          mediaType: 'application/pdf',
        },
      ],
    } as unknown as Outgoing;
    expect(a2aDenial(await sendRaw(message, await genuine(grant, message)))).toBeUndefined();
  });

  it('regression: an intercepted grant resent by a thief with its own message is denied', async () => {
    const grant = await freshGrant();
    const seen = await genuine(grant, payFor(120)); // what the thief intercepted
    const own = payFor(190);
    // The grant alone: no sender proof.
    await expectDenied(sendRaw(own, { [A2A_META_MANDATE]: grant.token }), {
      code: 'MANDATE_PROOF_MISSING',
      hop: 1,
    });
    // A sender proof the thief signs with its own key.
    await expectDenied(sendRaw(own, grantMetadata(grant, handSigned(thief, grant, own))), {
      code: 'MANDATE_PROOF_INVALID',
      hop: 1,
    });
    // The intercepted sender proof, on the thief's own message.
    await expectDenied(sendRaw(own, seen), { code: 'MANDATE_PROOF_INVALID', hop: 1 });
  });

  it('the intercepted proof does not cover the same message id with other parts', async () => {
    const grant = await freshGrant();
    const message = payFor(20);
    const seen = await genuine(grant, message);
    await expectDenied(sendRaw(payFor(200, message.messageId), seen), {
      code: 'MANDATE_PROOF_INVALID',
      hop: 1,
    });
  });

  it('a replayed message (the same grant and sender proof) is denied', async () => {
    const grant = await freshGrant();
    const message = payFor(30);
    const metadata = await genuine(grant, message);
    expect(a2aDenial(await sendRaw(message, metadata))).toBeUndefined();
    await expectDenied(sendRaw(message, metadata), { code: 'MANDATE_REPLAYED', hop: 1 });
  });

  it('a message signed by a key that did not delegate the grant is denied', async () => {
    const grant = await freshGrant();
    const message = payFor(40);
    // The grant's own holder (the receiving agent's key) did not delegate it.
    await expectDenied(
      sendRaw(message, grantMetadata(grant, handSigned(billingKey, grant, message))),
      { code: 'MANDATE_PROOF_INVALID', hop: 1 },
    );
    // Nor did the trust anchor that minted the root.
    await expectDenied(sendRaw(message, grantMetadata(grant, handSigned(anchor, grant, message))), {
      code: 'MANDATE_PROOF_INVALID',
      hop: 1,
    });
    // `proveSender` refuses such a signer before anything is sent.
    await expect(
      proveSender(grant, {
        signer: thief,
        request: { audience: BILLING, message: message.messageId, content: [] },
      }),
    ).rejects.toMatchObject({ code: 'MANDATE_PROOF_INVALID', check: 'possession', hop: 1 });
  });

  it('a sender proof for another agent, a stale one, or of another typ is denied', async () => {
    const grant = await freshGrant();
    const message = payFor(50);
    await expectDenied(sendRaw(message, await genuine(grant, message, 'https://other.test')), {
      code: 'MANDATE_PROOF_INVALID',
      hop: 1,
    });
    const stale = handSigned(orchestrator, grant, message, {
      iat: Math.floor(Date.now() / 1000) - 3600,
    });
    await expectDenied(sendRaw(message, grantMetadata(grant, stale)), {
      code: 'MANDATE_PROOF_INVALID',
      hop: 1,
    });
    const invocation = handSigned(orchestrator, grant, message, { typ: TYP.invocation });
    await expectDenied(sendRaw(message, grantMetadata(grant, invocation)), {
      code: 'MANDATE_PROOF_INVALID',
      hop: 1,
    });
    // The genuine proof still works: none of the refusals above consumed the grant.
    expect(a2aDenial(await sendRaw(message, await genuine(grant, message)))).toBeUndefined();
  });

  it('a one-block grant has no delegator to send it: refused on both ends', async () => {
    const direct = await mint({
      issuer: anchor,
      issuerId: AS,
      subject: 'alice',
      holder: billingKey.publicJwk,
      capabilities: [{ resource: 'billing:invoices/2026-03', actions: ['pay'] }],
      audience: BILLING,
      expiresIn: 120,
    });
    const message = payFor(60);
    await expect(
      proveSender(direct, {
        signer: anchor,
        request: { audience: BILLING, message: message.messageId, content: [] },
      }),
    ).rejects.toMatchObject({ code: 'MANDATE_PROOF_INVALID', hop: 0 });
    await expectDenied(
      sendRaw(message, {
        [A2A_META_MANDATE]: direct.token,
        [A2A_META_PROOF]: handSigned(anchor, direct, message),
      }),
      { code: 'MANDATE_PROOF_INVALID', hop: 0 },
    );
  });
});
