/**
 * `mandate/a2a`: Mandate for the Agent2Agent protocol (on @a2a-js/sdk, an optional peer
 * dependency; this module imports only its types, so loading it loads no SDK).
 *
 * A message to an agent carries a grant: a mandate delegated to the agent's holder key (which
 * the agent's signed Agent Card publishes, `mandate/agent-card`) in
 * `metadata["dev.mandate/mandate"]`. `guardAgent` verifies it and hands the handler the
 * Decision and a deputy over the grant.
 */
export {
  guardAgent,
  mandateOf,
  A2A_META_MANDATE,
  A2A_META_PROOF,
  A2A_META_DENIAL,
  MANDATE_A2A_EXTENSION,
  type A2aGuardOptions,
  type A2aMandateContext,
} from './guard.js';
export { sendWithGrant, sendWithMandate, grantMetadata, a2aDenial } from './client.js';
export { mandateExtension } from './card.js';
export { contentOf } from './content.js';
export {
  proveSender,
  SENDER_TOOL,
  type ProveSenderOptions,
  type SenderRequest,
} from '../../proof/sender.js';
export type { OutgoingMessage } from './client.js';
