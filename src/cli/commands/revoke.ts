/** `mandate revoke`: revoke a block (and every mandate containing it) in the shared Redis. */
import { parseMandate } from '../../format/parse.js';
import { UsageError, type Command } from '../command.js';
import { tokenInput, wholeInput } from '../inputs.js';
import { MANDATE, PREFIX, REDIS } from '../options.js';
import { redisUrlOf } from '../stores.js';

/** The latest expiry accepted: the end of year 9999 (a millisecond value is a mistake). */
const LATEST = 253_402_300_799;
/** Longest id a store accepts. */
const MAX_ID = 1024;

/**
 * Checks an id typed on the command line: block ids (a UUID as `mint` makes them, a JWS or AAT
 * `jti`) and Biscuit revocation ids (hex) have no whitespace or control characters, and a
 * whole token is not an id.
 */
export function checkBlockId(id: string): string {
  if (id === '' || id.length > MAX_ID) {
    throw new UsageError(`the block id is ${id.length} characters; expected 1 to ${MAX_ID}`);
  }
  if (/[\s\p{Cc}\p{Cf}\p{Cs}]/u.test(id)) {
    throw new UsageError(
      `${JSON.stringify(id)} is not a block id: ids have no spaces or control characters ` +
        '(mandate inspect TOKEN shows them; or give --mandate TOKEN --hop N)',
    );
  }
  // A compact JWS, or a long base64url string (a Biscuit): a whole token, not one block's id.
  if (/^eyJ[\w-]*\.[\w-]*\./.test(id) || /^[\w-]{257,}$/.test(id)) {
    throw new UsageError(
      'that is a mandate, not a block id: give --mandate TOKEN --hop N, or one id from mandate inspect',
    );
  }
  return id;
}

/** Block `hop`'s id in a token (for a Biscuit block, the verifier also looks up its revocation ids). */
async function idOfHop(token: string, hopText: string): Promise<string> {
  const hop = wholeInput(hopText, '--hop') ?? 0;
  const mandate = await parseMandate(token);
  const block = mandate.blocks[hop];
  if (block === undefined) {
    throw new UsageError(
      `--hop is ${hop}; this mandate has blocks 0 to ${mandate.blocks.length - 1}`,
    );
  }
  return block.id;
}

/** `--expires-at`: whole seconds since the epoch, in the future. */
function expiryOf(text: string | undefined, now: number): number | undefined {
  const expiresAt = wholeInput(text, '--expires-at');
  if (expiresAt === undefined) return undefined;
  if (expiresAt > LATEST) {
    throw new UsageError(
      `--expires-at is ${expiresAt}; expected seconds since the epoch (that looks like milliseconds)`,
    );
  }
  if (expiresAt <= now) {
    throw new UsageError(
      `--expires-at is ${expiresAt} (${new Date(expiresAt * 1000).toISOString()}), in the past: ` +
        "the revocation would lapse at once; give the block's expiry (mandate inspect shows it) " +
        'or leave it out to revoke for good',
    );
  }
  return expiresAt;
}

export const revoke: Command = {
  name: 'revoke',
  summary: 'Revoke a block, and so every mandate that contains it, for every verifier on a Redis.',
  synopsis:
    '(BLOCK-ID | --mandate TOKEN --hop N) (--redis URL | --redis-cluster SEEDS | --list-state FILE --issuer-id ID)\n' +
    '       [--prefix P] [--expires-at SECONDS]',
  options: {
    mandate: { ...MANDATE, required: false, help: `${MANDATE.help}; with --hop` },
    hop: { type: 'string', value: 'N', help: 'with --mandate: the block to revoke (0 = root)' },
    redis: REDIS,
    'redis-cluster': {
      type: 'string',
      value: 'SEEDS',
      help: 'a Redis Cluster instead: HOST:PORT,... seed nodes',
    },
    'list-state': {
      type: 'string',
      value: 'FILE',
      help: "a signed revocation list's state file instead (with --issuer-id and --expires-at)",
    },
    'issuer-id': {
      type: 'string',
      value: 'ID',
      help: 'with --list-state: the anchor whose list it is',
    },
    prefix: PREFIX,
    'expires-at': {
      type: 'string',
      value: 'SECONDS',
      help: "keep the revocation until then (the block's expiry); default: for good",
    },
  },
  positionals: { name: 'BLOCK-ID', min: 0, max: 1 },
  missing(args) {
    const missing: string[] = [];
    const byToken = args.has('mandate') || args.has('hop');
    if (args.positionals.length === 0 && !byToken)
      missing.push('BLOCK-ID (or --mandate TOKEN --hop N)');
    if (byToken && !args.has('hop')) missing.push('--hop N');
    if (byToken && !args.has('mandate')) missing.push('--mandate TOKEN');
    if (redisUrlOf(args) === undefined && !args.has('redis-cluster') && !args.has('list-state')) {
      missing.push('--redis URL (or MANDATE_REDIS_URL, --redis-cluster SEEDS, --list-state FILE)');
    }
    return missing;
  },
  description:
    'Takes a block id as mandate inspect prints it. For a Biscuit block, either its block id or\n' +
    'its revocation id (hex, also printed by inspect) will do: the verifier looks up both.\n' +
    'Say "NOT revoked" and exit 2 when the store cannot be reached.',
  example:
    'mandate inspect @child.token          # block 1  id 6f1c...\n' +
    'mandate revoke 6f1c... --redis redis://127.0.0.1:6379 --expires-at 1767225600\n' +
    'mandate revoke --mandate @child.token --hop 1 --redis redis://127.0.0.1:6379',
  async run(args) {
    const given = args.positionals[0];
    if (given !== undefined && args.has('mandate')) {
      throw new UsageError('give BLOCK-ID or --mandate TOKEN --hop N, not both');
    }
    const id =
      given === undefined
        ? await idOfHop(
            await tokenInput(args.string('mandate') ?? '', '--mandate'),
            args.string('hop') ?? '',
          )
        : checkBlockId(given);
    expiryOf(args.string('expires-at'), Math.floor(Date.now() / 1000));
    // Publishing (Redis, Redis Cluster or a revocation list's state file) is runRevoke's.
    const { runRevoke } = await import('../revoke.js');
    const option = (name: string) => {
      const value = args.string(name);
      return value === undefined ? {} : { [name]: value };
    };
    return runRevoke([id], {
      ...option('redis'),
      ...option('redis-cluster'),
      ...option('list-state'),
      ...option('issuer-id'),
      ...option('prefix'),
      ...option('expires-at'),
    });
  },
};
