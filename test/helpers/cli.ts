/** Runs the `mandate` CLI from the tree (`node --import tsx src/cli/main.ts`) as its own process. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './vectors.js';

/** What one run of the CLI gave. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Written to the CLI's stdin (then closed); stdin is empty otherwise. */
  readonly input?: string;
  readonly cwd?: string;
  /** Extra environment (MANDATE_REDIS_URL is cleared unless given here). */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra `--import` modules (module hooks). */
  readonly imports?: readonly string[];
}

/** Runs `mandate ...args`; rejects only when the process hangs (20 s). */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const child = spawn(
    process.execPath,
    [
      // Resolved here, so the CLI also runs from a folder without node_modules.
      '--import',
      import.meta.resolve('tsx'),
      ...(options.imports ?? []).flatMap((m) => ['--import', m]),
      join(REPO_ROOT, 'src', 'cli', 'main.ts'),
      ...args,
    ],
    {
      cwd: options.cwd ?? REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, MANDATE_REDIS_URL: '', ...options.env },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.input ?? '');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mandate ${args[0] ?? ''} hung`));
    }, 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** What one timed run gave. */
export interface Run extends CliRun {
  readonly ms: number;
}

/** Runs the CLI in its own process, timed; `imports` are extra `--import` modules (hooks). */
export async function cli(args: readonly string[], imports: readonly string[] = []): Promise<Run> {
  const start = performance.now();
  const run = await runCli(args, { imports });
  return { ...run, ms: performance.now() - start };
}
