/**
 * The deputy helper: an agent acting for a caller spends only the caller's authority, narrowed
 * to exactly the one call it is making. `deputy.call(target, action, args)` delegates a block
 * that allows one resource, one action and these argument values (pinned with `eq`), for a
 * short time, to the target's audience only, with no further delegation, to a one-time key;
 * proves with that key; and sends. The agent's own, broader grants are never in reach: a
 * deputy holds exactly one mandate, the caller's.
 */
import { delegate } from '../format/delegate.js';
import { generateKeyPair } from '../identity/keys.js';
import { proveSender, type SenderRequest } from './sender.js';
import type { Span } from '../core/time.js';
import type {
  Action,
  CapabilityInput,
  Json,
  KeyPair,
  Mandate,
  MandateLike,
} from '../core/types.js';
import type { JWK } from 'jose';

/** A call narrowed for one target: the mandate to present and the one-time key that holds it. */
export interface NarrowedCall {
  /** The chain ending in the narrowed block (holder: `signer`). */
  readonly mandate: Mandate;
  /** The one-time key the narrowed block names as holder; prove with it, then drop it. */
  readonly signer: KeyPair;
  /** What the call asks for (the args are the pinned ones: what the target authorizes). */
  readonly action: Action;
  /** All arguments of the call (what a tool-call proof binds). */
  readonly args: Readonly<Record<string, Json>>;
  /** The target's audience the block is limited to. */
  readonly audience: string;
}

/** Where a deputy sends a call: HTTP (`httpTarget`), MCP (`mcpTarget`) or A2A. */
export interface DeputyTarget<Result = unknown> {
  /** The target's identity (its verifier's `audience`). */
  readonly audience: string;
  /**
   * Which arguments feed the target's constraints, and so are pinned with `eq` and sent as
   * the action's args. Default: every argument.
   */
  readonly pin?: readonly string[];
  /** Prove and send a narrowed call. */
  send(call: NarrowedCall): Promise<Result>;
}

/** Options of `createDeputy`. */
export interface DeputyOptions {
  /** The mandate the agent holds for its caller (its last holder is `signer`). */
  readonly mandate: MandateLike;
  /** The agent's key: the mandate's last holder. */
  readonly signer: KeyPair;
  /** Lifetime of each narrowed block. Default 60 seconds. */
  readonly expiresIn?: Span;
}

/** Options of `deputy.grant`: delegate to another agent (which will act, and may narrow further). */
export interface GrantOptions {
  readonly capabilities: readonly CapabilityInput[];
  readonly audience?: string | readonly string[];
  readonly expiresIn?: Span;
  readonly maxDepth?: number;
  readonly purpose?: string;
}

/** A deputy: the only door through which an agent spends a caller's mandate. */
export interface Deputy {
  /** Narrow the mandate to exactly one call for one target. Throws `MANDATE_WIDENED` if the caller's mandate does not cover it. */
  narrow(
    target: Pick<DeputyTarget, 'audience' | 'pin'>,
    action: Pick<Action, 'resource' | 'action'>,
    args?: Readonly<Record<string, Json>>,
  ): Promise<NarrowedCall>;
  /** Narrow, prove and send one call. */
  call<Result>(
    target: DeputyTarget<Result>,
    action: Pick<Action, 'resource' | 'action'>,
    args?: Readonly<Record<string, Json>>,
  ): Promise<Result>;
  /** Delegate a narrower mandate to another agent's key (an A2A sub-task, say). */
  grant(holder: JWK, options: GrantOptions): Promise<Mandate>;
  /**
   * Sign the sending of a grant this deputy delegated, in one message to one receiver (the
   * sender proof an A2A guard requires: whoever merely saw the grant cannot send it).
   */
  proveSender(grant: MandateLike, request: SenderRequest): Promise<string>;
}

/** Create a deputy over the one mandate an agent holds for its caller. */
export function createDeputy(options: DeputyOptions): Deputy {
  if (typeof options !== 'object' || options === null) throw new TypeError('options required');
  const { mandate, signer } = options;
  if (typeof mandate !== 'string' && typeof mandate?.token !== 'string') {
    throw new TypeError('mandate must be a Mandate or its token');
  }
  if (typeof signer?.publicJwk !== 'object') throw new TypeError('signer must be a key pair');
  const expiresIn = options.expiresIn ?? 60;

  const narrow: Deputy['narrow'] = async (target, action, args = {}) => {
    if (typeof target?.audience !== 'string' || target.audience.length === 0) {
      throw new TypeError('target.audience must be a non-empty string');
    }
    if (typeof action?.resource !== 'string' || typeof action.action !== 'string') {
      throw new TypeError('action must be { resource, action }');
    }
    const names = target.pin ?? Object.keys(args);
    const pinned: Record<string, Json> = {};
    for (const name of names) {
      const value = args[name];
      if (value === undefined) throw new TypeError(`argument ${name} is pinned but not given`);
      pinned[name] = value;
    }
    const constraints = Object.fromEntries(
      Object.entries(pinned).map(([name, value]) => [name, { eq: value }]),
    );
    const oneTime = await generateKeyPair();
    const narrowed = await delegate(mandate, {
      signer,
      holder: oneTime.publicJwk,
      capabilities: [
        {
          resource: action.resource,
          actions: [action.action],
          ...(Object.keys(constraints).length === 0 ? {} : { constraints }),
        },
      ],
      audience: target.audience,
      expiresIn,
      maxDepth: 0,
      purpose: `${action.action} ${action.resource}`,
    });
    return {
      mandate: narrowed,
      signer: oneTime,
      action: { resource: action.resource, action: action.action, args: pinned },
      args,
      audience: target.audience,
    };
  };

  return {
    narrow,
    async call(target, action, args) {
      if (typeof target?.send !== 'function') throw new TypeError('target must have send()');
      return target.send(await narrow(target, action, args));
    },
    grant(holder, grant) {
      return delegate(mandate, {
        signer,
        holder,
        capabilities: grant.capabilities,
        ...(grant.audience === undefined ? {} : { audience: grant.audience }),
        expiresIn: grant.expiresIn ?? expiresIn,
        ...(grant.maxDepth === undefined ? {} : { maxDepth: grant.maxDepth }),
        ...(grant.purpose === undefined ? {} : { purpose: grant.purpose }),
      });
    },
    proveSender: (grant, request) => proveSender(grant, { signer, request }),
  };
}
