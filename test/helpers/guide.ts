/**
 * Runs a guide's example as a program: the first `ts` block of `guide` that contains `marker`,
 * its `from 'mandate...'` imports pointed at the source tree, written to a temporary `.mts`
 * file and run with tsx. Resolves with what it printed.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** `imports` maps a package specifier (`mandate/oauth`) to its source file (`src/oauth/index.ts`). */
export async function runGuideExample(
  guide: string,
  marker: string,
  imports: Readonly<Record<string, string>>,
): Promise<string> {
  const text = await readFile(guide, 'utf8');
  const example = [...text.matchAll(/```ts\n([\s\S]*?)\n```/g)]
    .map((match) => match[1] ?? '')
    .find((block) => block.includes(marker));
  if (example === undefined) throw new Error(`${guide} has no ts example with ${marker}`);
  let source = example;
  for (const [specifier, file] of Object.entries(imports)) {
    source = source.replace(`from '${specifier}'`, `from ${JSON.stringify(resolve(file))}`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'mandate-guide-'));
  try {
    const file = join(dir, 'example.mts');
    await writeFile(file, source);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', file], {
      cwd: process.cwd(),
    });
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
