/**
 * The vector locator (test/helpers/vectors.ts) that every vector suite uses: a clone away from
 * `../shared` skips the vector suites (and says so), CI requires the vectors, and
 * `AAT_VECTORS` / `BISCUIT_SAMPLES` take a file or its folder.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateVectors, REPO_ROOT } from '../helpers/vectors.js';

const run = promisify(execFile);

describe('the vector locator', () => {
  let away = '';

  beforeAll(async () => {
    // A clone with no ../shared beside it: <tmp>/clone, nothing in <tmp>/shared.
    away = await mkdtemp(join(tmpdir(), 'mandate-away-'));
    await writeFile(join(away, 'aat-jws-vectors.json'), '{"vectors":[]}');
    await writeFile(join(away, 'samples.json'), '{"testcases":[]}');
  });

  afterAll(async () => {
    if (away !== '') await rm(away, { recursive: true, force: true });
  });

  const clone = (): string => join(away, 'clone');

  it.each(['aat', 'biscuit'] as const)(
    'a clone away from ../shared: %s vectors absent, skipped with a message',
    (set) => {
      const location = locateVectors(set, { env: {}, root: clone() });
      expect(location).toMatchObject({ found: false, required: false });
      if (location.found) return;
      expect(location.message).toContain(join(away, 'shared', 'vectors'));
      expect(location.message).toContain(set === 'aat' ? 'AAT_VECTORS' : 'BISCUIT_SAMPLES');
    },
  );

  it.each([{ CI: 'true' }, { MANDATE_REQUIRE_VECTORS: '1' }])(
    'absent vectors fail under %o',
    (env) => {
      const location = locateVectors('aat', { env, root: clone() });
      expect(location).toMatchObject({ found: false, required: true });
    },
  );

  it('CI=false and other values do not require them', () => {
    const env = { CI: 'false', MANDATE_REQUIRE_VECTORS: '0' };
    expect(locateVectors('biscuit', { env, root: clone() })).toMatchObject({ required: false });
  });

  it.each([
    ['aat', 'AAT_VECTORS', 'aat-jws-vectors.json'],
    ['biscuit', 'BISCUIT_SAMPLES', 'samples.json'],
  ] as const)('%s: %s takes the file or its folder', (set, variable, name) => {
    const file = join(away, name);
    for (const given of [file, away]) {
      expect(locateVectors(set, { env: { [variable]: given }, root: clone() })).toEqual({
        found: true,
        file,
        folder: away,
      });
    }
  });

  it('a variable that names nothing fails even outside CI (a typo must not pass as a skip)', () => {
    const location = locateVectors('aat', {
      env: { AAT_VECTORS: join(away, 'nope') },
      root: clone(),
    });
    expect(location).toMatchObject({ found: false, required: true });
    if (!location.found) expect(location.message).toMatch(/AAT_VECTORS=.*nope names neither/);
  });

  it('beside ../shared (this checkout), the default location is used when it exists', () => {
    const location = locateVectors('aat', { env: {} });
    const expected = join(REPO_ROOT, '..', 'shared', 'vectors', 'aat', 'aat-jws-vectors.json');
    if (location.found) expect(location.file).toBe(expected);
    else expect(location.message).toContain(expected);
  });

  it('a vector suite run from a clone away from ../shared skips and prints why', async () => {
    // The real suite file, run by vitest in a child with the vectors hidden: it must pass
    // (skipped), and print the reason; with CI=true it must fail.
    const env = { ...process.env, AAT_VECTORS: '', CI: '', MANDATE_REQUIRE_VECTORS: '' };
    const hidden = { ...env, MANDATE_VECTORS_ROOT: clone() };
    const vitest = join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs');
    const args = [vitest, 'run', 'test/unit/core/constraint/aat-profile.test.ts'];
    const skipped = await run(process.execPath, args, { cwd: REPO_ROOT, env: hidden });
    expect(skipped.stdout + skipped.stderr).toMatch(/SKIPPED: .*not found at/);
    const failed = await run(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...hidden, CI: 'true' },
    }).then(
      () => 'passed',
      (error: Error & { stdout?: string }) => error.stdout ?? '',
    );
    expect(failed).toMatch(/has its vectors/);
  }, 60_000);
});
