/**
 * The sender proof: a grant (a mandate whose last block delegates to the receiving agent) is
 * sent by the key that delegated it, which signs the message carrying it. The receiver signs
 * its own proof of possession for the grant, so without this anyone who saw the grant could
 * send it; with it, the grant is useless without the delegator's key.
 *
 * It is an invocation-shaped proof (the same claims, checked by the same `checkProof`) with
 * its own `typ` (`mandate-sender+jwt`), signed by the holder the block before the last names
 * (who signed the last block) instead of by the last holder:
 * `{ jti, iat, tool: "dev.mandate/send", aud, args_hash, ath }`, where `ath` is the grant's hash,
 * `aud` the receiver's identity (always present and always checked), and `args_hash` covers
 * the message id and the message content.
 */
import { randomUUID } from 'node:crypto';
import { MandateError } from '../core/errors.js';
import { systemClock } from '../core/time.js';
import { tokenOf } from '../core/token-of.js';
import { TYP } from '../core/typ.js';
import type { Json, KeyPair, MandateLike } from '../core/types.js';
import { decodeChain } from '../format/parse.js';
import type { KeyCache } from '../identity/jwk.js';
import { sameKey, type PublicJwk, type SigningAlg } from '../identity/jwk.js';
import { prepareSigner } from '../identity/keys.js';
import { checkProof, type CheckedProof } from './check.js';
import { signProof } from './prove.js';
import { accessTokenHash, argsHash, type ToolRequest } from './request.js';

/** The `tool` claim of every sender proof (it binds a message send, not a tool call). */
export const SENDER_TOOL = 'dev.mandate/send';

/** What a sender proof binds besides the grant: where it goes, and the message that carries it. */
export interface SenderRequest {
  /** The receiver's identity (its verifier's `audience`). */
  readonly audience: string;
  /** The id of the message that carries the grant. */
  readonly message: string;
  /** The message content the receiver will act on (JSON). */
  readonly content: Json;
}

/** Options of `proveSender`. */
export interface ProveSenderOptions {
  /** The key that delegated the grant: the holder named by the block before the last. */
  readonly signer: KeyPair;
  readonly request: SenderRequest;
  /** Seconds since the epoch (default: the wall clock). */
  readonly now?: number;
  /** The proof id (default: a random UUID). */
  readonly jti?: string;
}

/** The delegator of a grant: the holder of the block before the last, and the grant's hop. */
async function delegatorOf(token: string): Promise<{ key: PublicJwk; id: string; hop: number }> {
  const blocks = await decodeChain(token);
  const hop = blocks.length - 1;
  const parent = blocks[hop - 1];
  if (parent === undefined) {
    throw new MandateError(
      'MANDATE_PROOF_INVALID',
      'a grant of one block has no delegator to send it: delegate it to the receiver',
      { check: 'possession', hop: 0 },
    );
  }
  return { key: parent.holderKey, id: parent.holder, hop };
}

function toolRequest(request: SenderRequest): ToolRequest {
  return {
    tool: SENDER_TOOL,
    args: { message_id: request.message, content: request.content },
  };
}

/**
 * Sign, with the key that delegated `grant`, the sending of it in one message to one receiver.
 * @returns the sender proof (a compact JWS).
 * @throws MandateError `MANDATE_PROOF_INVALID` when the signer did not delegate the grant (or the
 * grant has one block); TypeError when the request is not a non-empty audience and message id.
 */
export async function proveSender(
  grant: MandateLike,
  options: ProveSenderOptions,
): Promise<string> {
  const token = tokenOf(grant, 'proveSender');
  const { request } = options;
  if (typeof request?.audience !== 'string' || request.audience.length === 0) {
    throw new TypeError('request.audience must be a non-empty string');
  }
  if (typeof request.message !== 'string' || request.message.length === 0) {
    throw new TypeError('request.message must be a non-empty string');
  }
  const signer = prepareSigner(options.signer);
  const delegator = await delegatorOf(token);
  if (!sameKey(delegator.key, signer.publicJwk)) {
    throw new MandateError('MANDATE_PROOF_INVALID', 'the signer did not delegate this grant', {
      check: 'possession',
      hop: delegator.hop,
    });
  }
  const { tool, args } = toolRequest(request);
  return signProof(signer, TYP.sender, {
    jti: options.jti ?? randomUUID(),
    tool,
    args_hash: argsHash(args),
    iat: options.now ?? systemClock(),
    ath: accessTokenHash(token),
    aud: request.audience,
  });
}

/** What `checkSender` needs besides the proof and the request. */
export interface SenderContext {
  readonly now: number;
  /** Seconds either side of now within which the proof's `iat` must lie. */
  readonly window: number;
  readonly algorithms: readonly SigningAlg[];
  readonly keys: KeyCache;
}

/** A sender proof that passed every check but the replay store (key its `jti` by `delegator`). */
export interface CheckedSender extends CheckedProof {
  /** Principal id of the delegator who signed. */
  readonly delegator: string;
  /** The grant's last block (the hop a denial names). */
  readonly hop: number;
}

/**
 * Check a sender proof for a grant and a message: signed by the grant's delegator, for this
 * grant (`ath`), this receiver (`aud`, required), this message id and content, fresh. Reads the grant without
 * verifying it: verify the grant itself (its chain authenticates the delegator's key) first.
 * Throws `MandateError` (check `possession`): `MANDATE_PROOF_MISSING`, `MANDATE_PROOF_INVALID`.
 * Not checked here: the replay store (`acceptProof` with `delegator` as the signer).
 */
export async function checkSender(
  proof: unknown,
  grant: string,
  request: SenderRequest,
  ctx: SenderContext,
): Promise<CheckedSender> {
  const delegator = await delegatorOf(grant);
  const checked = checkProof(proof, toolRequest(request), {
    token: grant,
    holderJwk: delegator.key,
    holderKey: ctx.keys.get(delegator.key, 'possession', delegator.hop),
    hop: delegator.hop,
    now: ctx.now,
    window: ctx.window,
    algorithms: ctx.algorithms,
    maxStringLength: Number.MAX_SAFE_INTEGER,
    audience: request.audience,
    requireAudience: true,
    typ: TYP.sender,
  });
  return { ...checked, delegator: delegator.id, hop: delegator.hop };
}
