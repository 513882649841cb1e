/**
 * What a sender proof binds of an A2A message besides its id: its parts, in a form both ends
 * compute alike. The SDK fills a received part's unset members with their protobuf defaults
 * (`filename: ""`, `mediaType: ""`), which the sender never wrote; proto3 does not tell a
 * default from an unset member, so neither does this form. Only a part's own members are
 * normalised: its content (the text, the data, the file) is bound exactly, bytes as base64url.
 */
import type { Message } from '@a2a-js/sdk';
import type { Json } from '../../core/types.js';

function isDefault(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return (
    typeof value === 'object' &&
    Object.getPrototypeOf(value) === Object.prototype &&
    Object.keys(value).length === 0
  );
}

/** Bytes (a `Uint8Array` on one end, a `Buffer` on the other) as one string form. */
function bytesAsText(value: unknown): unknown {
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('base64url') };
  if (Array.isArray(value)) return value.map(bytesAsText);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bytesAsText(v)]));
  }
  return value;
}

/**
 * The bound content of a message: each part with its unset (default-valued) members left out.
 * Values JSON cannot hold make the proof fail to match, which denies: never a silent allow.
 */
export function contentOf(message: Pick<Message, 'parts'>): Json {
  const parts: readonly unknown[] = Array.isArray(message?.parts) ? message.parts : [];
  return parts.map((part) =>
    typeof part === 'object' && part !== null
      ? Object.fromEntries(
          Object.entries(part)
            .filter(([, value]) => !isDefault(value))
            .map(([key, value]) => [key, bytesAsText(value)]),
        )
      : part,
  ) as Json;
}
