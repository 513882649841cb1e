/**
 * `mandate approve` and the CLI round trip: mint with --approvals, verify says
 * MANDATE_APPROVAL_REQUIRED, a human approves the call from that denial (asked, or --yes),
 * verify with --approval allows it; "no" approves nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

const NOW = 1_800_000_000;
const AS = 'https://as.example';
const AUD = 'https://payments.example';
const URL = `${AUD}/invoices/42/pay`;

let dir = '';
const at = (name: string): string => `@${join(dir, name)}`;

async function ok(args: readonly string[], input?: string): Promise<string> {
  const run = await runCli(args, input === undefined ? {} : { input });
  expect(run.code, `${args.join(' ')}\n${run.stderr}`).toBe(0);
  return run.stdout;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mandate-approve-'));
  for (const name of ['as', 'agent', 'alice']) {
    await ok([
      'keygen',
      '--out',
      join(dir, `${name}.jwk`),
      '--public-out',
      join(dir, `${name}.pub.jwk`),
    ]);
  }
});

afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

describe('mandate approve', () => {
  it('round trip: refused, approved from the denial, allowed; "no" approves nothing', async () => {
    const token = await ok([
      'mint',
      '--issuer',
      at('as.jwk'),
      '--issuer-id',
      AS,
      '--subject',
      'alice',
      '--holder',
      at('agent.pub.jwk'),
      '--audience',
      AUD,
      '--caps',
      JSON.stringify([{ resource: 'billing:invoices/*', actions: ['pay'] }]),
      '--approvals',
      JSON.stringify([{ resource: 'billing:invoices/*', actions: ['pay'], approvers: ['user'] }]),
      '--now',
      String(NOW),
    ]);
    await writeFile(join(dir, 'root.token'), token);
    const verify = async (approval?: string) => {
      const proof = await ok([
        'prove',
        '--mandate',
        at('root.token'),
        '--signer',
        at('agent.jwk'),
        '--method',
        'POST',
        '--url',
        URL,
        '--now',
        String(NOW),
      ]);
      return runCli([
        'verify',
        '--mandate',
        at('root.token'),
        '--anchor',
        `${AS}=${at('as.pub.jwk')}`,
        '--audience',
        AUD,
        '--proof',
        proof.trim(),
        '--method',
        'POST',
        '--url',
        URL,
        '--action',
        JSON.stringify({ resource: 'billing:invoices/42', action: 'pay', args: { amount: 250 } }),
        '--user-key',
        at('alice.pub.jwk'),
        '--now',
        String(NOW),
        ...(approval === undefined ? [] : ['--approval', approval]),
      ]);
    };
    const refused = await verify();
    expect(refused.code).toBe(3);
    const denial = JSON.parse(refused.stdout) as Record<string, unknown>;
    expect(denial).toMatchObject({
      allowed: false,
      code: 'MANDATE_APPROVAL_REQUIRED',
      hop: 0,
      check: 'authorize',
    });
    await writeFile(join(dir, 'denial.json'), refused.stdout);

    const declined = await runCli(
      ['approve', '--call', at('denial.json'), '--key', at('alice.jwk'), '--now', String(NOW)],
      { input: 'n\n' },
    );
    expect(declined.code).toBe(1);
    expect(declined.stdout).toBe('');
    expect(declined.stderr).toContain('pay on billing:invoices/42');
    expect(declined.stderr).toContain('amount = 250');
    expect(declined.stderr).toContain('not approved');

    const asked = await runCli(
      ['approve', '--call', at('denial.json'), '--key', at('alice.jwk'), '--now', String(NOW)],
      { input: 'y\n' },
    );
    expect(asked.code).toBe(0);
    expect(asked.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    const scripted = await ok([
      'approve',
      '--call',
      at('denial.json'),
      '--key',
      at('alice.jwk'),
      '--yes',
      '--now',
      String(NOW),
    ]);
    const allowed = await verify(scripted.trim());
    expect(allowed.code, allowed.stdout).toBe(0);
    expect(JSON.parse(allowed.stdout)).toMatchObject({ allowed: true, subject: 'alice' });

    // An approval by another key is refused with its own code.
    const wrong = await ok([
      'approve',
      '--call',
      at('denial.json'),
      '--key',
      at('agent.jwk'),
      '--yes',
      '--now',
      String(NOW),
    ]);
    const forged = await verify(wrong.trim());
    expect(JSON.parse(forged.stdout)).toMatchObject({
      code: 'MANDATE_APPROVAL_INVALID',
      check: 'authorize',
    });
  }, 120_000);

  it('refuses input that is not a call, naming what is missing', async () => {
    const run = await runCli([
      'approve',
      '--call',
      '{"action":"pay"}',
      '--key',
      at('alice.jwk'),
      '--yes',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      '--call is not a call: missing mandate, holder, audience, resource',
    );
  });
});
