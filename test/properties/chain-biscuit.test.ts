/**
 * The chain laws of DESIGN.md section 8 on the Biscuit encoding (the JWS run is chain.test.ts).
 * Fewer runs than JWS: each case mints and delegates through biscuit-wasm.
 */
import { describe, it } from 'vitest';
import {
  checkAttenuationNeverWidens,
  checkDelegateRefusesExactlyWidenings,
  checkSpliceIsDenied,
  checkTamperIsDenied,
} from '../../src/testing/chain-laws.js';
import { NUM_RUNS } from '../../src/testing/config.js';

const RUNS = Math.max(20, Math.floor(NUM_RUNS / 4));

describe('chain laws (biscuit)', () => {
  it('attenuation never widens: allowed after a delegation implies allowed before', async () => {
    await checkAttenuationNeverWidens({ format: 'biscuit', numRuns: RUNS });
  });

  it('delegate refuses exactly the requests that are not a subset', async () => {
    await checkDelegateRefusesExactlyWidenings({ format: 'biscuit', numRuns: RUNS });
  });

  it('any single-character change, removal, reordering or duplication is denied', async () => {
    await checkTamperIsDenied({ format: 'biscuit', numRuns: RUNS });
  });

  it('a splice of two chains is denied', async () => {
    await checkSpliceIsDenied({ format: 'biscuit', numRuns: 20 });
  });
});
