/** A2A messages of the demo: a payment request (a data part) and the agents' answers. */
import { randomUUID } from 'node:crypto';
import type { Message } from '@a2a-js/sdk';
import type { Action } from '../../core/types.js';
import { MANDATE_A2A_EXTENSION } from '../../adapters/a2a/index.js';

/** The invoice and amount a message asks to pay (its first data part). */
export function paymentAsked(message: Message): { invoice: string; amount: number } | undefined {
  for (const part of message.parts ?? []) {
    const content = part.content;
    if (content?.$case === 'data') {
      const value = content.value as { invoice?: unknown; amount?: unknown };
      if (typeof value?.invoice === 'string' && typeof value.amount === 'number') {
        return { invoice: value.invoice, amount: value.amount };
      }
    }
  }
  return undefined;
}

/** The free text of a message (its text parts, joined by spaces). */
export function messageText(message: Message): string {
  return (message.parts ?? [])
    .map((p) => (p.content?.$case === 'text' ? p.content.value : ''))
    .join(' ');
}

/** The action a payment message asks for (every argument the tool will see). */
export function payAction(message: Message): Action | undefined {
  const asked = paymentAsked(message);
  return asked === undefined
    ? undefined
    : {
        resource: `billing:invoices/${asked.invoice}`,
        action: 'pay',
        args: { invoice: asked.invoice, amount: asked.amount },
      };
}

/** A user (role 1) message asking to pay, with free text (where a prompt injection hides). */
export function payMessage(
  invoice: string,
  amount: number,
  text: string,
): Omit<Message, 'metadata'> {
  return {
    messageId: randomUUID(),
    contextId: randomUUID(),
    taskId: '',
    role: 1,
    parts: [
      { content: { $case: 'text', value: text } },
      { content: { $case: 'data', value: { invoice, amount } } },
    ],
    extensions: [MANDATE_A2A_EXTENSION],
    referenceTaskIds: [],
  } as unknown as Omit<Message, 'metadata'>;
}

/** An agent (role 2) answer with a data part. */
export function agentMessage(contextId: string, text: string, data: unknown): Message {
  return {
    messageId: randomUUID(),
    contextId,
    taskId: '',
    role: 2,
    parts: [
      { content: { $case: 'text', value: text } },
      { content: { $case: 'data', value: data } },
    ],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  } as unknown as Message;
}

/** The data part of an answer. */
export function answerData(result: unknown): unknown {
  const parts =
    (result as { parts?: { content?: { $case?: string; value?: unknown } }[] }).parts ?? [];
  return parts.find((p) => p.content?.$case === 'data')?.content?.value;
}

/** `metadata` key of the user's access token on a message to the orchestrator. */
export const A2A_META_SUBJECT_TOKEN = 'dev.mandate.demo/subject-token';

/** The user's access token a message carries, or undefined. */
export function subjectTokenOf(message: Message): string | undefined {
  const token = (message.metadata as Record<string, unknown> | undefined)?.[A2A_META_SUBJECT_TOKEN];
  return typeof token === 'string' && token.length > 0 ? token : undefined;
}
