/**
 * docs/guides/identity.md: the self-contained examples run (imports rewritten to src/), and
 * every name the other examples import exists in the module they import it from.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

const MODULES: Record<string, string> = {
  'mandate/agent-card': '../../../src/identity/agent-card/index.js',
  'mandate/mtls': '../../../src/proof/mtls/index.js',
  mandate: '../../../src/index.js',
};

async function blocks(): Promise<string[]> {
  const text = await readFile('docs/guides/identity.md', 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
}

function rewrite(code: string): string {
  return code.replace(/from '(mandate(?:\/[a-z-]+)?)'/g, (_, name: string) => {
    const target = MODULES[name];
    if (target === undefined) throw new Error(`unknown module ${name}`);
    return `from '${target}'`;
  });
}

async function run(code: string, index: number): Promise<string[]> {
  const file = join(import.meta.dirname, `.guide-example-${index}.ts`);
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  });
  try {
    await writeFile(file, rewrite(code));
    await import(file);
  } finally {
    log.mockRestore();
    await rm(file, { force: true });
  }
  return lines;
}

describe('docs/guides/identity.md', () => {
  it('example 1 (sign and verify a card) runs and prints what its comment says', async () => {
    const [first] = await blocks();
    expect(await run(first ?? '', 1)).toEqual(['card-2026 1']);
  });

  it('example 2 (examples/identity/main.ts: resolver and expectHolder) runs', async () => {
    const [, second] = await blocks();
    expect(await run(second ?? '', 2)).toEqual([
      "agent's key: allowed for alice",
      'another key: MANDATE_UNTRUSTED_ISSUER at hop 1 (holder-not-agent)',
    ]);
  });

  it('every imported name of every example exists', async () => {
    for (const code of await blocks()) {
      for (const match of code.matchAll(/import \{([^}]*)\} from '(mandate[^']*)'/g)) {
        const names = (match[1] ?? '')
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name !== '' && !name.startsWith('type '));
        const module = (await import(MODULES[match[2] ?? ''] ?? '')) as Record<string, unknown>;
        for (const name of names) expect(module[name], `${match[2]}: ${name}`).toBeDefined();
      }
    }
  });
});
