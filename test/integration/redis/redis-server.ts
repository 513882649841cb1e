/**
 * Test harness: a real `redis-server` on a free loopback port, started and stopped by the
 * tests themselves (no shared or persistent Redis). Without the binary the Redis tests skip
 * and say so; `.ci/run` installs Debian's `redis-server` when it is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BINARY = process.env.MANDATE_REDIS_SERVER ?? 'redis-server';

/** Why the Redis tests cannot run here, or `undefined` when they can. */
export const redisSkipReason: string | undefined = (() => {
  const probe = spawnSync(BINARY, ['--version'], { encoding: 'utf8', timeout: 5000 });
  if (probe.error !== undefined || probe.status !== 0) {
    return `\`${BINARY}\` not found or not runnable (${probe.error?.message ?? `exit ${String(probe.status)}`}); install redis-server (apt-get install redis-server) to run the Redis integration tests`;
  }
  return undefined;
})();

/** Says plainly, once per test file, that `suite` is skipped and why; returns whether it is. */
export function skipWithoutRedis(suite: string): boolean {
  if (redisSkipReason === undefined) return false;
  console.warn(`SKIPPED ${suite}: ${redisSkipReason}`);
  return true;
}

/** A free TCP port on 127.0.0.1 (released just before redis-server binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('no port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/** Resolves when something on `port` answers `PING` with `+PONG` within `ms`. */
export function ping(port: number, ms = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let seen = '';
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      seen += chunk.toString('latin1');
      if (seen.includes('\r\n')) done(seen.startsWith('+PONG'));
    });
    socket.on('error', () => done(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Safety net: if the test worker exits without disposing (a crash, a killed run), take the
// servers with it instead of leaving orphaned redis-servers on the machine.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** One redis-server process; `start` again after `kill`/`stop` reuses the same port. */
export class RedisServer {
  readonly port: number;
  readonly #dir: string;
  readonly #args: readonly string[];
  #child: ChildProcess | undefined;

  private constructor(port: number, args: readonly string[]) {
    this.port = port;
    this.#args = args;
    // Its own working directory, so nothing (a stray dump.rdb) lands in the repository.
    this.#dir = mkdtempSync(join(tmpdir(), 'mandate-redis-'));
  }

  /** Starts a server on a fresh free port; `args` are extra redis-server options. */
  static async start(args: readonly string[] = []): Promise<RedisServer> {
    const server = await RedisServer.reserve(args);
    await server.start();
    return server;
  }

  /** Picks a free port without starting the server yet (a Redis that is down at first). */
  static async reserve(args: readonly string[] = []): Promise<RedisServer> {
    return new RedisServer(await freePort(), args);
  }

  /** The server's own working directory (its cluster config file lives there). */
  get dir(): string {
    return this.#dir;
  }

  /** Whether the process is running. */
  get running(): boolean {
    return this.#child !== undefined;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (or restarts) the server on its port and waits until it answers PING. */
  async start(): Promise<void> {
    if (this.#child !== undefined) throw new Error('redis-server already running');
    const child = spawn(
      BINARY,
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.#dir,
        '--loglevel',
        'warning',
        ...this.#args,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    this.#child = child;
    running.add(child);
    child.once('exit', () => {
      running.delete(child);
      if (this.#child === child) this.#child = undefined;
    });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) break;
      if (await ping(this.port)) return;
      await sleep(25);
    }
    child.kill('SIGKILL');
    throw new Error(`redis-server did not start on port ${this.port}: ${stderr.trim()}`);
  }

  /** Kills the server abruptly (SIGKILL), as a crash would, and waits for it to be gone. */
  async kill(): Promise<void> {
    await this.#signalAndWait('SIGKILL');
  }

  /** Stops the server (SIGTERM, then SIGKILL after 5 s). */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await this.#signalAndWait('SIGTERM');
    clearTimeout(timer);
  }

  /** Freezes the server (SIGSTOP): connections stay open, nothing answers — a hung Redis. */
  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  /** Unfreezes a paused server. */
  resume(): void {
    this.#child?.kill('SIGCONT');
  }

  /** Stops the server and removes its directory. */
  async dispose(): Promise<void> {
    this.resume();
    await this.stop();
    rmSync(this.#dir, { recursive: true, force: true });
  }

  async #signalAndWait(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // A stopped process must be continued for SIGTERM to be handled.
    if (signal !== 'SIGKILL') child.kill('SIGCONT');
    child.kill(signal);
    await exited;
    this.#child = undefined;
  }
}
