/**
 * The CLI composes: each command's own help with a worked example, strict options, every
 * token/key/JSON option from @file or stdin, keygen's files read back by --holder @file, usage
 * errors that name every missing option at once, and the messages a user meets.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { generateKeyPair } from '../../../src/index.js';
import { COMMANDS } from '../../../src/cli/commands/index.js';
import { mint } from '../../../src/cli/commands/mint.js';
import { helpFor, parseCommandLine } from '../../../src/cli/command.js';

const NOW = 1_800_000_000;
const AS = 'https://as.example';
const AUD = 'https://payments.example';
const CAPS = JSON.stringify([
  { resource: 'billing:invoices/*', actions: ['pay'], constraints: { amount: { max: 200 } } },
]);
const JWT_IO =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

let dir = '';
const at = (name: string): string => `@${join(dir, name)}`;

async function ok(args: readonly string[], input?: string): Promise<string> {
  const run = await runCli(args, input === undefined ? {} : { input });
  expect(run.stderr, args.join(' ')).toBe('');
  expect(run.code, args.join(' ')).toBe(0);
  return run.stdout;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mandate-cli-'));
});

afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

describe('help', () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))(
    'mandate %s: --help and -h ask for help; it has usage, options and an example',
    (name, command) => {
      expect(parseCommandLine(command, ['--help'])).toBe('help');
      expect(parseCommandLine(command, ['-h'])).toBe('help');
      const help = helpFor(command);
      expect(help).toMatch(new RegExp(`^usage: mandate ${name} `));
      expect(help).toContain('options:\n');
      expect(help).toMatch(/\nexample:\n {2}mandate /);
      for (const option of Object.keys(command.options)) expect(help).toContain(`--${option}`);
    },
  );

  it('as a process: mandate mint --help and -h print it', async () => {
    const [long, short] = await Promise.all([runCli(['mint', '--help']), runCli(['mint', '-h'])]);
    expect(long).toMatchObject({ code: 0, stdout: `${helpFor(mint)}\n` });
    expect(short.stdout).toBe(long.stdout);
  });

  it('mandate, --help and --version', async () => {
    const [bare, help, version] = await Promise.all([
      runCli([]),
      runCli(['--help']),
      runCli(['--version']),
    ]);
    const manifest = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    expect(bare.stdout).toBe(help.stdout);
    for (const command of COMMANDS) expect(help.stdout).toContain(`  ${command.name} `);
    expect(version).toMatchObject({ code: 0, stdout: `${manifest.version}\n` });
  });
});

describe('strict options and coded usage errors', () => {
  it('an option the command does not take is refused (--redis on mint)', async () => {
    const run = await runCli(['mint', '--redis', 'redis://127.0.0.1:1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^mandate: MANDATE_USAGE: mandate mint: mandate mint does not take --redis;/,
    );
  });

  it('verify with nothing names every missing option at once', async () => {
    const run = await runCli(['verify']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'mandate: MANDATE_USAGE: mandate verify: missing --mandate TOKEN, --anchor ID=PUBJWK, ' +
        '--audience A and --action JSON (or --tool T) (see mandate verify --help)\n',
    );
  });

  it('mint without --subject is a usage error naming it, not a schema message', async () => {
    const run = await runCli(['mint', '--issuer', '{}', '--holder', '{}', '--caps', '[]']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('missing --subject S');
    expect(run.stderr).not.toMatch(/Too small|Invalid input|expected string/);
  });

  it('an option without its value, a repeated option and an unknown command', async () => {
    const [bare, twice, unknown] = await Promise.all([
      runCli(['inspect', '--mandate', '--now', '1']),
      runCli(['keygen', '--alg', 'ES256', '--alg', 'Ed25519']),
      runCli(['mnt']),
    ]);
    expect(bare.stderr).toContain('--mandate needs a value (TOKEN)');
    expect(twice.stderr).toContain('--alg is given twice');
    expect(unknown.stderr).toContain('unknown command "mnt"; expected one of demo, keygen, mint');
    expect([bare.code, twice.code, unknown.code]).toEqual([2, 2, 2]);
  });
});

describe('keygen, files and stdin: a whole round trip', () => {
  it('keygen writes keys that --issuer/--holder/--anchor @file read back; tokens go through @file and -', async () => {
    await ok(['keygen', '--out', join(dir, 'as.jwk'), '--public-out', join(dir, 'as.pub.jwk')]);
    // With --out only, the public key is what stdout carries: redirect it to a file.
    const agentPub = await ok(['keygen', '--out', join(dir, 'agent.jwk')]);
    await writeFile(join(dir, 'agent.pub.jwk'), agentPub);
    await ok([
      'keygen',
      '--out',
      join(dir, 'worker.jwk'),
      '--public-out',
      join(dir, 'worker.pub.jwk'),
    ]);
    expect((await stat(join(dir, 'as.jwk'))).mode & 0o777).toBe(0o600);
    expect(JSON.parse(agentPub)).not.toHaveProperty('d');

    const root = await ok([
      'mint',
      '--issuer',
      at('as.jwk'),
      '--issuer-id',
      AS,
      '--subject',
      'alice',
      '--holder',
      at('agent.pub.jwk'),
      '--caps',
      CAPS,
      '--audience',
      AUD,
      '--now',
      String(NOW),
    ]);
    await writeFile(join(dir, 'root.token'), root);
    // The mandate from stdin.
    const child = await ok(
      [
        'delegate',
        '--mandate',
        '-',
        '--signer',
        at('agent.jwk'),
        '--holder',
        at('worker.pub.jwk'),
        '--now',
        String(NOW),
      ],
      root,
    );
    await writeFile(join(dir, 'child.token'), child);
    const url = `${AUD}/invoices/42/pay`;
    const proof = await ok([
      'prove',
      '--mandate',
      at('child.token'),
      '--signer',
      at('worker.jwk'),
      '--method',
      'POST',
      '--url',
      url,
      '--now',
      String(NOW),
    ]);
    await writeFile(join(dir, 'proof.jwt'), proof);
    const verify = (amount: number) =>
      runCli([
        'verify',
        '--mandate',
        at('child.token'),
        '--anchor',
        `${AS}=${at('as.pub.jwk')}`,
        '--audience',
        AUD,
        '--proof',
        at('proof.jwt'),
        '--method',
        'POST',
        '--url',
        url,
        '--action',
        JSON.stringify({ resource: 'billing:invoices/42', action: 'pay', args: { amount } }),
        '--now',
        String(NOW),
      ]);
    const allowed = await verify(120);
    expect(allowed.stderr).toBe('');
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout)).toMatchObject({
      allowed: true,
      subject: 'alice',
      stores: {
        revocation: expect.stringMatching(/^none/),
        replay: expect.stringMatching(/^memory/),
      },
    });
    // A denial shows the offending value and the limit.
    const denied = await verify(300);
    expect(denied.code).toBe(3);
    expect(JSON.parse(denied.stdout)).toMatchObject({
      allowed: false,
      code: 'MANDATE_FORBIDDEN',
      hop: 0,
      check: 'authorize',
      reason: "block 0 does not allow this: argument 'amount' is 300, above the limit 200",
    });
    // inspect reads stdin too.
    expect(await ok(['inspect', '-'], child)).toMatch(/^block 1 {2}id \S+$/m);
  }, 120_000);

  it('keygen never overwrites a key', async () => {
    await writeFile(join(dir, 'taken.jwk'), 'x');
    const run = await runCli(['keygen', '--out', join(dir, 'taken.jwk')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the file exists; keygen never overwrites a key');
    expect(await readFile(join(dir, 'taken.jwk'), 'utf8')).toBe('x');
  });

  it('stdin is read by one option only; a missing @file names the file', async () => {
    const anchor = await generateKeyPair();
    await writeFile(join(dir, 'anchor.pub.jwk'), JSON.stringify(anchor.publicJwk));
    const [twice, missing] = await Promise.all([
      runCli(
        [
          'verify',
          '--mandate',
          '-',
          '--proof',
          '-',
          '--anchor',
          `a=${at('anchor.pub.jwk')}`,
          '--audience',
          AUD,
          '--action',
          '{}',
          '--method',
          'GET',
          '--url',
          AUD,
        ],
        { input: 'x' },
      ),
      runCli(['inspect', at('nope.token')]),
    ]);
    expect(twice.stderr).toContain(
      '--proof - : stdin is already read by --mandate; give one of them as @file',
    );
    expect(missing.stderr).toContain(
      `TOKEN ${at('nope.token')}: cannot read ${join(dir, 'nope.token')} (no such file)`,
    );
    expect([twice.code, missing.code]).toEqual([2, 2]);
  });
});

describe('messages that name the input and the expectation', () => {
  it('a public key as --issuer: a private key is needed', async () => {
    const pub = await ok(['keygen', '--out', join(dir, 'k.jwk')]);
    const run = await runCli([
      'mint',
      '--issuer',
      pub.trim(),
      '--subject',
      'alice',
      '--holder',
      pub.trim(),
      '--caps',
      CAPS,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      '--issuer is a public key (it has no "d"): signing needs the private key',
    );
  });

  it('a private key as --holder is refused: only its public part travels', async () => {
    const run = await runCli([
      'mint',
      '--issuer',
      at('k.jwk'),
      '--subject',
      'alice',
      '--holder',
      at('k.jwk'),
      '--caps',
      CAPS,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--holder is a private key (it has "d"): give its public part');
  });

  it('a plain JWT is "a JWT, not a mandate"', async () => {
    const run = await runCli(['inspect', JWT_IO]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'mandate: MANDATE_MALFORMED: block 0: a JWT (typ "JWT", alg "HS256"), not a mandate: ' +
        'expected typ mandate-root+jwt or mandate-delegation+jwt\n',
    );
  });

  it('revoke refuses what is not a block id, and an expiry in the past', async () => {
    const [id, token, past, late] = await Promise.all([
      runCli(['revoke', 'not a block id!', '--redis', 'redis://127.0.0.1:1']),
      runCli(['revoke', JWT_IO, '--redis', 'redis://127.0.0.1:1']),
      runCli(['revoke', 'b-1', '--redis', 'redis://127.0.0.1:1', '--expires-at', '12']),
      runCli(['revoke', 'b-1', '--redis', 'redis://127.0.0.1:1', '--expires-at', '1800000000000']),
    ]);
    expect(id.stderr).toContain('"not a block id!" is not a block id: ids have no spaces');
    expect(token.stderr).toContain('that is a mandate, not a block id');
    expect(past.stderr).toContain('--expires-at is 12 (1970-01-01T00:00:12.000Z), in the past');
    expect(late.stderr).toContain('that looks like milliseconds');
    expect([id.code, token.code, past.code, late.code]).toEqual([2, 2, 2, 2]);
  });
});
