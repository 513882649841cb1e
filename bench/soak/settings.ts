/** The soak's sizes and knobs, from the environment (documented in docs/performance.md). */
import { QUICK } from '../common.js';

export interface SoakSettings {
  readonly jws: number;
  readonly biscuit: number;
  readonly http: number;
  readonly scale: number;
  /** Memory samples per phase after the one at 0. */
  readonly samples: number;
  /** Fraction of each phase before which samples are not judged. */
  readonly warmup: number;
  readonly seed: number;
  /** Where the JSON result goes. */
  readonly out: string;
  /** Keep-alive connections of the HTTP phase. */
  readonly connections: number;
  /**
   * Bytes the soak itself retains per verification (0): a deliberate leak, so that a test can
   * check the verdict fails when memory does grow.
   */
  readonly leak: number;
}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a number >= 0`);
  return value;
}

/**
 * `SOAK_JWS` (1,000,000), `SOAK_BISCUIT` (100,000), `SOAK_HTTP` (100,000) verifications, each
 * multiplied by `SOAK_SCALE` (1; `MANDATE_BENCH_QUICK=1` makes it 0.002); `SOAK_SAMPLES` (40),
 * `SOAK_WARMUP` (0.25), `SOAK_SEED` (random), `SOAK_OUT` (`.bench-out/soak.json`),
 * `SOAK_CONNECTIONS` (8), `SOAK_LEAK` (0 bytes retained per verification: a test's deliberate leak).
 */
export function readSettings(env: NodeJS.ProcessEnv = process.env): SoakSettings {
  const scale = number(env, 'SOAK_SCALE', QUICK ? 0.002 : 1);
  const sized = (name: string, full: number): number =>
    Math.max(0, Math.round(number(env, name, full) * scale));
  const warmup = number(env, 'SOAK_WARMUP', 0.25);
  if (warmup >= 1) throw new RangeError('SOAK_WARMUP must be below 1');
  return {
    jws: sized('SOAK_JWS', 1_000_000),
    biscuit: sized('SOAK_BISCUIT', 100_000),
    http: sized('SOAK_HTTP', 100_000),
    scale,
    samples: Math.max(1, Math.round(number(env, 'SOAK_SAMPLES', 40))),
    warmup,
    seed: Math.floor(number(env, 'SOAK_SEED', Math.floor(Math.random() * 2 ** 31))),
    out: env.SOAK_OUT ?? '.bench-out/soak.json',
    connections: Math.max(1, Math.round(number(env, 'SOAK_CONNECTIONS', 8))),
    leak: Math.round(number(env, 'SOAK_LEAK', 0)),
  };
}
