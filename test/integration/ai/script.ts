/**
 * The AI SDK's own offline test model (`MockLanguageModelV4` from `ai/test`), scripted: each
 * model step either calls tools (with the arguments given, as a prompt-injected model would)
 * or answers with text. The streaming form sends each call's JSON in small deltas.
 */
import { simulateReadableStream } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';

/** One model step: tool calls, or a final text. */
export type Step =
  | { readonly calls: readonly { readonly tool: string; readonly args: unknown }[] }
  | { readonly text: string };

const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 1, text: 1, reasoning: undefined },
};

let ids = 0;

function generateResult(step: Step) {
  if ('text' in step) {
    return {
      content: [{ type: 'text' as const, text: step.text }],
      finishReason: { unified: 'stop' as const, raw: undefined },
      usage,
      warnings: [],
    };
  }
  return {
    content: step.calls.map((call) => ({
      type: 'tool-call' as const,
      toolCallId: `call-${++ids}`,
      toolName: call.tool,
      input: JSON.stringify(call.args),
    })),
    finishReason: { unified: 'tool-calls' as const, raw: undefined },
    usage,
    warnings: [],
  };
}

/** A model that plays `steps` in order through `generateText`. */
export function scriptedModel(steps: readonly Step[]): MockLanguageModelV4 {
  return new MockLanguageModelV4({ doGenerate: steps.map(generateResult) });
}

/** Split a string into `parts` pieces of about equal length. */
function pieces(text: string, parts: number): string[] {
  const size = Math.ceil(text.length / parts);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function streamChunks(step: Step) {
  const chunks: unknown[] = [];
  if ('text' in step) {
    chunks.push(
      { type: 'text-start', id: 't' },
      { type: 'text-delta', id: 't', delta: step.text },
      { type: 'text-end', id: 't' },
    );
  } else {
    for (const call of step.calls) {
      const id = `call-${++ids}`;
      const input = JSON.stringify(call.args);
      chunks.push({ type: 'tool-input-start', id, toolName: call.tool });
      for (const delta of pieces(input, 4)) chunks.push({ type: 'tool-input-delta', id, delta });
      chunks.push({ type: 'tool-input-end', id });
      chunks.push({ type: 'tool-call', toolCallId: id, toolName: call.tool, input });
    }
  }
  chunks.push({
    type: 'finish',
    finishReason: { unified: 'text' in step ? 'stop' : 'tool-calls', raw: undefined },
    usage,
  });
  return { stream: simulateReadableStream({ chunks: chunks as never[] }) };
}

/** A model that plays `steps` in order through `streamText`, tool inputs in deltas. */
export function streamingModel(steps: readonly Step[]): MockLanguageModelV4 {
  return new MockLanguageModelV4({ doStream: steps.map(streamChunks) as never });
}

/** Everything the model was sent, as text (to find what a denial told it). */
export function promptsOf(model: MockLanguageModelV4): string {
  return JSON.stringify([...model.doGenerateCalls, ...model.doStreamCalls].map((c) => c.prompt));
}
