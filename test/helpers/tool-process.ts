/** Spawn the MCP payment tool as its own process (see tool-process-main.ts) and wait for it. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { JWK } from 'jose';
import type { KeyPair } from '../../src/index.js';

/** A running tool process. */
export interface ToolProcess {
  readonly url: string;
  close(): Promise<void>;
}

/** Options of `spawnToolProcess`. */
export interface ToolProcessOptions {
  /** The users' registered approval keys (the verifier's `userKeys`), per subject. */
  readonly userKeys?: Readonly<Record<string, readonly JWK[]>>;
}

/** Start the tool process trusting `anchor` (as `anchorId`), serving `audience`. */
export function spawnToolProcess(
  anchorId: string,
  anchor: KeyPair,
  audience: string,
  options: ToolProcessOptions = {},
): Promise<ToolProcess> {
  const file = fileURLToPath(new URL('./tool-process-main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    env: {
      ...process.env,
      MANDATE_TEST_TOOL: JSON.stringify({
        anchorId,
        anchorJwk: anchor.publicJwk,
        audience,
        userKeys: options.userKeys ?? {},
      }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the tool process did not start: ${err.slice(-2000)}`));
    }, 30_000);
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the tool process exited (${code}): ${err.slice(-2000)}`));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n').find((l) => l.startsWith('{"ready"'));
      if (line === undefined) return;
      clearTimeout(timer);
      const { ready } = JSON.parse(line) as { ready: { url: string } };
      resolve({
        url: ready.url,
        close: () =>
          new Promise<void>((done) => {
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
