/**
 * Delegation between OpenAI Agents: a handoff, or an agent used as a tool, hands the receiving
 * agent a mandate narrowed to what its own (guarded) tools need, signed by the handing-off
 * run's key. A sub-agent can never exceed its orchestrator, and never holds the orchestrator's
 * key.
 */
import {
  handoff,
  RunContext,
  type Agent,
  type AgentOutputType,
  type FunctionTool,
  type Handoff,
} from '@openai/agents-core';
import { AUTHORITY_KEY } from '../run-authority.js';
import { delegateTo, describeDenial, type DelegateToOptions } from '../tool-guard.js';
import { isMandateError } from '../../core/errors.js';

/** Options of `delegatingHandoff` and `delegatingAgentTool`. */
export interface AgentDelegationOptions extends DelegateToOptions {
  /** The tools the narrowing derives from. Default: the receiving agent's own tools. */
  readonly tools?: readonly unknown[];
}

type AnyAgent = Agent<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function toolsOf(agent: AnyAgent, options: AgentDelegationOptions): readonly unknown[] {
  return options.tools ?? agent.tools;
}

function splitOptions(options: AgentDelegationOptions): DelegateToOptions {
  const { tools: _tools, ...delegation } = options;
  return delegation;
}

/**
 * A handoff to `agent` that first replaces the run's authority with one narrowed to `agent`'s
 * tools: from the handoff on, the run can do only what the receiving agent needs. The run's
 * context must be a mutable object holding the authority under `mandate` (one per run).
 */
export function delegatingHandoff<TContext, TOutput extends AgentOutputType>(
  agent: Agent<TContext, TOutput>,
  options: AgentDelegationOptions = {},
  config: Parameters<typeof handoff>[1] = {},
): Handoff<TContext, TOutput> {
  const delegation = splitOptions(options);
  const onHandoff = (config as { onHandoff?: (context: RunContext<unknown>) => unknown }).onHandoff;
  return handoff<TContext, TOutput>(agent, {
    ...config,
    onHandoff: async (context: RunContext<unknown>) => {
      const holder = context.context;
      if (typeof holder !== 'object' || holder === null) {
        throw new TypeError('the run context must be an object holding { mandate }');
      }
      const narrowed = await delegateTo(holder, options.tools ?? agent.tools, delegation);
      (holder as Record<string, unknown>)[AUTHORITY_KEY] = narrowed;
      await onHandoff?.(context);
    },
  } as never);
}

/**
 * `agent.asTool(asToolOptions)`, run with a mandate narrowed to `agent`'s tools in a context of
 * its own (the calling run keeps its authority). A delegation that cannot be made is the
 * tool's error, with its code and hop, for the calling model.
 */
export function delegatingAgentTool(
  agent: AnyAgent,
  /** What `agent.asTool` takes (`toolName`, `toolDescription`, `parameters`, ...). */
  asToolOptions: { readonly toolName?: string; readonly toolDescription?: string } & object,
  options: AgentDelegationOptions = {},
): FunctionTool {
  const base = agent.asTool(asToolOptions as never) as unknown as FunctionTool;
  const delegation = splitOptions(options);
  const invoke: FunctionTool['invoke'] = async (runContext, input, details) => {
    const parent = runContext.context;
    let child: RunContext<unknown>;
    try {
      const narrowed = await delegateTo(parent, toolsOf(agent, options), delegation);
      child = new RunContext({
        ...(typeof parent === 'object' && parent !== null ? parent : {}),
        [AUTHORITY_KEY]: narrowed,
      });
    } catch (error) {
      if (!isMandateError(error)) throw error;
      return describeDenial({
        code: error.code,
        hop: error.hop ?? 0,
        check: error.check,
        reason: error.message,
      });
    }
    return base.invoke(child, input, details);
  };
  return { ...base, invoke };
}
