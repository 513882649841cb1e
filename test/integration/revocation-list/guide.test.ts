/**
 * docs/guides/stores.md: its signed-revocation-list example (the one `ts` block that is a whole
 * program) runs against the source tree and prints what the guide says. The other snippets are
 * fragments and are not run.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('docs/guides/stores.md', () => {
  it('the revocation-list example runs: allowed, then revoked at hop 1', async () => {
    const guide = await readFile('docs/guides/stores.md', 'utf8');
    const example = [...guide.matchAll(/```ts\n([\s\S]*?)\n```/g)]
      .map((match) => match[1] ?? '')
      .find((block) => block.includes('RevocationListPublisher'));
    expect(example).toBeDefined();
    const source = (example ?? '')
      .replace(
        "from 'mandate/stores/revocation-list'",
        `from ${JSON.stringify(resolve('src/stores/revocation-list/index.ts'))}`,
      )
      .replace("from 'mandate'", `from ${JSON.stringify(resolve('src/index.ts'))}`);
    const dir = await mkdtemp(join(tmpdir(), 'mandate-guide-'));
    try {
      const file = join(dir, 'example.mts');
      await writeFile(file, source);
      const { stdout } = await run(process.execPath, ['--import', 'tsx', file], {
        cwd: process.cwd(),
      });
      expect(stdout.trim().split('\n')).toEqual(['true', 'MANDATE_REVOKED at hop 1']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
