/**
 * LangGraph.js delegation: a node that runs a sub-graph (or a `ToolNode`, or any runnable) for
 * a sub-agent with a mandate narrowed to what the sub-agent's tools declare, signed by the
 * current run's key. The sub-graph sees only its own, narrower authority in its config.
 */
import type { RunnableConfig } from '@langchain/core/runnables';
import { delegateTo, type DelegateToOptions } from '../tool-guard.js';
import { withMandate } from './guard.js';

/** Anything a node can run: a compiled graph, a `ToolNode`, a runnable. */
export interface Invocable<Input, Output> {
  invoke(input: Input, config?: RunnableConfig): Promise<Output>;
}

/** Options of `delegatingNode`. */
export interface DelegatingNodeOptions extends DelegateToOptions {
  /** The sub-agent's tools (guarded with `guardTools`): the delegation allows what they need. */
  readonly tools: readonly unknown[];
}

/**
 * A graph node that hands the run's authority, narrowed to `options.tools` (and
 * `options.narrow`), to `target`, then runs it with the narrower authority only. Use it as
 * `graph.addNode('billing', delegatingNode(billingGraph, { tools: billingTools }))`.
 */
export function delegatingNode<Input, Output>(
  target: Invocable<Input, Output>,
  options: DelegatingNodeOptions,
): (input: Input, config?: RunnableConfig) => Promise<Output> {
  if (typeof target?.invoke !== 'function') throw new TypeError('target must have invoke()');
  if (!Array.isArray(options?.tools)) throw new TypeError('delegatingNode needs { tools }');
  const { tools, ...delegation } = options;
  return async (input, config) => {
    const sub = await delegateTo(config?.configurable, tools, delegation);
    return target.invoke(input, withMandate(config, sub));
  };
}
