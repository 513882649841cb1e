/**
 * A Biscuit mandate's answers to the verifier's questions (src/format/codec.ts), every signature
 * checked once, in node:crypto, and no Datalog run (docs/format.md, "Biscuit encoding"):
 * - `rootSignatureValid(key)`: the authority block's signature verifies under `key` (the trust
 *   anchor's).
 * - `linkSignatureValid(hop, key)`: block `hop`'s signature verifies under `key` — its parent's
 *   holder key, which is the parent's `nextKey` — over its bytes, its next key and its parent's
 *   signature. This one signature is both the delegation (only the parent's holder can make it)
 *   and the link (it covers the parent's signature, which covers the parent's bytes).
 * - `parentHashValid(hop)`: Biscuit has no parent hash; the link signature above is the
 *   commitment, so this holds exactly when that signature verified.
 * - A sealed token's final signature is checked with the last block's signature (rule 2 for a
 *   one-block token, rule 3 otherwise): it must verify under the last holder's key.
 *
 * Why no Datalog: every block's checks are, byte for byte, the canonical restatement of its
 * facts (block.ts refuses anything else), and the facts are what the format-independent rules
 * decide on — with the same capability algebra as the JWS encoding. The differential law (JWS
 * and Biscuit decide identically) and the standard-verifier test (biscuit-wasm's own authorizer
 * reaches the same decision) hold that equivalence.
 *
 * Signature results depend only on the blocks' exact bytes and the key, so they are remembered
 * on the cached prefix entries (chain.ts), as the JWS path remembers them per decoded block.
 *
 * @module
 */
import type { KeyObject } from 'node:crypto';

import type { Limits } from '../../core/limits.js';
import type { VerifiableChain } from '../codec.js';
import { keyObjectOf } from '../../identity/jwk.js';
import { decodeBiscuit, type BiscuitCache, type DecodedBiscuit } from './chain.js';
import {
  biscuitVerify,
  blockSignaturePayload,
  sealPayload,
  toKeyObject,
  type BiscuitAlgorithm,
} from './token.js';

function keyAlgorithm(key: KeyObject): BiscuitAlgorithm | undefined {
  if (key.type !== 'public') return undefined;
  if (key.asymmetricKeyType === 'ed25519') return 0;
  if (key.asymmetricKeyType === 'ec') return 1;
  return undefined;
}

/** Whether block `hop` is signed by `key` (and, for the last block of a sealed token, sealed). */
function blockSignatureOk(decoded: DecodedBiscuit, hop: number, key: KeyObject): boolean {
  const entry = decoded.entries[hop];
  if (entry === undefined) return false;
  if (entry.verifiedWith !== key) {
    const algorithm = keyAlgorithm(key);
    const signed = entry.block.signed;
    const previous = decoded.entries[hop - 1]?.block.signed.signature;
    if (algorithm === undefined || (hop > 0 && previous === undefined)) return false;
    const payload = blockSignaturePayload(signed.block, signed.nextKey, previous);
    if (!biscuitVerify(key, algorithm, payload, signed.signature)) return false;
    entry.verifiedWith = key;
  }
  return hop < decoded.entries.length - 1 || sealOk(decoded);
}

/** An open token has no seal to check; a sealed one's final signature must verify. */
function sealOk(decoded: DecodedBiscuit): boolean {
  const { seal } = decoded.token;
  const last = decoded.entries[decoded.entries.length - 1];
  if (seal === undefined) return true;
  if (last === undefined) return false;
  const sealHex = Buffer.from(seal).toString('hex');
  if (last.sealVerified === sealHex) return true;
  const signed = last.block.signed;
  let key: KeyObject;
  try {
    key = toKeyObject(signed.nextKey);
  } catch {
    return false;
  }
  if (!biscuitVerify(key, signed.nextKey.algorithm, sealPayload(signed), seal)) return false;
  last.sealVerified = sealHex;
  return true;
}

/**
 * Decodes a Biscuit mandate (rule 1) and wraps it for the verifier's rules. Throws
 * `MANDATE_MALFORMED` / `MANDATE_LIMIT_EXCEEDED` for a token that does not decode. `cache` is the
 * verifier's bounded prefix cache (undefined or empty-capacity: nothing is remembered).
 */
export function biscuitVerifiableChain(
  token: string,
  limits: Limits,
  cache?: BiscuitCache,
): VerifiableChain {
  const decoded = decodeBiscuit(token, limits, cache);
  const linked = new Set<number>();
  return {
    format: 'biscuit',
    blocks: decoded.blocks,
    rootSignatureValid: (key) => blockSignatureOk(decoded, 0, key),
    linkSignatureValid(hop, key) {
      if (hop < 1 || !blockSignatureOk(decoded, hop, keyObjectOf(key))) return false;
      linked.add(hop);
      return true;
    },
    parentHashValid: (hop) => linked.has(hop),
  };
}
