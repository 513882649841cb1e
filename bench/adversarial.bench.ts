/**
 * Adversarial inputs of issue 11, timed: each must be decided in a few milliseconds, whatever
 * its size. Every case reports the median time of one decision over several rounds and its
 * ratio to a genuine verification (a one-block JWS mandate, a small tool call, a valid
 * invocation proof), which is the floor an attacker's request is compared with.
 *
 * Cases (one table, easy to extend: add an entry to `cases`):
 * - finding 7: a garbage proof (its signature one bit off) with 2 million tool arguments,
 *   in JWS, Biscuit and AAT: denied before any work on the arguments;
 * - finding 4: a proof made for service A presented to service B: denied;
 * - finding 5: a DPoP proof at the edge of its window replayed to `mandate/oauth`: denied;
 * - finding 8: a flooding grant past its replay quota, and another user's genuine request
 *   while the flood holds its share of the store;
 * - finding 6: the glob attack. A holder delegates to itself a `glob` of `"*" + "a"×1000 +
 *   "b"` and calls with a 200 KB argument (the backtracking matcher took 6-10 s a request):
 *   under the default limits (denied in rule 1 by `maxRequestStringLength`), at the limit (a
 *   64 Ki-character value, fully matched), and at 200 KB with the bound raised, each with the
 *   new matcher's worst forms too (a middle segment searched with KMP, one with `?` searched
 *   bit-parallel). Every request carries a distinct value, so no memo answers it.
 * Then the glob matcher alone, against the backtracking matcher it replaced (a copy below, at
 * 64 Ki characters, since at 200 KB one call takes seconds).
 *
 * Then the cost of every stage a network input reaches, family by family
 * (`adversarial-stages.ts`): the slowest input per stage and the growth exponent of each
 * family; the run exits 1 when a stage grows faster than linearly or passes its bound.
 *
 * Run: npm run bench:adversarial   (MANDATE_BENCH_QUICK=1 for a short smoke run;
 * MANDATE_BENCH_STAGE=<stage> for the families of one stage only)
 */
import { performance } from 'node:perf_hooks';
import {
  createVerifier,
  delegate,
  generateKeyPair,
  MemoryReplayStore,
  mint,
  prove,
  toolResource,
  type Decision,
  type Format,
  type KeyPair,
  type Limits,
  type Mandate,
} from '../src/index.js';
import { globMatchSteps } from '../src/core/glob.js';
import { createAccessTokenVerifier } from '../src/oauth/index.js';
import { signAccessToken, signDpopProof } from '../test/helpers/oauth-dpop.js';
import { median, QUICK } from './common.js';
import { printStages, runStages } from './adversarial-stages.js';

const ROUNDS = QUICK ? 5 : 21;
const HUGE = QUICK ? 200_000 : 2_000_000;
const ANCHOR_ID = 'https://as.bench.example';
const TOOL_A = 'https://tool-a.bench.example';
const TOOL_B = 'https://tool-b.bench.example';

interface Case {
  readonly name: string;
  /** Runs one decision; returns it (a denial or an allow) so the table can show the code. */
  run(): Promise<Decision | { allowed: boolean; code?: string }>;
}

function flip(proof: string): string {
  const [h = '', p = '', s = ''] = proof.split('.');
  const sig = Buffer.from(s, 'base64url');
  sig[sig.length - 1] = (sig[sig.length - 1] ?? 0) ^ 1;
  return `${h}.${p}.${sig.toString('base64url')}`;
}

function hugeArgs(count: number): Record<string, number> {
  const args: Record<string, number> = {};
  for (let i = 0; i < count; i++) args[`a${i}`] = i;
  return args;
}

const GLOB_PATTERNS = {
  'the finding *a×1000b': `*${'a'.repeat(1000)}b`,
  'middle segment *a×1000b*': `*${'a'.repeat(1000)}b*`,
  'with ? *a×500?a×499b*': `*${'a'.repeat(500)}?${'a'.repeat(499)}b*`,
} as const;

/**
 * The `i`-th of many distinct variants of a long `base` (one `c` moved along): every request
 * carries a value no earlier one did, so every verification runs the matcher.
 */
function variant(base: string, i: number): string {
  const at = i % 97;
  return `${base.slice(0, at)}c${base.slice(at + 1)}`;
}

/** The matcher finding 6 replaced: greedy with star backtracking, O(n·m) on these inputs. */
function backtrackingMatch(pattern: string, value: string): boolean {
  const p = Array.from(pattern);
  const v = Array.from(value);
  let i = 0;
  let j = 0;
  let star = -1;
  let mark = 0;
  while (i < v.length) {
    if (j < p.length && p[j] !== '*' && (p[j] === '?' || p[j] === v[i])) {
      i++;
      j++;
    } else if (p[j] === '*') {
      star = j++;
      mark = i;
    } else if (star >= 0) {
      j = star + 1;
      i = ++mark;
    } else return false;
  }
  while (p[j] === '*') j++;
  return j === p.length;
}

/** Median milliseconds of `run` over `rounds` calls. */
function timeMs(run: () => unknown, rounds: number): number {
  const out: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    run();
    out.push(performance.now() - start);
  }
  return median(out);
}

/** The hostile inputs of issue 11, case by case, and the glob matcher alone. */
async function issue11(): Promise<void> {
  const [anchor, holder, client, other] = (await Promise.all(
    Array.from({ length: 4 }, () => generateKeyPair()),
  )) as [KeyPair, KeyPair, KeyPair, KeyPair];
  const verifierAt = (audience: string, replay = new MemoryReplayStore()) =>
    createVerifier({
      trustAnchors: [{ id: ANCHOR_ID, publicJwk: anchor.publicJwk }],
      audience,
      replay,
    });
  const mintFor = (format: Format, audience: string | string[], to: KeyPair = holder) =>
    mint({
      format,
      issuer: anchor,
      issuerId: ANCHOR_ID,
      ...(format === 'aat' ? {} : { subject: 'alice' }),
      holder: to.publicJwk,
      capabilities: [
        format === 'aat'
          ? { resource: toolResource('export'), actions: ['call'] }
          : { resource: 'data:export', actions: ['run'] },
      ],
      audience,
      expiresIn: 3600,
    });
  const actionFor = (format: Format, args: Record<string, number>) =>
    format === 'aat'
      ? { resource: toolResource('export'), action: 'call', args }
      : { resource: 'data:export', action: 'run', args };
  const small = { tool: 'export', args: { a0: 0 } };
  const huge = { tool: 'export', args: hugeArgs(HUGE) };

  const atA = verifierAt(TOOL_A);
  const jws = await mintFor('jws', TOOL_A);
  const genuine: Case = {
    name: 'genuine tool call (JWS, 1 block)',
    async run() {
      const proof = await prove(jws, { signer: holder, request: small });
      return atA.verify(jws, { action: actionFor('jws', small.args), proof, request: small });
    },
  };

  const cases: Case[] = [];
  for (const format of ['jws', 'biscuit', 'aat'] as const) {
    const mandate: Mandate = format === 'jws' ? jws : await mintFor(format, TOOL_A);
    const garbage = flip(await prove(mandate, { signer: holder, request: small }));
    if (format !== 'jws') {
      cases.push({
        name: `genuine tool call (${format}, 1 block)`,
        async run() {
          const proof = await prove(mandate, { signer: holder, request: small });
          return atA.verify(mandate, {
            action: actionFor(format, small.args),
            proof,
            request: small,
          });
        },
      });
    }
    cases.push({
      name: `f7 garbage proof + ${HUGE.toLocaleString('en')} args (${format})`,
      run: () =>
        atA.verify(mandate, {
          action: actionFor(format, huge.args),
          proof: garbage,
          request: huge,
        }),
    });
  }

  const both = await mintFor('jws', [TOOL_A, TOOL_B]);
  const atB = verifierAt(TOOL_B);
  cases.push({
    name: 'f4 proof for service A presented to B (JWS)',
    async run() {
      const proof = await prove(both, { signer: holder, request: small, audience: TOOL_A });
      return atB.verify(both, { action: actionFor('jws', small.args), proof, request: small });
    },
  });

  // Finding 5: one access token, one DPoP proof at the edge of its window, replayed.
  const now = Math.floor(Date.now() / 1000);
  const service = 'https://payments.bench.example';
  const accessToken = await signAccessToken(anchor, client, {
    iss: ANCHOR_ID,
    aud: service,
    iat: now - 10,
    exp: now + 3600,
  });
  const url = `${service}/pay`;
  const edgeProof = await signDpopProof(client, accessToken, url, now - 60);
  const oauth = createAccessTokenVerifier({
    issuer: ANCHOR_ID,
    audience: service,
    jwks: { keys: [{ ...anchor.publicJwk, kid: 'k1' }] },
    // A fixed clock, and the store reading the same instant with a fraction (as in the
    // finding), so the proof stays at the edge of its window for the whole run.
    clock: () => now,
    replay: new MemoryReplayStore({ now: () => now + 0.5 }),
  });
  await oauth.verify(accessToken, { dpop: { proof: edgeProof, method: 'POST', url } });
  cases.push({
    name: 'f5 DPoP proof at iat = now - 60, replayed (oauth)',
    run: () => oauth.verify(accessToken, { dpop: { proof: edgeProof, method: 'POST', url } }),
  });

  // Finding 8: a grant that holds its whole share of the store; then another user.
  const replay = new MemoryReplayStore({ maxEntries: 10_000, maxEntriesPerGrant: 1_000 });
  const flooded = verifierAt(TOOL_A, replay);
  for (let i = 0; i < 1_000; i++) {
    const proof = await prove(jws, { signer: holder, request: small });
    await flooded.verify(jws, { action: actionFor('jws', small.args), proof, request: small });
  }
  cases.push({
    name: 'f8 flooding grant past its replay quota',
    async run() {
      const proof = await prove(jws, { signer: holder, request: small });
      return flooded.verify(jws, { action: actionFor('jws', small.args), proof, request: small });
    },
  });
  const otherMandate = await mintFor('jws', TOOL_A, other);
  cases.push({
    name: "f8 another user's genuine call during the flood",
    async run() {
      const proof = await prove(otherMandate, { signer: other, request: small });
      return flooded.verify(otherMandate, {
        action: actionFor('jws', small.args),
        proof,
        request: small,
      });
    },
  });

  // Finding 6: the holder narrows its own grant to a hostile glob (nothing stops it, nor should).
  const globRoot = await mint({
    issuer: anchor,
    issuerId: ANCHOR_ID,
    subject: 'alice',
    holder: holder.publicJwk,
    capabilities: [
      { resource: 'tool:send', actions: ['call'], constraints: { memo: { glob: '*' } } },
    ],
    audience: TOOL_A,
    expiresIn: 3600,
  });
  const KB200 = 'a'.repeat(200_000);
  const AT_LIMIT = 'a'.repeat(65_536);
  const raised = createVerifier({
    trustAnchors: [{ id: ANCHOR_ID, publicJwk: anchor.publicJwk }],
    audience: TOOL_A,
    limits: { maxRequestStringLength: 300_000 } satisfies Partial<Limits>,
  });
  for (const [label, glob] of Object.entries(GLOB_PATTERNS)) {
    const selfDelegated = await delegate(globRoot, {
      signer: holder,
      holder: holder.publicJwk,
      capabilities: [{ resource: 'tool:send', actions: ['call'], constraints: { memo: { glob } } }],
    });
    const settings = [
      ['200 KB, default limits', KB200, atA],
      ['64 Ki, at the limit', AT_LIMIT, atA],
      ['200 KB, bound raised', KB200, raised],
    ] as const;
    for (const [setting, base, verifier] of settings) {
      let calls = 0;
      cases.push({
        name: `f6 glob ${label}, ${setting}`,
        async run() {
          const request = { tool: 'send', args: { memo: variant(base, calls++) } };
          const proof = await prove(selfDelegated, { signer: holder, request });
          return verifier.verify(selfDelegated, { proof, request });
        },
      });
    }
  }

  const time = async (c: Case) => {
    const times: number[] = [];
    let outcome = '';
    for (let round = 0; round < ROUNDS; round++) {
      const start = performance.now();
      const decision = await c.run();
      times.push(performance.now() - start);
      outcome = decision.allowed ? 'allowed' : (decision.code ?? 'denied');
    }
    return { ms: median(times), outcome };
  };
  // Warm up every path once (JIT, biscuit-wasm load), then measure.
  for (const c of [genuine, ...cases]) await c.run();
  const floor = await time(genuine);
  const rows = [
    {
      case: genuine.name,
      'median ms': floor.ms.toFixed(3),
      'x genuine': '1.0',
      outcome: floor.outcome,
    },
  ];
  for (const c of cases) {
    const { ms, outcome } = await time(c);
    rows.push({
      case: c.name,
      'median ms': ms.toFixed(3),
      'x genuine': (ms / floor.ms).toFixed(1),
      outcome,
    });
  }
  console.log(
    `Adversarial inputs (issue 11), median of ${ROUNDS} rounds${QUICK ? ' (quick)' : ''}`,
  );
  console.table(rows);

  const matcherRows = Object.entries(GLOB_PATTERNS).map(([label, pattern]) => {
    // Distinct values each call, so no memo answers: the matcher's own cost.
    let k = 0;
    const fresh = (base: string) => variant(base, k++);
    const long = 'a'.repeat(200_000);
    const limit = 'a'.repeat(65_536);
    const at200 = timeMs(() => globMatchSteps(pattern, fresh(long)), ROUNDS);
    const at64 = timeMs(() => globMatchSteps(pattern, fresh(limit)), ROUNDS);
    const old64 = timeMs(() => backtrackingMatch(pattern, fresh(limit)), QUICK ? 1 : 3);
    return {
      pattern: label,
      'new 200 KB ms': at200.toFixed(2),
      'new 64 Ki ms': at64.toFixed(2),
      'backtracking 64 Ki ms': old64.toFixed(1),
      'x new': (old64 / at64).toFixed(0),
    };
  });
  console.log('The glob matcher alone (finding 6), median ms per call');
  console.table(matcherRows);
}

async function main(): Promise<void> {
  if (process.env.MANDATE_BENCH_STAGE === undefined) await issue11();
  // Issue 18: every stage a network input reaches, its slowest input and its growth.
  const report = await runStages();
  printStages(report);
  if (report.failures.length > 0) process.exitCode = 1;
}

await main();
