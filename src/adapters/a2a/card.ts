/** How an Agent Card advertises Mandate: an A2A extension entry, inside the signed card. */
import { MANDATE_A2A_EXTENSION, A2A_META_MANDATE } from './guard.js';

/**
 * The `capabilities.extensions[]` entry saying "send me a Mandate grant": required, with the
 * metadata key and the formats accepted. Put it in the card next to `holderKeysExtension`
 * (`mandate/agent-card`, the keys a caller delegates to) and sign the card (`signAgentCard`).
 */
export function mandateExtension(
  options: { readonly required?: boolean; readonly audience?: string } = {},
): {
  uri: string;
  description: string;
  required: boolean;
  params: Record<string, unknown>;
} {
  return {
    uri: MANDATE_A2A_EXTENSION,
    description: "Requests carry a Mandate delegation to one of this agent's holder keys",
    required: options.required ?? true,
    params: {
      metadataKey: A2A_META_MANDATE,
      formats: ['jws', 'biscuit'],
      ...(options.audience === undefined ? {} : { audience: options.audience }),
    },
  };
}
