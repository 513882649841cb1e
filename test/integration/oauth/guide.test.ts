/**
 * docs/guides/oauth.md: its end-to-end example runs (against the source tree) and prints
 * what the guide says. The other snippets are fragments and are not run.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('docs/guides/oauth.md', () => {
  it('the whole-flow example runs and is allowed for alice', async () => {
    const guide = await readFile('docs/guides/oauth.md', 'utf8');
    const example = /```ts\n([\s\S]*?)\n```/.exec(guide)?.[1];
    expect(example).toBeDefined();
    const source = (example ?? '')
      .replace("from 'mandate/oauth'", `from ${JSON.stringify(resolve('src/oauth/index.ts'))}`)
      .replace("from 'mandate'", `from ${JSON.stringify(resolve('src/index.ts'))}`);
    const dir = await mkdtemp(join(tmpdir(), 'mandate-guide-'));
    try {
      const file = join(dir, 'example.mts');
      await writeFile(file, source);
      const { stdout } = await run(process.execPath, ['--import', 'tsx', file], {
        cwd: process.cwd(),
      });
      expect(stdout.trim()).toBe('allowed for alice');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
