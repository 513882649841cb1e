/**
 * Decoding a Biscuit mandate into the chain the verifier's rules question — without verifying
 * anything, and without biscuit-wasm (it cannot open a token without the root key). Everything is
 * validated here before any signature check or wasm call sees it: token text and size, protobuf
 * structure, block kinds, fact shapes (zod, look-alike rules), capabilities (the algebra's normal
 * form), holder keys (on the curve), block-id uniqueness.
 *
 * @module
 */
import { malformed } from '../../core/failure.js';
import type { Limits } from '../../core/limits.js';
import { thumbprintUriSync } from '../../identity/thumbprint.js';
import type { ChainBlock } from '../codec.js';
import { checkTokenLimits } from '../token-limits.js';
import { readBlockFacts, viewOfFacts } from './datalog.js';
import { ecdsaTwin } from './ecdsa-twin.js';
import {
  biscuitAlgorithm,
  parseBiscuitToken,
  signingAlg,
  type BiscuitAlgorithm,
  toJwk,
  type BiscuitToken,
  type SignedBlock,
} from './token.js';

/** A decoded Biscuit block: the rules' view plus what the signature checks need. */
export interface BiscuitChainBlock extends ChainBlock {
  /** Biscuit's revocation id of this block: the hex of its signature (as biscuit-auth reports it). */
  readonly revocationId: string;
  /** The block's signed structure. */
  readonly signed: SignedBlock;
}

/** A decoded token: its structure and its blocks. */
export interface DecodedBiscuit {
  readonly token: BiscuitToken;
  readonly blocks: readonly BiscuitChainBlock[];
}

/**
 * Biscuit's revocation id of a block: the lowercase hex of its `SignedBlock.signature`, which is what
 * biscuit-auth's `revocation_identifiers()` returns (and the specification samples publish).
 */
export function biscuitRevocationId(signed: Pick<SignedBlock, 'signature'>): string {
  return Buffer.from(signed.signature).toString('hex');
}

/**
 * For a block signed with P-256, the revocation id of its signature's other valid form
 * (`ecdsa-twin.ts`), so that rule 6 finds a revocation under either.
 */
function revocationTwin(
  signed: Pick<SignedBlock, 'signature'>,
  signerAlgorithm: BiscuitAlgorithm,
): { revocationIdTwin?: string } {
  if (signerAlgorithm !== 1) return {};
  const twin = ecdsaTwin(signed.signature);
  return twin === undefined ? {} : { revocationIdTwin: biscuitRevocationId({ signature: twin }) };
}

function decodeBlock(
  signed: SignedBlock,
  hop: number,
  limits: Limits,
  previousNextKey: BiscuitAlgorithm,
): BiscuitChainBlock {
  const label = `block ${hop}`;
  // The block's kind is fixed by its position, as the JWS `typ` is: the authority block is signed
  // by the root key alone; every later block must be a third-party block (signed by a holder).
  if (hop === 0 && signed.external !== undefined) {
    malformed(`${label}: the authority block cannot be a third-party block`, {
      path: `${label}.externalSignature`,
      hop,
    });
  }
  if (hop > 0 && signed.external === undefined) {
    malformed(`${label}: a delegation must be a third-party block`, {
      path: `${label}.externalSignature`,
      hop,
    });
  }
  const view = viewOfFacts(readBlockFacts(signed.block, hop, limits), hop, limits);
  if (hop === 0 && view.rootAlg === undefined)
    malformed(`${label}: root_alg is missing`, { path: `${label}.root_alg`, hop });
  if (hop > 0 && view.rootAlg !== undefined) {
    malformed(`${label}: root_alg is only allowed on the root`, { path: `${label}.root_alg`, hop });
  }
  let holderKey;
  try {
    holderKey = toJwk(view.holder);
  } catch {
    return malformed(`${label}: holder is not a valid public key`, {
      path: `${label}.holder`,
      hop,
    });
  }
  const alg =
    hop === 0 ? (view.rootAlg ?? 'Ed25519') : signingAlg(signed.external?.publicKey.algorithm ?? 0);
  return {
    kind: hop === 0 ? 'root' : 'delegation',
    alg,
    id: view.id,
    issuer: view.issuer,
    holder: thumbprintUriSync(holderKey),
    holderJwk: { ...holderKey },
    holderKey,
    subject: view.subject,
    capabilities: view.capabilities,
    issuedAt: view.issuedAt,
    expiresAt: view.expiresAt,
    ...(view.notBefore === undefined ? {} : { notBefore: view.notBefore }),
    ...(view.audience === undefined ? {} : { audience: view.audience }),
    depth: view.depth,
    maxDepth: view.maxDepth,
    ...(view.purpose === undefined ? {} : { purpose: view.purpose }),
    revocationId: biscuitRevocationId(signed),
    // Block 0 is signed by the root key; every later block by the previous block's next key.
    ...revocationTwin(signed, hop === 0 ? biscuitAlgorithm(alg) : previousNextKey),
    signed,
  };
}

/** Decodes a token and keeps its structure (for the signature checks). */
export function decodeBiscuit(token: string, limits: Limits): DecodedBiscuit {
  checkTokenLimits(token, limits);
  const parsed = parseBiscuitToken(token, limits);
  const ids = new Set<string>();
  const blocks = parsed.blocks.map((signed, hop) => {
    const previousNextKey = parsed.blocks[hop - 1]?.nextKey.algorithm ?? 0;
    const block = decodeBlock(signed, hop, limits, previousNextKey);
    // A repeated block id is a cycle or a splice (as in the JWS encoding, AAT step 2c).
    if (ids.has(block.id)) {
      malformed(`block ${hop}: block id repeats an earlier block`, {
        path: `block ${hop}.block_id`,
        hop,
      });
    }
    ids.add(block.id);
    return block;
  });
  return { token: parsed, blocks };
}

/**
 * Decodes every block of a Biscuit mandate WITHOUT verifying it: no signature, linkage, time,
 * audience or revocation is checked (the verifier does that). For `parseMandate`, `delegate` and
 * `prove`. Throws `MANDATE_MALFORMED` / `MANDATE_LIMIT_EXCEEDED` naming the first bad block.
 *
 * Block ids are the Mandate ids carried in each block's `block_id` fact (the JWS `jti`); each block
 * also exposes its Biscuit revocation id (`revocationId`). The verifier's revocation rule looks up
 * both.
 */
export function decodeBiscuitChain(token: string, limits: Limits): Promise<BiscuitChainBlock[]> {
  // A rejected promise, never a synchronous throw, whatever goes wrong.
  return Promise.resolve().then(() => [...decodeBiscuit(token, limits).blocks]);
}
