/**
 * The one place that finds the public test vectors (the AAT draft's JWS vectors, the Biscuit
 * specification samples). They live outside the repository (`../shared/vectors/`, beside the
 * clone) or wherever `AAT_VECTORS` / `BISCUIT_SAMPLES` point (a file or its folder).
 *
 * A fresh clone without them still passes `npm test`: the vector suites skip and say why.
 * CI has them and must use them: with `CI=true` or `MANDATE_REQUIRE_VECTORS=1` an absent set
 * fails the suite; so does an environment variable that points at nothing (a typo must not
 * look like a pass).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';

/** The vector sets the suite knows. */
export type VectorSet = 'aat' | 'biscuit';

interface SetInfo {
  /** The environment variable that may name the file or its folder. */
  readonly env: string;
  /** The file's name inside its folder. */
  readonly file: string;
  /** The default folder, relative to the repository root. */
  readonly folder: string;
  readonly title: string;
}

const SETS: Readonly<Record<VectorSet, SetInfo>> = {
  aat: {
    env: 'AAT_VECTORS',
    file: 'aat-jws-vectors.json',
    folder: '../shared/vectors/aat',
    title: "the AAT draft's JWS vectors",
  },
  biscuit: {
    env: 'BISCUIT_SAMPLES',
    file: 'samples.json',
    folder: '../shared/vectors/biscuit-samples',
    title: 'the Biscuit specification samples',
  },
};

/** The repository root (this file is test/helpers/vectors.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where a vector set was found, or why not and whether that is a failure. */
export type VectorLocation =
  | ({ readonly found: true } & VectorsFound)
  | { readonly found: false; readonly required: boolean; readonly message: string };

/**
 * What the locator reads; the defaults are this process's environment and this clone (or the
 * folder in `MANDATE_VECTORS_ROOT`, which a test uses to play a clone away from `../shared`).
 */
export interface LocateOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly root?: string;
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/** Finds a vector set: the environment variable first (a file or a folder), then the default. */
export function locateVectors(set: VectorSet, options: LocateOptions = {}): VectorLocation {
  const env = options.env ?? process.env;
  const info = SETS[set];
  const given = env[info.env];
  const explicit = given !== undefined && given !== '';
  const where = explicit
    ? resolve(given)
    : resolve(options.root ?? (env['MANDATE_VECTORS_ROOT'] || REPO_ROOT), info.folder, info.file);
  const file = explicit && !isFile(where) ? join(where, info.file) : where;
  if (isFile(file)) return { found: true, file, folder: dirname(file) };
  const required = explicit || env['CI'] === 'true' || env['MANDATE_REQUIRE_VECTORS'] === '1';
  const why = explicit ? `${info.env}=${given} names neither ${info.file} nor its folder` : '';
  return {
    found: false,
    required,
    message: explicit
      ? `${info.title}: ${why}`
      : `${info.title} not found at ${file}; put them there or set ${info.env} to the file or its folder` +
        (required ? ' (required: CI=true or MANDATE_REQUIRE_VECTORS=1)' : ''),
  };
}

/** Where a vector set was found. */
export interface VectorsFound {
  readonly file: string;
  readonly folder: string;
}

/**
 * The vectors' location; when absent, registers what that means instead and returns undefined:
 * a suite named `title` that fails (CI, or an environment variable pointing at nothing), or a
 * skipped one whose title and console line say why.
 */
export function vectorsOrReport(set: VectorSet, title: string): VectorsFound | undefined {
  const location = locateVectors(set);
  if (location.found) return location;
  if (location.required) {
    describe(title, () => {
      it('has its vectors', () => expect.fail(location.message));
    });
  } else {
    console.warn(`SKIPPED: ${title}: ${location.message}`);
    describe.skip(`${title} (SKIPPED: ${location.message})`, () => {
      it('needs the vectors', () => undefined);
    });
  }
  return undefined;
}

/** `describe(title, body)` when the vectors are found; otherwise as {@link vectorsOrReport}. */
export function describeWithVectors(
  set: VectorSet,
  title: string,
  body: (location: VectorsFound) => void,
): void {
  const location = vectorsOrReport(set, title);
  if (location !== undefined) describe(title, () => body(location));
}

/** A vector file's text and its JSON (as `T`: the file's own type says what it holds). */
export function readVectorFile<T>(file: string): { readonly text: string; readonly json: T } {
  const text = readFileSync(file, 'utf8');
  return { text, json: JSON.parse(text) as T };
}

/** One case of the AAT draft's JWS vectors (set `aat`). */
export interface AatDraftVector {
  readonly id: string;
  readonly title: string;
  readonly now: number;
  readonly tool: string;
  readonly args: Record<string, never>;
  readonly policy: { require_pop_aud?: boolean; require_chain_aud?: boolean; nonce?: string };
  readonly chain_compact: readonly string[];
  readonly pop: { readonly compact: string };
  readonly expected: { readonly verdict: 'PERMIT' | 'DENY'; readonly step: string | null };
}

/** The AAT draft's JWS vector file: its verifier parameters, keys, anchors and cases. */
export interface AatDraftVectorFile {
  readonly params: {
    readonly now: number;
    readonly max_iat_skew: number;
    readonly max_token_lifetime: number;
    readonly max_delegation_depth: number;
    readonly pop_window: number;
    readonly audience: string;
  };
  readonly keys: Readonly<Record<string, { seed_hex: string; jwk: JWK; thumbprint_uri: string }>>;
  readonly trust_anchors: readonly { readonly iss: string; readonly jwk: JWK }[];
  readonly vectors: readonly AatDraftVector[];
}
