/** docs/guides/approvals.md: its example runs and prints what the guide says it prints. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runGuideExample } from '../helpers/guide.js';

describe('docs/guides/approvals.md', () => {
  it('runs its example: refused, approved once, the replay refused', async () => {
    const stdout = await runGuideExample('docs/guides/approvals.md', 'approvalNeeded', {
      mandate: 'src/index.ts',
    });
    const guide = await readFile('docs/guides/approvals.md', 'utf8');
    const printed = /It prints:\n\n```\n([\s\S]*?)\n```/.exec(guide)?.[1];
    expect(stdout.trim()).toBe(printed);
  }, 60_000);
});
