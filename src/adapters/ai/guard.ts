/**
 * Guarded Vercel AI SDK tools. The SDK validates a tool call's input against the tool's
 * `inputSchema` (defaults, coercion, transforms applied) and then calls `execute(input,
 * options)`: the guard sits there, so it verifies exactly the input the tool receives. The
 * run's authority travels in the tool's context (`toolsContext[name].mandate`, see
 * `mandateContext`), never in the prompt; the SDK calls `execute` only once a streamed tool
 * call's input is complete, so a partial stream never reaches the guard.
 */
import type { generateText, ToolExecutionOptions, ToolSet } from 'ai';
import { bindAllowed, createToolGuard, declareTool, type ToolGuardOptions } from '../tool-guard.js';
import type { AgentToolRequirement, RunAuthority } from '../run-authority.js';
import { approvalsFor, declareApprovalTarget } from './approval.js';

/** Options of `guardTools`. */
export interface AiGuardOptions extends ToolGuardOptions {
  /** Per tool name, what it needs. A tool with `execute` that is not listed throws here. */
  readonly tools: Readonly<Record<string, AgentToolRequirement>>;
  /** Tools that need no authority at all (weakens the guard: listed by name only). */
  readonly publicTools?: readonly string[];
}

type Execute = (input: unknown, options: ToolExecutionOptions<unknown>) => unknown;

/**
 * Guard every executable tool of a tool set: each call verifies the run's mandate and a fresh
 * proof bound to the parsed input before `execute` runs with a frozen copy of that input. A
 * denial never runs `execute`; by default it throws a `ToolDeniedError`, which the SDK returns
 * to the model as a tool error (`MANDATE_FORBIDDEN @ hop 1 (authorize): ...`). A call that
 * needs a human's approval pauses first when the run passes `toolApproval:
 * mandateToolApproval(tools)`, and is sent with the approvals the resumed run carries.
 */
export function guardTools<TOOLS extends ToolSet>(tools: TOOLS, options: AiGuardOptions): TOOLS {
  if (typeof tools !== 'object' || tools === null) throw new TypeError('tools must be a tool set');
  if (typeof options?.tools !== 'object' || options.tools === null) {
    throw new TypeError('guardTools needs { tools: { [name]: { resource, action } } }');
  }
  const guard = createToolGuard(options, 'ai');
  const publicTools = new Set(options.publicTools ?? []);
  const guarded: Record<string, unknown> = {};
  for (const [name, tool] of Object.entries(tools)) {
    const execute = (tool as { execute?: Execute }).execute;
    const requirement = options.tools[name];
    if (typeof execute !== 'function' || (requirement === undefined && publicTools.has(name))) {
      guarded[name] = tool;
      continue;
    }
    if (
      requirement === undefined ||
      (typeof requirement.resource !== 'string' && typeof requirement.resource !== 'function') ||
      typeof requirement.action !== 'string'
    ) {
      throw new TypeError(`tool ${name} needs a requirement { resource, action } (or publicTools)`);
    }
    const wrapped = {
      ...tool,
      execute: (input: unknown, execution: ToolExecutionOptions<unknown>) =>
        guard.run(
          {
            tool: name,
            args: input,
            callId: execution.toolCallId,
            context: execution.context,
            // The signed approvals a resumed run carries for this very call (none: the
            // verifier denies a call that needs them).
            approvals: approvalsFor(execution.messages, execution.toolCallId),
          },
          requirement,
          (allowed) => {
            bindAllowed(execution, allowed);
            return execute.call(tool, allowed.args, execution);
          },
        ),
    };
    declareTool(wrapped, name, requirement);
    declareApprovalTarget(wrapped, requirement, options.audience);
    guarded[name] = wrapped;
  }
  return guarded as TOOLS;
}

/** The `toolsContext` type `generateText` / `streamText` expect for a tool set. */
export type ToolsContextOf<TOOLS extends ToolSet> = NonNullable<
  Parameters<typeof generateText<TOOLS>>[0]['toolsContext']
>;

/**
 * The `toolsContext` that gives every tool of `tools` the run's authority (merged into the
 * contexts the tools already get). Pass it to `generateText` / `streamText` /
 * `ToolLoopAgent`; one per run, so concurrent runs for different users never share one.
 *
 * A tool with a `contextSchema` must let the `mandate` key through (a schema that strips it
 * leaves the guard with no mandate: every call is denied).
 */
export function mandateContext<TOOLS extends ToolSet>(
  tools: TOOLS,
  authority: RunAuthority,
  toolsContext: Readonly<Record<string, unknown>> = {},
): ToolsContextOf<TOOLS> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const name of Object.keys(tools)) {
    const own = toolsContext[name];
    out[name] = {
      ...(typeof own === 'object' && own !== null ? own : {}),
      mandate: authority,
    };
  }
  return out as ToolsContextOf<TOOLS>;
}
