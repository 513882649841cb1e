/** `parseMandate`: decode a mandate to inspect it, without verifying anything. */
import { tokenOf } from '../core/token-of.js';
import { MandateError } from '../core/errors.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import type { BlockView, Format, Mandate, MandateLike, UnverifiedMandate } from '../core/types.js';
import type { PublicJwk } from '../identity/jwk.js';
import { codecFor, type ChainBlock, type DecodedChain } from './codec.js';

/** Which encoding a token uses, read from the token itself. */
export function detectFormat(token: string): Format {
  return codecFor(token).format;
}

/** Decode every block of a token of any format (shape and limits only). */
export async function decodeChain(mandate: MandateLike): Promise<readonly ChainBlock[]> {
  const token = tokenOf(mandate, 'decodeChain');
  return (await codecFor(token).decode(token, DEFAULT_LIMITS)).blocks;
}

/** The public view of a block: exactly the `BlockView` members, nothing encoding-specific. */
function view(block: ChainBlock): BlockView {
  return {
    id: block.id,
    issuer: block.issuer,
    holder: block.holder,
    holderJwk: block.holderJwk,
    subject: block.subject,
    capabilities: block.capabilities,
    issuedAt: block.issuedAt,
    expiresAt: block.expiresAt,
    ...(block.notBefore === undefined ? {} : { notBefore: block.notBefore }),
    ...(block.audience === undefined ? {} : { audience: block.audience }),
    depth: block.depth,
    maxDepth: block.maxDepth,
    ...(block.purpose === undefined ? {} : { purpose: block.purpose }),
  };
}

/** The fields of a decoded chain, unbranded. Throws `MANDATE_MALFORMED` for no blocks. */
function fieldsOf(chain: DecodedChain): Omit<UnverifiedMandate, 'verified'> {
  const root = chain.blocks[0];
  const last = chain.blocks[chain.blocks.length - 1];
  if (last === undefined || root === undefined) {
    throw new MandateError('MANDATE_MALFORMED', 'the mandate has no blocks', {
      check: 'limits',
      hop: 0,
    });
  }
  return {
    token: chain.token,
    format: chain.format,
    subject: root.subject,
    holder: last.holder,
    blocks: chain.blocks.map(view),
  };
}

/**
 * The `Mandate` of a chain that `mint` or `delegate` has just built (nothing is decoded
 * again). The one place a `Mandate` is made: a token from anywhere else is an
 * `UnverifiedMandate` (`parseMandate`) until a verifier allows it.
 */
export function mandateOf(chain: DecodedChain): Mandate {
  // eslint-disable-next-line no-restricted-syntax -- the one producer of the brand (core/types.ts)
  return fieldsOf(chain) as Mandate;
}

/**
 * Decode a mandate to inspect it. NOTHING is verified: signatures, linkage, time and
 * audience are unchecked, so the result is an `UnverifiedMandate` that no authorization
 * function accepts. Throws `MandateError` (`MANDATE_MALFORMED`, `MANDATE_LIMIT_EXCEEDED`)
 * for a token that does not decode.
 */
export async function parseMandate(
  mandate: MandateLike | UnverifiedMandate,
): Promise<UnverifiedMandate> {
  const token = tokenOf(mandate, 'parseMandate');
  return { ...fieldsOf(await codecFor(token).decode(token, DEFAULT_LIMITS)), verified: false };
}

/** The last holder's public key, for `prove`. */
export async function lastHolderKey(token: string): Promise<PublicJwk> {
  const blocks = await decodeChain(token);
  const last = blocks[blocks.length - 1];
  if (last === undefined) {
    throw new MandateError('MANDATE_MALFORMED', 'the mandate has no blocks', {
      check: 'limits',
      hop: 0,
    });
  }
  return last.holderKey;
}
