/**
 * The agent process of the cross-process approval test (approvals.test.ts): a Vercel AI SDK
 * agent (scripted offline model) whose `pay_invoice` is a remote `mandate/mcp` tool in another
 * process. Each call that needs approval pauses in the SDK's tool approval; the agent prints one
 * `{"pending":{...}}` line (the call to approve) and waits for one `{"answer":...}` line on
 * stdin (the signed approvals a human made elsewhere, or a refusal), then resumes. Then it
 * plays a compromised agent: a run that skips the approval step, and a direct call replaying a
 * used approval. It ends with one `{"done":{...}}` line. Configuration: `MANDATE_TEST_AGENT`.
 */
import { createInterface } from 'node:readline';
import { generateText, isStepCount, type ModelMessage, type ToolApprovalResponse } from 'ai';
import { createMCPClient, type MCPTransport } from '@ai-sdk/mcp';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { JWK } from 'jose';
import {
  approvalResponse,
  createRunAuthority,
  mandateContext,
  mandateMcpTools,
  mandateToolApproval,
  mandateTransport,
  pendingApprovals,
  ToolDeniedError,
  type HumanAnswer,
} from '../../../src/adapters/ai/index.js';
import { callToolWithMandate, mandateDenial } from '../../../src/adapters/mcp/index.js';
import { keyPairOf } from '../../../src/cli/processes/common.js';
import { scriptedModel, type Step } from '../ai/script.js';

const config = JSON.parse(process.env.MANDATE_TEST_AGENT ?? 'null') as {
  toolUrl: string;
  audience: string;
  mandate: string;
  agentJwk: JWK;
};
const signer = await keyPairOf(config.agentJwk);
const say = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
async function answer(): Promise<HumanAnswer> {
  const next = await lines.next();
  if (next.done === true) throw new Error('stdin closed before an answer');
  return (JSON.parse(next.value) as { answer: HumanAnswer }).answer;
}

const pay = (invoice: string, amount: number): Step => ({
  calls: [{ tool: 'pay_invoice', args: { invoice, amount } }],
});
const requirement = {
  resource: (args: Readonly<Record<string, unknown>>) => `billing:invoices/${String(args.invoice)}`,
  action: 'pay',
};

const client = await createMCPClient({
  transport: mandateTransport(
    new StreamableHTTPClientTransport(new URL(config.toolUrl)),
  ) as unknown as MCPTransport,
});
const tools = mandateMcpTools(await client.tools(), {
  audience: config.audience,
  tools: { pay_invoice: requirement },
});
const authority = createRunAuthority({ mandate: config.mandate, signer });
const toolsContext = mandateContext(tools, authority);

/** One generateText run over the remote tool; tool errors as their denials. */
async function run(model: ReturnType<typeof scriptedModel>, messages: ModelMessage[], ask = true) {
  const errors: unknown[] = [];
  const result = await generateText({
    model,
    tools,
    toolsContext,
    ...(ask ? { toolApproval: mandateToolApproval(tools) } : {}),
    messages,
    stopWhen: isStepCount(4),
    onToolExecutionEnd: (event) => {
      if (event.toolOutput.type !== 'tool-error') return;
      const error = event.toolOutput.error;
      errors.push(error instanceof ToolDeniedError ? error.denial : String(error));
    },
  });
  return { result, errors };
}

// The user's task: the model pays 250 (needs approval), then a prompt injection makes it pay
// 900 more (needs approval too; the human refuses it).
const model = scriptedModel([pay('2026-03', 250), pay('2026-03', 900), { text: 'done' }]);
let messages: ModelMessage[] = [{ role: 'user', content: 'Pay my March invoice: 250.' }];
const approvalsSent: string[] = [];
const errors: unknown[] = [];
let paused = 0;
for (let turn = 0; turn < 4; turn++) {
  const { result, errors: failed } = await run(model, messages);
  errors.push(...failed);
  messages = [...messages, ...result.responseMessages];
  const pending = await pendingApprovals(result.content, { tools, toolsContext });
  if (pending.length === 0) break;
  const responses: ToolApprovalResponse[] = [];
  for (const item of pending) {
    paused++;
    say({ pending: { needed: item.request.needed, description: item.request.description } });
    const given = await answer();
    if (Array.isArray(given)) approvalsSent.push(...(given as string[]));
    responses.push(approvalResponse(item, given));
  }
  messages = [...messages, { role: 'tool', content: responses }];
}
const outputs = messages
  .filter((m) => m.role === 'tool')
  .flatMap((m) => m.content)
  .filter((part) => part.type === 'tool-result')
  .map((part) => part.output);

// A compromised agent skips the approval step: the server refuses the call.
const skipped = await run(
  scriptedModel([pay('2026-03', 900), { text: 'done' }]),
  [{ role: 'user', content: 'Pay 900.' }],
  false,
);

// A direct call (no framework) replaying the approval already used: refused too.
const mcp = new Client({ name: 'injected', version: '1.0.0' });
await mcp.connect(new StreamableHTTPClientTransport(new URL(config.toolUrl)));
let replayed: unknown;
try {
  await callToolWithMandate(
    mcp,
    { name: 'pay_invoice', arguments: { invoice: '2026-03', amount: 250 } },
    { mandate: config.mandate, signer, audience: config.audience, approvals: approvalsSent },
  );
  replayed = 'allowed';
} catch (error) {
  replayed = mandateDenial(error) ?? String(error);
}
await mcp.close();
await client.close();
say({ done: { paused, outputs, errors, skipped: skipped.errors, replayed } });
process.exit(0);
