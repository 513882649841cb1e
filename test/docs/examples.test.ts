/**
 * Every guide is a complete program: `examples/<guide>/main.ts` runs offline on loopback (as
 * `npx tsx` would run it, against the built package like the README's quickstart), makes one
 * genuine call and one refused call, prints both outcomes and exits 0; and the guide shows the
 * program verbatim, says how to run it, and cites no file outside the repository.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** Each guide's program and the lines it must print (the genuine call, then the refused one). */
const EXAMPLES: Readonly<Record<string, readonly RegExp[]>> = {
  http: [
    /^read 2026-03: 200 \{"invoice":"2026-03","readBy":"alice"\}$/,
    /^pay 120: 200 \{"paidFor":"alice"\}$/,
    /^pay 300: 403 MANDATE_FORBIDDEN at hop 1$/,
  ],
  mcp: [
    /^pay 120: \[\{"type":"text","text":"paid 2026-03: 120 for alice"\}\]$/,
    /^pay 300: refused, MANDATE_FORBIDDEN at hop 1$/,
  ],
  a2a: [/^pay 120: paying for alice$/, /^pay 300: refused, MANDATE_FORBIDDEN at hop 1$/],
  oauth: [/^allowed for alice$/, /^MANDATE_FORBIDDEN at hop 1$/],
  identity: [
    /^agent's key: allowed for alice$/,
    /^another key: MANDATE_UNTRUSTED_ISSUER at hop 1 \(holder-not-agent\)$/,
  ],
};

describe.each(Object.entries(EXAMPLES))('examples/%s/main.ts', (name, expected) => {
  const file = `examples/${name}/main.ts`;

  it('runs: one genuine call, one refused call, exit 0', async () => {
    // execFile rejects on a non-zero exit code or a hang past the timeout.
    const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { timeout: 60_000 });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(expected.length);
    for (const [i, pattern] of expected.entries()) expect(lines[i]).toMatch(pattern);
  }, 70_000);

  it(`docs/guides/${name}.md shows it verbatim and says how to run it`, async () => {
    const [guide, example] = await Promise.all([
      readFile(`docs/guides/${name}.md`, 'utf8'),
      readFile(file, 'utf8'),
    ]);
    expect(guide).toContain(`\`\`\`ts\n${example.trimEnd()}\n\`\`\``);
    expect(guide).toContain(`npx tsx ${file}`);
  });
});

describe('docs/guides', () => {
  it('cite no file outside the repository', async () => {
    const { readdir } = await import('node:fs/promises');
    for (const name of await readdir('docs/guides')) {
      const text = await readFile(`docs/guides/${name}`, 'utf8');
      expect(text, name).not.toMatch(/DESIGN\.md|CONVENTIONS\.md|\.\.\/shared|\.\.\/\.\.\/\.\./);
    }
  });
});
