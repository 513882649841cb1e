/** The A2A client side: grant a narrowed mandate to an agent and send it with a message. */
import { tokenOf } from '../../core/token-of.js';
import type { Message } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import type { JWK } from 'jose';
import type { MandateLike } from '../../core/types.js';
import type { Deputy, GrantOptions } from '../deputy.js';
import { A2A_META_DENIAL, A2A_META_MANDATE, MANDATE_A2A_EXTENSION } from './guard.js';
import type { MandateDenialData } from '../mcp/guard.js';

type SendResult = Awaited<ReturnType<Client['sendMessage']>>;

/** The message metadata that carries a grant. */
export function grantMetadata(mandate: MandateLike): Record<string, string> {
  return { [A2A_META_MANDATE]: tokenOf(mandate, 'grantMetadata') };
}

/**
 * Send `message` to an agent with a grant: `deputy.grant(agentKey, grant)` (a mandate narrowed
 * to the sub-task, held by the agent's key from its signed Agent Card), in the message metadata.
 */
export async function sendWithGrant(
  client: Client,
  message: Omit<Message, 'metadata'> & { metadata?: Record<string, unknown> },
  grant: { readonly deputy: Deputy; readonly agentKey: JWK; readonly options: GrantOptions },
): Promise<SendResult> {
  const mandate = await grant.deputy.grant(grant.agentKey, grant.options);
  return sendWithMandate(client, message, mandate);
}

/** Send `message` with a mandate already granted to the agent. */
export function sendWithMandate(
  client: Client,
  message: Omit<Message, 'metadata'> & { metadata?: Record<string, unknown> },
  mandate: MandateLike,
): Promise<SendResult> {
  return client.sendMessage(
    {
      tenant: '',
      message: {
        ...message,
        metadata: { ...message.metadata, ...grantMetadata(mandate) },
      },
      configuration: undefined,
      metadata: undefined,
    },
    // Declare the extension (A2A §4.6): an agent whose card marks it required refuses otherwise.
    { serviceParameters: { 'A2A-Extensions': MANDATE_A2A_EXTENSION } },
  );
}

/** The Mandate denial an agent answered with, or undefined. */
export function a2aDenial(result: unknown): MandateDenialData | undefined {
  const metadata = (result as { metadata?: Record<string, unknown> } | null)?.metadata;
  const denial = metadata?.[A2A_META_DENIAL] as Partial<MandateDenialData> | undefined;
  if (typeof denial?.code !== 'string' || typeof denial.hop !== 'number') return undefined;
  return denial as MandateDenialData;
}
