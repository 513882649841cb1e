/**
 * Import cost and import → first decision (JWS), each in a fresh Node process against the
 * built package (`dist/`, as users load it): the process imports `mandate`, creates a
 * verifier and verifies one genuine one-hop chain with its proof, made beforehand in this
 * process. Medians of several processes; needs `npm run build` first.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { delegate, generateKeyPair, mint, prove } from '../src/index.js';
import { median, QUICK } from './common.js';

const run = promisify(execFile);
const DIST = resolve('dist/index.js');

/** The child: times `import`, then `createVerifier` + one `verify`, from the process start. */
const CHILD = `
const t0 = performance.now();
const m = await import(process.env.MANDATE_DIST);
const t1 = performance.now();
const f = JSON.parse(process.env.MANDATE_FIXTURE);
const verifier = m.createVerifier({ trustAnchors: [{ id: f.anchor, publicJwk: f.anchorJwk }], audience: f.audience });
const d = await verifier.verify(f.token, { proof: f.proof, request: f.request, action: f.action });
const t2 = performance.now();
if (!d.allowed) throw new Error('first decision denied: ' + d.code);
console.log(JSON.stringify({ importMs: t1 - t0, firstDecisionMs: t2 - t0 }));
`;

/** Medians over `processes` fresh processes: import, and import → first allowed decision. */
export async function importToFirstDecision(
  processes = QUICK ? 5 : 11,
): Promise<{ importMs: number; firstDecisionMs: number } | undefined> {
  if (!existsSync(DIST)) return undefined;
  const audience = 'https://bench.example';
  const request = { method: 'POST', url: `${audience}/pay` };
  const action = { resource: 'billing:invoices/1', action: 'pay', args: { amount: 10 } };
  const [anchor, a0, a1] = await Promise.all([
    generateKeyPair(),
    generateKeyPair(),
    generateKeyPair(),
  ]);
  const root = await mint({
    issuer: anchor,
    issuerId: 'https://as.bench.example',
    subject: 'alice',
    holder: a0.publicJwk,
    capabilities: [{ resource: 'billing:invoices/**', actions: ['pay'] }],
    expiresIn: 3600,
    audience,
  });
  const chain = await delegate(root, { signer: a0, holder: a1.publicJwk });
  const fixture = {
    anchor: 'https://as.bench.example',
    anchorJwk: anchor.publicJwk,
    audience,
    request,
    action,
    token: chain.token,
  };
  const imports: number[] = [];
  const decisions: number[] = [];
  for (let i = 0; i < processes; i++) {
    // A fresh proof per process: the verifier's replay store is per process, but stay honest.
    const proof = await prove(chain, { signer: a1, request });
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', CHILD], {
      env: {
        ...process.env,
        MANDATE_DIST: pathToFileURL(DIST).href,
        MANDATE_FIXTURE: JSON.stringify({ ...fixture, proof }),
      },
    });
    const { importMs, firstDecisionMs } = JSON.parse(stdout) as {
      importMs: number;
      firstDecisionMs: number;
    };
    imports.push(importMs);
    decisions.push(firstDecisionMs);
  }
  return { importMs: median(imports), firstDecisionMs: median(decisions) };
}

/** The report line of `importToFirstDecision` (or why it was skipped). */
export async function firstDecisionReport(): Promise<string> {
  const measured = await importToFirstDecision();
  if (measured === undefined) return 'import → first decision: skipped (run npm run build)\n';
  return (
    `import 'mandate' (dist, fresh process): ${measured.importMs.toFixed(1)} ms; ` +
    `import → first decision (JWS, 1 hop + proof): ${measured.firstDecisionMs.toFixed(1)} ms (medians)\n`
  );
}
