/** The soak's side of a traffic generator (./generator-process.ts, a child process). */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Format, TrustAnchor } from '../../src/index.js';
import type { Batch } from './types.js';

type Message =
  | { readonly type: 'ready'; readonly trustAnchor: TrustAnchor }
  | { readonly type: 'batch'; readonly batch: Batch };

/** Batches of one format's traffic, made in a child process, in the order they are asked for. */
export class BatchSource {
  readonly trustAnchor: TrustAnchor;
  readonly #child: ChildProcess;
  readonly #waiting: ((batch: Batch) => void)[] = [];

  private constructor(child: ChildProcess, trustAnchor: TrustAnchor) {
    this.#child = child;
    this.trustAnchor = trustAnchor;
    child.on('message', (message: Message) => {
      if (message.type === 'batch') this.#waiting.shift()?.(message.batch);
    });
  }

  /** Starts a generator of `format` traffic whose mix follows `seed`. */
  static start(format: Format, seed: number): Promise<BatchSource> {
    const child = fork(
      fileURLToPath(new URL('./generator-process.ts', import.meta.url)),
      [format, String(seed)],
      { execArgv: ['--import', import.meta.resolve('tsx')], serialization: 'advanced' },
    );
    return new Promise((resolve, reject) => {
      const failed = (code: number | null): void =>
        reject(new Error(`the ${format} generator exited (${code}) before it started`));
      child.once('exit', failed);
      child.once('message', (message: Message) => {
        child.off('exit', failed);
        if (message.type !== 'ready') return reject(new Error('generator did not start'));
        // A generator that dies later fails the soak: it never passes as a short run.
        child.once('exit', (code) => {
          if (!closing.has(child)) throw new Error(`the ${format} generator exited (${code})`);
        });
        resolve(new BatchSource(child, message.trustAnchor));
      });
    });
  }

  /** The next batch of `size` requests. */
  next(size: number): Promise<Batch> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.#child.send(size);
    });
  }

  /** Stops the generator. */
  close(): Promise<void> {
    closing.add(this.#child);
    return new Promise((resolve) => {
      if (this.#child.exitCode !== null) return resolve();
      this.#child.once('exit', () => resolve());
      this.#child.disconnect();
    });
  }
}

const closing = new WeakSet<ChildProcess>();
