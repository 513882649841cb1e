/**
 * The last part of rule 8, shared by the mandate verifier and `mandate/oauth`'s DPoP check:
 * a proof whose signature and bindings hold is accepted only with the server's nonce (when
 * one is required) and only the first time its id is seen. One replay key, one expiry and
 * one bounded store call for every proof, whoever checks it.
 */
import { MandateError } from '../core/errors.js';
import { replayExpiry } from '../proof/freshness.js';
import type { ReplayStore } from '../stores/types.js';
import type { ProvenRequest } from '../format/codec.js';
import type { NonceCheck } from './config.js';
import { proofReplayKey } from './replay-keys.js';
import { askStore } from './store-call.js';

/** What accepting a checked proof needs. */
export interface ProofAcceptance {
  /** The hop reported on a denial (the last block's index; 0 for an access token). */
  readonly hop: number;
  /** The principal id of the key that signed the proof: proof ids are unique per key. */
  readonly signer: string;
  /**
   * The credential an issuer granted (a mandate's root block id, an access token's `jti`),
   * passed to the replay store so it can cap what one grant holds.
   */
  readonly grant: string;
  /** Seconds either side of now a proof's `iat` may be (its freshness window). */
  readonly window: number;
  readonly replay: ReplayStore;
  readonly storeTimeoutMs: number;
  /** The server nonce check, when this server requires one. */
  readonly nonce: NonceCheck | undefined;
  /**
   * The AAT draft's labels of these checks (`detail.step`), given only for an AAT chain by its
   * codec (`AAT_ACCEPTANCE_STEPS`): a JWS or Biscuit chain, an access token or an A2A sender
   * proof is not checked under the draft's step numbering, so its denials carry no step.
   */
  readonly steps?: AcceptanceSteps;
}

/** Step labels of the nonce and replay checks, in an encoding that numbers its steps. */
export interface AcceptanceSteps {
  readonly nonce: string;
  readonly replay: string;
}

/**
 * Check the nonce (when required) and record the proof id. Throws a coded `MandateError`
 * (check `possession`): `MANDATE_PROOF_INVALID` (nonce), `MANDATE_REPLAYED`, or
 * `MANDATE_STORE_UNAVAILABLE` (the store failed, timed out, or refused: `detail.reason`).
 */
export async function acceptProof(proven: ProvenRequest, options: ProofAcceptance): Promise<void> {
  const { hop } = options;
  const deny = (
    code: 'MANDATE_PROOF_INVALID' | 'MANDATE_REPLAYED' | 'MANDATE_STORE_UNAVAILABLE',
    reason: string,
    detail: Record<string, unknown>,
  ): never => {
    throw new MandateError(code, reason, { check: 'possession', hop, detail });
  };
  const check = options.nonce;
  if (check !== undefined) {
    const { nonce } = proven;
    const accepted =
      nonce !== undefined &&
      (await askStore(options.storeTimeoutMs, 'possession', hop, async () => check(nonce)));
    if (accepted !== true) {
      deny(
        'MANDATE_PROOF_INVALID',
        nonce === undefined
          ? 'the proof carries no nonce and this verifier requires one'
          : 'the proof carries a nonce this verifier did not issue or no longer accepts',
        {
          ...(options.steps === undefined ? {} : { step: options.steps.nonce }),
          path: 'proof.nonce',
        },
      );
    }
  }
  const fresh = await askStore(options.storeTimeoutMs, 'possession', hop, () =>
    options.replay.checkAndStore(
      proofReplayKey(options.signer, proven.jti),
      replayExpiry(proven.iat, options.window),
      { grant: options.grant },
    ),
  );
  if (typeof fresh !== 'boolean') {
    deny('MANDATE_STORE_UNAVAILABLE', 'the replay store gave no yes-or-no answer', {});
  }
  if (!fresh) {
    deny(
      'MANDATE_REPLAYED',
      'this proof has been used before',
      options.steps === undefined ? {} : { step: options.steps.replay },
    );
  }
}
