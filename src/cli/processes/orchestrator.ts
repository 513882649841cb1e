/**
 * The A2A orchestrator process, an OAuth client of the authorization server
 * (`private_key_jwt` with its own key). A user's message carries the user's access token
 * (its `may_act` names this agent); the orchestrator exchanges it once (RFC 8693, with its own
 * client-credentials token as the actor token) for a root mandate that names the user as
 * subject and this agent's key as holder. For each payment it then finds the billing agent
 * (its signed Agent Card names the key to delegate to), grants it exactly that invoice, up to
 * that amount, and passes the user's words along (where an injected instruction may hide).
 */
import { ClientFactory } from '@a2a-js/sdk/client';
import type { AgentExecutor } from '@a2a-js/sdk/server';
import { a2aDenial, sendWithGrant } from '../../adapters/a2a/index.js';
import { verifyAgentCard, type AgentCard } from '../../identity/agent-card/index.js';
import { BoundedMap } from '../../core/bounded-map.js';
import { createOAuthClient, OAuthRequestError } from '../../oauth/index.js';
import { serveDemoAgent } from './a2a-server.js';
import { keyPairOf, readConfig } from './common.js';
import {
  agentMessage,
  answerData,
  messageText,
  payMessage,
  paymentAsked,
  subjectTokenOf,
} from './messages.js';
import { createDeputy } from '../../proof/deputy.js';
import { parseMandate } from '../../format/parse.js';

const config = readConfig();
const key = await keyPairOf(config.keyJwk);
const provider = await keyPairOf(config.providerJwk);
const billingOrigin = config.billingOrigin ?? '';
const oauth = await createOAuthClient({
  issuer: config.anchorId,
  clientId: config.oauthClientId ?? 'orchestrator',
  key,
  discovery: config.discovery ?? 'oidc',
});

/**
 * The root mandate for a user's token: exchanged once, then reused while it lasts (a later
 * revocation of it is not worked around by exchanging again). Holding the very token the
 * authorization server accepted is what lets a user's later messages use it.
 */
// Bounded (one entry per user token); a failed exchange is forgotten (set to undefined).
// The root is the token the authorization server issued (received, not made here: a token, never
// a `Mandate`); every function that takes it decodes it again.
const roots = new BoundedMap<string, Promise<string> | undefined>(256);
function rootFor(subjectToken: string): Promise<string> {
  const held = roots.get(subjectToken);
  if (held !== undefined) return held;
  const exchanged = (async () => {
    const own = await oauth.clientCredentials({ resource: config.anchorId });
    const response = await oauth.exchangeToken({
      subjectToken,
      actorToken: own.accessToken,
      resource: [config.billingAudience, config.toolAudience],
      capabilities: config.rootCapabilities ?? [],
    });
    return response.accessToken;
  })();
  roots.set(subjectToken, exchanged);
  exchanged.catch(() => {
    if (roots.get(subjectToken) === exchanged) roots.set(subjectToken, undefined);
  });
  return exchanged;
}

/** The billing agent's verified key and an A2A client: resolved once, retried after a failure. */
let billing: ReturnType<typeof resolveBillingAgent> | undefined;
function billingAgent(): ReturnType<typeof resolveBillingAgent> {
  if (billing === undefined) {
    const resolving = resolveBillingAgent();
    resolving.catch(() => {
      if (billing === resolving) billing = undefined;
    });
    billing = resolving;
  }
  return billing;
}

async function resolveBillingAgent() {
  const card = (await (
    await fetch(`${billingOrigin}/.well-known/agent-card.json`)
  ).json()) as AgentCard;
  // The card's signature is checked with the provider key from configuration; only then is
  // its holder key trusted as "the billing agent".
  const verified = await verifyAgentCard(card, {
    keys: [{ ...provider.publicJwk, kid: 'provider-1' }],
  });
  const agentKey = verified.holderKeys[0];
  if (agentKey === undefined) throw new Error('the billing agent publishes no holder key');
  return { agentKey, client: await new ClientFactory().createFromUrl(billingOrigin) };
}

const executor: AgentExecutor = {
  async execute(requestContext, eventBus) {
    const message = requestContext.userMessage;
    const asked = paymentAsked(message);
    const subjectToken = subjectTokenOf(message);
    const answer = (text: string, data: unknown) => {
      eventBus.publish({
        kind: 'message',
        data: agentMessage(requestContext.contextId, text, data),
      });
      eventBus.finished();
    };
    if (asked === undefined || subjectToken === undefined) {
      answer('refused', { refused: 'a payment request with the user access token is required' });
      return;
    }
    let root: string;
    try {
      root = await rootFor(subjectToken);
    } catch (error) {
      // The authorization server refused the exchange (RFC 8693 §2.2.2): nothing to act on.
      if (!(error instanceof OAuthRequestError)) throw error;
      answer('refused', { refused: error.error });
      return;
    }
    const deputy = createDeputy({ mandate: root, signer: key });
    const { agentKey, client } = await billingAgent();
    const text = messageText(message);
    const billed = await sendWithGrant(client, payMessage(asked.invoice, asked.amount, text), {
      deputy,
      agentKey,
      audience: config.billingAudience,
      options: {
        capabilities: [
          {
            resource: `billing:invoices/${asked.invoice}`,
            actions: ['pay'],
            constraints: {
              amount: { max: asked.amount },
              invoice: { constraint_type: 'wildcard' },
            },
          },
        ],
        audience: [config.billingAudience, config.toolAudience],
        expiresIn: 120,
        purpose: `pay invoice ${asked.invoice}`,
      },
    });
    const denial = a2aDenial(billed);
    // Inspected, not trusted: the id alice may revoke (the verifiers decide on the chain).
    const rootId = (await parseMandate(root)).blocks[0]?.id;
    answer(
      'orchestrator done',
      denial === undefined
        ? { ...(answerData(billed) as Record<string, unknown>), rootId }
        : { denial, rootId },
    );
  },
  cancelTask: () => Promise.resolve(),
};

serveDemoAgent({
  name: 'Orchestrator',
  description: 'Plans and delegates.',
  skill: { id: 'pay', name: 'Pay', description: 'Gets an invoice paid.' },
  key,
  provider,
  // It takes the user's OAuth token, not a mandate: no Mandate extension on its card.
  executor,
});
