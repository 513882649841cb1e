/**
 * The JWS chain when every key is new: a never-seen chain of a root and five delegations (six
 * blocks) with its proof, verified once, measured two ways in one run against the same floor
 * (seven Ed25519 verifications: every block plus the proof):
 *   keys repeat — every chain delegates through the same five agents (the key caches hit);
 *   all keys new — every chain has its own user and five agents nobody has seen (no key cache
 *                  can hit: each holder key is parsed, thumbprinted and imported for the first time).
 * Each round verifies chains no verifier has seen, on a fresh verifier.
 *
 * Run alone: `node --import tsx bench/new-keys.ts`; `npm run bench` runs it after the JWS table.
 */
import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { pathToFileURL } from 'node:url';

import {
  createVerifier,
  delegate,
  generateKeyPair,
  mint,
  prove,
  type KeyPair,
} from '../src/index.js';
import { median, QUICK } from './common.js';

const DELEGATIONS = 5;
const CHAINS = QUICK ? 20 : 60; // per round
const ROUNDS = QUICK ? 3 : 9;
const AUD = 'https://keys.bench.example';
const ANCHOR = 'https://as.keys.bench.example';
const REQUEST = { method: 'POST', url: `${AUD}/pay` } as const;
const ACTION = { resource: 'billing:invoices/1', action: 'pay', args: { amount: 10 } } as const;

interface Chain {
  readonly token: string;
  readonly proof: string;
}

async function makeChain(
  anchor: KeyPair,
  agents: readonly KeyPair[],
  subject: string,
  now: number,
): Promise<Chain> {
  let mandate = await mint({
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
    mandate = await delegate(mandate, {
      signer: agents[h - 1]!,
      holder: agents[h]!.publicJwk,
      now,
    });
  }
  const proof = await prove(mandate, { signer: agents[DELEGATIONS]!, request: REQUEST, now });
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
  anchor: KeyPair,
  shared: readonly KeyPair[],
  fresh: boolean,
  now: number,
): Promise<Chain[][]> {
  const rounds: Chain[][] = [];
  for (let r = 0; r < ROUNDS + 1; r++) {
    const chains: Chain[] = [];
    for (let c = 0; c < CHAINS; c++) {
      const agents = fresh
        ? await Promise.all(Array.from({ length: DELEGATIONS + 1 }, () => generateKeyPair()))
        : shared;
      chains.push(await makeChain(anchor, agents, fresh ? `user-${r}-${c}` : 'alice', now));
    }
    rounds.push(chains);
  }
  return rounds;
}

/** CPU µs per chain to verify `chains` (never seen) on a fresh verifier. Throws on a denial. */
async function verifyRound(
  chains: readonly Chain[],
  make: () => ReturnType<typeof createVerifier>,
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

/**
 * The table: a never-seen 6-block chain with its proof, keys repeating vs all keys new, both
 * against the floor of 7 Ed25519 verifications measured in the same run. Returns Markdown.
 */
export async function newKeysTable(): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const anchor = await generateKeyPair();
  const shared = await Promise.all(
    Array.from({ length: DELEGATIONS + 1 }, () => generateKeyPair()),
  );
  const make = () =>
    createVerifier({
      trustAnchors: [{ id: ANCHOR, publicJwk: anchor.publicJwk }],
      audience: AUD,
      clock: () => now,
    });
  const warm = await makeChain(anchor, shared, 'alice', now);
  const repeated = await fixture(anchor, shared, false, now);
  const fresh = await fixture(anchor, shared, true, now);
  // Interleaved round by round with the floor, so that all three see the same machine; each
  // round's ratio is to the floor measured right before it, and the table reports medians.
  const floors: number[] = [];
  const ratios = { repeated: [] as number[], fresh: [] as number[] };
  const times = { repeated: [] as number[], fresh: [] as number[] };
  for (let r = 0; r <= ROUNDS; r++) {
    const floorRound = oneVerification() * (DELEGATIONS + 2);
    const repeatedRound = await verifyRound(repeated[r]!, make, warm);
    const freshRound = await verifyRound(fresh[r]!, make, warm);
    if (r === 0) continue; // warm-up
    floors.push(floorRound);
    times.repeated.push(repeatedRound);
    times.fresh.push(freshRound);
    ratios.repeated.push(repeatedRound / floorRound);
    ratios.fresh.push(freshRound / floorRound);
  }
  const floor = median(floors);
  const floorUnit = floor / (DELEGATIONS + 2);
  const row = (label: string, t: readonly number[], ratio: readonly number[]) =>
    `| ${label} | ${floor.toFixed(0)} | ${median(t).toFixed(0)} | ${median(ratio).toFixed(2)}× |\n`;
  return (
    '| never-seen chain, root + 5 delegations + proof | floor µs (7 verifications) | Mandate µs | ×floor |\n' +
    '|---|---:|---:|---:|\n' +
    row('keys repeat (known agents)', times.repeated, ratios.repeated) +
    row('all keys new (new user, new agents)', times.fresh, ratios.fresh) +
    `\nnode ${process.version}, ${ROUNDS} rounds × ${CHAINS} chains, each verified once on a fresh verifier; CPU time, medians of per-round ratios (each round against the floor measured just before it); ` +
    `one verification ${floorUnit.toFixed(1)} µs.\n`
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(
    `JWS, never-seen chains: keys repeat vs all keys new\n\n${await newKeysTable()}`,
  );
}
