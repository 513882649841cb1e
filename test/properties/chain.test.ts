import { describe, it } from 'vitest';
import {
  checkAttenuationNeverWidens,
  checkDelegateRefusesExactlyWidenings,
  checkSpliceIsDenied,
  checkTamperIsDenied,
} from '../../src/testing/chain-laws.js';

describe('chain laws (jws)', () => {
  it('attenuation never widens: allowed after a delegation implies allowed before', async () => {
    await checkAttenuationNeverWidens({ format: 'jws' });
  });

  it('delegate refuses exactly the requests that are not a subset', async () => {
    await checkDelegateRefusesExactlyWidenings({ format: 'jws' });
  });

  it('any single-character change, removal, reordering or duplication is denied', async () => {
    await checkTamperIsDenied({ format: 'jws' });
  });

  it('a splice of two chains is denied', async () => {
    await checkSpliceIsDenied({ format: 'jws', numRuns: 20 });
  });
});
