/**
 * The agent-tool guard every framework adapter (`mandate/ai`, `mandate/langchain`,
 * `mandate/openai-agents`) shares. A guarded tool runs only after this check, which happens
 * where the framework hands the tool its arguments, i.e. AFTER the framework's schema parsing
 * (defaults, coercion, transforms): the run's authority proves a fresh invocation proof bound
 * to exactly those arguments, the verifier checks mandate and proof against them, and the tool
 * body receives a frozen copy of the very arguments that were verified. A schema that coerces
 * or defaults an argument cannot smuggle a value past the guard (DESIGN.md section 3, the
 * adapters' duty). Every decision is audited; a denial never runs the body and goes back to the
 * model as a tool error carrying the code and the hop.
 *
 * Not checked here, and left to the caller: that the tool does what its requirement says (a
 * tool declared `read` that pays defeats the check), and that the verifier is the tool
 * service's own (its audience, trust anchors and replay store).
 */
import { isMandateError, MandateError, type Check, type MandateErrorCode } from '../core/errors.js';
import { deepFreeze } from '../core/freeze.js';
import { assertJson, cloneJson } from '../core/json.js';
import { DEFAULT_LIMITS, type Limits } from '../core/limits.js';
import { assertArgsWithin } from '../core/request-bounds.js';
import type { Action, Json } from '../core/types.js';
import { parseMandate } from '../format/parse.js';
import { prove } from '../proof/prove.js';
import { deniedFrom, type Allowed, type Denied } from '../verify/decision.js';
import type { Verifier } from '../verify/verifier.js';
import { toAuditor, type AuditOption, type Auditor } from '../verify/audit.js';
import type { ApprovalNeeded } from '../verify/approval-needed.js';
import { approvalOf } from './approval-transport.js';
import { actionFor } from './mcp/guard.js';
import {
  authorityIn,
  delegateAuthority,
  isRunAuthority,
  unsealAuthority,
  type AgentToolRequirement,
  type DelegateAuthorityOptions,
  type RunAuthority,
} from './run-authority.js';

/** What happens to a denied call. */
export type OnDenied =
  /** Throw a `ToolDeniedError`: the framework turns it into a tool error for the model. */
  | 'throw'
  /** Resolve a `ToolDenial` object as the tool's result: the model reads the code and hop. */
  | 'return';

/** A denied tool call, as the model and the `ask` hook see it. Holds no token or key. */
export interface ToolDenial {
  readonly denied: true;
  readonly code: MandateErrorCode;
  readonly hop: number;
  readonly check: Check;
  readonly reason: string;
  /** The tool that was called. */
  readonly tool: string;
  /** The framework's id of the call, when it has one. */
  readonly callId?: string;
  /**
   * For `MANDATE_APPROVAL_REQUIRED`: the approvals the call needs and the call to show the
   * human (docs/guides/approvals.md). Carries the call's arguments, never a token or key.
   */
  readonly approval?: ApprovalNeeded;
}

/** Options of `createToolGuard` (each framework adapter takes these). */
export interface ToolGuardOptions {
  /** The tool service's verifier (its audience, trust anchors, replay store). */
  readonly verifier: Verifier;
  /**
   * The service a tool-call proof is for (the verifier's audience), bound into each proof.
   * Default: the mandate's audience when it names exactly one service (a mandate naming
   * several needs this; without it every call is denied).
   */
  readonly audience?: string;
  /** Default `'throw'`. */
  readonly onDenied?: OnDenied;
  /**
   * Ask the user: called with each denial before it is reported. Resolve a new authority (say
   * a step-up grant the user just signed) and the call is verified again, once, with it (never
   * allowed without a verifier's yes); resolve undefined and the denial stands.
   */
  readonly ask?: (
    denial: ToolDenial,
  ) => Promise<RunAuthority | undefined> | RunAuthority | undefined;
  /** Where every decision goes (an Auditor or a logger function). */
  readonly audit?: AuditOption;
}

/** One tool call as the framework hands it to the tool: its name and its parsed arguments. */
export interface GuardedCall {
  readonly tool: string;
  /** The arguments after the framework's schema parsing: exactly what the tool will receive. */
  readonly args: unknown;
  readonly callId?: string;
  /** The run context the framework passed (the handle is read from its `mandate`). */
  readonly context: unknown;
  /** Signed approvals of this exact call (`approve`), sent to the verifier when given. */
  readonly approvals?: readonly string[];
}

/** What the tool body gets when the call is allowed. */
export interface AllowedCall {
  /** A deep-frozen copy of the verified arguments: run with these, nothing else. */
  readonly args: Readonly<Record<string, Json>>;
  readonly decision: Allowed;
  readonly action: Action;
}

/** The error a denied call throws in `'throw'` mode; its message carries code, hop and check. */
export class ToolDeniedError extends MandateError {
  override readonly name = 'ToolDeniedError';
  /** The denial, as the model should see it. */
  readonly denial: ToolDenial;
  constructor(denial: ToolDenial) {
    super(denial.code, describeDenial(denial), {
      hop: denial.hop,
      check: denial.check,
      detail: { tool: denial.tool },
    });
    this.denial = denial;
  }
}
deepFreeze(ToolDeniedError);

/** The one line a model reads for a denial: `MANDATE_FORBIDDEN @ hop 1 (authorize): ...`. */
export function describeDenial(denial: Omit<ToolDenial, 'denied' | 'tool'>): string {
  return `${denial.code} @ hop ${denial.hop} (${denial.check}): ${denial.reason}`;
}

/**
 * How a framework gets a call approved by a human (its pause, its resume): given a way to
 * verify the call with some approvals, it resolves the final outcome. A coded error it throws
 * (a refusal, approvals that cannot cover the call) denies the call; anything else it throws
 * (a framework's pause signal) goes through untouched.
 */
export type ApprovalLoop = (
  attempt: (approvals: readonly string[]) => Promise<AllowedCall | ToolDenial>,
) => Promise<AllowedCall | ToolDenial>;

/** The guard a framework adapter wraps each tool's execute function with. */
export interface ToolGuard {
  /**
   * Verify one call and, if allowed, run `body` with the verified arguments; a denial never
   * runs it and throws or resolves a `ToolDenial` (per `onDenied`).
   */
  run<Result>(
    call: GuardedCall,
    requirement: AgentToolRequirement,
    body: (allowed: AllowedCall) => Result | Promise<Result>,
    approval?: ApprovalLoop,
  ): Promise<Result | ToolDenial>;
  /** The verified decision alone (no body, no denial handling); every decision is audited. */
  decide(
    call: GuardedCall,
    requirement: AgentToolRequirement,
    authority?: RunAuthority,
  ): Promise<AllowedCall | ToolDenial>;
}

/** A denial of `call` (hop 0 unless given). */
export function denial(
  code: MandateErrorCode,
  check: Check,
  reason: string,
  call: GuardedCall,
  hop = 0,
): ToolDenial {
  return {
    denied: true,
    code,
    hop,
    check,
    reason,
    tool: call.tool,
    ...(call.callId === undefined ? {} : { callId: call.callId }),
  };
}

function fromDecision(decision: Denied, call: GuardedCall): ToolDenial {
  return {
    ...denial(decision.code, decision.check, decision.reason, call, decision.hop),
    ...approvalOf(decision),
  };
}

/**
 * The parsed arguments as a frozen JSON snapshot, or why they cannot be verified: a parsed
 * value that is not plain JSON (a `Date`, a `Map`, a class instance a transform produced) has
 * no digest a proof could bind, so it is denied rather than guessed at. Arguments past the
 * request `limits` (the verifier's: its values, size and strings) are refused first, by a walk
 * that stops at them, before anything copies, proves or hashes them.
 */
export function snapshotArgs(
  args: unknown,
  limits: Limits = DEFAULT_LIMITS,
): Readonly<Record<string, Json>> {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new MandateError('MANDATE_MALFORMED', 'tool arguments must be an object', {
      check: 'limits',
    });
  }
  assertArgsWithin(args, 'args', limits);
  // No container holds more values than the whole (4,096 by default, as before the count).
  assertJson(args, 'args', { maxArrayLength: limits.maxRequestValues });
  return deepFreeze(cloneJson(args) as Record<string, Json>);
}

/** The index of a mandate's last block (where a possession failure is reported). */
async function lastHop(token: string): Promise<number> {
  try {
    return (await parseMandate(token)).blocks.length - 1;
  } catch {
    return 0;
  }
}

/** Create the guard an adapter wraps tools with. `transport` labels its audit records. */
export function createToolGuard(options: ToolGuardOptions, transport: string): ToolGuard {
  if (typeof options?.verifier?.verify !== 'function') {
    throw new TypeError('a tool guard needs { verifier }');
  }
  const onDenied = options.onDenied ?? 'throw';
  if (onDenied !== 'throw' && onDenied !== 'return') {
    throw new TypeError("onDenied must be 'throw' or 'return'");
  }
  if (options.ask !== undefined && typeof options.ask !== 'function') {
    throw new TypeError('ask must be a function');
  }
  if (options.audience !== undefined && typeof options.audience !== 'string') {
    throw new TypeError('audience must be a string');
  }
  const auditor: Auditor | undefined = toAuditor(options.audit);
  const verifier = options.verifier;

  async function record(
    decision: Allowed | Denied,
    action: Action,
    call: GuardedCall,
  ): Promise<void> {
    await auditor?.record(decision, action, {
      transport,
      target: call.tool,
      ...(call.callId === undefined ? {} : { callId: call.callId }),
    });
  }

  async function audited(
    result: ToolDenial,
    action: Action,
    call: GuardedCall,
  ): Promise<ToolDenial> {
    await record(
      {
        allowed: false,
        code: result.code,
        hop: result.hop,
        check: result.check,
        reason: result.reason,
        detail: {},
      },
      action,
      call,
    );
    return result;
  }

  /** Prove with the run's key (the one place a guard signs), then verify. */
  async function verifyCall(
    authority: RunAuthority,
    action: Action,
    args: Readonly<Record<string, Json>>,
    call: GuardedCall,
  ): Promise<Allowed | ToolDenial> {
    const { token, signer } = unsealAuthority(authority);
    if (signer === undefined) {
      return denial(
        'MANDATE_PROOF_MISSING',
        'possession',
        'the run holds the mandate but no key to prove it',
        call,
        await lastHop(token),
      );
    }
    const request = { tool: call.tool, args };
    let proof: string;
    try {
      proof = await prove(token, {
        signer,
        request,
        // The proof names the service it is for (default: the mandate's one audience).
        ...(options.audience === undefined ? {} : { audience: options.audience }),
      });
    } catch (error) {
      // `prove` refuses a key that is not the last holder's: a stolen mandate cannot prove.
      if (!isMandateError(error)) {
        return denial('MANDATE_INTERNAL', 'internal', 'the call could not be proven', call);
      }
      return fromDecision(deniedFrom(error, await lastHop(token)), call);
    }
    let decision;
    try {
      decision = await verifier.verify(token, {
        action,
        proof,
        request,
        ...(call.approvals === undefined ? {} : { approvals: call.approvals }),
      });
    } catch {
      return denial('MANDATE_INTERNAL', 'internal', 'the call could not be verified', call);
    }
    return decision.allowed ? decision : fromDecision(decision, call);
  }

  const decide: ToolGuard['decide'] = async (call, requirement, given) => {
    const nothing: Action = { resource: '', action: String(requirement?.action ?? '') };
    let args: Readonly<Record<string, Json>>;
    try {
      args = snapshotArgs(call.args, verifier.limits);
    } catch (error) {
      const e = isMandateError(error) ? error : undefined;
      return audited(
        denial(
          e?.code ?? 'MANDATE_MALFORMED',
          'limits',
          e?.message ?? 'tool arguments are not JSON',
          call,
        ),
        nothing,
        call,
      );
    }
    let action: Action;
    try {
      action = actionFor(requirement, args);
    } catch {
      return audited(
        denial(
          'MANDATE_MALFORMED',
          'authorize',
          `the arguments of ${call.tool} name no resource`,
          call,
        ),
        nothing,
        call,
      );
    }
    const authority = given ?? authorityIn(call.context);
    if (authority === undefined) {
      return audited(
        denial('MANDATE_MALFORMED', 'limits', 'no mandate in the run context', call),
        action,
        call,
      );
    }
    const result = await verifyCall(authority, action, args, call);
    if ('denied' in result) return audited(result, action, call);
    await record(result, action, call);
    return { args, decision: result, action };
  };

  /** Decide the call through a human's approval step (`ApprovalLoop`). */
  async function withApproval(
    call: GuardedCall,
    requirement: AgentToolRequirement,
    approval: ApprovalLoop,
  ): Promise<AllowedCall | ToolDenial> {
    let asked: ToolDenial | undefined;
    try {
      return await approval(async (approvals) => {
        const outcome = await decide(
          approvals.length === 0 ? call : { ...call, approvals },
          requirement,
        );
        if ('denied' in outcome) asked = outcome;
        return outcome;
      });
    } catch (error) {
      if (!isMandateError(error)) throw error;
      // Refused, or approvals that cannot cover the call: denied before any retry, audited
      // as the call the human was asked about.
      const shown = asked?.approval?.call;
      return audited(
        denial(error.code, error.check, error.message, call, error.hop ?? 0),
        {
          resource: shown?.resource ?? '',
          action: shown?.action ?? String(requirement?.action ?? ''),
          ...(shown === undefined ? {} : { args: shown.args }),
        },
        call,
      );
    }
  }

  return {
    decide,
    async run(call, requirement, body, approval) {
      let outcome =
        approval === undefined
          ? await decide(call, requirement)
          : await withApproval(call, requirement, approval);
      if ('denied' in outcome && options.ask !== undefined) {
        const granted = await options.ask(outcome);
        if (granted !== undefined) outcome = await decide(call, requirement, granted);
      }
      if (!('denied' in outcome)) return body(outcome);
      if (onDenied === 'return') return outcome;
      throw new ToolDeniedError(outcome);
    },
  };
}

const allowedCalls = new WeakMap<object, AllowedCall>();

/** Remember the allowed call a framework's per-call object (options, config) belongs to. */
export function bindAllowed(key: unknown, allowed: AllowedCall): void {
  if (typeof key === 'object' && key !== null) allowedCalls.set(key, allowed);
}

/**
 * The verified call a tool is serving, looked up by the per-call object the framework passed
 * it (AI SDK execution options, LangChain config, OpenAI Agents run context details): the
 * Decision (user, chain), the action and the verified arguments.
 */
export function allowedCallOf(key: unknown): AllowedCall | undefined {
  return typeof key === 'object' && key !== null ? allowedCalls.get(key) : undefined;
}

/** Which tools an adapter guarded, and what each needs (for delegation to the agent holding them). */
const declared = new WeakMap<
  object,
  { readonly name: string; readonly requirement: AgentToolRequirement }
>();

/** Record that `tool` is guarded with `requirement` (adapters call it on each tool they wrap). */
export function declareTool(tool: object, name: string, requirement: AgentToolRequirement): void {
  declared.set(tool, { name, requirement });
}

/**
 * The requirements of the guarded tools among `tools` (an array or a name-to-tool record): what
 * an agent holding these tools needs, and so all a delegation to it should allow. Tools that are
 * not guarded need no authority and add nothing.
 */
export function declaredRequirements(
  tools: Iterable<unknown> | Readonly<Record<string, unknown>>,
): AgentToolRequirement[] {
  const list: unknown[] =
    Symbol.iterator in Object(tools)
      ? [...(tools as Iterable<unknown>)]
      : Object.values(tools as Record<string, unknown>);
  const out: AgentToolRequirement[] = [];
  for (const tool of list) {
    if (typeof tool !== 'object' || tool === null) continue;
    const entry = declared.get(tool);
    if (entry !== undefined) out.push(entry.requirement);
  }
  return out;
}

/** Options of `delegateTo`: everything `delegateAuthority` takes but the requirements. */
export type DelegateToOptions = Omit<DelegateAuthorityOptions, 'requirements'>;

/**
 * Delegate the authority of the current run (a handle, or a run context holding one under
 * `mandate`) to a sub-agent, narrowed to what the sub-agent's guarded `tools` declare (and
 * `narrow`, when given), signed by this run's key. Resolves the sub-agent's handle.
 *
 * @throws MandateError `MANDATE_MALFORMED` when there is no authority to delegate.
 */
export async function delegateTo(
  from: unknown,
  tools: Iterable<unknown> | Readonly<Record<string, unknown>>,
  options: DelegateToOptions = {},
): Promise<RunAuthority> {
  const authority = isRunAuthority(from) ? from : authorityIn(from);
  if (authority === undefined) {
    throw new MandateError('MANDATE_MALFORMED', 'no mandate in the run context', {
      check: 'limits',
    });
  }
  return delegateAuthority(authority, { ...options, requirements: declaredRequirements(tools) });
}
