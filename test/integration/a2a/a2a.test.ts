/**
 * The A2A guard on @a2a-js/sdk, client and server on loopback: a grant to the agent's key
 * (read from its signed Agent Card) is verified and its Decision reaches the handler.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientFactory, type Client } from '@a2a-js/sdk/client';
import type { KeyPair, Mandate } from '../../../src/index.js';
import { verifyAgentCard } from '../../../src/identity/agent-card/index.js';
import {
  a2aDenial,
  A2A_META_MANDATE,
  A2A_META_PROOF,
  MANDATE_A2A_EXTENSION,
  sendWithGrant,
  sendWithMandate,
} from '../../../src/adapters/a2a/index.js';
import { BILLING, payMessage, startBillingAgent, type RunningAgent } from './agent.js';
import { AS, aliceRoot, keyPairs } from '../../helpers/billing.js';
import { createDeputy } from '../../../src/proof/deputy.js';

let anchor: KeyPair;
let orchestrator: KeyPair;
let billingKey: KeyPair;
let provider: KeyPair;
let root: Mandate;
let agent: RunningAgent;
let client: Client;
const seen: { user: string; chain: readonly string[] }[] = [];

beforeAll(async () => {
  [anchor, orchestrator, billingKey, provider] = await keyPairs(4);
  root = await aliceRoot(anchor, orchestrator, BILLING);
  agent = await startBillingAgent({
    key: billingKey,
    provider,
    anchor,
    ran: (context) => seen.push({ user: context.decision.subject, chain: context.decision.chain }),
  });
  client = await new ClientFactory().createFromUrl(agent.origin);
});
afterAll(() => agent?.close());

async function billingKeyFromCard() {
  const card = (await (await fetch(`${agent.origin}/.well-known/agent-card.json`)).json()) as never;
  const verified = await verifyAgentCard(card, {
    keys: [{ ...provider.publicJwk, kid: 'card-1' }],
  });
  return verified.holderKeys[0]!;
}

const grantFor = (invoice: string, max: number) => ({
  capabilities: [
    { resource: `billing:invoices/${invoice}`, actions: ['pay'], constraints: { amount: { max } } },
  ],
  expiresIn: 120,
});

describe('mandate/a2a', () => {
  it('the signed Agent Card advertises the scheme and the holder key', async () => {
    const card = (await (await fetch(`${agent.origin}/.well-known/agent-card.json`)).json()) as {
      capabilities: { extensions: { uri: string }[] };
    };
    expect(card.capabilities.extensions.map((e) => e.uri)).toContain(MANDATE_A2A_EXTENSION);
    expect(await billingKeyFromCard()).toMatchObject({
      x: (billingKey.publicJwk as { x: string }).x,
    });
  });

  it('a grant to the agent’s card key is verified; the handler sees the Decision', async () => {
    const deputy = createDeputy({ mandate: root, signer: orchestrator });
    const result = await sendWithGrant(client, payMessage('2026-03', 120), {
      deputy,
      agentKey: await billingKeyFromCard(),
      audience: BILLING,
      options: grantFor('2026-03', 200),
    });
    expect(a2aDenial(result)).toBeUndefined();
    expect(JSON.stringify(result)).toContain('paying for alice');
    expect(seen.at(-1)).toEqual({ user: 'alice', chain: [AS, orchestrator.id, billingKey.id] });
  });

  it('denials come back as messages carrying the code; the handler does not run', async () => {
    const deputy = createDeputy({ mandate: root, signer: orchestrator });
    const before = seen.length;
    const none = await client.sendMessage(
      {
        tenant: '',
        message: { ...payMessage('2026-03', 1), metadata: undefined },
        configuration: undefined,
        metadata: undefined,
      },
      { serviceParameters: { 'A2A-Extensions': MANDATE_A2A_EXTENSION } },
    );
    expect(a2aDenial(none)).toMatchObject({ code: 'MANDATE_MALFORMED' });

    const over = await sendWithGrant(client, payMessage('2026-03', 300), {
      deputy,
      agentKey: billingKey.publicJwk,
      audience: BILLING,
      options: grantFor('2026-03', 200),
    });
    expect(a2aDenial(over)).toMatchObject({ code: 'MANDATE_FORBIDDEN', hop: 1 });

    // A grant to someone else (the orchestrator's own mandate) is not this agent's to use.
    const notMine = await client.sendMessage(
      {
        tenant: '',
        message: {
          ...payMessage('2026-03', 1),
          metadata: { [A2A_META_MANDATE]: root.token, [A2A_META_PROOF]: 'x.y.z' },
        },
        configuration: undefined,
        metadata: undefined,
      },
      { serviceParameters: { 'A2A-Extensions': MANDATE_A2A_EXTENSION } },
    );
    expect(a2aDenial(notMine)).toMatchObject({ code: 'MANDATE_PROOF_INVALID' });

    const grant = await deputy.grant(billingKey.publicJwk, grantFor('2026-03', 200));
    const sender = { signer: orchestrator, audience: BILLING };
    expect(
      a2aDenial(await sendWithMandate(client, payMessage('2026-03', 5), grant, sender)),
    ).toBeUndefined();
    const replayed = await sendWithMandate(client, payMessage('2026-03', 5), grant, sender);
    expect(a2aDenial(replayed)).toMatchObject({ code: 'MANDATE_REPLAYED', hop: 1 });
    expect(seen.length).toBe(before + 1);
  });
});
