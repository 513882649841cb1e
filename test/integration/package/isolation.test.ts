/**
 * Importing `mandate` or `mandate/http` loads neither the MCP nor the A2A SDK (nor OpenTelemetry,
 * nor an agent framework); each framework sub-path loads at most its own framework.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

async function loadedBy(entry: string): Promise<string[]> {
  // A resolve hook reports every module the loader resolves.
  const hook = `data:text/javascript,${encodeURIComponent(
    `export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write('LOADED ' + r.url + '\\n'); return r; }`,
  )}`;
  const register = `data:text/javascript,${encodeURIComponent(
    `import { register } from 'node:module'; register(${JSON.stringify(hook)});`,
  )}`;
  const { stderr } = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      register,
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(entry)});`,
    ],
    { cwd: process.cwd() },
  );
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('LOADED '))
    .map((line) => line.slice(7));
}

describe('optional peers stay behind their sub-paths', () => {
  it.each(['./src/index.ts', './src/adapters/http/index.ts'])(
    '%s',
    async (entry) => {
      const loaded = await loadedBy(entry);
      expect(loaded.some((url) => url.includes('/src/'))).toBe(true);
      for (const peer of [
        '@modelcontextprotocol',
        '@a2a-js',
        '@opentelemetry',
        '/express/',
        '/hono/',
        '/node_modules/ai/',
        '@ai-sdk',
        '@langchain',
        '@openai',
      ]) {
        expect(
          loaded.filter((url) => url.includes(peer)),
          peer,
        ).toEqual([]);
      }
    },
    30_000,
  );

  it('mandate/mcp and mandate/a2a import without loading their SDKs', async () => {
    for (const entry of ['./src/adapters/mcp/index.ts', './src/adapters/a2a/index.ts']) {
      const loaded = await loadedBy(entry);
      expect(
        loaded.filter((url) => url.includes('@modelcontextprotocol') || url.includes('@a2a-js')),
      ).toEqual([]);
    }
  }, 30_000);

  it.each([
    // What the framework entries share: framework-neutral, so it loads none.
    ['./src/adapters/agents/index.ts', []],
    ['./src/adapters/ai/index.ts', []],
    ['./src/adapters/langchain/index.ts', []],
    // The Agents SDK's own import of its MCP client packages comes with it.
    [
      './src/adapters/openai-agents/index.ts',
      ['@openai/agents-core', '@modelcontextprotocol/client', '@modelcontextprotocol/core'],
    ],
  ] as const)(
    '%s loads no framework but its own',
    async (entry, own: readonly string[]) => {
      const loaded = await loadedBy(entry);
      expect(loaded.some((url) => url.includes('/src/adapters/'))).toBe(true);
      const frameworks = loaded.filter((url) =>
        ['/node_modules/ai/', '@ai-sdk', '@langchain', '@openai', '@modelcontextprotocol'].some(
          (peer) => url.includes(peer),
        ),
      );
      expect(frameworks.filter((url) => !own.some((peer) => url.includes(peer)))).toEqual([]);
    },
    30_000,
  );
});
