/**
 * The A2A server guard. In A2A, a request to an agent is a grant: the caller delegates to
 * this agent a mandate (holder: the agent's key, which its signed Agent Card publishes) and
 * sends it in the message's `metadata["dev.mandate/mandate"]`, with a sender proof in
 * `metadata["dev.mandate/proof"]`: the caller's own signature (the key that delegated the grant)
 * over the grant's hash, this agent's identity, the message id and the message parts. The guard
 * verifies the whole chain for the action the message asks for, proves possession with the
 * agent's own key (so a mandate granted to another agent is refused: `MANDATE_PROOF_INVALID`),
 * checks the sender proof (so a grant seen in transit is useless to whoever saw it), and
 * consumes the sender proof and the grant once (a replay is `MANDATE_REPLAYED`): the verifier
 * records both in its replay store with the message's approvals, in one all-or-none step and
 * only when the whole message is allowed, so a refused message spends nothing. The handler
 * then sees the Decision and a deputy over the grant, the only way it spends the caller's
 * authority onward.
 *
 * Not checked here, and left to the caller: that `action` reads the message faithfully. What the
 * sender proof cannot stop: a party holding the delegator's key (a compromised delegator) sends
 * what that delegator could; an intercepted message delivered unchanged, before the genuine one,
 * is the genuine request (the genuine one is then refused as a replay).
 */
import type { Message } from '@a2a-js/sdk';
import type { AgentExecutor, ExecutionEventBus, RequestContext } from '@a2a-js/sdk/server';
import { randomUUID } from 'node:crypto';
import { isMandateError } from '../../core/errors.js';
import type { Action, KeyPair } from '../../core/types.js';
import { decodeChain } from '../../format/parse.js';
import { replayExpiry } from '../../proof/freshness.js';
import { prove } from '../../proof/prove.js';
import { checkSender } from '../../proof/sender.js';
import { proofReplayKey } from '../../verify/replay-keys.js';
import { KeyCache } from '../../identity/jwk.js';
import { systemClock } from '../../core/time.js';
import type { Allowed, Denied } from '../../verify/decision.js';
import type { Verifier } from '../../verify/verifier.js';
import { contentOf } from './content.js';
import { toAuditor, type AuditOption } from '../../verify/audit.js';
import { createDeputy, type Deputy } from '../../proof/deputy.js';
import { approvalOf, approvalsIn, META_APPROVALS } from '../approval-transport.js';

/** `metadata` key of the granted mandate on a message. */
export const A2A_META_MANDATE = 'dev.mandate/mandate';
/** `metadata` key of the sender proof (signed by the key that delegated the grant). */
export const A2A_META_PROOF = 'dev.mandate/proof';
/** `metadata` key of signed approvals of the message's action (a list of compact JWS). */
export const A2A_META_APPROVALS = META_APPROVALS;
/** `metadata` key of a denial on the agent's answer. */
export const A2A_META_DENIAL = 'dev.mandate/denial';
/** The A2A extension URI an Agent Card uses to advertise Mandate. */
export const MANDATE_A2A_EXTENSION = 'urn:mandate:a2a:v1';

/** What the agent's handler sees for an allowed message. */
export interface A2aMandateContext {
  readonly decision: Allowed;
  readonly action: Action;
  /** The grant (its last holder is this agent): delegate from it, never forward it. */
  readonly mandate: string;
  /** A deputy over the grant, signing with the agent's key. */
  readonly deputy: Deputy;
}

/** Options of `guardAgent`. */
export interface A2aGuardOptions {
  readonly verifier: Verifier;
  /** This agent's key: the holder its callers delegate to. */
  readonly signer: KeyPair;
  /** This agent's identity (its verifier's `audience`): what a sender proof must name. */
  readonly audience: string;
  /** Seconds either side of now within which a sender proof's `iat` must lie. Default 60. */
  readonly proofWindow?: number;
  /** The action a message asks for; undefined denies the message (`MANDATE_FORBIDDEN`). */
  readonly action: (
    message: Message,
    context: RequestContext,
  ) => Action | undefined | Promise<Action | undefined>;
  readonly audit?: AuditOption;
}

/** Default sender-proof window, the verifier's default proof window. */
const DEFAULT_PROOF_WINDOW = 60;
const SENDER_ALGORITHMS = ['Ed25519', 'ES256'] as const;

/**
 * The single-use id of a sender proof: the delegator's principal id and its `jti`, labelled
 * apart from grants. The verifier keeps every single-use id in a namespace of its own, apart
 * from proof and approval ids (`singleUseReplayKey`).
 */
export function senderReplayKey(delegator: string, jti: string): string {
  return `sender:${proofReplayKey(delegator, jti)}`;
}

/** The single-use id of a grant (its last block's id): one grant, one request. */
export function grantReplayKey(blockId: string): string {
  return `grant:${blockId}`;
}

const contexts = new WeakMap<object, A2aMandateContext>();

/** The Mandate context of a request a guarded executor is serving. */
export function mandateOf(requestContext: RequestContext): A2aMandateContext | undefined {
  return contexts.get(requestContext);
}

function denial(code: Denied['code'], check: Denied['check'], reason: string): Denied {
  return { allowed: false, code, hop: 0, check, reason, detail: {} };
}

function publishDenial(
  eventBus: ExecutionEventBus,
  requestContext: RequestContext,
  denied: Denied,
) {
  const message = {
    messageId: randomUUID(),
    contextId: requestContext.contextId,
    taskId: '',
    role: 2, // Role.ROLE_AGENT (a type-only import keeps the SDK out of this module's load)
    parts: [{ content: { $case: 'text', value: `denied: ${denied.code}: ${denied.reason}` } }],
    metadata: {
      [A2A_META_DENIAL]: {
        code: denied.code,
        hop: denied.hop,
        check: denied.check,
        reason: denied.reason,
        ...approvalOf(denied),
      },
    },
    extensions: [MANDATE_A2A_EXTENSION],
    referenceTaskIds: [],
  } as unknown as Message;
  eventBus.publish({ kind: 'message', data: message });
  eventBus.finished();
}

/** Wrap an `AgentExecutor` so that it runs only for messages carrying a valid grant. */
export function guardAgent(executor: AgentExecutor, options: A2aGuardOptions): AgentExecutor {
  if (typeof executor?.execute !== 'function')
    throw new TypeError('executor must be an AgentExecutor');
  if (typeof options?.verifier?.verify !== 'function') throw new TypeError('verifier required');
  if (typeof options.signer?.publicJwk !== 'object') throw new TypeError('signer required');
  if (typeof options.action !== 'function') throw new TypeError('action must be a function');
  if (typeof options.audience !== 'string' || options.audience.length === 0)
    throw new TypeError("audience required (this agent's identity)");
  const proofWindow = options.proofWindow ?? DEFAULT_PROOF_WINDOW;
  if (!Number.isSafeInteger(proofWindow) || proofWindow < 0)
    throw new RangeError('proofWindow must be a non-negative integer of seconds');
  // The sender proofs and grants used are recorded in the verifier's replay store, in one
  // step with the approvals: a separate store could not be written all-or-none with them.
  if ((options as { grants?: unknown }).grants !== undefined) {
    throw new TypeError(
      "grants is no longer an option: sender proofs and grants are recorded in the verifier's " +
        'replay store (createVerifier({ replay })), with the approvals, in one step',
    );
  }
  const keys = new KeyCache(256);
  const auditor = toAuditor(options.audit);
  return {
    cancelTask: (taskId, eventBus) => executor.cancelTask(taskId, eventBus),
    async execute(requestContext, eventBus) {
      const message = requestContext.userMessage;
      const deny = async (denied: Denied, action: Action | undefined) => {
        await auditor?.record(denied, action ?? { resource: '', action: '' }, {
          transport: 'a2a',
          target: requestContext.taskId,
        });
        publishDenial(eventBus, requestContext, denied);
      };
      let action: Action | undefined;
      try {
        action = await options.action(message, requestContext);
      } catch {
        action = undefined;
      }
      if (action === undefined) {
        return deny(
          denial(
            'MANDATE_FORBIDDEN',
            'authorize',
            'the message asks for no action this agent performs',
          ),
          undefined,
        );
      }
      const metadata = message.metadata as Record<string, unknown> | undefined;
      const token = metadata?.[A2A_META_MANDATE];
      if (typeof token !== 'string' || token.length === 0) {
        return deny(
          denial('MANDATE_MALFORMED', 'limits', `no mandate in metadata["${A2A_META_MANDATE}"]`),
          action,
        );
      }
      // Possession by this agent: the grant must name this agent's key as its last holder. The
      // proof is a DPoP proof over a URL naming the message (the action's args stay the ones
      // authorized; a tool-call proof would bind them instead).
      const request = {
        method: 'POST',
        url: `https://a2a.mandate.invalid/message/${encodeURIComponent(String(message.messageId))}`,
      };
      let proof: string;
      try {
        proof = await prove(token, { signer: options.signer, request });
      } catch (error) {
        const code =
          isMandateError(error) && error.code !== 'MANDATE_PROOF_INVALID'
            ? error.code
            : 'MANDATE_PROOF_INVALID';
        return deny(
          denial(
            code,
            'possession',
            code === 'MANDATE_PROOF_INVALID'
              ? 'the mandate is not granted to this agent'
              : 'the mandate could not be read',
          ),
          action,
        );
      }
      // Possession by the sender: the key that delegated the grant signed this message. Its
      // signature and bindings are checked first, over the delegator key the chain names; the
      // verifier then authenticates that key (the message is allowed only if the chain
      // verifies). Nothing is recorded here: see below.
      let sender;
      let grantBlock;
      try {
        sender = await checkSender(
          metadata?.[A2A_META_PROOF],
          token,
          {
            audience: options.audience,
            message: String(message.messageId),
            content: contentOf(message),
          },
          { now: systemClock(), window: proofWindow, algorithms: SENDER_ALGORITHMS, keys },
        );
        grantBlock = (await decodeChain(token)).at(-1);
      } catch (error) {
        if (!isMandateError(error)) {
          return deny(
            denial('MANDATE_INTERNAL', 'internal', 'the sender could not be checked'),
            action,
          );
        }
        return deny(
          {
            ...denial(error.code, 'possession', `sender proof: ${error.message}`),
            hop: error.hop ?? 0,
          },
          action,
        );
      }
      if (grantBlock === undefined) {
        return deny(denial('MANDATE_MALFORMED', 'limits', 'the mandate has no block'), action);
      }
      // One sender proof, one message; one grant, one request. Both ids are recorded by the
      // verifier in its replay store, in the same all-or-none step as the message's approvals
      // and only once every rule has allowed the message: a message refused for any reason
      // (a bad sender proof, a used grant, a replayed approval) spends none of them.
      let decision;
      try {
        decision = await options.verifier.verify(token, {
          action,
          proof,
          request,
          ...approvalsIn(metadata),
          singleUse: [
            {
              jti: senderReplayKey(sender.delegator, sender.jti),
              expiresAt: replayExpiry(sender.iat, proofWindow),
            },
            { jti: grantReplayKey(grantBlock.id), expiresAt: grantBlock.expiresAt },
          ],
        });
      } catch {
        return deny(
          denial('MANDATE_INTERNAL', 'internal', 'the grant could not be verified'),
          action,
        );
      }
      if (!decision.allowed) return deny(decision, action);
      await auditor?.record(decision, action, { transport: 'a2a', target: requestContext.taskId });
      contexts.set(requestContext, {
        decision,
        action,
        mandate: token,
        deputy: createDeputy({ mandate: token, signer: options.signer }),
      });
      return executor.execute(requestContext, eventBus);
    },
  };
}
