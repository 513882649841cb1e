/**
 * `delegate` cost against its floor (JWS, AAT and Biscuit): one Ed25519 signature (node:crypto, key already
 * imported), the one signature a JWS or AAT delegation must make. A delegation decodes the
 * parent chain once and signs one block; its cost should not grow much with the chain's depth.
 * Medians of several rounds; ratios are what to read (these machines are noisy).
 *
 * Run: npm run bench:delegate  (MANDATE_BENCH_QUICK=1 for a smoke run)
 */
import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { delegate, generateKeyPair, mint, type KeyPair, type Mandate } from '../src/index.js';
import { clockNote, median, nowMicros, QUICK } from './common.js';

const DEPTHS = [1, 3, 5, 9] as const;
const COUNT = QUICK ? 100 : 400;
const ROUNDS = QUICK ? 3 : 7;
const NOW = Math.floor(Date.now() / 1000);

/** Median microseconds per operation of `run()` over `count` operations, `ROUNDS` times. */
async function measure(count: number, run: () => unknown): Promise<number> {
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = nowMicros();
    for (let i = 0; i < count; i++) await run();
    rounds.push((nowMicros() - start) / count);
  }
  return median(rounds);
}

/** A chain of `depth` blocks: `keys[0]` mints it, `keys[depth]` holds its last block. */
async function chainOf(
  format: 'jws' | 'aat' | 'biscuit',
  depth: number,
  keys: readonly KeyPair[],
): Promise<Mandate> {
  const [anchor, first] = keys;
  if (anchor === undefined || first === undefined) throw new Error('keys');
  let mandate = await mint({
    issuer: anchor,
    issuerId: 'https://as.bench.example',
    // An AAT root has no subject (its subject is the issuer).
    ...(format === 'aat' ? {} : { subject: 'user:alice' }),
    holder: first.publicJwk,
    capabilities: [
      {
        resource: format === 'aat' ? 'tool:pay' : 'billing:*',
        actions: [format === 'aat' ? 'call' : 'pay'],
      },
    ],
    maxDepth: 10,
    audience: 'https://bench.example',
    expiresIn: 3600,
    now: NOW,
    format,
  });
  for (let hop = 1; hop < depth; hop++) {
    const signer = keys[hop];
    const holder = keys[hop + 1];
    if (signer === undefined || holder === undefined) throw new Error('keys');
    mandate = await delegate(mandate, { signer, holder: holder.publicJwk, now: NOW });
  }
  return mandate;
}

const { privateKey } = generateKeyPairSync('ed25519');
const message = Buffer.alloc(600, 7);
const oneSign = await measure(4000, () => cryptoSign(null, message, privateKey));
process.stdout.write(`one Ed25519 signature (floor unit): ${oneSign.toFixed(1)} µs\n\n`);
const keys = await Promise.all(Array.from({ length: 12 }, () => generateKeyPair()));
let table = '| format | parent blocks | delegate µs | × one signature |\n|---|---|---|---|\n';
for (const format of ['jws', 'aat', 'biscuit'] as const) {
  for (const depth of DEPTHS) {
    const parent = await chainOf(format, depth, keys);
    const signer = keys[depth];
    const holder = keys[depth + 1];
    if (signer === undefined || holder === undefined) throw new Error('keys');
    const time = await measure(COUNT, () =>
      delegate(parent, { signer, holder: holder.publicJwk, now: NOW }),
    );
    table += `| ${format} | ${depth} | ${time.toFixed(0)} | ${(time / oneSign).toFixed(2)}× |\n`;
  }
}
process.stdout.write(`${table}\nmedians of ${clockNote()}\n`);
