/**
 * The packed artifact, not the tree: `npm pack`, lint the tarball (publint, and
 * @arethetypeswrong/cli for its types), install it into an empty project, import every entry
 * point and run the CLI from it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let dir = '';
let tarball = '';
let packed: readonly string[] = [];

/** A devDependency's CLI, run from node_modules with this Node (offline: nothing is fetched). */
function runBin(pkg: string, bin: string, args: readonly string[]) {
  return run(process.execPath, [join(process.cwd(), 'node_modules', pkg, bin), ...args], {
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    ({ stdout, stderr }) => ({ ok: true, output: `${stdout}${stderr}` }),
    (error: Error & { stdout?: string; stderr?: string }) => ({
      ok: false,
      output: `${error.stdout ?? ''}${error.stderr ?? error.message}`,
    }),
  );
}

describe('the npm package', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mandate-pack-'));
    const { stdout } = await run(
      npm,
      ['pack', '--ignore-scripts', '--json', '--pack-destination', dir],
      {
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const [{ filename, files }] = JSON.parse(stdout) as [
      { filename: string; files: readonly { path: string }[] },
    ];
    tarball = join(dir, filename);
    packed = files.map((file) => file.path);
    await writeFile(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    // `mandate/openai-agents` builds tools with the SDK's own `tool()`, `mandate/testing` is
    // fast-check arbitraries and `mandate/stores/redis` is ioredis clients, so importing each
    // needs its optional peer (a user of that entry installs it); every other entry loads none
    // of its peers at import time.
    const manifest = JSON.parse(await readFile('package.json', 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    const peers = ['@openai/agents-core', 'fast-check', 'ioredis'].map(
      (name) => `${name}@${manifest.devDependencies[name]}`,
    );
    await run(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, ...peers], {
      cwd: dir,
      maxBuffer: 16 * 1024 * 1024,
    });
  }, 240_000);

  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('publint finds nothing to report (warnings count as errors)', async () => {
    const { ok, output } = await runBin('publint', 'src/cli.js', ['run', tarball, '--strict']);
    expect(output).toContain('All good!');
    expect(ok).toBe(true);
  }, 60_000);

  it('@arethetypeswrong/cli finds no problem in the types of any entry point', async () => {
    // The esm-only profile: the package is ESM, and CommonJS consumers use require(esm)
    // (tested below), which attw reports as node16-cjs and node10 "problems".
    const { ok, output } = await runBin('@arethetypeswrong/cli', 'dist/index.js', [
      tarball,
      '--profile',
      'esm-only',
      '--format',
      'json',
    ]);
    const { problems } = JSON.parse(output) as {
      problems?: Record<string, readonly { entrypoint: string; resolutionKind?: string }[]>;
    };
    const counted = Object.values(problems ?? {})
      .flat()
      .filter((p) => p.resolutionKind !== 'node10' && p.resolutionKind !== 'node16-cjs');
    expect(counted).toEqual([]);
    expect(ok).toBe(true);
  }, 60_000);

  it('ships no source maps (they would point at src/, which is not shipped)', () => {
    expect(packed).toContain('dist/index.js');
    expect(packed.filter((path) => path.endsWith('.map'))).toEqual([]);
    expect(packed.filter((path) => path.startsWith('src/'))).toEqual([]);
  });

  it('every "exports" entry imports', async () => {
    const manifest = JSON.parse(await readFile('package.json', 'utf8')) as {
      exports: Record<string, unknown>;
    };
    const entries = Object.keys(manifest.exports).filter((entry) => entry !== './package.json');
    const script = entries
      .map(
        (entry) =>
          `await import(${JSON.stringify(entry === '.' ? 'mandate' : `mandate/${entry.slice(2)}`)});`,
      )
      .join('\n');
    await writeFile(join(dir, 'imports.mjs'), `${script}\nconsole.log('ok');\n`);
    const { stdout } = await run(process.execPath, ['imports.mjs'], { cwd: dir });
    expect(stdout.trim()).toBe('ok');
  });

  it('a CommonJS consumer requires every "exports" entry (require(esm), Node >= 20.19 / 22.12)', async () => {
    const manifest = JSON.parse(await readFile('package.json', 'utf8')) as {
      exports: Record<string, unknown>;
    };
    const entries = Object.keys(manifest.exports).filter((entry) => entry !== './package.json');
    const names = entries.map((entry) => (entry === '.' ? 'mandate' : `mandate/${entry.slice(2)}`));
    await writeFile(
      join(dir, 'require.cjs'),
      `'use strict';
const names = ${JSON.stringify(names)};
const sizes = names.map((name) => Object.keys(require(name)).length);
const { generateKeyPair } = require('mandate');
generateKeyPair().then((pair) => console.log(sizes.every((n) => n > 0), typeof pair.id));
`,
    );
    const { stdout, stderr } = await run(process.execPath, ['require.cjs'], { cwd: dir });
    expect(stdout.trim()).toBe('true string');
    // No experimental-feature warning on the supported versions.
    expect(stderr).toBe('');
  });

  it('every "exports" entry has types that a strict TypeScript consumer resolves', async () => {
    const manifest = JSON.parse(await readFile('package.json', 'utf8')) as {
      exports: Record<string, { types?: string } | string>;
    };
    const entries = Object.entries(manifest.exports).filter(
      ([entry]) => entry !== './package.json',
    );
    for (const [entry, target] of entries) {
      expect(typeof target === 'object' ? target.types : undefined, entry).toMatch(/\.d\.ts$/);
    }
    // Strict, NodeNext: an entry without declarations would be TS7016 (implicitly any).
    const script = entries
      .map(
        ([entry], i) =>
          `import * as m${i} from ${JSON.stringify(entry === '.' ? 'mandate' : `mandate/${entry.slice(2)}`)};`,
      )
      .join('\n');
    await writeFile(
      join(dir, 'types.ts'),
      `${script}\nexport const entries: object[] = [${entries.map((_, i) => `m${i}`).join(', ')}];\n` +
        `export const keys: (alg?: 'Ed25519' | 'ES256') => Promise<{ id: string }> = m0.generateKeyPair;\n`,
    );
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          noEmit: true,
          // The optional peers' own types are not installed here; only resolution is checked.
          skipLibCheck: true,
          types: [],
        },
        files: ['types.ts'],
      }),
    );
    const tsc = join(process.cwd(), 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir }).then(
      ({ stdout }) => ({ ok: true, stdout }),
      (error: Error & { stdout?: string }) => ({
        ok: false,
        stdout: error.stdout ?? error.message,
      }),
    );
    expect(result.stdout).toBe('');
    expect(result.ok).toBe(true);
  }, 60_000);

  it('the JWS path works with biscuit-wasm and ioredis removed (they load lazily)', async () => {
    await rm(join(dir, 'node_modules', '@biscuit-auth'), { recursive: true, force: true });
    await rm(join(dir, 'node_modules', 'ioredis'), { recursive: true, force: true });
    await writeFile(
      join(dir, 'jws.mjs'),
      `import { createVerifier, generateKeyPair, mint, prove } from 'mandate';
const [as, agent] = await Promise.all([generateKeyPair(), generateKeyPair()]);
const m = await mint({ issuer: as, issuerId: 'as', subject: 'u', holder: agent.publicJwk,
  capabilities: [{ resource: 'r:a', actions: ['x'] }], audience: 'svc', expiresIn: 60 });
const request = { method: 'GET', url: 'https://svc.example/a' };
const proof = await prove(m, { signer: agent, request });
const v = createVerifier({ trustAnchors: [{ id: 'as', publicJwk: as.publicJwk }], audience: 'svc' });
const d = await v.verify(m.token, { proof, request, action: { resource: 'r:a', action: 'x' } });
console.log(d.allowed);`,
    );
    const { stdout } = await run(process.execPath, ['jws.mjs'], { cwd: dir });
    expect(stdout.trim()).toBe('true');
  });

  it('`npx mandate demo` runs from the installed package', async () => {
    const { stdout } = await run('npx', ['--no-install', 'mandate', 'demo', '--format', 'jws'], {
      cwd: dir,
    });
    // oidc-provider is a devDependency, absent here: alice's root still comes from a real
    // authorization server on loopback (the node:http one), and the demo says so.
    expect(stdout).toMatch(
      /root grant: RFC 8693 token exchange at the loopback authorization server http:\/\/127\.0\.0\.1:\d+ \(the node:http server: oidc-provider, a devDependency, is not installed\)/,
    );
    expect(stdout).toContain('every scenario ended as expected');
  }, 60_000);
});
