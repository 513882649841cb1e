/**
 * Guarded OpenAI Agents SDK function tools. The SDK parses a call's JSON arguments with the
 * tool's `parameters` schema (defaults, coercion, transforms) and then calls `execute(parsed,
 * runContext, details)`: the guard wraps that `execute`, so it verifies exactly the input the
 * tool receives. The run's authority travels in the run's context
 * (`run(agent, input, { context: { mandate } })`, read from `runContext.context.mandate`),
 * never in the prompt. The SDK's default tool error message hides the error; a guarded tool's
 * error function tells the model the denial's code and hop instead.
 */
import {
  tool,
  type FunctionTool,
  type RunContext,
  type ToolInputParameters,
} from '@openai/agents-core';
import type { AgentToolRequirement } from '../run-authority.js';
import { approvalPolicy, takeApprovals } from './approval.js';
import {
  bindAllowed,
  createToolGuard,
  declareTool,
  describeDenial,
  ToolDeniedError,
  type ToolGuardOptions,
} from '../tool-guard.js';

/** What `execute` receives besides the input (the SDK's per-call details). */
type Details = { readonly toolCall?: { readonly callId?: string } } | undefined;

/** The options of one guarded tool: the SDK's `tool()` options plus what it needs. */
export interface GuardedToolOptions<Result> {
  readonly name: string;
  readonly description: string;
  readonly parameters: ToolInputParameters;
  /** The tool's body: runs only once the call is allowed, with the verified input. */
  readonly execute: (
    input: never,
    runContext?: RunContext<unknown>,
    details?: never,
  ) => Result | Promise<Result>;
  /** What the tool needs. */
  readonly requirement: AgentToolRequirement;
  /** Any other option of the SDK's `tool()` (`strict`, `needsApproval`, `timeoutMs`, ...). */
  readonly [option: string]: unknown;
}

/** Options of `createAgentsToolGuard`. */
export interface AgentsToolGuardOptions extends ToolGuardOptions {
  /**
   * Pause the run for a human when a call's mandate requires approval of it: each tool's
   * `needsApproval` is true for those calls (or'ed with the tool's own), the run stops with
   * `result.interruptions`, and `approveCall` / `rejectCall` answer them (docs/guides/approvals.md).
   * Default false: such a call is denied with `MANDATE_APPROVAL_REQUIRED` for the model.
   */
  readonly humanApproval?: boolean;
}

/** Makes guarded function tools sharing one verifier, audit sink and denial policy. */
export interface AgentsToolGuard {
  /** A function tool (the SDK's `tool()`) whose `execute` is guarded. */
  tool<Result>(
    options: GuardedToolOptions<Result>,
  ): FunctionTool<unknown, ToolInputParameters, Result>;
}

type ErrorFunction = (context: unknown, error: unknown, details?: unknown) => unknown;

/** The SDK's own fixed message for any other tool error (it never shows an error's text). */
const GENERIC_ERROR = 'An error occurred while running the tool. Please try again.';

/** An error function that tells the model a denial's code and hop, and nothing else's text. */
export function denialErrorFunction(fallback?: ErrorFunction): ErrorFunction {
  return (context, error, details) => {
    if (error instanceof ToolDeniedError) return describeDenial(error.denial);
    return fallback === undefined ? GENERIC_ERROR : fallback(context, error, details);
  };
}

/**
 * Create the guard for OpenAI Agents function tools: `guard.tool({ name, description,
 * parameters, execute, requirement })`. Each call verifies the run's mandate and a fresh
 * proof against the parsed input before `execute` runs with a frozen copy of it; a denial
 * never runs it and reaches the model as `MANDATE_FORBIDDEN @ hop 1 (authorize): ...`.
 */
export function createAgentsToolGuard(options: AgentsToolGuardOptions): AgentsToolGuard {
  const guard = createToolGuard(options, 'openai-agents');
  if (options.humanApproval !== undefined && typeof options.humanApproval !== 'boolean') {
    throw new TypeError('humanApproval must be a boolean');
  }
  return {
    tool<Result>(definition: GuardedToolOptions<Result>) {
      const { requirement, execute, errorFunction, needsApproval, ...rest } = definition;
      if (
        (typeof requirement?.resource !== 'string' &&
          typeof requirement?.resource !== 'function') ||
        typeof requirement.action !== 'string'
      ) {
        throw new TypeError(
          `tool ${String(definition?.name)} needs a requirement { resource, action }`,
        );
      }
      if (typeof execute !== 'function') throw new TypeError('execute must be a function');
      const name = definition.name;
      const made: unknown = tool({
        ...rest,
        ...(options.humanApproval === true
          ? { needsApproval: approvalPolicy(name, requirement, options.audience, needsApproval) }
          : needsApproval === undefined
            ? {}
            : { needsApproval }),
        errorFunction: denialErrorFunction(errorFunction as ErrorFunction | undefined),
        execute: (input: unknown, runContext?: RunContext<unknown>, details?: Details) => {
          const callId = details?.toolCall?.callId;
          const approvals =
            options.humanApproval === true ? takeApprovals(runContext?.context, callId) : undefined;
          return guard.run(
            {
              tool: name,
              args: input,
              ...(typeof callId === 'string' ? { callId } : {}),
              context: runContext?.context,
              ...(approvals === undefined ? {} : { approvals }),
            },
            requirement,
            (allowed) => {
              bindAllowed(details, allowed);
              return execute(allowed.args as never, runContext, details as never);
            },
          );
        },
      } as never);
      const guarded = made as FunctionTool<unknown, ToolInputParameters, Result>;
      declareTool(guarded, name, requirement);
      return guarded;
    },
  };
}
