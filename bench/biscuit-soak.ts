/**
 * Soak benchmark for the Biscuit encoding: 100,000 verifications of a three-block Biscuit mandate
 * (root + two delegations), with process memory reported before, during and after. Every
 * verification runs the whole pipeline, including biscuit-wasm's full token verification and the
 * Datalog authorizer, so a leak of wasm objects (or wasm linear memory growth) shows up here.
 *
 * Run: `npx tsx bench/biscuit-soak.ts [count]` (default 100000). Not a test: it asserts only that
 * every decision is allowed, and prints numbers.
 */
import { createVerifier, delegate, generateKeyPair, mint } from '../src/index.js';
import { biscuitInstanceStats } from '../src/format/biscuit/wasm.js';

const COUNT = Number(process.argv[2] ?? 100_000);
const NOW = Math.floor(Date.now() / 1000);

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function memory(label: string): NodeJS.MemoryUsage {
  globalThis.gc?.();
  const m = process.memoryUsage();
  const wasm = biscuitInstanceStats();
  console.log(
    `${label.padEnd(14)} wasm ${mib(wasm.memoryBytes ?? 0).padStart(9)} (retired ${wasm.retired}, unreleased ${wasm.unreleased})  rss ${mib(m.rss).padStart(10)}  heapUsed ${mib(m.heapUsed).padStart(9)}  external ${mib(m.external).padStart(9)}  arrayBuffers ${mib(m.arrayBuffers).padStart(9)}`,
  );
  return m;
}

const [anchor, a, b, c] = await Promise.all(Array.from({ length: 4 }, () => generateKeyPair()));
if (anchor === undefined || a === undefined || b === undefined || c === undefined) {
  throw new Error('key generation failed');
}
const root = await mint({
  issuer: anchor,
  issuerId: 'https://as.soak',
  subject: 'alice',
  holder: a.publicJwk,
  capabilities: [
    {
      resource: 'billing:invoices/**',
      actions: ['read', 'pay'],
      constraints: { amount: { max: 500 } },
    },
  ],
  audience: 'https://svc.soak',
  expiresIn: '2h',
  format: 'biscuit',
  now: NOW,
});
const child = await delegate(root, {
  signer: a,
  holder: b.publicJwk,
  capabilities: [
    {
      resource: 'billing:invoices/2026-03',
      actions: ['pay'],
      constraints: { amount: { max: 200 } },
    },
  ],
  now: NOW,
});
const token = (await delegate(child, { signer: b, holder: c.publicJwk, now: NOW })).token;
// Proofs are left out on purpose: the replay store would grow by one entry per request and hide
// (or fake) what this measures. Possession is covered by the unit tests.
const verifier = createVerifier({
  trustAnchors: [{ id: 'https://as.soak', publicJwk: anchor.publicJwk }],
  audience: 'https://svc.soak',
  requireProof: false,
  clock: () => NOW,
});
const action = { resource: 'billing:invoices/2026-03', action: 'pay', args: { amount: 120 } };

console.log(`token: ${token.length} characters, 3 blocks; ${COUNT} verifications`);
// First verification loads and warms biscuit-wasm: measure memory after it, not before.
const first = await verifier.verify(token, { action });
if (!first.allowed) throw new Error(`first verification denied: ${first.code}`);
const before = memory('before');
const started = performance.now();
const step = Math.max(1, Math.floor(COUNT / 5));
for (let i = 1; i <= COUNT; i++) {
  const decision = await verifier.verify(token, { action });
  if (!decision.allowed) throw new Error(`verification ${i} denied: ${decision.code}`);
  if (i % step === 0) memory(`after ${i}`);
}
const elapsed = performance.now() - started;
const after = memory('after');
console.log(
  `${COUNT} verifications in ${(elapsed / 1000).toFixed(1)} s: ${((elapsed * 1000) / COUNT).toFixed(0)} µs each`,
);
console.log(
  `growth: rss ${mib(after.rss - before.rss)}, heapUsed ${mib(after.heapUsed - before.heapUsed)}, arrayBuffers ${mib(after.arrayBuffers - before.arrayBuffers)}`,
);
