/**
 * `mandate/testing`: fast-check arbitraries, attack mutators and the laws of Mandate, so
 * users can property-test their own attenuation policies and verifiers.
 */
export * from './arbitraries.js';
export * from './laws.js';
export * from './aat-laws.js';
export * from './number-laws.js';
export * from './mutators.js';
export * from './chain-mutators.js';
export {
  formatFuzzReport,
  mergeFuzzReports,
  runFuzzCampaign,
  type FuzzCaseResult,
  type FuzzFailure,
  type FuzzOptions,
  type FuzzReport,
} from './fuzz/campaign.js';
export { caseRandom, type FuzzRandom } from './fuzz/random.js';
export type { Verdict } from './fuzz/oracle.js';
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
