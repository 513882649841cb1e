/**
 * The mutation campaign (`npm run fuzz`, docs/fuzzing.md): genuine chains of every format, each
 * mutated by every mutator of {@link CHAIN_MUTATORS}, each mutant presented to the verifier with
 * a proof by the attacker the mutator names, and each answer judged by the oracle (`oracle.ts`).
 *
 * Case `i` of a run is fixed by the seed and `i` alone: its format (`i mod 3`), its mutator (the
 * round-robin of the list), its chain and every random draw of the mutation. So a run split over
 * workers decides as one process would, and a failing case replays by itself.
 *
 * @module
 */
import { canonicalJson } from '../../core/encoding.js';
import type { Action, Format, KeyPair } from '../../core/types.js';
import type { Verifier } from '../../verify/verifier.js';
import { CHAIN_MUTATORS, type Mutant, type MutatorName } from '../chain-mutators.js';
import { buildCorpus, type Corpus, type CorpusChain } from './corpus.js';
import { fuzzWorld, FUZZ_FORMATS } from './world.js';
import { authorityOf, judge, type Verdict } from './oracle.js';
import { presentProof } from './present.js';
import { caseRandom } from './random.js';

/** Options of {@link runFuzzCampaign}. */
export interface FuzzOptions {
  /** Cases in the whole run (the slice below is part of it). */
  readonly count: number;
  /** The run's seed: the same seed replays the same cases. */
  readonly seed: number;
  /** First case this process runs (default 0). */
  readonly start?: number;
  /** Case after the last one this process runs (default `count`). */
  readonly end?: number;
  /** Genuine chains per format (default 12). */
  readonly chainsPerFormat?: number;
  /** A case that takes longer than this many milliseconds is a hang (default 5000). */
  readonly caseTimeoutMs?: number;
  /** The verifier under test, for the campaign's world (default: the real one). */
  readonly verifier?: Pick<Verifier, 'verify'>;
  /** Called before each case with its index (a watchdog's heartbeat). */
  readonly onCase?: (index: number) => void;
  /** Failures the report keeps in full (default 20; all are counted). */
  readonly keepFailures?: number;
  /** Called after each verified case with everything about it (a replay's detail). */
  readonly onResult?: (result: FuzzCaseResult) => void;
}

/** Everything about one verified case. */
export interface FuzzCaseResult {
  readonly index: number;
  readonly format: Format;
  readonly mutator: MutatorName;
  readonly mutant: Mutant;
  /** What the verifier resolved (or `undefined` when it threw or hung). */
  readonly decision: unknown;
  readonly verdict: Verdict;
}

/** One case the oracle rejected, with what replays it. */
export interface FuzzFailure {
  readonly seed: number;
  readonly index: number;
  readonly format: Format;
  readonly mutator: MutatorName;
  readonly variant: string;
  readonly failure: 'accepted' | 'crash' | 'hang';
  readonly outcome: string;
  readonly reason: string;
  /** The mutated token (exact bytes; Biscuit chains are not byte-reproducible from the seed). */
  readonly token: string;
}

/** Counts of a run, or of a slice of one (slices merge with {@link mergeFuzzReports}). */
export interface FuzzReport {
  /** Cases run. */
  readonly cases: number;
  /** Mutants built and verified. */
  readonly mutations: number;
  /** Mutants wrongly allowed. */
  readonly accepted: number;
  /** Throws, uncoded or internal denials, malformed decisions. */
  readonly crashes: number;
  /** Cases over the time cap. */
  readonly hangs: number;
  /** Cases where no chain offered the mutator anything (no mutant built). */
  readonly skipped: number;
  /** Mutations per mutator. */
  readonly perMutator: Readonly<Record<string, number>>;
  /** Mutations per `mutator/format`. */
  readonly perMutatorFormat: Readonly<Record<string, number>>;
  /** Mutations per outcome: the denial's code, or `ALLOWED_EQUIVALENT`, or `ALLOWED`. */
  readonly perOutcome: Readonly<Record<string, number>>;
  /** The first failures, in full. */
  readonly failures: readonly FuzzFailure[];
  /** Wall time of the cases, in milliseconds (setup excluded). */
  readonly elapsedMs: number;
  /** The slowest case, in milliseconds. */
  readonly slowestMs: number;
}

/** Chains a case tries before it counts as skipped (its mutator found nothing to attack). */
const ATTEMPTS = 64;

function bump(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/** An empty report (the identity of {@link mergeFuzzReports}). */
export function emptyFuzzReport(): FuzzReport {
  return {
    cases: 0,
    mutations: 0,
    accepted: 0,
    crashes: 0,
    hangs: 0,
    skipped: 0,
    perMutator: {},
    perMutatorFormat: {},
    perOutcome: {},
    failures: [],
    elapsedMs: 0,
    slowestMs: 0,
  };
}

/** The report of slices run side by side (elapsed time is the longest slice's). */
export function mergeFuzzReports(reports: readonly FuzzReport[], keepFailures = 20): FuzzReport {
  const perMutator: Record<string, number> = {};
  const perMutatorFormat: Record<string, number> = {};
  const perOutcome: Record<string, number> = {};
  for (const r of reports) {
    for (const [k, v] of Object.entries(r.perMutator)) bump(perMutator, k, v);
    for (const [k, v] of Object.entries(r.perMutatorFormat)) bump(perMutatorFormat, k, v);
    for (const [k, v] of Object.entries(r.perOutcome)) bump(perOutcome, k, v);
  }
  const sum = (f: (r: FuzzReport) => number) => reports.reduce((a, r) => a + f(r), 0);
  return {
    cases: sum((r) => r.cases),
    mutations: sum((r) => r.mutations),
    accepted: sum((r) => r.accepted),
    crashes: sum((r) => r.crashes),
    hangs: sum((r) => r.hangs),
    skipped: sum((r) => r.skipped),
    perMutator,
    perMutatorFormat,
    perOutcome,
    failures: reports
      .flatMap((r) => r.failures)
      .sort((a, b) => a.index - b.index)
      .slice(0, keepFailures),
    elapsedMs: Math.max(0, ...reports.map((r) => r.elapsedMs)),
    slowestMs: Math.max(0, ...reports.map((r) => r.slowestMs)),
  };
}

/** The format and mutator of case `index`. */
export function caseSchedule(index: number): { format: Format; mutator: MutatorName } {
  const format = FUZZ_FORMATS[index % FUZZ_FORMATS.length] as Format;
  const mutator = CHAIN_MUTATORS[Math.floor(index / FUZZ_FORMATS.length) % CHAIN_MUTATORS.length];
  return { format, mutator: (mutator ?? CHAIN_MUTATORS[0])?.name ?? 'flip' };
}

type Settled = { readonly value: unknown } | { readonly error: unknown } | 'timeout';

function withinCap(promise: Promise<unknown>, ms: number): Promise<Settled> {
  let timer: NodeJS.Timeout | undefined;
  const cap = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([
    promise.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    cap,
  ]).finally(() => clearTimeout(timer));
}

/** The run's genuine tokens (any mutant equal to one is no mutation) and reference decisions. */
class Genuine {
  private readonly tokens = new Set<string>();
  private readonly references = new Map<string, Promise<ReadonlySet<string>>>();

  constructor(
    private readonly corpus: Corpus,
    private readonly verifier: Pick<Verifier, 'verify'>,
  ) {
    for (const chains of Object.values(corpus)) {
      for (const chain of chains) for (const prefix of chain.prefixes) this.tokens.add(prefix);
    }
  }

  has(token: string): boolean {
    return this.tokens.has(token);
  }

  /** The authority of every genuine chain of `format` that `presenter` holds and is allowed. */
  allowedFor(format: Format, presenter: KeyPair, chain: CorpusChain): Promise<ReadonlySet<string>> {
    const key = `${format}|${presenter.id}|${canonicalJson(chain.action)}`;
    let found = this.references.get(key);
    if (found === undefined) {
      found = this.collect(format, presenter, chain.action, chain);
      this.references.set(key, found);
    }
    return found;
  }

  private async collect(
    format: Format,
    presenter: KeyPair,
    action: Action,
    chain: CorpusChain,
  ): Promise<ReadonlySet<string>> {
    const allowed = new Set<string>();
    for (const genuine of this.corpus[format]) {
      for (const [hop, prefix] of genuine.prefixes.entries()) {
        if (genuine.target.holders[hop]?.id !== presenter.id) continue;
        const proof = await presentProof(format, prefix, presenter, chain.request, `ref-${hop}`);
        const decision = await this.verifier.verify(prefix, {
          action,
          ...(proof === undefined ? {} : { proof }),
          request: chain.request,
        });
        if (decision.allowed) allowed.add(authorityOf(decision as never));
      }
    }
    return allowed;
  }
}

/**
 * Run cases `start..end` of the campaign seeded with `seed` against the verifier (the real one
 * unless `verifier` is given), and report. Never throws for what a verifier does: every throw,
 * hang or wrong allow is a counted failure. Misuse (a bad count or slice) throws `RangeError`.
 */
export async function runFuzzCampaign(options: FuzzOptions): Promise<FuzzReport> {
  const { count, seed } = options;
  const start = options.start ?? 0;
  const end = options.end ?? count;
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError('count: a whole number');
  if (!Number.isSafeInteger(seed)) throw new RangeError('seed: a safe integer');
  if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && 0 <= start && start <= end)) {
    throw new RangeError('start..end: a slice of the run');
  }
  const capMs = options.caseTimeoutMs ?? 5000;
  const keep = options.keepFailures ?? 20;
  const world = fuzzWorld(seed);
  const verifier = options.verifier ?? world.verifier;
  // The corpus is always built and checked with the real verifier: a stub under test judges
  // only the mutants.
  const corpus = await buildCorpus(world, seed, options.chainsPerFormat ?? 12);
  const genuine = new Genuine(corpus, world.verifier);

  const perMutator: Record<string, number> = {};
  const perMutatorFormat: Record<string, number> = {};
  const perOutcome: Record<string, number> = {};
  const failures: FuzzFailure[] = [];
  let mutations = 0;
  let accepted = 0;
  let crashes = 0;
  let hangs = 0;
  let skipped = 0;
  let slowestMs = 0;
  const began = performance.now();

  for (let index = start; index < end; index++) {
    options.onCase?.(index);
    const { format, mutator: name } = caseSchedule(index);
    const mutator = CHAIN_MUTATORS.find((m) => m.name === name);
    const random = caseRandom(seed, index);
    const chains = corpus[format];
    let mutant: Mutant | undefined;
    let chain: CorpusChain | undefined;
    for (let attempt = 0; attempt < ATTEMPTS && mutant === undefined; attempt++) {
      chain = chains[random.int(chains.length)];
      if (chain === undefined || mutator === undefined) break;
      try {
        const built = await mutator.mutate(chain.target, random);
        if (built !== undefined && !genuine.has(built.token)) mutant = built;
      } catch {
        // The attack cannot be expressed on this chain (an encoder refused it): another chain.
      }
    }
    if (mutant === undefined || chain === undefined) {
      skipped++;
      continue;
    }
    const caseBegan = performance.now();
    const { request, action } = chain;
    const presented = mutant;
    const settled = await withinCap(
      (async () => {
        const proof = await presentProof(
          format,
          presented.token,
          presented.presenter,
          request,
          `fuzz-${index}`,
        );
        return verifier.verify(presented.token, {
          action,
          ...(proof === undefined ? {} : { proof }),
          request,
        });
      })(),
      capMs,
    );
    const tookMs = performance.now() - caseBegan;
    slowestMs = Math.max(slowestMs, tookMs);
    let verdict: Verdict;
    if (settled === 'timeout' || tookMs > capMs) {
      verdict = {
        ok: false,
        outcome: 'HANG',
        failure: 'hang',
        reason: `took ${tookMs.toFixed(0)} ms (cap ${capMs} ms)`,
      };
    } else if ('error' in settled) {
      const error = settled.error as { name?: unknown; message?: unknown } | undefined;
      verdict = {
        ok: false,
        outcome: 'THROW',
        failure: 'crash',
        reason: `verify threw ${String(error?.name)}: ${String(error?.message)}`,
      };
    } else {
      verdict = await judge(settled.value, presented.meaning, () =>
        genuine.allowedFor(format, presented.presenter, chain),
      );
    }
    options.onResult?.({
      index,
      format,
      mutator: name,
      mutant: presented,
      decision: typeof settled === 'object' && 'value' in settled ? settled.value : undefined,
      verdict,
    });
    mutations++;
    bump(perMutator, name);
    bump(perMutatorFormat, `${name}/${format}`);
    bump(perOutcome, verdict.outcome);
    if (!verdict.ok) {
      if (verdict.failure === 'accepted') accepted++;
      else if (verdict.failure === 'crash') crashes++;
      else hangs++;
      if (failures.length < keep) {
        failures.push({
          seed,
          index,
          format,
          mutator: name,
          variant: presented.variant,
          failure: verdict.failure,
          outcome: verdict.outcome,
          reason: verdict.reason,
          token: presented.token,
        });
      }
    }
  }
  return {
    cases: end - start,
    mutations,
    accepted,
    crashes,
    hangs,
    skipped,
    perMutator,
    perMutatorFormat,
    perOutcome,
    failures,
    elapsedMs: performance.now() - began,
    slowestMs,
  };
}

/** The report as text; its last line is `N mutations, M accepted`. */
export function formatFuzzReport(report: FuzzReport, seed: number): string {
  const rate = report.elapsedMs > 0 ? (report.mutations / report.elapsedMs) * 1000 : 0;
  const table = (counts: Readonly<Record<string, number>>) =>
    Object.entries(counts)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `  ${k.padEnd(36)} ${v}`);
  const lines = [
    `seed ${seed}: ${report.cases} cases, ${report.skipped} skipped (no mutant), ` +
      `${(report.elapsedMs / 1000).toFixed(1)} s, ${rate.toFixed(0)} mutations/s, slowest case ${report.slowestMs.toFixed(1)} ms`,
    'per mutator:',
    ...table(report.perMutator),
    'per outcome:',
    ...table(report.perOutcome),
    `crashes ${report.crashes}, hangs ${report.hangs}`,
  ];
  for (const f of report.failures) {
    lines.push(
      `FAIL ${f.failure} case ${f.index} (${f.format} ${f.mutator} ${f.variant}): ${f.outcome}: ${f.reason}`,
      `  replay: FUZZ_SEED=${f.seed} FUZZ_CASE=${f.index} npm run fuzz`,
    );
  }
  lines.push(`${report.mutations} mutations, ${report.accepted} accepted`);
  return lines.join('\n');
}
