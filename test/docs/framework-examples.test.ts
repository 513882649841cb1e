/**
 * Every agent-framework example runs (offline, scripted models, against the built package):
 * a delegated sub-agent pays within its narrowed mandate, and both the prompt-injected call
 * and the sub-agent's call beyond its mandate are refused with their code and hop.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('examples', () => {
  it.each(['ai-sdk', 'langchain', 'openai-agents'])(
    'examples/%s/main.ts runs: delegation allowed, injection refused',
    async (name) => {
      const { stdout } = await run(process.execPath, [
        '--import',
        'tsx',
        `examples/${name}/main.ts`,
      ]);
      expect(stdout).toContain('paid 2026-03: 150');
      expect(stdout).toMatch(/MANDATE_FORBIDDEN @ hop 0 \(authorize\).*billing:invoices\/2026-04/);
      expect(stdout).toMatch(/MANDATE_FORBIDDEN @ hop 1 \(authorize\).*'amount'/);
      expect(stdout).not.toContain('paid 2026-04');
      expect(stdout).not.toContain('paid 2026-03: 300');
    },
    60_000,
  );
});

describe('agent-framework guides', () => {
  it.each([
    ['ai-sdk', ['examples/ai-sdk/main.ts', 'test/integration/mcp/frameworks.test.ts']],
    ['langchain', ['examples/langchain/main.ts']],
    ['openai-agents', ['examples/openai-agents/main.ts']],
  ])('docs/guides/%s.md shows only code that runs, verbatim', async (name, sources) => {
    const guide = await readFile(`docs/guides/${name}.md`, 'utf8');
    // Compared line by line, indentation aside (a snippet may come from inside a function).
    const flat = (text: string) =>
      text
        .split('\n')
        .map((line) => line.trim())
        .join('\n');
    const code = flat(
      (await Promise.all(sources.map((file) => readFile(file, 'utf8')))).join('\n'),
    );
    const blocks = [...guide.matchAll(/```ts\n([\s\S]*?)\n```/g)].map((m) => flat(m[1] ?? ''));
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const block of blocks) expect(code).toContain(block);
  });
});
