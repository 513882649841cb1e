/**
 * A publisher's revocations as data, and as a JSON file that several writers share (the
 * issuer's list server and `mandate revoke --list-state FILE`): every change is made under a
 * lock file and written whole with a rename, so a reader never sees half a state and no
 * writer's revocation is lost to another's.
 */
import { open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { zod } from '../../core/zod.js';

import { MAX_ID_LENGTH } from '../validate.js';
import { MAX_LIST_ENTRIES } from './format.js';

// This entry's schemas are built on import, with the one zod every Mandate module shares.
const z = zod();

/** One revocation: block id, the block's expiry, the list version that added it. */
export type RevocationListStateEntry = readonly [id: string, expiresAt: number, version: number];

/** A publisher's revocations: its issuer, version and entries. */
export interface RevocationListState {
  readonly iss: string;
  readonly version: number;
  readonly entries: readonly RevocationListStateEntry[];
}

const stateSchema = z.strictObject({
  iss: z.string().min(1).max(2048),
  version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  entries: z
    .array(
      z.tuple([
        z.string().min(1).max(MAX_ID_LENGTH),
        z.number().int().min(0),
        z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
      ]),
    )
    .max(MAX_LIST_ENTRIES),
});

/** Parses a state file's text; throws `TypeError` naming the file's problem. */
export function parseState(text: string): RevocationListState {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TypeError('the revocation list state file is not JSON');
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TypeError(
      `the revocation list state file is malformed at ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`,
    );
  }
  return parsed.data;
}

/**
 * Reads the state file unless its stamp (modification time and size) is still `stamp`.
 * Resolves `undefined` when unchanged; `state` is `undefined` when there is no file yet.
 */
export async function readStateFile(
  file: string,
  stamp: string,
): Promise<{ stamp: string; state: RevocationListState | undefined } | undefined> {
  let now: string;
  try {
    const info = await stat(file);
    now = `${info.mtimeMs}:${info.size}`;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') {
      return stamp === 'missing' ? undefined : { stamp: 'missing', state: undefined };
    }
    throw error;
  }
  if (now === stamp) return undefined;
  return { stamp: now, state: parseState(await readFile(file, 'utf8')) };
}

const LOCK_TRIES = 250;
const LOCK_WAIT_MS = 20;
/** A lock older than this was left by a crashed writer. */
const STALE_LOCK_MS = 10_000;

/**
 * Adds (or extends) the revocation of block `id` until `expiresAt` in the state file of
 * issuer `iss`, bumping its version; creates the file when there is none. Resolves with the
 * version that carries the revocation. Waits for the lock up to about 5 s.
 */
export async function revokeInStateFile(
  file: string,
  iss: string,
  id: string,
  expiresAt: number,
): Promise<number> {
  const lock = `${file}.lock`;
  await acquire(lock);
  try {
    let state: RevocationListState = { iss, version: 1, entries: [] };
    try {
      state = parseState(await readFile(file, 'utf8'));
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') throw error;
    }
    if (state.iss !== iss) {
      throw new TypeError(`the revocation list state file is for ${state.iss}, not ${iss}`);
    }
    const held = state.entries.find(([entry]) => entry === id);
    if (held !== undefined && held[1] >= expiresAt) return held[2];
    if (held === undefined && state.entries.length >= MAX_LIST_ENTRIES) {
      throw new RangeError(`the revocation list is full (${MAX_LIST_ENTRIES} entries)`);
    }
    const version = state.version + 1;
    const entries = [
      ...state.entries.filter(([entry]) => entry !== id),
      [id, expiresAt, version] as const,
    ];
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify({ iss, version, entries }), { mode: 0o600 });
    await rename(temp, file);
    return version;
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

async function acquire(lock: string): Promise<void> {
  for (let attempt = 0; attempt < LOCK_TRIES; attempt++) {
    try {
      const handle = await open(lock, 'wx');
      await handle.close();
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
      const info = await stat(lock).catch(() => undefined);
      if (info !== undefined && Date.now() - info.mtimeMs > STALE_LOCK_MS) {
        await unlink(lock).catch(() => undefined);
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, LOCK_WAIT_MS));
    }
  }
  throw new Error(`could not lock ${lock} (another writer holds it)`);
}
