/**
 * Verification cost, measured in one run against its floor and a peer:
 *   floor  = one Ed25519 verification (node:crypto, key already imported) per signature
 *            checked: every block plus the proof;
 *   peer   = a hand-rolled jose chain (jose's compactVerify per block with importJWK and a
 *            thumbprint per hop, the way an application would write it);
 *   Mandate, three ways: new tokens from known agents (keys cached, blocks never seen),
 *            the same token again (block cache warm), and fully cold (cacheSize 0).
 * Then the same chains in the Biscuit encoding, against the same floor and against the JWS
 * encoding's new-token time from this run; its peer is biscuit-wasm on its own (open the token
 * with the root key, run an authorizer holding the request's facts: what a plain Biscuit
 * application does, without Mandate's per-hop checks or a proof of possession).
 * Then never-seen JWS chains whose keys are all new against ones whose keys repeat
 * (bench/new-keys.ts), and import → first decision in a fresh process (bench/cold-start.ts, on
 * the built dist/).
 * Medians of several rounds; ratios are what to read (these machines are noisy).
 *
 * Run: npm run bench  (MANDATE_BENCH_QUICK=1 for a short smoke run)
 */
import {
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  generateKeyPairSync,
} from 'node:crypto';
import { calculateJwkThumbprintUri, compactVerify, importJWK, type JWK } from 'jose';
import {
  createVerifier,
  delegate,
  generateKeyPair,
  mint,
  prove,
  type KeyPair,
  type Mandate,
  sealMandate,
  type Verifier,
} from '../src/index.js';
import { DATALOG_LIMITS, requestCode } from '../src/format/biscuit/request-facts.js';
import { fromTokenText } from '../src/format/biscuit/token.js';
import { biscuitInstanceStats, withBiscuit } from '../src/format/biscuit/wasm.js';
import { coldStartTable } from './cold-start.js';
import { clockNote, median, nowMicros, QUICK } from './common.js';
import { newKeysTable } from './new-keys.js';

const HOPS = [1, 3, 5, 10] as const;
const TOKENS = QUICK ? 40 : 300; // distinct chains per hop count
// Biscuit chains: fewer per cell (their peer, biscuit-wasm, is slow) keeps the run short.
const BISCUIT_TOKENS = QUICK ? 20 : 100;
const ROUNDS = QUICK ? 3 : 7;
const NOW = Math.floor(Date.now() / 1000);
const AUD = 'https://bench.example';
const ANCHOR = 'https://as.bench.example';
const REQUEST = { method: 'POST', url: `${AUD}/pay` } as const;
const ACTION = { resource: 'billing:invoices/1', action: 'pay', args: { amount: 10 } } as const;

/** Median microseconds per operation of `run(i)` over `count` operations, `ROUNDS` times. */
async function measure(count: number, run: (i: number) => unknown): Promise<number> {
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = nowMicros();
    for (let i = 0; i < count; i++) await run(i);
    rounds.push((nowMicros() - start) / count);
  }
  return median(rounds);
}

interface Fixture {
  readonly hops: number;
  readonly chains: Mandate[];
  /** Biscuit only: each chain sealed by its last holder (what a standard Biscuit verifier reads). */
  readonly sealed: Mandate[];
  /** Per chain, enough fresh proofs for every round of every measurement. */
  readonly proofs: string[][];
}

/** The next unused proof for chain `i` (each proof is presented once: the replay store). */
function nextProof(fixture: Fixture, used: number[], i: number): string {
  const n = used[i] ?? 0;
  used[i] = n + 1;
  const proof = fixture.proofs[i]?.[n];
  if (proof === undefined) throw new Error(`out of proofs for chain ${i}`);
  return proof;
}

/** Verifies chain `t` of `fixture` with its next proof; throws on a denial. */
async function verifyChain(
  verifier: Verifier,
  fixture: Fixture,
  used: number[],
  t: number,
): Promise<void> {
  const decision = await verifier.verify(fixture.chains[t]!, {
    action: ACTION,
    proof: nextProof(fixture, used, t),
    request: REQUEST,
  });
  if (!decision.allowed) throw new Error(`${decision.code}: ${decision.reason}`);
}

/**
 * Mandate's two warm measurements of `fixture`, the same for either encoding. New token: a new
 * verifier per round, its key cache warmed with chain 0, then chains 1.. (blocks never seen,
 * agents known). Same token: chain 0 again and again on one verifier (block cache warm).
 */
async function measureMandate(
  fixture: Fixture,
  used: number[],
  make: () => Verifier,
  tokens: number,
): Promise<{ newToken: number; sameToken: number }> {
  let round = make();
  const newToken = await measure(tokens - 1, async (i) => {
    if (i === 0) {
      round = make();
      await verifyChain(round, fixture, used, 0);
    }
    await verifyChain(round, fixture, used, i + 1);
  });
  const warm = make();
  const sameToken = await measure(tokens, () => verifyChain(warm, fixture, used, 0));
  return { newToken, sameToken };
}

async function buildFixture(
  anchor: KeyPair,
  agents: KeyPair[],
  hops: number,
  format: 'jws' | 'biscuit' = 'jws',
  tokens: number = TOKENS,
): Promise<Fixture> {
  const chains: Mandate[] = [];
  const proofs: string[][] = [];
  for (let t = 0; t < tokens; t++) {
    let mandate = await mint({
      issuer: anchor,
      issuerId: ANCHOR,
      subject: 'alice',
      holder: agents[0]!.publicJwk,
      capabilities: [
        {
          resource: 'billing:invoices/**',
          actions: ['read', 'pay'],
          constraints: { amount: { max: 500 } },
        },
      ],
      expiresIn: 3600,
      audience: AUD,
      maxDepth: 10,
      now: NOW,
      format,
    });
    for (let h = 1; h < hops; h++) {
      mandate = await delegate(mandate, {
        signer: agents[h - 1]!,
        holder: agents[h]!.publicJwk,
        now: NOW,
      });
    }
    chains.push(mandate);
  }
  // Fresh proofs: chain 0 is verified TOKENS times a round, the others a few times in all.
  for (const [t, mandate] of chains.entries()) {
    const count = t === 0 ? tokens * ROUNDS + 2 * ROUNDS + 4 : 3 * ROUNDS + 4;
    const list: string[] = [];
    for (let k = 0; k < count; k++) {
      list.push(await prove(mandate, { signer: agents[hops - 1]!, request: REQUEST, now: NOW }));
    }
    proofs.push(list);
  }
  const sealed =
    format === 'biscuit'
      ? await Promise.all(chains.map((c) => sealMandate(c, { signer: agents[hops - 1]! })))
      : [];
  return { hops, chains, sealed, proofs };
}

/** The peer: what an application writes with jose alone. */
async function joseChainVerify(token: string, proof: string, anchorJwk: JWK): Promise<void> {
  const blocks = token.split('~');
  let key = await importJWK(anchorJwk, 'Ed25519');
  let parentHolder: JWK | undefined;
  for (const block of blocks) {
    const { payload } = await compactVerify(block, key, { algorithms: ['Ed25519'] });
    const claims = JSON.parse(new TextDecoder().decode(payload)) as {
      cnf: { jwk: JWK };
      iss: string;
    };
    if (
      parentHolder !== undefined &&
      claims.iss !== (await calculateJwkThumbprintUri(parentHolder))
    ) {
      throw new Error('link broken');
    }
    parentHolder = claims.cnf.jwk;
    key = await importJWK(parentHolder, 'Ed25519');
  }
  await compactVerify(proof, key, { algorithms: ['Ed25519'] });
}

/** The Biscuit peer: biscuit-wasm alone opens the token with the root key and authorizes. */
function biscuitWasmVerify(token: string, rootKey: Uint8Array): Promise<void> {
  return withBiscuit((api, scope) => {
    const key = scope.own(api.PublicKey.fromBytes(rootKey, api.SignatureAlgorithm.Ed25519));
    const biscuit = scope.own(api.Biscuit.fromBase64(token, key));
    const builder = scope.own(new api.AuthorizerBuilder());
    builder.addCodeWithParameters(BISCUIT_REQUEST.source, BISCUIT_REQUEST.parameters, {});
    scope.own(builder.buildAuthenticated(biscuit)).authorizeWithLimits(DATALOG_LIMITS);
  });
}

/** The request's facts, as Mandate's own authorizer states them (docs/format.md). */
const BISCUIT_REQUEST = requestCode(
  { resource: ACTION.resource, operation: ACTION.action, service: AUD, times: [NOW] },
  2,
);

/** Verifies Biscuit chains of 1, 3, 5, 10 blocks; prints a table against the floor and JWS. */
async function biscuitTable(
  anchor: KeyPair,
  agents: KeyPair[],
  make: (cacheSize?: number) => Verifier,
  oneVerify: number,
  jwsNewToken: ReadonlyMap<number, number>,
): Promise<string> {
  const rootKey = Buffer.from(String(anchor.publicJwk.x), 'base64url');
  // Warm the JIT and the wasm instance on every Biscuit path before anything is timed.
  {
    const warmup = await buildFixture(anchor, agents, 3, 'biscuit', BISCUIT_TOKENS);
    const used: number[] = [];
    const verifier = make();
    for (let t = 0; t < BISCUIT_TOKENS; t++) {
      await verifyChain(verifier, warmup, used, t);
      await biscuitWasmVerify(warmup.sealed[t]!.token, rootKey);
    }
  }
  let table =
    '| hops | chars | bytes | floor µs | Biscuit new token µs (×floor) | same token µs (×floor) | biscuit-wasm alone, sealed µs (×floor) | JWS new token µs | Biscuit ÷ JWS |\n' +
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n';
  for (const hops of HOPS) {
    const fixture = await buildFixture(anchor, agents, hops, 'biscuit', BISCUIT_TOKENS);
    const floor = oneVerify * (hops + 1);
    const used: number[] = [];
    const { newToken, sameToken } = await measureMandate(fixture, used, make, BISCUIT_TOKENS);
    const peer = await measure(BISCUIT_TOKENS, (i) =>
      biscuitWasmVerify(fixture.sealed[i]!.token, rootKey),
    );
    const chars = fixture.chains[0]!.token.length;
    const bytes = fromTokenText(fixture.chains[0]!.token).length;
    const jws = jwsNewToken.get(hops) ?? Number.NaN;
    const x = (t: number) => `${t.toFixed(0)} (${(t / floor).toFixed(2)}×)`;
    table += `| ${hops} | ${chars} | ${bytes} | ${floor.toFixed(0)} | ${x(newToken)} | ${x(sameToken)} | ${x(peer)} | ${jws.toFixed(0)} | ${(newToken / jws).toFixed(2)}× |\n`;
    process.stdout.write(`measured Biscuit ${hops} hop(s)\n`);
  }
  const stats = biscuitInstanceStats();
  return (
    table +
    `\nnode ${process.version}, ${ROUNDS} rounds × ${BISCUIT_TOKENS} Biscuit tokens per cell, medians of ${clockNote()}; ` +
    `wasm instances retired for their memory during the run: ${stats.retired}.\n`
  );
}

/** A tool capability with one constraint: the delegation block the size goal is stated for. */
const TOOL_CAPABILITY = {
  resource: 'tool:search',
  actions: ['call'],
  constraints: { query: { glob: 'docs/*' } },
} as const;

/**
 * Sizes and signing costs: bytes of one delegation block that narrows to a tool capability with
 * one constraint, the 5-hop token, and mint / delegate against one Ed25519 signature.
 */
async function signingTable(anchor: KeyPair, agents: KeyPair[]): Promise<string> {
  const { privateKey } = generateKeyPairSync('ed25519');
  const message = Buffer.alloc(400, 7);
  const oneSign = await measure(2000, () => cryptoSign(null, message, privateKey));
  const count = QUICK ? 50 : 300;
  let table =
    `one Ed25519 signature: ${oneSign.toFixed(1)} µs\n\n` +
    '| format | tool block bytes | 5-hop chars (bytes) | mint µs (×sign) | delegate µs (×sign) |\n' +
    '|---|---:|---:|---:|---:|\n';
  for (const format of ['jws', 'biscuit'] as const) {
    const root = () =>
      mint({
        issuer: anchor,
        issuerId: ANCHOR,
        subject: 'alice',
        holder: agents[0]!.publicJwk,
        capabilities: [{ resource: 'tool:**', actions: ['call'] }],
        expiresIn: 3600,
        audience: AUD,
        maxDepth: 10,
        now: NOW,
        format,
      });
    const parent = await root();
    const narrowed = await delegate(parent, {
      signer: agents[0]!,
      holder: agents[1]!.publicJwk,
      capabilities: [TOOL_CAPABILITY],
      now: NOW,
    });
    const size = (m: Mandate) =>
      format === 'biscuit' ? fromTokenText(m.token).length : m.token.length;
    const toolBlock = size(narrowed) - size(parent) - (format === 'jws' ? 1 : 0);
    let five = narrowed;
    for (let h = 1; h < 5; h++) {
      five = await delegate(five, {
        signer: agents[h]!,
        holder: agents[h + 1]!.publicJwk,
        capabilities: [TOOL_CAPABILITY],
        now: NOW,
      });
    }
    const mintTime = await measure(count, () => root());
    const delegateTime = await measure(count, () =>
      delegate(parent, { signer: agents[0]!, holder: agents[1]!.publicJwk, now: NOW }),
    );
    const r = (t: number) => `${t.toFixed(0)} (${(t / oneSign).toFixed(1)}×)`;
    table += `| ${format} | ${toolBlock} | ${five.token.length} (${size(five)}) | ${r(mintTime)} | ${r(delegateTime)} |\n`;
  }
  return `${table}\n5 hops = the root and 5 delegation blocks, each narrowing to a tool capability with one constraint; medians of ${clockNote()}.\n`;
}

async function main(): Promise<void> {
  const anchor = await generateKeyPair();
  const agents = await Promise.all(Array.from({ length: 10 }, () => generateKeyPair()));
  const anchors = [{ id: ANCHOR, publicJwk: anchor.publicJwk }];
  const make = (cacheSize?: number): Verifier =>
    createVerifier({
      trustAnchors: anchors,
      audience: AUD,
      clock: () => NOW,
      ...(cacheSize === undefined ? {} : { cacheSize }),
    });

  // The floor: one synchronous Ed25519 verification of a block-sized message.
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const sampleKey = createPublicKey(publicKey.export({ format: 'pem', type: 'spki' }));
  const message = Buffer.alloc(700, 7);
  const signature = cryptoSign(null, message, privateKey);
  const oneVerify = await measure(2000, () => cryptoVerify(null, message, sampleKey, signature));

  process.stdout.write(`one Ed25519 verification (floor unit): ${oneVerify.toFixed(1)} µs\n\n`);
  // Warm the JIT on every path before anything is timed.
  {
    const warmup = await buildFixture(anchor, agents, 3);
    const used: number[] = [];
    const verifier = make();
    for (let t = 0; t < TOKENS; t++) {
      await verifyChain(verifier, warmup, used, t);
      await joseChainVerify(warmup.chains[t]!.token, warmup.proofs[t]![1]!, anchor.publicJwk);
    }
  }
  const header =
    '| hops | bytes | bytes/hop | floor µs | Mandate new token µs (×floor) | same token µs (×floor) | cold µs (×floor) | jose chain µs (×floor) | Mandate vs jose |\n' +
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n';
  let table = header;
  const jwsNewToken = new Map<number, number>();
  for (const hops of HOPS) {
    const fixture = await buildFixture(anchor, agents, hops);
    const floor = oneVerify * (hops + 1);
    const used: number[] = [];
    const { newToken, sameToken } = await measureMandate(fixture, used, make, TOKENS);
    // Fully cold: no block or key cache at all.
    const cold = make(0);
    const coldTime = await measure(TOKENS - 1, (i) => verifyChain(cold, fixture, used, i + 1));
    const jose = await measure(TOKENS, (i) =>
      joseChainVerify(fixture.chains[i]!.token, fixture.proofs[i]![0]!, anchor.publicJwk),
    );
    jwsNewToken.set(hops, newToken);
    const bytes = fixture.chains[0]!.token.length;
    const x = (t: number) => `${t.toFixed(0)} (${(t / floor).toFixed(2)}×)`;
    table += `| ${hops} | ${bytes} | ${(bytes / hops).toFixed(0)} | ${floor.toFixed(0)} | ${x(newToken)} | ${x(sameToken)} | ${x(coldTime)} | ${x(jose)} | ${(newToken / jose).toFixed(2)}× |\n`;
    process.stdout.write(`measured ${hops} hop(s)\n`);
  }
  process.stdout.write(`\n${table}`);
  process.stdout.write(
    `\nnode ${process.version}, ${ROUNDS} rounds × ${TOKENS} tokens per cell, medians of ${clockNote()}. Floor = (hops + 1) × one verification (blocks + proof).\n`,
  );
  process.stdout.write('\nSize and signing cost\n\n');
  process.stdout.write(await signingTable(anchor, agents));
  process.stdout.write('\nJWS, never-seen chains: keys repeat vs all keys new\n\n');
  process.stdout.write(await newKeysTable());
  if (process.env.MANDATE_BENCH_BISCUIT !== '0') {
    process.stdout.write('\nBiscuit encoding\n\n');
    process.stdout.write(await biscuitTable(anchor, agents, make, oneVerify, jwsNewToken));
  }
  process.stdout.write('\nCold start (import → first decision, fresh process on dist/)\n\n');
  process.stdout.write(await coldStartTable());
}

await main();
