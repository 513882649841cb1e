/**
 * Every agent-framework example runs (offline, scripted models, against the built package):
 * a delegated sub-agent pays within its narrowed mandate, and both the prompt-injected call
 * and the sub-agent's call beyond its mandate are refused with their code and hop.
 */
import { execFile } from 'node:child_process';
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
