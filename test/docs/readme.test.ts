import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('README', () => {
  it('shows examples/quickstart.ts verbatim', async () => {
    const [readme, example] = await Promise.all([
      readFile('README.md', 'utf8'),
      readFile('examples/quickstart.ts', 'utf8'),
    ]);
    expect(readme).toContain(`\`\`\`ts\n${example.trimEnd()}\n\`\`\``);
  });

  it('the quickstart runs against the built package and is allowed', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/quickstart.ts']);
    expect(stdout.trim()).toBe('allowed for alice');
  });

  it('`mandate demo` ends every scenario as expected (jws)', async () => {
    const { stdout, stderr } = await run(process.execPath, [
      'dist/cli/main.js',
      'demo',
      '--format',
      'jws',
    ]);
    expect(stdout).toContain('every scenario ended as expected');
    // oidc-provider (the demo's authorization server) warns on runtimes it does not support;
    // on the supported Node versions it says nothing.
    expect(stdout).toContain('(oidc-provider)');
    expect(stderr).toBe('');
  });
});
