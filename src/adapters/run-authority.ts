/**
 * A run's authority: the mandate an agent run holds for its user and the key that proves it,
 * sealed in one opaque handle. The handle is what travels in a framework's run context (AI SDK
 * `toolsContext`, LangChain `configurable`, OpenAI Agents `RunContext.context`), so a tool
 * call is authorized by the run it belongs to, never by a prompt, and concurrent runs for
 * different users never share one. The handle has no readable fields: the token and the key
 * live in a module-private WeakMap, `JSON.stringify` and `util.inspect` print a placeholder, so
 * tracing, logging or serialising a run context leaks neither. Only the guards of the agent
 * framework adapters (and `delegateAuthority`, below) open it.
 */
import { inspect } from 'node:util';
import { tokenOf } from '../core/token-of.js';
import { intersect } from '../core/capability.js';
import type { Span } from '../core/time.js';
import type { Capability, CapabilityInput, KeyPair, MandateLike } from '../core/types.js';
import type { ChainBlock } from '../format/codec.js';
import { decodeChain, parseMandate } from '../format/parse.js';
import { generateKeyPair } from '../identity/keys.js';
import { delegate } from '../format/delegate.js';
import { MandateError } from '../core/errors.js';
import type { ToolRequirement } from './mcp/guard.js';

/** An opaque handle on a run's mandate and key. Put it in the run context; never in a prompt. */
export interface RunAuthority {
  /** Always `'[mandate authority]'`: a handle serialises to nothing it holds. */
  toJSON(): string;
}

/** What a handle seals. */
interface Sealed {
  readonly token: string;
  /** The mandate's last holder (absent: the run can present the mandate but never prove). */
  readonly signer: KeyPair | undefined;
}

const sealed = new WeakMap<RunAuthority, Sealed>();

/** Options of `createRunAuthority`. */
export interface RunAuthorityOptions {
  /** The mandate the agent holds for its user. */
  readonly mandate: MandateLike;
  /** The agent's key: the mandate's last holder. Another key (or none) proves nothing. */
  readonly signer?: KeyPair;
}

const PLACEHOLDER = '[mandate authority]';

/**
 * Seal a mandate and the agent's key into a handle for one run (one user). Nothing is checked
 * here: a handle whose key is not the mandate's last holder is denied at its first tool call,
 * with `MANDATE_PROOF_INVALID`.
 */
export function createRunAuthority(options: RunAuthorityOptions): RunAuthority {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createRunAuthority takes { mandate, signer }');
  }
  const token = tokenOf(options.mandate, 'createRunAuthority');
  const signer = options.signer;
  if (signer !== undefined && typeof signer?.publicJwk !== 'object') {
    throw new TypeError('signer must be a key pair');
  }
  const handle: RunAuthority = Object.freeze(
    Object.create(null, {
      toJSON: { value: () => PLACEHOLDER },
      [inspect.custom]: { value: () => PLACEHOLDER },
    }) as RunAuthority,
  );
  sealed.set(handle, { token, signer });
  return handle;
}

/** Whether `value` is a handle made by `createRunAuthority`. */
export function isRunAuthority(value: unknown): value is RunAuthority {
  return typeof value === 'object' && value !== null && sealed.has(value as RunAuthority);
}

/** The run context key every adapter reads the handle from. */
export const AUTHORITY_KEY = 'mandate';

/**
 * The handle a run context carries under `mandate` (`context.mandate`), or undefined. Anything
 * else under that key (a token string, a look-alike object) is not an authority.
 */
export function authorityIn(context: unknown): RunAuthority | undefined {
  if (typeof context !== 'object' || context === null) return undefined;
  const value: unknown = Object.getOwnPropertyDescriptor(context, AUTHORITY_KEY)?.value;
  return isRunAuthority(value) ? value : undefined;
}

/** Open a handle (adapters only; never exported from a public entry point). */
export function unsealAuthority(authority: RunAuthority): Sealed {
  const inside = sealed.get(authority);
  if (inside === undefined) throw new TypeError('not a RunAuthority (use createRunAuthority)');
  return inside;
}

/**
 * The decoded blocks of each handle's mandate, decoded on first use. Keyed by the handle, not
 * by the token: a handle seals one token for its whole life (a delegation or a new approval
 * state is a new handle), so an entry can never answer for another token, and it goes when
 * the handle goes (one entry per live handle: bounded by the runs the caller keeps).
 */
const decoded = new WeakMap<RunAuthority, Promise<readonly ChainBlock[]>>();

/**
 * The blocks of a handle's mandate (shape and limits only, nothing verified), decoded once
 * per handle however many tool calls of the run ask (adapters only). A token that does not
 * decode rejects with its `MandateError`, every time, without decoding again: decoding is a
 * pure function of the token.
 */
export function decodedChainOf(authority: RunAuthority): Promise<readonly ChainBlock[]> {
  let blocks = decoded.get(authority);
  if (blocks === undefined) {
    blocks = decodeChain(unsealAuthority(authority).token);
    decoded.set(authority, blocks);
  }
  return blocks;
}

/**
 * A tool's requirement as the agent adapters take it: the MCP guard's `{ resource, action }`,
 * plus the resource pattern the tool may touch when its resource depends on the arguments
 * (`scope`), which is what a delegation to an agent holding this tool is narrowed to.
 */
export interface AgentToolRequirement extends ToolRequirement {
  /**
   * The resources this tool can act on, as a pattern (`billing:invoices/*`). Default: the
   * resource when it is a fixed string; for a resource computed from the arguments, every
   * resource the delegating mandate covers (only the action narrows).
   */
  readonly scope?: string;
}

/** Options of `delegateAuthority`. */
export interface DelegateAuthorityOptions {
  /**
   * What the receiving agent's tools need (from `declaredRequirements(tools)`): the
   * delegation allows these actions on these resources and nothing else.
   */
  readonly requirements: readonly AgentToolRequirement[];
  /**
   * Narrow further (pin arguments, lower limits): the delegation is also intersected with
   * these capabilities, e.g. `[{ resource: 'billing:invoices/2026-03', actions: ['pay'],
   * constraints: { amount: { max: 200 } } }]`.
   */
  readonly narrow?: readonly CapabilityInput[];
  /** The receiving agent's key. Default: a fresh one-time key, held only by the new handle. */
  readonly holder?: KeyPair;
  /** Lifetime of the delegation. Default: the parent's (a longer one throws `MANDATE_WIDENED`). */
  readonly expiresIn?: Span;
  readonly audience?: string | readonly string[];
  readonly maxDepth?: number;
  readonly purpose?: string;
}

/** The capabilities a set of tool requirements needs, within `parent`. */
function neededBy(
  parent: readonly Capability[],
  requirements: readonly AgentToolRequirement[],
): CapabilityInput[] {
  const needs: CapabilityInput[] = [];
  for (const requirement of requirements) {
    const scope =
      requirement.scope ??
      (typeof requirement.resource === 'string' ? requirement.resource : undefined);
    if (scope !== undefined) {
      needs.push({ resource: scope, actions: [requirement.action] });
      continue;
    }
    // A resource computed from the arguments: keep the parent's resources, narrow the action.
    for (const capability of parent) {
      if (capability.actions.includes(requirement.action)) {
        needs.push({ resource: capability.resource, actions: [requirement.action] });
      }
    }
  }
  return needs;
}

/**
 * Delegate a run's authority to a sub-agent (a sub-graph, a handoff, an agent used as a tool):
 * a new block, signed by this run's key, that allows only what the sub-agent's tools need,
 * within what this run holds, optionally narrowed further. Resolves the sub-agent's handle.
 *
 * @throws MandateError `MANDATE_WIDENED` when the sub-agent's tools need something this run
 * does not hold at all (nothing to delegate), `MANDATE_PROOF_INVALID` when the handle's key is
 * not the mandate's last holder (a stolen mandate cannot be delegated either).
 */
export async function delegateAuthority(
  authority: RunAuthority,
  options: DelegateAuthorityOptions,
): Promise<RunAuthority> {
  const { token, signer } = unsealAuthority(authority);
  if (!Array.isArray(options?.requirements)) {
    throw new TypeError('delegateAuthority needs { requirements }');
  }
  if (signer === undefined) {
    throw new MandateError('MANDATE_PROOF_MISSING', 'this run holds no key to delegate with', {
      check: 'possession',
    });
  }
  const parent = await parseMandate(token);
  const held = parent.blocks[parent.blocks.length - 1]?.capabilities ?? [];
  let capabilities: CapabilityInput[] = intersect(held, neededBy(held, options.requirements));
  if (options.narrow !== undefined) capabilities = intersect(capabilities, options.narrow);
  const holder = options.holder ?? (await generateKeyPair());
  const mandate = await delegate(token, {
    signer,
    holder: holder.publicJwk,
    capabilities,
    ...(options.expiresIn === undefined ? {} : { expiresIn: options.expiresIn }),
    ...(options.audience === undefined ? {} : { audience: options.audience }),
    ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
    purpose: options.purpose ?? 'sub-agent',
  });
  return createRunAuthority({ mandate, signer: holder });
}
