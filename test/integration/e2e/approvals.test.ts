/**
 * Human approval end to end, in three processes on loopback (issue 19, "Tests that must
 * exist"): an AI SDK agent process (approval-agent-main.ts, scripted offline model) calls
 * `pay_invoice` on a `mandate/mcp` tool process (MCP over Streamable HTTP) under alice's
 * mandate, which says a payment over 200 needs her approval. The sensitive call pauses in the
 * SDK's tool approval; a scripted human in a third process — the real `mandate approve` CLI,
 * reading the call on stderr and answering on stdin — signs it with alice's key; the retried
 * call runs and the tool pays exactly once. The prompt-injected second payment is refused by
 * the human; a run that skips the approval step, and a direct call replaying the used
 * approval, are refused by the tool.
 */
import { spawn } from 'node:child_process';
import type { KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK } from 'jose';
import type { KeyPair, Mandate } from '../../../src/index.js';
import type { ApprovalNeeded } from '../../../src/verify/approval-needed.js';
import { AS, keyPairs } from '../../helpers/billing.js';
import { agentPaymentMandate } from '../../helpers/approval-world.js';
import { REMOTE } from '../../helpers/agents.js';
import { spawnToolProcess, type ToolProcess } from '../../helpers/tool-process.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const AGENT = fileURLToPath(new URL('./approval-agent-main.ts', import.meta.url));
/** The built CLI (`npm run build`); the sources through tsx when there is no build. */
const BUILT_CLI = join(ROOT, 'dist/cli/main.js');
const CLI = existsSync(BUILT_CLI)
  ? [BUILT_CLI]
  : ['--import', 'tsx', join(ROOT, 'src/cli/main.ts')];

let anchor: KeyPair;
let agentKey: KeyPair;
let alice: KeyPair;
let mandate: Mandate;
let tool: ToolProcess;
let dir: string;

beforeAll(async () => {
  if (CLI[0] !== BUILT_CLI) console.warn('NOTE: no dist/ build: running the CLI from src via tsx');
  [anchor, agentKey, alice] = await keyPairs(3);
  mandate = await agentPaymentMandate(anchor, agentKey, REMOTE);
  tool = await spawnToolProcess(AS, anchor, REMOTE, { userKeys: { alice: [alice.publicJwk] } });
  dir = await mkdtemp(join(tmpdir(), 'mandate-approval-e2e-'));
}, 60_000);

afterAll(async () => {
  await tool?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** What the human process did with one call. */
interface HumanTurn {
  readonly shown: string;
  readonly exitCode: number | null;
  readonly approval: string;
}

/** The human, in their own process: `mandate approve` shows the call; they type y or n. */
async function human(needed: ApprovalNeeded, key: string, typed: 'y' | 'n'): Promise<HumanTurn> {
  const file = join(dir, `call-${needed.argsHash}.json`);
  await writeFile(file, JSON.stringify(needed));
  const child = spawn(process.execPath, [...CLI, 'approve', '--call', `@${file}`, '--key', key], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(`${typed}\n`);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { shown: stderr, exitCode, approval: stdout.trim() };
}

/** The agent process, driven line by line; resolves its final report. */
async function runAgent(
  onPending: (needed: ApprovalNeeded) => Promise<unknown>,
): Promise<Record<string, unknown>> {
  const child = spawn(process.execPath, ['--import', 'tsx', AGENT], {
    cwd: ROOT,
    env: {
      ...process.env,
      MANDATE_TEST_AGENT: JSON.stringify({
        toolUrl: tool.url,
        audience: REMOTE,
        mandate: mandate.token,
        agentJwk: await exportJWK(agentKey.privateKey as KeyObject),
      }),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    for await (const line of createInterface({ input: child.stdout })) {
      if (!line.startsWith('{')) continue;
      const message = JSON.parse(line) as {
        pending?: { needed: ApprovalNeeded };
        done?: Record<string, unknown>;
      };
      if (message.pending !== undefined) {
        const answer = await onPending(message.pending.needed);
        child.stdin.write(`${JSON.stringify({ answer })}\n`);
      }
      if (message.done !== undefined) return message.done;
    }
    throw new Error(`the agent ended without a report (${await exited}): ${stderr.slice(-2000)}`);
  } finally {
    child.kill();
  }
}

describe('agent process (AI SDK) -> tool process (MCP), human in a third process', () => {
  it('the sensitive call pauses, the human approves, the retried call pays once; what skips approval is refused', async () => {
    const key = join(dir, 'alice.jwk');
    await writeFile(key, JSON.stringify(await exportJWK(alice.privateKey as KeyObject)));
    const turns: HumanTurn[] = [];
    const report = await runAgent(async (needed) => {
      // The human approves the 250 they asked for, and refuses the injected 900.
      const turn = await human(needed, `@${key}`, needed.call.args['amount'] === 250 ? 'y' : 'n');
      turns.push(turn);
      return turn.exitCode === 0
        ? [turn.approval]
        : { refused: true, reason: 'declined in mandate approve' };
    });

    // Two pauses: the genuine payment (approved) and the injected one (refused).
    expect(report['paused']).toBe(2);
    expect(turns.map((t) => t.exitCode)).toEqual([0, 1]);
    expect(turns[0]?.shown).toContain('pay on billing:invoices/2026-03');
    expect(turns[0]?.shown).toContain('amount = 250');
    expect(turns[0]?.shown).toContain(`signing as ${alice.id}`);
    expect(turns[0]?.approval).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(turns[1]?.shown).toContain('amount = 900');

    // The approved call ran; the refused one reached the model as the SDK's denial.
    expect(JSON.stringify(report['outputs'])).toContain('paid 2026-03: 250 for alice');
    expect(report['outputs']).toContainEqual({
      type: 'execution-denied',
      reason: 'MANDATE_APPROVAL_REFUSED: the approver refused: declined in mandate approve',
    });
    expect(report['errors']).toEqual([]);

    // A run that skips the approval step: the tool refuses, saying what to approve.
    const skipped = report['skipped'] as Record<string, unknown>[];
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({
      code: 'MANDATE_APPROVAL_REQUIRED',
      hop: 0,
      check: 'authorize',
      tool: 'pay_invoice',
      approval: { call: { audience: REMOTE, args: { invoice: '2026-03', amount: 900 } } },
    });
    // A direct call replaying the approval already used: refused.
    expect(report['replayed']).toMatchObject({
      code: 'MANDATE_APPROVAL_REPLAYED',
      hop: 0,
      check: 'authorize',
    });

    // The tool acted exactly once, for alice, for the approved amount.
    const payments = (await (await fetch(new URL('/payments', tool.url))).json()) as unknown[];
    expect(payments).toEqual([
      expect.objectContaining({ invoice: '2026-03', amount: 250, user: 'alice' }),
    ]);
  }, 120_000);
});
