/**
 * A scripted OpenAI Agents `Model` (the SDK's own model interface, offline): each step either
 * calls tools (or hands off, a call to `transfer_to_<agent>`) or answers with text. Streamed,
 * each call's arguments arrive as raw `function_call_arguments` deltas before the response.
 */
import {
  Usage,
  type Model,
  type RunItem,
  type ModelRequest,
  type ModelResponse,
  type StreamEvent,
} from '@openai/agents-core';

/** One model step: tool calls, or a final text. */
export type Step =
  | { readonly calls: readonly { readonly tool: string; readonly args: unknown }[] }
  | { readonly text: string };

let ids = 0;

function output(step: Step): ModelResponse['output'] {
  if ('text' in step) {
    return [
      {
        type: 'message',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: step.text }],
      },
    ];
  }
  return step.calls.map((call) => ({
    type: 'function_call' as const,
    callId: `call-${++ids}`,
    name: call.tool,
    arguments: JSON.stringify(call.args),
    status: 'completed' as const,
  }));
}

/** A model that plays its steps in order (then says "done"). */
export class ScriptedModel implements Model {
  private next = 0;
  /** Every request the model got. */
  readonly seen: ModelRequest[] = [];
  streamed = 0;

  constructor(private readonly steps: readonly Step[]) {}

  private step(request: ModelRequest): Step {
    this.seen.push(request);
    return this.steps[this.next++] ?? { text: 'done' };
  }

  getResponse(request: ModelRequest): Promise<ModelResponse> {
    return Promise.resolve({ usage: new Usage(), output: output(this.step(request)) });
  }

  async *getStreamedResponse(request: ModelRequest): AsyncIterable<StreamEvent> {
    const items = output(this.step(request));
    this.streamed++;
    yield { type: 'response_started' };
    for (const item of items) {
      if (item.type !== 'function_call') continue;
      const json = item.arguments;
      const size = Math.ceil(json.length / 4);
      for (let at = 0; at < json.length; at += size) {
        await new Promise((resolve) => setImmediate(resolve));
        yield {
          type: 'model',
          event: {
            type: 'response.function_call_arguments.delta',
            delta: json.slice(at, at + size),
          },
        };
      }
    }
    yield {
      type: 'response_done',
      response: {
        id: `response-${++ids}`,
        usage: { requests: 1, inputTokens: 0, outputTokens: 0, totalTokens: 0 },
        output: items as never,
      },
    };
  }

  /** Everything the model was sent, as text. */
  prompts(): string {
    return JSON.stringify(this.seen.map((request) => request.input));
  }
}

/** The tool outputs among a run's items, as text. */
export function outputsOf(items: readonly RunItem[]): string[] {
  return items
    .filter((item) => item.type === 'tool_call_output_item')
    .map((item) => {
      const out = (item as { output: unknown }).output;
      return typeof out === 'string' ? out : JSON.stringify(out);
    });
}
