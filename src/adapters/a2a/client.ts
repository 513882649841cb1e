/** The A2A client side: grant a narrowed mandate to an agent and send it with a message. */
import { tokenOf } from '../../core/token-of.js';
import type { Message } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import type { JWK } from 'jose';
import type { KeyPair, MandateLike } from '../../core/types.js';
import { proveSender } from '../../proof/sender.js';
import type { Deputy, GrantOptions } from '../../proof/deputy.js';
import {
  A2A_META_DENIAL,
  A2A_META_MANDATE,
  A2A_META_PROOF,
  MANDATE_A2A_EXTENSION,
} from './guard.js';
import { contentOf } from './content.js';
import type { MandateDenialData } from '../mcp/guard.js';

type SendResult = Awaited<ReturnType<Client['sendMessage']>>;
/** An A2A message as `sendWithGrant` takes it (its metadata gains the mandate and proof). */
export type OutgoingMessage = Omit<Message, 'metadata'> & { metadata?: Record<string, unknown> };

/** The message metadata that carries a grant and its sender proof. */
export function grantMetadata(mandate: MandateLike, senderProof: string): Record<string, string> {
  if (typeof senderProof !== 'string' || senderProof.length === 0) {
    throw new TypeError('senderProof required: a grant travels with its sender proof');
  }
  return {
    [A2A_META_MANDATE]: tokenOf(mandate, 'grantMetadata'),
    [A2A_META_PROOF]: senderProof,
  };
}

/**
 * Send `message` to an agent with a grant: `deputy.grant(agentKey, grant)` (a mandate narrowed
 * to the sub-task, held by the agent's key from its signed Agent Card), in the message metadata,
 * with the deputy's sender proof for this message and `audience` (the agent's identity).
 */
export async function sendWithGrant(
  client: Client,
  message: OutgoingMessage,
  grant: {
    readonly deputy: Deputy;
    readonly agentKey: JWK;
    /** The receiving agent's identity (its guard's `audience`). */
    readonly audience: string;
    readonly options: GrantOptions;
  },
): Promise<SendResult> {
  const mandate = await grant.deputy.grant(grant.agentKey, grant.options);
  const proof = await grant.deputy.proveSender(mandate, senderRequest(message, grant.audience));
  return send(client, message, grantMetadata(mandate, proof));
}

/**
 * Send `message` with a mandate already granted to the agent, signing the sender proof with
 * `sender.signer`: the key that delegated the grant (the holder of its block before the last).
 */
export async function sendWithMandate(
  client: Client,
  message: OutgoingMessage,
  mandate: MandateLike,
  sender: { readonly signer: KeyPair; readonly audience: string },
): Promise<SendResult> {
  const proof = await proveSender(mandate, {
    signer: sender.signer,
    request: senderRequest(message, sender.audience),
  });
  return send(client, message, grantMetadata(mandate, proof));
}

function senderRequest(message: OutgoingMessage, audience: string) {
  return { audience, message: message.messageId, content: contentOf(message) };
}

function send(
  client: Client,
  message: OutgoingMessage,
  metadata: Record<string, string>,
): Promise<SendResult> {
  return client.sendMessage(
    {
      tenant: '',
      message: { ...message, metadata: { ...message.metadata, ...metadata } },
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
