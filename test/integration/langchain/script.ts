/**
 * A scripted LangChain chat model on `@langchain/core`'s own `BaseChatModel` (the fakes in
 * `@langchain/core/utils/testing` cannot script a sequence of tool calls): each step either
 * calls tools or answers with text; streamed, each call's arguments arrive in small chunks.
 * And the standard LangGraph agent loop (model node, `ToolNode`, `toolsCondition`).
 */
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';
import type { StructuredToolInterface } from '@langchain/core/tools';
import type { RunnableConfig } from '@langchain/core/runnables';
import {
  END,
  MessagesAnnotation,
  START,
  StateGraph,
  type BaseCheckpointSaver,
} from '@langchain/langgraph';
import { ToolNode, toolsCondition } from '@langchain/langgraph/prebuilt';

/** One model step: tool calls, or a final text. */
export type Step =
  | { readonly calls: readonly { readonly tool: string; readonly args: Record<string, unknown> }[] }
  | { readonly text: string };

let ids = 0;

/** A chat model that plays its steps in order (then says "done"). */
export class ScriptedChatModel extends BaseChatModel {
  private next = 0;
  /** Every message list the model was sent. */
  readonly seen: BaseMessage[][] = [];
  /** How many steps were streamed. */
  streamed = 0;

  constructor(private readonly steps: readonly Step[]) {
    super({});
  }

  _llmType(): string {
    return 'scripted';
  }

  override bindTools(): this {
    return this;
  }

  private step(messages: BaseMessage[]): Step {
    this.seen.push(messages);
    return this.steps[this.next++] ?? { text: 'done' };
  }

  _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const step = this.step(messages);
    const message =
      'text' in step
        ? new AIMessage(step.text)
        : new AIMessage({
            content: '',
            tool_calls: step.calls.map((c) => ({
              id: `call-${++ids}`,
              name: c.tool,
              args: c.args,
              type: 'tool_call' as const,
            })),
          });
    return Promise.resolve({ generations: [{ text: '', message }] });
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
  ): AsyncGenerator<ChatGenerationChunk> {
    const step = this.step(messages);
    this.streamed++;
    // A real model's chunks arrive over time.
    await new Promise((resolve) => setImmediate(resolve));
    if ('text' in step) {
      yield new ChatGenerationChunk({ text: step.text, message: new AIMessageChunk(step.text) });
      return;
    }
    for (const [index, call] of step.calls.entries()) {
      const json = JSON.stringify(call.args);
      const size = Math.ceil(json.length / 4);
      for (let at = 0; at < json.length; at += size) {
        yield new ChatGenerationChunk({
          text: '',
          message: new AIMessageChunk({
            content: '',
            tool_call_chunks: [
              {
                index,
                ...(at === 0 ? { id: `call-${++ids}`, name: call.tool } : {}),
                args: json.slice(at, at + size),
                type: 'tool_call_chunk',
              },
            ],
          }),
        });
      }
    }
  }
}

/** The standard LangGraph agent loop over `model` and `tools` (paused runs kept by `checkpointer`). */
export function agentGraph(
  model: ScriptedChatModel,
  tools: StructuredToolInterface[],
  checkpointer?: BaseCheckpointSaver,
) {
  return new StateGraph(MessagesAnnotation)
    .addNode('agent', async (state: typeof MessagesAnnotation.State, config?: RunnableConfig) => ({
      messages: [await model.invoke(state.messages, config)],
    }))
    .addNode('tools', new ToolNode(tools))
    .addEdge(START, 'agent')
    .addConditionalEdges('agent', toolsCondition, ['tools', END])
    .addEdge('tools', 'agent')
    .compile(checkpointer === undefined ? {} : { checkpointer });
}
