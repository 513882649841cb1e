/**
 * What pasted text that is not a mandate most plausibly is, so the page can say "a JWT, not a
 * mandate" instead of a decoder's complaint about the format it tried last. Read only after
 * decoding failed; nothing here decides whether a token is accepted.
 *
 * @module
 */
/** The Inspector's guess about input that does not decode as a mandate. */
export interface FormatGuess {
  /** `jwt`: one JWS with a JSON header and payload (an access or ID token, say); `unknown`: anything else. */
  readonly kind: 'jwt' | 'mandate-like' | 'unknown';
  readonly text: string;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function jsonSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(segment, 'base64url')),
    );
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Guess what `text` is, given that it did not decode as a mandate. Never "Biscuit" or any
 * other mandate format: a string that fails to decode is not one, whatever it resembles.
 */
export function guessForeign(text: string): FormatGuess {
  const trimmed = text.trim();
  if (JWT_SHAPE.test(trimmed)) {
    const [h = '', p = ''] = trimmed.split('.');
    const header = jsonSegment(h);
    const payload = jsonSegment(p);
    if (header !== undefined && payload !== undefined) {
      const alg = typeof header['alg'] === 'string' ? header['alg'] : 'no alg';
      const typ = typeof header['typ'] === 'string' ? `, typ ${header['typ']}` : '';
      return {
        kind: 'jwt',
        text:
          `a JWT (${alg}${typ}), not a mandate: a mandate is a chain of blocks, each naming its ` +
          'holder’s key and the capabilities it grants. Mint one with `mandate mint`.',
      };
    }
  }
  if (trimmed.startsWith('eyJ') && trimmed.includes('~')) {
    return {
      kind: 'mandate-like',
      text: 'shaped like a JWS or AAT chain, but a block does not decode: see the error.',
    };
  }
  return {
    kind: 'unknown',
    text: 'not a mandate: it decodes as none of a JWS chain, an AAT chain or a Biscuit.',
  };
}
