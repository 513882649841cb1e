/**
 * Runs the `mandate` CLI from source in its own process (`node --import tsx src/cli/main.ts`),
 * with `MANDATE_REDIS_URL` cleared so a developer's environment cannot change what it does.
 */
import { spawn } from 'node:child_process';

const CLI = 'src/cli/main.ts';

/** What one run of the CLI gave. */
export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs the CLI in its own process; `imports` are extra `--import` modules (hooks). */
export function cli(args: readonly string[], imports: readonly string[] = []): Promise<Run> {
  const start = performance.now();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', ...imports.flatMap((m) => ['--import', m]), CLI, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MANDATE_REDIS_URL: '' } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mandate ${args[0] ?? ''} hung`));
    }, 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - start });
    });
  });
}
