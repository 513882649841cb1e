/**
 * The stores a CLI command opens: the Redis that a fleet of verifiers shares (`--redis URL`,
 * or `MANDATE_REDIS_URL` so that a password stays out of the process list), with its key
 * prefix. The Redis sub-path is imported here only, so a command without `--redis` never loads
 * ioredis. The URL is never printed (it may hold a password).
 */
import type { ReplayStore, RevocationStore } from '../stores/types.js';
import { UsageError, type Args } from './command.js';

/** The Redis URL from `--redis` or `MANDATE_REDIS_URL`, or undefined when neither is set. */
export function redisUrlOf(args: Args): string | undefined {
  const url = args.string('redis') ?? process.env['MANDATE_REDIS_URL'];
  return url === undefined || url === '' ? undefined : url;
}

/** A revocation store in the shared Redis, with `close()`. */
export async function openRedisRevocation(
  url: string,
  args: Args,
): Promise<RevocationStore & { close(): Promise<void> }> {
  const { RedisRevocationStore } = await import('../stores/redis/index.js');
  const prefix = args.string('prefix');
  try {
    return new RedisRevocationStore({ url, ...(prefix === undefined ? {} : { prefix }) });
  } catch (error) {
    // The store's own checks (TypeError / RangeError) name `url` or `prefix`: say which option.
    const message = (error as Error).message;
    throw new UsageError(`${message.startsWith('prefix') ? '--prefix' : '--redis'}: ${message}`, {
      cause: error,
    });
  }
}

/** What a verifying command consults, and what it says about it. */
export interface VerifierStores {
  readonly revocation?: RevocationStore;
  readonly replay?: ReplayStore;
  /** For the output: which store answered each question. */
  readonly used: { readonly revocation: string; readonly replay: string };
  close(): Promise<void>;
}

/**
 * The stores `verify` consults: revocations in the shared Redis when `--redis` (or
 * `MANDATE_REDIS_URL`) is given, else none; proof ids in memory for this run (a command-line
 * check must not spend a proof that a service has yet to see).
 */
export async function openVerifierStores(args: Args): Promise<VerifierStores> {
  const url = redisUrlOf(args);
  const replay = 'memory (this run only; proofs are not recorded for other verifiers)';
  if (url === undefined) {
    return {
      used: { revocation: 'none (give --redis URL to consult revocations)', replay },
      close: () => Promise.resolve(),
    };
  }
  const revocation = await openRedisRevocation(url, args);
  const prefix = args.string('prefix');
  return {
    revocation,
    used: { revocation: `redis (prefix ${prefix ?? 'mandate:'})`, replay },
    close: () => revocation.close(),
  };
}
