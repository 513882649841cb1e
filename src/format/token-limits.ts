/** Rule 1's token-level limits, the same for every encoding, checked before any decoder runs. */
import { MandateError } from '../core/errors.js';
import type { Limits } from '../core/limits.js';

const TOKEN_CHARS = /^[A-Za-z0-9_\-.~=+/]+$/;

/** Enforce the token-level limits before anything is decoded (DESIGN.md rule 1). */
export function checkTokenLimits(token: unknown, limits: Limits): asserts token is string {
  checkTokenSize(token, limits);
  checkTokenCharacters(token);
}

/** The first half of {@link checkTokenLimits}: a non-empty string within `maxTokenBytes`. */
export function checkTokenSize(token: unknown, limits: Limits): asserts token is string {
  if (typeof token !== 'string' || token.length === 0) {
    throw new MandateError('MANDATE_MALFORMED', 'the mandate must be a non-empty string', {
      check: 'limits',
      hop: 0,
    });
  }
  if (token.length > limits.maxTokenBytes) {
    throw new MandateError(
      'MANDATE_LIMIT_EXCEEDED',
      `the mandate is longer than ${limits.maxTokenBytes} bytes`,
      { check: 'limits', hop: 0, detail: { limit: limits.maxTokenBytes, length: token.length } },
    );
  }
}

/**
 * The second half of {@link checkTokenLimits}: only characters some encoding uses. Both
 * encodings are ASCII (base64url, `.`, `~`, base64 padding): anything else is garbage, denied
 * before any decoder (or biscuit-wasm) sees it.
 */
export function checkTokenCharacters(token: string): void {
  if (!TOKEN_CHARS.test(token)) {
    throw new MandateError(
      'MANDATE_MALFORMED',
      'the mandate contains characters no encoding uses',
      {
        check: 'limits',
        hop: 0,
      },
    );
  }
}
