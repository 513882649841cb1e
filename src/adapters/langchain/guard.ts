/**
 * Guarded LangChain.js tools (`tool()`, `StructuredTool`, `DynamicStructuredTool`). LangChain
 * parses a call's input against the tool's schema (defaults, coercion, transforms) and then
 * calls the tool's `_call(parsed, runManager, config)`: the guarded tool is the original with
 * its own `_call`, which verifies exactly that parsed input and then runs the original `_call`
 * with it (so the input is parsed once, never twice). The run's
 * authority travels in the `RunnableConfig`'s `configurable.mandate` (`withMandate`), which
 * LangChain and LangGraph hand to every tool of the run; never in a message.
 */
import type { StructuredToolInterface } from '@langchain/core/tools';
import type { RunnableConfig } from '@langchain/core/runnables';
import type { AgentToolRequirement, RunAuthority } from '../run-authority.js';
import { AUTHORITY_KEY } from '../run-authority.js';
import {
  createToolGuard,
  declareTool,
  type AllowedCall,
  type ApprovalLoop,
  type ToolGuardOptions,
} from '../tool-guard.js';
import { interruptLoop, type LangGraphApprovalOptions } from './approval.js';

/** Options of `guardTools`. */
export interface LangChainGuardOptions extends ToolGuardOptions {
  /** Per tool name, what it needs. A tool that is not listed throws here. */
  readonly tools: Readonly<Record<string, AgentToolRequirement>>;
  /** Tools that need no authority at all (weakens the guard: listed by name only). */
  readonly publicTools?: readonly string[];
  /**
   * Pause the graph for a human when a call needs approval (`MANDATE_APPROVAL_REQUIRED`):
   * `{ interrupt }` from `@langchain/langgraph`; the graph resumes with
   * `new Command({ resume: [approval, ...] })` or `{ refused: true }`
   * (docs/guides/approvals.md). Absent: such a call is denied for the model.
   */
  readonly humanApproval?: LangGraphApprovalOptions;
}

/** Where the allowed call rides in the config a guarded tool's body receives. */
const ALLOWED = Symbol('mandate.allowedCall');

type InnerCall = (arg: unknown, runManager: unknown, config: unknown) => Promise<unknown>;

/** What the guard reads of a LangChain structured tool. */
interface ToolShape {
  readonly name: unknown;
  readonly _call?: InnerCall;
}

interface ToolConfig {
  readonly configurable?: Record<string | symbol, unknown>;
  readonly toolCall?: { readonly id?: string };
}

/**
 * Guard LangChain tools: each call verifies the run's mandate and a fresh proof against the
 * parsed input before the tool runs with a frozen copy of it. A denial never runs the tool; by
 * default it throws a `ToolDeniedError`, which LangGraph's `ToolNode` returns to the model as
 * a tool message (`Error: MANDATE_FORBIDDEN @ hop 1 (authorize): ...`).
 */
export function guardTools<T extends StructuredToolInterface>(
  tools: readonly T[],
  options: LangChainGuardOptions,
): T[] {
  if (!Array.isArray(tools)) throw new TypeError('tools must be an array of LangChain tools');
  if (typeof options?.tools !== 'object' || options.tools === null) {
    throw new TypeError('guardTools needs { tools: { [name]: { resource, action } } }');
  }
  const guard = createToolGuard(options, 'langchain');
  const approval: ApprovalLoop | undefined =
    options.humanApproval === undefined ? undefined : interruptLoop(options.humanApproval);
  const publicTools = new Set(options.publicTools ?? []);
  return tools.map((candidate): T => {
    const original = candidate as unknown as ToolShape;
    const name = original.name;
    if (typeof name !== 'string') throw new TypeError('every tool needs a name');
    const inner = original._call;
    if (typeof inner !== 'function') throw new TypeError(`tool ${name} is not a structured tool`);
    const requirement = options.tools[name];
    if (
      requirement === undefined ||
      (typeof requirement.resource !== 'string' && typeof requirement.resource !== 'function') ||
      typeof requirement.action !== 'string'
    ) {
      // A public tool is handed back as it came (the caller's own tool type).
      // eslint-disable-next-line @typescript-eslint/no-unsafe-return
      if (publicTools.has(name) && requirement === undefined) return candidate;
      throw new TypeError(`tool ${name} needs a requirement { resource, action } (or publicTools)`);
    }
    // The guarded tool IS the original (its prototype), with one own `_call`: name, schema,
    // parsing, callbacks and response format stay the framework's, and nothing of LangChain
    // is imported here.
    const guarded = Object.create(original, {
      _call: {
        value: (parsed: unknown, runManager: unknown, config?: ToolConfig) => {
          const callId = config?.toolCall?.id;
          return guard.run(
            {
              tool: name,
              args: parsed,
              ...(typeof callId === 'string' ? { callId } : {}),
              context: config?.configurable,
            },
            requirement,
            (allowed) =>
              inner.call(original, allowed.args, runManager, {
                ...config,
                configurable: { ...config?.configurable, [ALLOWED]: allowed },
              }),
            approval,
          );
        },
      },
    }) as object;
    declareTool(guarded, name, requirement);
    // Same name, description and schema: to the agent it is the same tool.
    return guarded as unknown as T;
  });
}

/**
 * The config of a run on behalf of one user: `config` with the run's authority in
 * `configurable.mandate`. Pass it to `agent.invoke(input, withMandate(config, authority))`;
 * one per run, so concurrent runs for different users never share one.
 */
export function withMandate<C extends RunnableConfig>(
  config: C | undefined,
  authority: RunAuthority,
): C {
  return {
    ...(config ?? ({} as C)),
    configurable: { ...config?.configurable, [AUTHORITY_KEY]: authority },
  };
}

/** The verified call a guarded tool is serving, from the config its body receives. */
export function mandateOf(config: unknown): AllowedCall | undefined {
  const configurable = (config as ToolConfig | null | undefined)?.configurable;
  const allowed = configurable?.[ALLOWED];
  return typeof allowed === 'object' && allowed !== null ? (allowed as AllowedCall) : undefined;
}
