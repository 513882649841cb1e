/** The soak's side of a traffic generator (./generator-process.ts, a child process). */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TrustAnchor } from '../../src/index.js';
import type { Batch } from './types.js';
import type { Share } from './workload.js';

type Message =
  | { readonly type: 'ready'; readonly trustAnchors: TrustAnchor[] }
  | { readonly type: 'batch'; readonly batch: Batch };

/** Batches of traffic, made in a child process, in the order they are asked for. */
export class BatchSource {
  /** The trust anchors a verifier of this traffic needs (one per format). */
  readonly trustAnchors: readonly TrustAnchor[];
  readonly #child: ChildProcess;
  readonly #waiting: ((batch: Batch) => void)[] = [];

  private constructor(child: ChildProcess, trustAnchors: readonly TrustAnchor[]) {
    this.#child = child;
    this.trustAnchors = trustAnchors;
    child.on('message', (message: Message) => {
      if (message.type === 'batch') this.#waiting.shift()?.(message.batch);
    });
  }

  /** Starts a generator of traffic in `shares` whose mix follows `seed`. */
  static start(shares: readonly Share[], seed: number): Promise<BatchSource> {
    const name = shares.map((s) => s.format).join('+');
    const child = fork(
      fileURLToPath(new URL('./generator-process.ts', import.meta.url)),
      [JSON.stringify(shares), String(seed)],
      { execArgv: ['--import', import.meta.resolve('tsx')], serialization: 'advanced' },
    );
    return new Promise((resolve, reject) => {
      const failed = (code: number | null): void =>
        reject(new Error(`the ${name} generator exited (${code}) before it started`));
      child.once('exit', failed);
      child.once('message', (message: Message) => {
        child.off('exit', failed);
        if (message.type !== 'ready') return reject(new Error('generator did not start'));
        // A generator that dies later fails the soak: it never passes as a short run.
        child.once('exit', (code) => {
          if (!closing.has(child)) throw new Error(`the ${name} generator exited (${code})`);
        });
        resolve(new BatchSource(child, message.trustAnchors));
      });
    });
  }

  /** The next batch of `size` requests, at virtual time `now`. */
  next(size: number, now: number): Promise<Batch> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.#child.send({ size, now });
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
