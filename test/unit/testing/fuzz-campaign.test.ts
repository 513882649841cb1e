/**
 * The fuzzing campaign (`npm run fuzz`, docs/fuzzing.md) run in-process at a small size: the real
 * verifier accepts no mutant and every mutator runs on every format; and the campaign can fail:
 * verifiers that allow too much, throw, deny without a rule's code or hang are all caught.
 */
import { describe, expect, it } from 'vitest';
import type { Verifier } from '../../../src/verify/verifier.js';
import type { Decision } from '../../../src/verify/decision.js';
import {
  CHAIN_MUTATORS,
  formatFuzzReport,
  mergeFuzzReports,
  runFuzzCampaign,
} from '../../../src/testing/index.js';
import { fuzzWorld, FUZZ_FORMATS } from '../../../src/testing/fuzz/world.js';

const SEED = 20_261_203;

type Verify = Verifier['verify'];

/** A verifier built around the campaign world's real one. */
function around(wrap: (real: Verify) => Verify): Pick<Verifier, 'verify'> {
  const real = fuzzWorld(SEED).verifier;
  return { verify: wrap((token, request) => real.verify(token, request)) };
}

const ALLOW_ALL: Decision = {
  allowed: true,
  subject: 'anyone',
  chain: [],
  capabilities: [],
  holder: 'anyone',
  blockIds: [],
  format: 'jws',
};

describe('the campaign against the real verifier', () => {
  it('accepts no mutant, never crashes or hangs, and runs every mutator on every format', async () => {
    const report = await runFuzzCampaign({ count: 2000, seed: SEED, chainsPerFormat: 6 });
    expect(report.failures).toEqual([]);
    expect({ accepted: report.accepted, crashes: report.crashes, hangs: report.hangs }).toEqual({
      accepted: 0,
      crashes: 0,
      hangs: 0,
    });
    expect(report.mutations).toBeGreaterThan(1900);
    for (const mutator of CHAIN_MUTATORS) {
      for (const format of FUZZ_FORMATS) {
        expect(
          report.perMutatorFormat[`${mutator.name}/${format}`] ?? 0,
          `${mutator.name}/${format}`,
        ).toBeGreaterThan(10);
      }
    }
    // Denials name rules; a few mutants (re-encodings, genuine prefixes) are allowed as themselves.
    expect(report.perOutcome['MANDATE_SIGNATURE_INVALID']).toBeGreaterThan(0);
    expect(report.perOutcome['MANDATE_WIDENED']).toBeGreaterThan(0);
    expect(report.perOutcome['ALLOWED'] ?? 0).toBe(0);
    expect(formatFuzzReport(report, SEED).split('\n').at(-1)).toBe(
      `${report.mutations} mutations, 0 accepted`,
    );
  }, 240_000);

  it('decides a run split in slices as one run (what the workers rely on)', async () => {
    const whole = await runFuzzCampaign({ count: 240, seed: SEED, chainsPerFormat: 4 });
    const parts = await Promise.all([
      runFuzzCampaign({ count: 240, seed: SEED, start: 0, end: 100, chainsPerFormat: 4 }),
      runFuzzCampaign({ count: 240, seed: SEED, start: 100, end: 240, chainsPerFormat: 4 }),
    ]);
    const merged = mergeFuzzReports(parts);
    expect(merged.mutations).toBe(whole.mutations);
    expect(merged.perMutatorFormat).toEqual(whole.perMutatorFormat);
    // JWS and AAT chains are byte-for-byte reproducible from the seed, so are their outcomes.
    expect(merged.accepted + merged.crashes + merged.hangs).toBe(0);
  }, 240_000);
});

describe('the campaign can fail (a known-bad verifier is caught)', () => {
  it('a verifier that allows everything: every mutant is counted as accepted', async () => {
    const report = await runFuzzCampaign({
      count: 84,
      seed: SEED,
      chainsPerFormat: 3,
      verifier: { verify: () => Promise.resolve(ALLOW_ALL) },
    });
    expect(report.mutations).toBeGreaterThan(0);
    expect(report.accepted).toBe(report.mutations);
    expect(report.failures[0]).toMatchObject({
      failure: 'accepted',
      outcome: 'ALLOWED',
      seed: SEED,
    });
    expect(formatFuzzReport(report, SEED)).toContain(`replay: FUZZ_SEED=${SEED} FUZZ_CASE=`);
    expect(formatFuzzReport(report, SEED).split('\n').at(-1)).toBe(
      `${report.mutations} mutations, ${report.mutations} accepted`,
    );
  }, 120_000);

  it('a verifier that ignores widening: the widening mutants are accepted', async () => {
    const verifier = around((real) => async (token, request) => {
      const decision = await real(token, request);
      return !decision.allowed && decision.code === 'MANDATE_WIDENED' ? ALLOW_ALL : decision;
    });
    const report = await runFuzzCampaign({ count: 210, seed: SEED, chainsPerFormat: 4, verifier });
    expect(report.accepted).toBeGreaterThan(0);
    expect(report.failures.map((f) => f.mutator)).toContain('widen-resign');
  }, 120_000);

  it('a verifier that throws, or denies without a rule, crashes the case', async () => {
    const throwing = await runFuzzCampaign({
      count: 42,
      seed: SEED,
      chainsPerFormat: 3,
      verifier: { verify: () => Promise.reject(new TypeError('boom')) },
    });
    expect(throwing.crashes).toBe(throwing.mutations);
    expect(throwing.failures[0]).toMatchObject({ failure: 'crash', outcome: 'THROW' });
    const internal = await runFuzzCampaign({
      count: 42,
      seed: SEED,
      chainsPerFormat: 3,
      verifier: around(
        () => () =>
          Promise.resolve({
            allowed: false,
            code: 'MANDATE_INTERNAL',
            hop: 0,
            check: 'limits',
            reason: 'a rule threw',
            detail: {},
          }),
      ),
    });
    expect(internal.crashes).toBe(internal.mutations);
  }, 120_000);

  it('a verifier that never answers is a hang, after the per-case cap', async () => {
    const report = await runFuzzCampaign({
      count: 3,
      seed: SEED,
      chainsPerFormat: 2,
      caseTimeoutMs: 50,
      verifier: { verify: () => new Promise<Decision>(() => undefined) },
    });
    expect(report.hangs).toBe(report.mutations);
    expect(report.failures[0]).toMatchObject({ failure: 'hang', outcome: 'HANG' });
  }, 120_000);
});
