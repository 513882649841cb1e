/** docs/guides/approvals.md: its examples run and print what the guide says they print. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runGuideExample } from '../helpers/guide.js';

const printedAfter = async (lead: string) => {
  const guide = await readFile('docs/guides/approvals.md', 'utf8');
  return new RegExp(`${lead}\\n\\n\`\`\`\\n([\\s\\S]*?)\\n\`\`\``).exec(guide)?.[1];
};

describe('docs/guides/approvals.md', () => {
  it('runs its example: refused, approved once, the replay refused', async () => {
    const stdout = await runGuideExample('docs/guides/approvals.md', 'approvalNeeded', {
      mandate: 'src/index.ts',
    });
    expect(stdout.trim()).toBe(await printedAfter('It prints:'));
  }, 60_000);

  it('runs its AI SDK example: the call pauses, the human approves, the tool runs', async () => {
    const stdout = await runGuideExample('docs/guides/approvals.md', 'mandateToolApproval', {
      mandate: 'src/index.ts',
      'mandate/ai': 'src/adapters/ai/index.ts',
      'mandate/agents': 'src/adapters/agents/index.ts',
      // The example runs from a temporary directory: its packages, from this checkout.
      ai: 'node_modules/ai/dist/index.js',
      'ai/test': 'node_modules/ai/dist/test/index.js',
      zod: 'node_modules/zod/index.js',
    });
    expect(stdout.trim()).toBe(await printedAfter('The run prints:'));
  }, 60_000);
});
