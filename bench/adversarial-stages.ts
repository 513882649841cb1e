/**
 * Cost bounds per stage (issue 18): every stage a network input reaches, fed adversarial
 * families of inputs parameterised by a size n and measured at four sizes up to (and, for the
 * size limits themselves, past) the configured limits. Per stage the table reports the slowest
 * input, its median µs, its ratio to a genuine verification measured in the same run, and the
 * growth exponent of each family (the log-log slope of time on n, `bench/growth.ts`).
 *
 * Every timed call gets an input no earlier call saw (a fresh token, proof, value or text), so
 * no cache of exact inputs answers it: what is timed is a never-seen request from known keys.
 * Inputs are built before the clock starts; the client's own work (minting, proving) is never
 * timed.
 *
 * The run fails (exit code 1) when a family grows faster than linearly (an exponent above
 * `MAX_EXPONENT` in every one of up to three sweeps) or when any input costs more than
 * `MAX_RATIO` genuine verifications; a family may state its own bounds, and why.
 */
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import {
  approvalNeeded,
  approve,
  createVerifier,
  delegate,
  generateKeyPair,
  isMandateError,
  MemoryReplayStore,
  mint,
  parseArguments,
  prove,
  toolResource,
  type Capability,
  type CapabilityInput,
  type Format,
  type KeyPair,
  type Mandate,
  type Verifier,
} from '../src/index.js';
import { readApprovals, readRequestTarget } from '../src/adapters/http/index.js';
import { snapshotArgs } from '../src/adapters/tool-guard.js';
import {
  parseAgentCard,
  signAgentCard,
  verifyAgentCard,
} from '../src/identity/agent-card/index.js';
import type { AgentCard } from '../src/identity/agent-card/index.js';
import { prepareSigner } from '../src/identity/keys.js';
import { createAccessTokenVerifier } from '../src/oauth/index.js';
import { forgeLeafCapabilities } from '../src/testing/forge.js';
import { median, QUICK } from './common.js';
import {
  judgeGrowth,
  MAX_EXPONENT,
  MAX_SWEEPS,
  needsAnotherSweep,
  type GrowthPoint,
  type GrowthVerdict,
} from './growth.js';

/** Timed calls per size (each on its own input); the median is reported. */
const ROUNDS = QUICK ? 5 : 9;
/** No input may cost more than this many genuine verifications. */
export const MAX_RATIO = 64;

const ANCHOR_ID = 'https://as.bench.example';
const SERVICE = 'https://tool.bench.example';

/** One decision on one prepared input. */
type Call = () => unknown;

/** A family of adversarial inputs of one stage, parameterised by n. */
interface Family {
  readonly stage: string;
  /** What the input is, with `n` in it. */
  readonly name: string;
  readonly sizes: readonly number[];
  /**
   * The family's own bound, in genuine verifications, when its largest admissible input is
   * legitimately bigger than a genuine request (default {@link MAX_RATIO}), and its own growth
   * exponent when a runtime primitive it cannot avoid grows faster than linearly (default
   * `MAX_EXPONENT`); `why` says so.
   */
  readonly bound?: { readonly ratio: number; readonly exponent?: number; readonly why: string };
  /** The `variant`-th distinct input of size `n`, ready to decide. */
  prepare(n: number, variant: number): Promise<Call> | Call;
}

/** What one family measured. */
export interface FamilyResult {
  readonly stage: string;
  readonly name: string;
  readonly points: readonly GrowthPoint[];
  readonly verdict: GrowthVerdict;
  readonly maxRatio: number;
  /** The growth exponent the family is judged against. */
  readonly maxExponent: number;
  /** Why the family has its own bound, when it has one. */
  readonly bound?: string;
  /** The decision at the largest size (`allowed`, a `MANDATE_*` code, or `ok`). */
  readonly outcome: string;
}

function b64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

/** Random base64url text of exactly `n` characters. */
function noise(n: number): string {
  return randomBytes(Math.ceil((n * 3) / 4) + 3)
    .toString('base64url')
    .slice(0, n);
}

/**
 * CPU time of this process so far, in µs: what the tables report. On a shared machine wall
 * time also counts the time other processes held the cores.
 */
function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

function outcomeOf(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'allowed' in value) {
    const d = value as { allowed: boolean; code?: string };
    return d.allowed ? 'allowed' : (d.code ?? 'denied');
  }
  return 'ok';
}

async function decide(call: Call): Promise<string> {
  try {
    return outcomeOf(await call());
  } catch (error) {
    if (isMandateError(error)) return error.code;
    throw error;
  }
}

/** Median µs of one decision on inputs of size `n`, and the last decision. */
async function measureSize(family: Family, n: number, sweep: number) {
  const calls: Call[] = [];
  // Variant numbers never repeat across sweeps: a later sweep sees new inputs too.
  for (let r = 0; r <= ROUNDS; r++) calls.push(await family.prepare(n, sweep * 1000 + r));
  const [warm, ...timed] = calls;
  if (warm !== undefined) await decide(warm);
  const micros: number[] = [];
  let outcome = '';
  for (const call of timed) {
    const start = cpuMicros();
    outcome = await decide(call);
    micros.push(cpuMicros() - start);
  }
  return { micros: median(micros), outcome };
}

async function measureFamily(family: Family): Promise<FamilyResult> {
  const maxExponent = family.bound?.exponent ?? MAX_EXPONENT;
  const sweeps: GrowthPoint[][] = [];
  let outcome = '';
  do {
    const points: GrowthPoint[] = [];
    for (const size of family.sizes) {
      const m = await measureSize(family, size, sweeps.length);
      points.push({ size, micros: m.micros });
      outcome = m.outcome;
    }
    sweeps.push(points);
  } while (needsAnotherSweep(sweeps, MAX_SWEEPS, maxExponent));
  const verdict = judgeGrowth(sweeps, maxExponent);
  // Report the sweep the verdict came from (the least steep).
  const index = verdict.exponents.indexOf(verdict.exponent);
  return {
    stage: family.stage,
    name: family.name,
    points: sweeps[index] ?? sweeps[0] ?? [],
    verdict,
    maxRatio: family.bound?.ratio ?? MAX_RATIO,
    maxExponent,
    ...(family.bound === undefined ? {} : { bound: family.bound.why }),
    outcome,
  };
}

/** Keys, verifiers and genuine mandates the families share. */
interface World {
  readonly anchor: KeyPair;
  readonly holder: KeyPair;
  readonly client: KeyPair;
  readonly verifier: Verifier;
  readonly mintJws: (capabilities: CapabilityInput[], maxDepth?: number) => Promise<Mandate>;
}

async function makeWorld(): Promise<World> {
  const [anchor, holder, client] = (await Promise.all(
    Array.from({ length: 3 }, () => generateKeyPair()),
  )) as [KeyPair, KeyPair, KeyPair];
  const verifier = createVerifier({
    trustAnchors: [{ id: ANCHOR_ID, publicJwk: anchor.publicJwk }],
    audience: SERVICE,
    replay: new MemoryReplayStore({ maxEntries: 1_000_000 }),
    limits: { maxRequestStringLength: 65_536 },
  });
  const mintJws = (capabilities: CapabilityInput[], maxDepth?: number) =>
    mint({
      issuer: anchor,
      issuerId: ANCHOR_ID,
      subject: 'alice',
      holder: holder.publicJwk,
      capabilities,
      audience: SERVICE,
      expiresIn: 3600,
      ...(maxDepth === undefined ? {} : { maxDepth }),
    });
  return { anchor, holder, client, verifier, mintJws };
}

const EXPORT: CapabilityInput = { resource: toolResource('export'), actions: ['call'] };
const SMALL = { tool: 'export', args: { a0: 0 } };

/** A genuine verification: a fresh one-block JWS mandate, a one-argument tool call. */
async function genuineCall(world: World): Promise<Call> {
  const mandate = await world.mintJws([EXPORT]);
  const proof = await prove(mandate, { signer: world.holder, request: SMALL });
  return () => world.verifier.verify(mandate, { proof, request: SMALL });
}

/** A verification of `mandate` with a fresh proof of a `tool` call with `args`. */
async function toolCall(
  world: World,
  mandate: Mandate | string,
  tool: string,
  args: Record<string, unknown>,
  signer: KeyPair = world.holder,
): Promise<Call> {
  const request = { tool, args } as { tool: string; args: Record<string, never> };
  const proof = await prove(mandate, { signer, request });
  return () => world.verifier.verify(mandate, { proof, request });
}

/** A compact JWS block with `header` and `payload` text and a signature of noise. */
function garbageSigned(header: string, payload: string): string {
  return `${b64url(header)}.${b64url(payload)}.${noise(86)}`;
}

/**
 * The bound of the families past `maxRequestValues` on arguments already in memory: counting
 * them needs each container's member names, which V8 lists in full (no walk can stop inside
 * `Object.keys`), so their cost follows the object the transport built, not the limit.
 */
const PAST_VALUES_BOUND = {
  ratio: 256,
  exponent: 1.5,
  why: "past the limit the verifier lists each container's member names once (one native Object.keys) and stops there; that listing alone grows as ≈ n^1.3 in V8 (≈ 0.1 µs a member at 4,096, 0.35 at 262,144: a sort and the object outgrowing the caches), so the family may fit up to 1.5 (a quadratic walk of ours would fit 2); the transport that parsed the ≈ 4 MB of JSON holding them (the MCP SDK's body limit) spent ≈ 2× more on JSON.parse alone, and parseArguments refuses such text after 4,097 values",
} as const;

/**
 * The bound of the families up to `maxRequestValues` that build or list one object of up to
 * 4,095 members (parsing the text, copying the arguments): V8's own work, super-linear there.
 */
const UP_TO_VALUES_BOUND = {
  ratio: MAX_RATIO,
  exponent: 1.5,
  why: 'one object of up to 4,095 members built and listed by V8 itself (measured alone on this machine: JSON.parse of 512 → 4,095 members 131 → 1,421 µs, k ≈ 1.15, Object.keys k ≈ 1.2: objects past ≈ 1,000 members become hash tables); the family stops at the limit, where a call costs a few genuine verifications, so the exponent bounds no growth past it',
} as const;

/**
 * Two families of one input: up to `maxRequestValues` (4,095 members and their object: 4,096
 * values, the default) and past it, to 262,144 members (≈ 4 MB of JSON text). Past it, `past`
 * is the family's bound in genuine verifications (default {@link PAST_VALUES_BOUND}); `upTo`,
 * the bound of the family up to the limit when it is not the default.
 */
function upToAndPastValues(
  stage: string,
  what: string,
  prepare: Family['prepare'],
  past: number = PAST_VALUES_BOUND.ratio,
  upTo?: Family['bound'],
): Family[] {
  return [
    {
      stage,
      name: `${what}, up to maxRequestValues`,
      sizes: [512, 1024, 2048, 4095],
      ...(upTo === undefined ? {} : { bound: upTo }),
      prepare,
    },
    {
      stage,
      name: `${what}, past maxRequestValues`,
      sizes: [4096, 16384, 65536, 262144],
      ...(past > MAX_RATIO ? { bound: { ...PAST_VALUES_BOUND, ratio: past } } : {}),
      prepare,
    },
  ];
}

/** Arguments `a0` … `a(n-1)`, numbered from `from`. */
function numbered(n: number, from = 0): Record<string, number> {
  const args: Record<string, number> = {};
  for (let i = 0; i < n; i++) args[`a${i}`] = i + from;
  return args;
}

function members(n: number, value: (i: number) => string): string {
  return `{${Array.from({ length: n }, (_, i) => `"k${i}":${value(i)}`).join(',')}}`;
}

function families(world: World, blockHeader: string): Family[] {
  const { verifier, holder, anchor } = world;
  const exportAction = { resource: toolResource('export'), action: 'call' } as const;
  const denyToken =
    (token: string): Call =>
    () =>
      verifier.verify(token, { action: exportAction });

  // Many members: a tool call with a genuine proof, the same as text, through the guards.
  const numberedCall = async (n: number): Promise<Call> =>
    toolCall(world, await world.mintJws([EXPORT]), 'export', numbered(n));
  const membersText = (n: number, v: number): Call => {
    // Flat, as text read from a socket is: a concatenated string would be flattened (copied
    // whole) by the first character the parser reads, which no server's text needs.
    const text = Buffer.from(members(n, (i) => String(i + v))).toString();
    return () => parseArguments(text);
  };
  const snapshotOf = (n: number, v: number): Call => {
    const args = numbered(n, v);
    return () => snapshotArgs(args);
  };

  // A holder that narrows its own grant to a hostile glob: nothing stops it, nor should.
  const globRoot = world.mintJws([
    { resource: 'tool:send', actions: ['call'], constraints: { memo: { glob: '*' } } },
  ]);
  const selfGlob = async (glob: string) =>
    delegate(await globRoot, {
      signer: holder,
      holder: holder.publicJwk,
      capabilities: [{ resource: 'tool:send', actions: ['call'], constraints: { memo: { glob } } }],
    });
  const globs = new Map<string, Promise<Mandate>>();
  const globMandate = (glob: string) => {
    let m = globs.get(glob);
    if (m === undefined) globs.set(glob, (m = selfGlob(glob)));
    return m;
  };
  /** Distinct values: one `c` moved along a run of `a`. */
  const value = (n: number, variant: number) => {
    const at = variant % Math.max(1, n - 2);
    return `${'a'.repeat(at)}c${'a'.repeat(n - at - 1)}`;
  };
  const qSegment = (m: number) => {
    const half = Math.floor((m - 2) / 2);
    return `*${'a'.repeat(half)}?${'a'.repeat(m - half - 4)}b*`;
  };

  /** A chain whose delegation block carries `child` under the root's `parent` (forged). */
  const forgedPair = async (parent: CapabilityInput[], child: Capability[]): Promise<string> => {
    const root = await world.mintJws(parent);
    const genuine = await delegate(root, {
      signer: holder,
      holder: holder.publicJwk,
      capabilities: [],
    });
    return forgeLeafCapabilities(genuine, child, [anchor, holder]);
  };

  /** n tool capabilities (one encoding for every format: the AAT draft's tool resources). */
  const tools = (n: number): CapabilityInput[] =>
    Array.from({ length: n }, (_, i) => ({ resource: toolResource(`t${i}`), actions: ['call'] }));
  const mintFormat = (format: Format, capabilities: CapabilityInput[]) =>
    mint({
      format,
      issuer: anchor,
      issuerId: ANCHOR_ID,
      ...(format === 'aat' ? {} : { subject: 'alice' }),
      holder: holder.publicJwk,
      capabilities,
      audience: SERVICE,
      expiresIn: 3600,
    });

  const accessTokens = createAccessTokenVerifier({
    issuer: ANCHOR_ID,
    audience: SERVICE,
    jwks: { keys: [{ ...anchor.publicJwk, kid: 'k1' }] },
  });
  const signedAccessToken = (extra: Record<string, unknown>) => {
    const signer = prepareSigner(anchor);
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ client_id: 'billing', scope: 'pay', jti: noise(16), ...extra })
      .setProtectedHeader({ alg: signer.alg, typ: 'at+jwt', kid: 'k1' })
      .setIssuer(ANCHOR_ID)
      .setSubject('alice')
      .setAudience(SERVICE)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(signer.key);
  };
  const card = (skills: number, variant: number): AgentCard => ({
    name: `Billing Agent ${variant}`,
    description: 'Pays approved invoices.',
    supportedInterfaces: [
      { url: `${SERVICE}/a2a/v1`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
    ],
    version: '1.2.0',
    capabilities: { streaming: true, pushNotifications: false, extensions: [] },
    defaultInputModes: ['application/json'],
    defaultOutputModes: ['application/json'],
    skills: Array.from({ length: skills }, (_, i) => ({
      id: `skill-${i}`,
      name: `Skill ${i}`,
      description: 'Does one thing.',
      tags: ['billing', `t${i}`],
      examples: [],
    })),
  });
  const cardKeys = [{ ...anchor.publicJwk, kid: 'card-1' }];
  const approverKeys = Promise.all(Array.from({ length: 16 }, () => generateKeyPair()));

  return [
    // Token envelope: the size and character limits, before any decoder runs.
    {
      stage: 'token envelope',
      name: 'n characters, the last one no encoding uses',
      sizes: [2048, 4096, 8192, 16384],
      prepare: (n) => denyToken(`${noise(n - 1)}!`),
    },
    {
      stage: 'token envelope',
      name: 'n characters, past maxTokenBytes',
      sizes: [32768, 65536, 131072, 262144],
      prepare: (n) => denyToken(noise(n)),
    },
    {
      stage: 'token envelope',
      name: 'n JWS blocks of noise',
      sizes: [128, 256, 512, 1024],
      prepare: (n) =>
        denyToken(Array.from({ length: n }, () => `${noise(4)}.${noise(4)}.${noise(4)}`).join('~')),
    },
    // base64url and strict JSON of one block (the signature is noise: rule 1 runs first).
    {
      stage: 'base64url + JSON',
      name: 'payload object with n members',
      sizes: [96, 192, 384, 768],
      prepare: (n) =>
        denyToken(
          garbageSigned(
            blockHeader,
            members(n, (i) => String(i)),
          ),
        ),
    },
    {
      stage: 'base64url + JSON',
      name: 'payload nested n arrays deep',
      sizes: [512, 1024, 2048, 4096],
      prepare: (n, v) =>
        denyToken(garbageSigned(blockHeader, `{"x${v}":${'['.repeat(n)}${']'.repeat(n)}}`)),
    },
    {
      stage: 'base64url + JSON',
      name: 'payload string of n \\u escapes',
      sizes: [192, 384, 768, 1536],
      prepare: (n, v) =>
        denyToken(garbageSigned(blockHeader, `{"sub":"${v}${'\\u00e9'.repeat(n)}"}`)),
    },
    {
      stage: 'base64url + JSON',
      name: 'payload with n duplicate members',
      sizes: [96, 192, 384, 768],
      prepare: (n, v) => denyToken(garbageSigned(blockHeader, `{${`"k":${v},`.repeat(n)}"z":0}`)),
    },
    // Per-format decoding and the chain rules, on genuine chains.
    {
      stage: 'JWS chain',
      name: 'genuine chain of n blocks',
      sizes: [2, 4, 8, 16],
      async prepare(n) {
        let m = await world.mintJws([EXPORT], 15);
        for (let i = 1; i < n; i++)
          m = await delegate(m, {
            signer: holder,
            holder: holder.publicJwk,
            capabilities: [EXPORT],
          });
        return toolCall(world, m, 'export', { a0: 0 });
      },
    },
    {
      stage: 'JWS chain',
      name: 'genuine root with n capabilities (the last one asked)',
      sizes: [8, 16, 32, 64],
      async prepare(n) {
        return toolCall(world, await world.mintJws(tools(n)), `t${n - 1}`, {});
      },
    },
    {
      stage: 'AAT chain',
      name: 'genuine AAT root with n tools (the last one called)',
      sizes: [8, 16, 32, 64],
      async prepare(n) {
        return toolCall(world, await mintFormat('aat', tools(n)), `t${n - 1}`, {});
      },
    },
    {
      stage: 'Biscuit protobuf',
      name: 'genuine Biscuit root with n capabilities (the last one asked)',
      sizes: [8, 16, 32, 64],
      async prepare(n) {
        return toolCall(world, await mintFormat('biscuit', tools(n)), `t${n - 1}`, {});
      },
    },
    {
      stage: 'Biscuit protobuf',
      name: 'n random bytes as a Biscuit',
      sizes: [1536, 3072, 6144, 12288],
      prepare: (n) => denyToken(randomBytes(n).toString('base64url')),
    },
    // Capability and constraint parsing and checking.
    {
      stage: 'constraints',
      name: 'n constrained arguments, all satisfied',
      sizes: [24, 48, 96, 192],
      async prepare(n) {
        const constraints: Record<string, { readonly in: number[] }> = {};
        const args: Record<string, number> = {};
        for (let i = 0; i < n; i++) {
          constraints[`a${i}`] = { in: [i, i + 1] };
          args[`a${i}`] = i + 1;
        }
        const m = await world.mintJws([{ resource: 'tool:send', actions: ['call'], constraints }]);
        return toolCall(world, m, 'send', args);
      },
    },
    {
      stage: 'constraints',
      name: 'a one-of list of n strings (the last one asked)',
      sizes: [32, 64, 128, 256],
      async prepare(n) {
        const values = Array.from({ length: n }, (_, i) => `value-${i}`);
        const m = await world.mintJws([
          { resource: 'tool:send', actions: ['call'], constraints: { to: { in: values } } },
        ]);
        return toolCall(world, m, 'send', { to: `value-${n - 1}` });
      },
    },
    // Glob matching, through whole verifications (a distinct value each call).
    {
      stage: 'glob matching',
      name: 'value of n characters against *a×500?a×499b* (the limit is 65,536)',
      sizes: [8192, 16384, 32768, 65536],
      async prepare(n, v) {
        return toolCall(world, await globMandate(qSegment(1003)), 'send', { memo: value(n, v) });
      },
    },
    {
      stage: 'glob matching',
      name: 'pattern *a…?a…b* of n characters against 65,536 characters',
      sizes: [128, 256, 512, 1024],
      async prepare(n, v) {
        return toolCall(world, await globMandate(qSegment(n)), 'send', {
          memo: value(65_536, v),
        });
      },
    },
    {
      stage: 'glob matching',
      name: 'pattern of n/2 stars a*a*a*…b against 65,536 characters',
      sizes: [128, 256, 512, 1024],
      async prepare(n, v) {
        const glob = `${'a*'.repeat(n / 2 - 1)}b`;
        return toolCall(world, await globMandate(glob), 'send', { memo: value(65_536, v) });
      },
    },
    {
      stage: 'glob matching',
      name: 'pattern of n ? against 65,536 characters',
      sizes: [128, 256, 512, 1024],
      async prepare(n, v) {
        return toolCall(world, await globMandate(`*${'?'.repeat(n - 2)}*`), 'send', {
          memo: value(65_536, v),
        });
      },
    },
    // Narrowing (rule 4): a forged delegation the verifier must judge.
    {
      stage: 'narrowing',
      name: 'child glob (a?)×n/2 under parent *a*a*…* of n characters',
      sizes: [128, 256, 512, 1000],
      async prepare(n, v) {
        const send = { resource: 'tool:send', actions: ['call'] };
        const token = await forgedPair(
          [{ ...send, constraints: { memo: { glob: `*${'a*'.repeat(n / 2 - 1)}` } } }],
          [
            {
              ...send,
              constraints: {
                memo: { constraint_type: 'glob', pattern: `${'a?'.repeat(n / 2 - 1)}${v}` },
              },
            },
          ],
        );
        return toolCall(world, token, 'send', { memo: 'a' });
      },
    },
    {
      stage: 'narrowing',
      name: 'n capabilities under n capabilities, each constrained',
      sizes: [4, 8, 16, 32],
      async prepare(n) {
        const parent = Array.from({ length: n }, (_, i) => ({
          resource: toolResource(`t${i}`),
          actions: ['call'],
          constraints: { size: { min: 0, max: 100 + i } },
        }));
        const child = parent.map((c, i): Capability => ({
          ...c,
          constraints: { size: { constraint_type: 'range', min: 0, max: 50 + i } },
        }));
        return toolCall(world, await forgedPair(parent, child), `t${n - 1}`, { size: 1 });
      },
    },
    {
      stage: 'narrowing',
      name: 'child any of n globs under parent any of n globs (reversed: each child clause matches the last parent clause tried)',
      sizes: [8, 16, 32, 64],
      async prepare(n, v) {
        const clauses = (suffix: string, order: (i: number) => number) => ({
          constraint_type: 'any' as const,
          constraints: Array.from({ length: n }, (_, i) => ({
            constraint_type: 'glob' as const,
            pattern: `x${order(i)}${suffix}*`,
          })),
        });
        const parent = clauses('', (i) => n - 1 - i);
        // Every variant distinct, across sweeps too (a repeated one would meet the caches).
        const child = clauses(`a${v}`, (i) => i);
        const send = { resource: 'tool:send', actions: ['call'] };
        const token = await forgedPair(
          [{ ...send, constraints: { memo: parent } }],
          [{ ...send, constraints: { memo: child } }],
        );
        return toolCall(world, token, 'send', { memo: `x0a${v}` });
      },
    },
    {
      stage: 'narrowing',
      name: 'child any of n globs * under parent any of n literal globs and * (each pair decided before the automaton runs)',
      // 96 is about the most a chain's 16 KiB admit (the parent is in the chain too).
      sizes: [12, 24, 48, 96],
      async prepare(n, v) {
        const glob = (pattern: string) => ({ constraint_type: 'glob' as const, pattern });
        // Every child clause is tried against every parent clause; only the last includes it.
        const parent = {
          constraint_type: 'any' as const,
          constraints: [
            ...Array.from({ length: n }, (_, i) => glob(`${v}-${i}-`.padEnd(12, 'z'))),
            glob('*'),
          ],
        };
        const child = {
          constraint_type: 'any' as const,
          constraints: Array.from({ length: n }, () => glob('*')),
        };
        const send = { resource: 'tool:send', actions: ['call'] };
        const token = await forgedPair(
          [{ ...send, constraints: { memo: parent } }],
          [{ ...send, constraints: { memo: child } }],
        );
        return toolCall(world, token, 'send', { memo: `x${v}` });
      },
    },
    {
      stage: 'narrowing',
      name: 'child any of n globs a?a?… under parent any of n globs *a*a*…* (each pair exhausts the inclusion budget)',
      sizes: [1, 2, 4, 8],
      bound: {
        ratio: 128,
        why: "one hop's narrowing is bounded by the algebra's work budget (200,000 units, one exhausted glob inclusion), not by the token's size",
      },
      async prepare(n, v) {
        const clauses = (pattern: (i: number) => string) => ({
          constraint_type: 'any' as const,
          constraints: Array.from({ length: n }, (_, i) => ({
            constraint_type: 'glob' as const,
            pattern: pattern(i),
          })),
        });
        const parent = clauses((i) => `*${'a*'.repeat(64)}${i}`);
        // Fresh at the start, where the parent has a star: each pair is included, and only
        // the exploration can show it (no quick test on the patterns' ends decides it).
        const child = clauses((i) => `${v}${'a?'.repeat(64)}${i}`);
        const send = { resource: 'tool:send', actions: ['call'] };
        const token = await forgedPair(
          [{ ...send, constraints: { memo: parent } }],
          [{ ...send, constraints: { memo: child } }],
        );
        return toolCall(world, token, 'send', { memo: 'a' });
      },
    },
    {
      stage: 'narrowing',
      name: 'genuine chain of n hops, each narrowing 4 globs *a*a*… by one more star (each inclusion costly, within budget)',
      sizes: [1, 2, 3, 5],
      bound: {
        ratio: 128,
        why: 'every hop may spend up to the work budget on inclusions that hold (a hop needing more is refused by delegate), so a chain costs up to its hops × the budget',
      },
      async prepare(n, v) {
        const caps = (k: number) =>
          Array.from({ length: 4 }, (_, i) => ({
            resource: toolResource(`send${i}`),
            actions: ['call'],
            constraints: { memo: { glob: `v${v}*${'a*'.repeat(k)}` } },
          }));
        // 4 inclusions of 60–65 stars: ≈ 150,000 units, the most a hop may spend (WORK_BUDGET).
        const STARS = 60;
        let m = await world.mintJws(caps(STARS), 15);
        for (let hop = 1; hop <= n; hop++) {
          m = await delegate(m, {
            signer: holder,
            holder: holder.publicJwk,
            capabilities: caps(STARS + hop),
          });
        }
        return toolCall(world, m, 'send0', { memo: `v${v}${'a'.repeat(STARS + n)}` });
      },
    },
    // The proof of possession.
    ...upToAndPastValues(
      'proof',
      'tool call with n arguments (a genuine proof binds them)',
      numberedCall,
    ),
    {
      stage: 'proof',
      name: 'n arguments of 65,536 characters (up to 15: 16 would pass maxRequestSize, 1 Mi units)',
      sizes: [2, 4, 8, 15],
      async prepare(n, v) {
        const args: Record<string, string> = {};
        for (let i = 0; i < n; i++) args[`s${i}`] = value(65_536, v + i);
        return toolCall(world, await world.mintJws([EXPORT]), 'export', args);
      },
    },
    {
      stage: 'proof',
      name: 'one argument of n characters, a genuine proof (past maxRequestStringLength above 65,536)',
      sizes: [32768, 65536, 131072, 262144],
      async prepare(n, v) {
        return toolCall(world, await world.mintJws([EXPORT]), 'export', { memo: value(n, v) });
      },
    },
    {
      stage: 'proof',
      name: 'proof of n characters of noise',
      sizes: [1024, 2048, 4096, 8192],
      async prepare(n) {
        const m = await world.mintJws([EXPORT]);
        const proof = `${noise(n / 2)}.${noise(n / 2 - 90)}.${noise(86)}`;
        return () => verifier.verify(m, { proof, request: SMALL });
      },
    },
    // Approvals (rule 9) and their header (up to 16 KiB, as the request target).
    {
      stage: 'approvals',
      name: 'n approvals of noise with a genuine call, no requirement applies',
      sizes: [4, 8, 16, 32],
      async prepare(n) {
        const m = await world.mintJws([EXPORT]);
        const proof = await prove(m, { signer: holder, request: SMALL });
        const approvals = Array.from({ length: n }, () => garbageSigned('{"alg":"EdDSA"}', '{}'));
        return () => verifier.verify(m, { proof, request: SMALL, approvals });
      },
    },
    {
      stage: 'approvals',
      name: 'n genuine approvals, n of n approvers required (16 at most)',
      sizes: [2, 4, 8, 16],
      async prepare(n) {
        const approvers = (await approverKeys).slice(0, n);
        const m = await mint({
          issuer: anchor,
          issuerId: ANCHOR_ID,
          subject: 'alice',
          holder: holder.publicJwk,
          capabilities: [EXPORT],
          approvals: [
            {
              resource: toolResource('export'),
              actions: ['call'],
              approvers: approvers.map((k) => k.id),
              threshold: n,
            },
          ],
          audience: SERVICE,
          expiresIn: 3600,
        });
        const ask = async () => prove(m, { signer: holder, request: SMALL });
        const needed = approvalNeeded(
          await verifier.verify(m, { proof: await ask(), request: SMALL }),
        );
        if (needed === undefined) throw new Error('no approval was asked for');
        const approvals = await Promise.all(approvers.map((k) => approve(needed.call, k)));
        const proof = await ask();
        return () => verifier.verify(m, { proof, request: SMALL, approvals });
      },
    },
    {
      stage: 'approvals',
      name: 'Mandate-Approval header of n comma-separated pieces',
      sizes: [256, 512, 1024, 2048],
      prepare: (n) => {
        const header = Array.from({ length: n }, () => noise(6)).join(', ');
        return () => readApprovals(header);
      },
    },
    // The HTTP request target (mandate/http), up to 16 KiB: node:http's default
    // maxHeaderSize, past which the server refuses the request line before any guard runs.
    {
      stage: 'HTTP request target',
      name: 'path of n segments',
      sizes: [1024, 2048, 4096, 8192],
      prepare: (n, v) => () => readRequestTarget(`/${v}${'/a'.repeat(n)}`),
    },
    {
      stage: 'HTTP request target',
      name: 'query of n parameters',
      sizes: [512, 1024, 2048, 4096],
      prepare: (n, v) => () => readRequestTarget(`/p${v}?${'k=v&'.repeat(n)}`),
    },
    {
      stage: 'HTTP request target',
      name: 'segment of n percent-encoded é',
      sizes: [256, 512, 1024, 2048],
      prepare: (n, v) => () => readRequestTarget(`/${v}${'%C3%A9'.repeat(n)}`),
    },
    {
      stage: 'HTTP request target',
      name: 'segment of n combining marks (not NFC)',
      sizes: [256, 512, 1024, 2048],
      prepare: (n, v) => () => readRequestTarget(`/${v}e${'%CC%81'.repeat(n)}`),
    },
    // Tool arguments as JSON text (MCP, the agent frameworks).
    // Past the limit the text is counted to 4,097 values, not parsed: no bound of its own.
    ...upToAndPastValues(
      'tool arguments',
      'JSON text of n members',
      membersText,
      MAX_RATIO,
      UP_TO_VALUES_BOUND,
    ),
    {
      stage: 'tool arguments',
      name: 'JSON text nested n arrays deep',
      sizes: [8192, 16384, 32768, 65536],
      prepare: (n, v) => {
        const text = `{"a${v}":${'['.repeat(n)}${']'.repeat(n)}}`;
        return () => parseArguments(text);
      },
    },
    {
      stage: 'tool arguments',
      name: 'arguments nested n objects deep, a genuine proof (MAX_JSON_DEPTH is 64)',
      sizes: [8, 16, 32, 60],
      async prepare(n, v) {
        let args: Record<string, unknown> = { leaf: v };
        for (let i = 0; i < n; i++) args = { a: args };
        return toolCall(world, await world.mintJws([EXPORT]), 'export', args);
      },
    },
    ...upToAndPastValues(
      'tool arguments',
      'arguments of n members through the tool guards (snapshotArgs)',
      snapshotOf,
      PAST_VALUES_BOUND.ratio,
      UP_TO_VALUES_BOUND,
    ),
    // Access tokens (mandate/oauth).
    {
      stage: 'access token',
      name: 'signed access token with n extra claims',
      sizes: [32, 64, 128, 256],
      async prepare(n) {
        const extra: Record<string, number> = {};
        for (let i = 0; i < n; i++) extra[`x${i}`] = i;
        const token = await signedAccessToken(extra);
        return () => accessTokens.verify(token);
      },
    },
    {
      stage: 'access token',
      name: 'access token of n characters of noise',
      sizes: [2048, 4096, 8192, 16384],
      prepare: (n) => {
        const token = `${noise(n / 2)}.${noise(n / 2 - 90)}.${noise(86)}`;
        return () => accessTokens.verify(token);
      },
    },
    // Agent Cards (mandate/agent-card).
    {
      stage: 'Agent Card',
      name: 'signed card with n skills',
      sizes: [8, 16, 32, 64],
      prepare: (n, v) => {
        const signed = JSON.stringify(signAgentCard(card(n, v), { signer: anchor, kid: 'card-1' }));
        return () => verifyAgentCard(signed, { keys: cardKeys });
      },
    },
    {
      stage: 'Agent Card',
      name: 'card text nested n arrays deep',
      sizes: [8192, 16384, 32768, 65536],
      prepare: (n, v) => {
        const text = `{"name":"x${v}","skills":${'['.repeat(n)}${']'.repeat(n)}}`;
        return () => parseAgentCard(text);
      },
    },
  ];
}

/** The per-stage summary: its slowest input, and the steepest family growth. */
export interface StageRow {
  readonly stage: string;
  readonly slowest: string;
  readonly size: number;
  readonly micros: number;
  readonly ratio: number;
  readonly exponent: number;
  readonly family: string;
  readonly outcome: string;
}

/** Everything one run measured. */
export interface StagesReport {
  readonly genuineMicros: number;
  readonly results: readonly FamilyResult[];
  readonly stages: readonly StageRow[];
  readonly failures: readonly string[];
}

/** Runs every family and judges it (the caller prints). */
export async function runStages(log: (line: string) => void = () => {}): Promise<StagesReport> {
  const world = await makeWorld();
  const root = await world.mintJws([EXPORT]);
  const [header = ''] = root.token.split('.');
  const blockHeader = Buffer.from(header, 'base64url').toString();
  const genuineOnce = async () => {
    // Made just before they are timed: a proof is only accepted within its window.
    const calls: Call[] = [];
    for (let i = 0; i < 2 * ROUNDS; i++) calls.push(await genuineCall(world));
    const times: number[] = [];
    for (const call of calls) {
      const start = cpuMicros();
      const decision = await decide(call);
      times.push(cpuMicros() - start);
      if (decision !== 'allowed') throw new Error(`the genuine call was ${decision}`);
    }
    return median(times);
  };
  await decide(await genuineCall(world));
  const before = await genuineOnce();
  const results: FamilyResult[] = [];
  const only = process.env.MANDATE_BENCH_STAGE;
  for (const family of families(world, blockHeader)) {
    if (only !== undefined && !family.stage.includes(only)) continue;
    const result = await measureFamily(family);
    log(
      `${family.stage}: ${family.name}: ${result.points.map((p) => `${p.size}→${p.micros.toFixed(0)}µs`).join(' ')} k=${result.verdict.exponent.toFixed(2)} ${result.outcome}`,
    );
    results.push(result);
  }
  // The floor is measured before and after the families (a shared machine drifts).
  const genuineMicros = median([before, await genuineOnce()]);
  const failures: string[] = [];
  const stages = new Map<string, StageRow>();
  for (const r of results) {
    const slowest = r.points.reduce((a, b) => (b.micros > a.micros ? b : a));
    const ratio = slowest.micros / genuineMicros;
    if (r.verdict.superLinear) {
      failures.push(
        `${r.stage} / ${r.name}: grows as n^${r.verdict.exponent.toFixed(2)} (sweeps ${r.verdict.exponents.map((e) => e.toFixed(2)).join(', ')}; limit ${r.maxExponent})`,
      );
    }
    if (ratio > r.maxRatio) {
      failures.push(
        `${r.stage} / ${r.name} at n = ${slowest.size}: ${ratio.toFixed(1)}× a genuine verification (limit ${r.maxRatio}×)`,
      );
    }
    const prev = stages.get(r.stage);
    const row: StageRow = {
      stage: r.stage,
      slowest: r.name,
      size: slowest.size,
      micros: slowest.micros,
      ratio,
      exponent: Math.max(r.verdict.exponent, prev?.exponent ?? -Infinity),
      family: r.verdict.exponent >= (prev?.exponent ?? -Infinity) ? r.name : (prev?.family ?? ''),
      outcome: r.outcome,
    };
    stages.set(
      r.stage,
      prev === undefined || slowest.micros > prev.micros
        ? row
        : { ...prev, exponent: row.exponent, family: row.family },
    );
  }
  return { genuineMicros, results, stages: [...stages.values()], failures };
}

/** Prints the per-family and per-stage tables, and the failures. */
export function printStages(report: StagesReport): void {
  const us = (x: number) => x.toFixed(0);
  console.log(
    `Cost per stage: CPU µs per decision, median of ${ROUNDS} fresh inputs per size; a genuine verification = ${us(report.genuineMicros)} µs`,
  );
  console.table(
    report.results.map((r) => ({
      stage: r.stage,
      family: r.name,
      ...Object.fromEntries(r.points.map((p, i) => [`n${i + 1}`, `${p.size}: ${us(p.micros)}`])),
      k: r.verdict.exponent.toFixed(2),
      outcome: r.outcome,
    })),
  );
  console.log(
    `Per stage: the slowest input, × genuine, and the steepest growth exponent (fails above ${MAX_EXPONENT})`,
  );
  console.table(
    report.stages.map((s) => ({
      stage: s.stage,
      'slowest input': `${s.slowest}, n = ${s.size}`,
      µs: us(s.micros),
      '× genuine': s.ratio.toFixed(1),
      'max k': `${s.exponent.toFixed(2)} (${s.family})`,
    })),
  );
  console.log(
    `Bounds: ${MAX_RATIO}× a genuine verification for every input, except: ${report.results
      .filter((r) => r.bound !== undefined)
      .map(
        (r) =>
          `${r.name}, ${r.maxRatio}×${r.maxExponent === MAX_EXPONENT ? '' : ` and k ≤ ${r.maxExponent}`} (${r.bound ?? ''})`,
      )
      .join('; ')}`,
  );
  if (report.failures.length === 0)
    console.log('Cost bounds: every stage linear and within bounds.');
  for (const failure of report.failures) console.error(`FAIL ${failure}`);
}
