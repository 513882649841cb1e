/**
 * `mandate/testing`: fast-check arbitraries, attack mutators and the laws of Mandate, so
 * users can property-test their own attenuation policies and verifiers.
 */
export * from './arbitraries.js';
export * from './laws.js';
export * from './aat-laws.js';
export * from './number-laws.js';
export * from './mutators.js';
export * from './approval-arbitraries.js';
export * from './approval-laws.js';
export {
  checkAttenuationNeverWidens,
  checkDelegateRefusesExactlyWidenings,
  checkSpliceIsDenied,
  checkTamperIsDenied,
  lawWorld,
  type ChainLawOptions,
  type LawWorld,
} from './chain-laws.js';
export { NUM_RUNS } from './config.js';
// Types that the signatures above use.
export type { NarrowingProfile } from '../core/constraint.js';
export type { BlockList } from './mutators.js';
export type { RunOptions } from './config.js';
