/**
 * What `import 'mandate'` loads (issue 13): neither zod nor jose nor biscuit-wasm nor the
 * OAuth or adapter modules, and a first genuine decision (JWS and Biscuit) still loads no zod:
 * zod is the schema at every boundary but is loaded only for input that is not plainly valid
 * (`src/core/zod.ts`). A malformed capability then loads it and gets the schema's coded error.
 * Checked in a fresh process whose resolve hook sees `import` and `require` alike.
 */
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

interface Graph {
  readonly afterImport: readonly string[];
  readonly afterDecisions: readonly string[];
  readonly afterMalformed: readonly string[];
  readonly decisions: Readonly<Record<string, { allowed: boolean; code?: string }>>;
  readonly algebra: boolean;
  readonly malformed: Readonly<Record<string, unknown>>;
}

const ZOD = '/node_modules/zod/';
const NOT_ON_IMPORT = [
  ZOD,
  '/node_modules/jose/',
  '/node_modules/@biscuit-auth/',
  '/node_modules/oauth4webapi/',
  '/src/oauth/',
  '/src/adapters/',
  '/src/cli/',
  '/src/testing/',
];

async function graph(): Promise<Graph> {
  const child = new URL('./import-graph-child.ts', import.meta.url);
  const entry = pathToFileURL(`${process.cwd()}/src/index.ts`).href;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', child.pathname, entry], {
    cwd: process.cwd(),
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as Graph;
}

const under = (urls: readonly string[], part: string): string[] =>
  urls.filter((url) => url.includes(part));

describe("import 'mandate'", () => {
  it('loads no zod, jose, biscuit-wasm, OAuth or adapter module; a first genuine decision loads no zod; a malformed capability loads zod and gets its coded error', async () => {
    const g = await graph();
    // The hook saw the import (so an empty list below means "not loaded", not "not seen").
    expect(under(g.afterImport, '/src/index.ts')).not.toEqual([]);
    for (const part of NOT_ON_IMPORT) expect(under(g.afterImport, part), part).toEqual([]);

    expect(g.decisions).toEqual({ jws: { allowed: true }, biscuit: { allowed: true } });
    expect(g.algebra).toBe(true);
    expect(under(g.afterDecisions, ZOD)).toEqual([]);

    expect(g.malformed).toEqual({
      code: 'MANDATE_MALFORMED',
      check: 'limits',
      path: 'capabilities[0].actions',
    });
    expect(under(g.afterMalformed, ZOD)).not.toEqual([]);
  }, 60_000);
});
