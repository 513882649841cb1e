/**
 * The Biscuit encoding's first verification in a fresh process (no cold-start time limit
 * denial): a process is spawned, so it is an integration test.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('a fresh process', () => {
  it('allows the very first verification (no cold-start time limit denial)', () => {
    const repo = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
    const dir = mkdtempSync(join(tmpdir(), 'mandate-biscuit-'));
    const script = join(dir, 'first.mts');
    const src = (name: string) => JSON.stringify(join(repo, 'src', name));
    writeFileSync(
      script,
      `import { createVerifier, delegate, generateKeyPair, mint, prove } from ${src('index.ts')};
const [anchor, a, b] = await Promise.all([generateKeyPair(), generateKeyPair(), generateKeyPair()]);
const root = await mint({ issuer: anchor, issuerId: 'https://as', subject: 'alice', holder: a.publicJwk,
  capabilities: [{ resource: 'docs:**', actions: ['read'], constraints: { n: { max: 5 } } }],
  expiresIn: 600, audience: 'https://svc', format: 'biscuit' });
const child = await delegate(root, { signer: a, holder: b.publicJwk });
const request = { method: 'GET', url: 'https://svc/x' };
const proof = await prove(child, { signer: b, request });
const verifier = createVerifier({ trustAnchors: [{ id: 'https://as', publicJwk: anchor.publicJwk }], audience: 'https://svc' });
const decision = await verifier.verify(child.token, { proof, request, action: { resource: 'docs:x', action: 'read', args: { n: 2 } } });
process.stdout.write(JSON.stringify({ allowed: decision.allowed, code: decision.allowed ? undefined : decision.code }));
`,
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ allowed: true });
  });
});
