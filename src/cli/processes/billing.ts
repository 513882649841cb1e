/**
 * The A2A billing agent process. It pays the invoice its caller's grant names, through a
 * deputy (narrowed to the one tool call). It is also gullible: told in the message text to
 * "also pay invoice X for N", it tries, with its caller's mandate as is; the tool refuses.
 */
import type { AgentExecutor } from '@a2a-js/sdk/server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { guardAgent, mandateExtension, mandateOf } from '../../adapters/a2a/index.js';
import {
  callToolWithMandate,
  mandateDenial,
  META_MANDATE,
  META_PROOF,
} from '../../adapters/mcp/index.js';
import { allows } from '../../core/capability.js';
import { parseMandate } from '../../format/parse.js';
import { prove } from '../../proof/prove.js';
import { createVerifier } from '../../verify/verifier.js';
import {
  denialOutcome,
  keyPairOf,
  readConfig,
  storesOf,
  trustAnchorOf,
  type CapturedCall,
  type Outcome,
} from './common.js';
import { serveDemoAgent } from './a2a-server.js';
import { agentMessage, messageText, payAction, paymentAsked } from './messages.js';

const config = readConfig();
const key = await keyPairOf(config.keyJwk);
const provider = await keyPairOf(config.providerJwk);
const stores = await storesOf(config);
const ownGrant =
  config.billingOwnGrant === undefined ? undefined : await parseMandate(config.billingOwnGrant);

async function toolClient(): Promise<Client> {
  const client = new Client({ name: 'billing-agent', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(config.toolUrl ?? '')));
  return client;
}

/** Call the tool; an MCP denial becomes an outcome. */
async function outcomeOf(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    const result = (await call()) as { structuredContent?: { subject: string; chain: string[] } };
    const content = result.structuredContent ?? { subject: '', chain: [] };
    return { allowed: true, subject: content.subject, chain: content.chain };
  } catch (error) {
    const denial = mandateDenial(error);
    if (denial === undefined) throw error;
    return denialOutcome(denial);
  }
}

const executor: AgentExecutor = {
  async execute(requestContext, eventBus) {
    const context = mandateOf(requestContext);
    const message = requestContext.userMessage;
    const asked = paymentAsked(message);
    if (context === undefined || asked === undefined) throw new Error('unguarded');
    const client = await toolClient();
    try {
      // The caller's payment: narrowed to exactly this call, to a one-time key. The call is
      // made by hand here (rather than deputy.call) only so that an eavesdropper can keep a copy.
      const narrowed = await context.deputy.narrow(
        { audience: config.toolAudience },
        { resource: `billing:invoices/${asked.invoice}`, action: 'pay' },
        { invoice: asked.invoice, amount: asked.amount },
      );
      const proof = await prove(narrowed.mandate, {
        signer: narrowed.signer,
        request: { tool: 'pay_invoice', args: narrowed.args },
      });
      const captured: CapturedCall = {
        name: 'pay_invoice',
        arguments: { ...narrowed.args },
        _meta: { [META_MANDATE]: narrowed.mandate.token, [META_PROOF]: proof },
      };
      const paid = await outcomeOf(() => client.callTool(captured));
      // The injected instruction, obeyed with the caller's mandate as is (no deputy).
      const injected = /also pay invoice (\S+) for (\d+)/i.exec(messageText(message));
      let confused: { outcome: Outcome; ownGrantCovers: boolean } | undefined;
      if (injected !== null) {
        const invoice = injected[1] ?? '';
        const amount = Number(injected[2]);
        const outcome = await outcomeOf(() =>
          callToolWithMandate(
            client,
            { name: 'pay_invoice', arguments: { invoice, amount } },
            // The caller's mandate names this agent and the tool: the proof names the tool.
            { mandate: context.mandate, signer: key, audience: config.toolAudience },
          ),
        );
        const ownCaps = ownGrant?.blocks[ownGrant.blocks.length - 1]?.capabilities ?? [];
        const ownGrantCovers = allows(ownCaps, {
          resource: `billing:invoices/${invoice}`,
          action: 'pay',
          args: { invoice, amount },
        });
        confused = { outcome, ownGrantCovers };
      }
      eventBus.publish({
        kind: 'message',
        data: agentMessage(requestContext.contextId, 'billing done', { paid, captured, confused }),
      });
    } finally {
      await client.close();
    }
    eventBus.finished();
  },
  cancelTask: () => Promise.resolve(),
};

const guarded = guardAgent(executor, {
  verifier: createVerifier({
    trustAnchors: [trustAnchorOf(config)],
    audience: config.billingAudience,
    revocation: stores.revocation,
    replay: stores.replay,
  }),
  signer: key,
  audience: config.billingAudience,
  action: payAction,
});
serveDemoAgent({
  name: 'Billing Agent',
  description: 'Pays approved invoices.',
  skill: { id: 'pay', name: 'Pay', description: 'Pays one invoice.' },
  key,
  provider,
  extensions: [mandateExtension()],
  executor: guarded,
  info: { stores: stores.kind },
});
