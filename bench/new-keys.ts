/**
 * The JWS chain when every key is new: a never-seen chain of a root and five delegations (six
 * blocks) with its proof, verified once, measured two ways in one run against the same floor
 * (seven Ed25519 verifications: every block plus the proof):
 *   keys repeat — every chain delegates through the same five agents (the key caches hit);
 *   all keys new — every chain has its own user and five agents nobody has seen (no key cache
 *                  can hit: each holder key is parsed, thumbprinted and imported for the first time).
 * Each round verifies chains no verifier has seen, on a fresh verifier.
 *
 * `MANDATE_BENCH_BASELINE=<dir>/dist/index.js` (another build, e.g. an older commit's) adds that
 * build's rows, its rounds interleaved with this build's, so that a regression shows against
 * the same machine in one run.
 *
 * Run alone: `node --import tsx bench/new-keys.ts`; `npm run bench` runs it after the JWS table.
 */
import { createPublicKey, generateKeyPairSync, sign, verify, type JsonWebKey } from 'node:crypto';
import { pathToFileURL } from 'node:url';

import * as current from '../src/index.js';
import { withoutStackTraces } from '../src/core/stack-traces.js';
import type { KeyPair } from '../src/index.js';
import { median, QUICK } from './common.js';

const DELEGATIONS = 5;
const CHAINS = QUICK ? 20 : 60; // per round
const ROUNDS = QUICK ? 3 : 9;
/**
 * Rounds verified first and not counted: the table measures what a serving process pays per
 * request, not the JIT's tier-up, which otherwise runs through the first few hundred chains
 * (and, in CPU time, on its background threads too): one round read 1.1–1.2× higher run alone
 * than after the other tables had warmed the same code.
 */
const WARMUP_ROUNDS = QUICK ? 1 : 4;
const AUD = 'https://keys.bench.example';
const ANCHOR = 'https://as.keys.bench.example';
const REQUEST = { method: 'POST', url: `${AUD}/pay` } as const;
const ACTION = { resource: 'billing:invoices/1', action: 'pay', args: { amount: 10 } } as const;

interface Chain {
  readonly token: string;
  readonly proof: string;
}

/** The API a build offers (this tree's, or a baseline's `dist/`). */
type Api = Pick<
  typeof current,
  'createVerifier' | 'delegate' | 'generateKeyPair' | 'mint' | 'prove'
>;

async function makeChain(
  m: Api,
  anchor: KeyPair,
  agents: readonly KeyPair[],
  subject: string,
  now: number,
): Promise<Chain> {
  let mandate = await m.mint({
    issuer: anchor,
    issuerId: ANCHOR,
    subject,
    holder: agents[0]!.publicJwk,
    capabilities: [
      { resource: 'billing:invoices/**', actions: ['pay'], constraints: { amount: { max: 500 } } },
    ],
    expiresIn: 3600,
    audience: AUD,
    maxDepth: 10,
    now,
  });
  for (let h = 1; h <= DELEGATIONS; h++) {
    mandate = await m.delegate(mandate, {
      signer: agents[h - 1]!,
      holder: agents[h]!.publicJwk,
      now,
    });
  }
  const proof = await m.prove(mandate, { signer: agents[DELEGATIONS]!, request: REQUEST, now });
  return { token: mandate.token, proof };
}

/**
 * CPU time of this process in µs. This table compares two costs a few percent apart, so it counts
 * the CPU the work used rather than wall time, which on a shared machine also counts waiting.
 */
function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** Rounds × chains never seen before; `fresh` gives every chain its own user and agents. */
async function fixture(
  m: Api,
  anchor: KeyPair,
  shared: readonly KeyPair[],
  fresh: boolean,
  now: number,
): Promise<Chain[][]> {
  const rounds: Chain[][] = [];
  for (let r = 0; r < WARMUP_ROUNDS + ROUNDS; r++) {
    const chains: Chain[] = [];
    for (let c = 0; c < CHAINS; c++) {
      const agents = fresh
        ? await Promise.all(Array.from({ length: DELEGATIONS + 1 }, () => m.generateKeyPair()))
        : shared;
      chains.push(await makeChain(m, anchor, agents, fresh ? `user-${r}-${c}` : 'alice', now));
    }
    rounds.push(chains);
  }
  return rounds;
}

/** CPU µs per chain to verify `chains` (never seen) on a fresh verifier. Throws on a denial. */
async function verifyRound(
  chains: readonly Chain[],
  make: () => ReturnType<Api['createVerifier']>,
  warm: Chain,
): Promise<number> {
  const verifier = make();
  // The shared agents are known to this verifier (its caches warm); new ones never are.
  await verifier.verify(warm.token, { action: ACTION });
  const start = cpuMicros();
  for (const { token, proof } of chains) {
    const decision = await verifier.verify(token, { action: ACTION, proof, request: REQUEST });
    if (!decision.allowed) throw new Error(`${decision.code}: ${decision.reason}`);
  }
  return (cpuMicros() - start) / chains.length;
}

/** One Ed25519 verification of a block-sized message with an imported key, in µs. */
function oneVerification(): number {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const key = createPublicKey(publicKey.export({ format: 'pem', type: 'spki' }));
  const message = Buffer.alloc(700, 7);
  const signature = sign(null, message, privateKey);
  const start = cpuMicros();
  for (let i = 0; i < 1000; i++) verify(null, message, key, signature);
  return (cpuMicros() - start) / 1000;
}

/** Keys for {@link oneNewKeyVerification}: each its message signature and public JWK. */
let newKeyFloorKeys: { readonly jwk: JsonWebKey; readonly signature: Buffer }[] | undefined;
const NEW_KEY_MESSAGE = Buffer.alloc(700, 7);

/**
 * One Ed25519 verification of a block-sized message by a key given in its wire form (a JWK, as
 * a chain carries it), in µs: node:crypto's cheapest verification when the key is new (it must
 * read the key first; measured: ≈ 10% more than with an imported key). A second, stricter
 * floor for the all-new-keys row, reported beside the issue's floor, not instead of it.
 */
function oneNewKeyVerification(): number {
  newKeyFloorKeys ??= Array.from({ length: 500 }, () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    return {
      jwk: publicKey.export({ format: 'jwk' }),
      signature: sign(null, NEW_KEY_MESSAGE, privateKey),
    };
  });
  const keys = newKeyFloorKeys;
  // As Mandate reads a new key: without stacks for the exceptions node:crypto catches.
  return withoutStackTraces(() => {
    const start = cpuMicros();
    for (const { jwk, signature } of keys) {
      verify(null, NEW_KEY_MESSAGE, { key: jwk, format: 'jwk' }, signature);
    }
    return (cpuMicros() - start) / keys.length;
  });
}

/** One build under test: its API, fixtures and per-round figures. */
interface Build {
  readonly name: string;
  readonly make: () => ReturnType<Api['createVerifier']>;
  readonly warm: Chain;
  readonly repeated: Chain[][];
  readonly fresh: Chain[][];
  readonly times: { repeated: number[]; fresh: number[] };
  readonly ratios: { repeated: number[]; fresh: number[]; freshToNewKeyFloor: number[] };
}

async function prepare(name: string, m: Api, now: number): Promise<Build> {
  const anchor = await m.generateKeyPair();
  const shared = await Promise.all(
    Array.from({ length: DELEGATIONS + 1 }, () => m.generateKeyPair()),
  );
  return {
    name,
    make: () =>
      m.createVerifier({
        trustAnchors: [{ id: ANCHOR, publicJwk: anchor.publicJwk }],
        audience: AUD,
        clock: () => now,
      }),
    warm: await makeChain(m, anchor, shared, 'alice', now),
    repeated: await fixture(m, anchor, shared, false, now),
    fresh: await fixture(m, anchor, shared, true, now),
    times: { repeated: [], fresh: [] },
    ratios: { repeated: [], fresh: [], freshToNewKeyFloor: [] },
  };
}

/**
 * The table: a never-seen 6-block chain with its proof, keys repeating vs all keys new, both
 * against the floor of 7 Ed25519 verifications measured in the same run (and the baseline
 * build's rows when `MANDATE_BENCH_BASELINE` is set). Returns Markdown.
 */
export async function newKeysTable(): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const baseline = process.env.MANDATE_BENCH_BASELINE;
  const builds: Build[] = [];
  if (baseline !== undefined && baseline !== '') {
    const m = (await import(pathToFileURL(baseline).href)) as Api;
    builds.push(await prepare('baseline', m, now));
  }
  builds.push(await prepare('this build', current, now));
  // Interleaved round by round with the floor, so that every build and case sees the same
  // machine; each round's ratio is to the floor measured right before it; medians reported.
  const floors: number[] = [];
  const newKeyFloors: number[] = [];
  for (let r = 0; r < WARMUP_ROUNDS + ROUNDS; r++) {
    for (const b of builds) {
      const floorRound = oneVerification() * (DELEGATIONS + 2);
      const newKeyFloorRound = oneNewKeyVerification() * (DELEGATIONS + 2);
      const repeatedRound = await verifyRound(b.repeated[r]!, b.make, b.warm);
      const freshRound = await verifyRound(b.fresh[r]!, b.make, b.warm);
      if (r < WARMUP_ROUNDS) continue;
      floors.push(floorRound);
      b.times.repeated.push(repeatedRound);
      b.times.fresh.push(freshRound);
      b.ratios.repeated.push(repeatedRound / floorRound);
      b.ratios.fresh.push(freshRound / floorRound);
      b.ratios.freshToNewKeyFloor.push(freshRound / newKeyFloorRound);
      newKeyFloors.push(newKeyFloorRound);
    }
  }
  const floor = median(floors);
  const floorUnit = floor / (DELEGATIONS + 2);
  const named = (b: Build, label: string) => (builds.length > 1 ? `${label} (${b.name})` : label);
  const row = (label: string, t: readonly number[], ratio: readonly number[]) =>
    `| ${label} | ${floor.toFixed(0)} | ${median(t).toFixed(0)} | ${median(ratio).toFixed(2)}× |\n`;
  return (
    '| never-seen chain, root + 5 delegations + proof | floor µs (7 verifications) | Mandate µs | ×floor |\n' +
    '|---|---:|---:|---:|\n' +
    builds
      .map(
        (b) =>
          row(named(b, 'keys repeat (known agents)'), b.times.repeated, b.ratios.repeated) +
          row(named(b, 'all keys new (new user, new agents)'), b.times.fresh, b.ratios.fresh),
      )
      .join('') +
    `\nnode ${process.version}, ${ROUNDS} rounds × ${CHAINS} chains (after ${WARMUP_ROUNDS} uncounted), each verified once on a fresh verifier; CPU time, medians of per-round ratios (each round against the floor measured just before it); ` +
    `one verification ${floorUnit.toFixed(1)} µs` +
    `${builds.length > 1 ? `; baseline: ${baseline ?? ''}, rounds interleaved` : ''}.\n` +
    builds
      .map(
        (b) =>
          `\n${named(b, 'all keys new')} against a stricter floor, 7 verifications each by a key never seen, read from its JWK (node:crypto's cheapest path for a new key; one such verification ${(median(newKeyFloors) / (DELEGATIONS + 2)).toFixed(1)} µs): ${median(b.ratios.freshToNewKeyFloor).toFixed(2)}×.\n`,
      )
      .join('')
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(
    `JWS, never-seen chains: keys repeat vs all keys new\n\n${await newKeysTable()}`,
  );
}
