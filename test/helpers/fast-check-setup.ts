/**
 * Vitest setup (vitest.config.ts `setupFiles`): one fast-check seed for the whole test file,
 * `MANDATE_SEED` when set (to replay a failure), else a fresh random one; printed when a test
 * fails, so any failing run can be replayed with `MANDATE_SEED=<seed> npx vitest run <file>`.
 * A property that passes its own `seed` keeps it.
 */
import fc from 'fast-check';
import { beforeEach } from 'vitest';
import { seedFrom } from '../../src/testing/config.js';

const seed = seedFrom(process.env['MANDATE_SEED']) ?? (Math.random() * 2 ** 32) | 0;
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });

beforeEach(({ onTestFailed }) => {
  onTestFailed(() => {
    console.error(`fast-check seed of this run: MANDATE_SEED=${seed}`);
  });
});
