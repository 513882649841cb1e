/**
 * The A2A guard's error precedence (docs/guides/a2a.md, "Error precedence"): when both the
 * grant's chain and the message's sender proof are bad, the denial names the sender proof, and
 * the chain is not verified at all (its revocation store is never asked). Only a sender that
 * proves the delegator's key learns what is wrong with the chain. On @a2a-js/sdk over loopback.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientFactory, type Client } from '@a2a-js/sdk/client';
import type { Message } from '@a2a-js/sdk';
import {
  MemoryRevocationStore,
  type KeyPair,
  type Mandate,
  type RevocationStore,
} from '../../../src/index.js';
import {
  a2aDenial,
  A2A_META_MANDATE,
  contentOf,
  grantMetadata,
  proveSender,
} from '../../../src/adapters/a2a/index.js';
import { createDeputy } from '../../../src/proof/deputy.js';
import { aliceRoot, keyPairs } from '../../helpers/billing.js';
import {
  BILLING,
  GRANT,
  payMessage,
  sendRaw,
  startBillingAgent,
  type RunningAgent,
} from './agent.js';

type Outgoing = Omit<Message, 'metadata'>;

let anchor: KeyPair;
let orchestrator: KeyPair;
let billingKey: KeyPair;
let provider: KeyPair;
let rogue: KeyPair;
let root: Mandate;
let agent: RunningAgent;
let client: Client;
let runs = 0;
/** The verifier's revocation store, counting the lookups it answers (it still answers them). */
const revoked = new MemoryRevocationStore();
let lookups = 0;
const revocation: RevocationStore = {
  revoke: (id, expiresAt) => revoked.revoke(id, expiresAt),
  isRevoked: (id) => {
    lookups++;
    return revoked.isRevoked(id);
  },
  firstRevoked: (ids) => {
    lookups++;
    return revoked.firstRevoked(ids);
  },
};

beforeAll(async () => {
  [anchor, orchestrator, billingKey, provider, rogue] = await keyPairs(5);
  root = await aliceRoot(anchor, orchestrator, BILLING);
  agent = await startBillingAgent({
    key: billingKey,
    provider,
    anchor,
    revocation,
    ran: () => (runs += 1),
  });
  client = await new ClientFactory().createFromUrl(agent.origin);
});
afterAll(() => agent?.close());

/** A grant from `holding` (the delegator, who signs sender proofs) to the billing agent. */
const grantFrom = (mandate: Mandate, holding: KeyPair) =>
  createDeputy({ mandate, signer: holding }).grant(billingKey.publicJwk, GRANT);

/** The sender proof of `message`, signed by `signer` (the delegator, or not). */
async function senderProof(grant: Mandate, message: Outgoing, signer: KeyPair) {
  return grantMetadata(
    grant,
    await proveSender(grant, {
      signer,
      request: { audience: BILLING, message: message.messageId, content: contentOf(message) },
    }),
  );
}

/** The same sender proof, for another message: a bad proof whatever the chain. */
async function misbound(grant: Mandate, message: Outgoing, signer: KeyPair) {
  return senderProof(grant, { ...message, messageId: randomUUID() }, signer);
}

/** Send; the denial's `{ code, hop, check }` and whether the revocation store was asked. */
async function outcome(message: Outgoing, metadata: Record<string, unknown>) {
  const [before, ran] = [lookups, runs];
  const denial = a2aDenial(await sendRaw(client, message, metadata));
  expect(runs).toBe(ran);
  return {
    code: denial?.code,
    hop: denial?.hop,
    check: denial?.check,
    revocationAsked: lookups > before,
  };
}

const SENDER_PROOF_BAD = {
  code: 'MANDATE_PROOF_INVALID',
  hop: 1,
  check: 'possession',
  revocationAsked: false,
};

describe('A2A error precedence: the sender proof before the chain', () => {
  it('a revoked grant with a bad sender proof: the proof is named; the chain is not looked up', async () => {
    const grant = await grantFrom(root, orchestrator);
    await revocation.revoke(grant.blocks[1]!.id, grant.blocks[1]!.expiresAt);
    const message = payMessage('2026-03', 50);
    expect(await outcome(message, await misbound(grant, message, orchestrator))).toEqual(
      SENDER_PROOF_BAD,
    );
    // No sender proof at all: named the same way, before the chain.
    expect(await outcome(message, { [A2A_META_MANDATE]: grant.token })).toEqual({
      ...SENDER_PROOF_BAD,
      code: 'MANDATE_PROOF_MISSING',
    });
    // With the delegator's genuine sender proof, the chain is verified: it is revoked.
    expect(await outcome(message, await senderProof(grant, message, orchestrator))).toEqual({
      code: 'MANDATE_REVOKED',
      hop: 1,
      check: 'revocation',
      revocationAsked: true,
    });
  });

  it("a chain from an untrusted issuer: a bad proof is named first; the rogue delegator's own proof reaches the chain", async () => {
    // The rogue mints its own root and delegates: the chain names the rogue as delegator.
    const rogueRoot = await aliceRoot(rogue, rogue, BILLING);
    const grant = await grantFrom(rogueRoot, rogue);
    const message = payMessage('2026-03', 60);
    expect(await outcome(message, await misbound(grant, message, rogue))).toEqual(SENDER_PROOF_BAD);
    // Proving the key the unverified chain names is not enough: the chain is then verified
    // against the trust anchors, and refused at its root.
    expect(await outcome(message, await senderProof(grant, message, rogue))).toEqual({
      code: 'MANDATE_SIGNATURE_INVALID',
      hop: 0,
      check: 'anchor',
      revocationAsked: false,
    });
  });
});
