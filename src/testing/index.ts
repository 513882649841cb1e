/**
 * `mandate/testing`: fast-check arbitraries, attack mutators and the laws of Mandate, so
 * users can property-test their own attenuation policies and verifiers. `fast-check` is an
 * optional peer dependency: install it to use this entry point.
 */
export {
  arbAction,
  arbCapabilities,
  arbCapability,
  arbConcreteFor,
  arbConcreteResource,
  arbConstraint,
  arbJsonValue,
  arbNarrowerConstraint,
  arbNarrowerPattern,
  arbNarrowing,
  arbResourcePattern,
  arbTerseConstraint,
  arbValueFor,
  arbWireConstraint,
  type CapabilityArbOptions,
} from './arbitraries.js';
export {
  checkConstraintIntersection,
  checkConstraintNarrowingComplete,
  checkConstraintNarrowingSound,
  checkConstraintNormalization,
  checkIntersectExact,
  checkIntersectGreatest,
  checkIntersectLowerBound,
  checkNarrowingIsSubset,
  checkNormalizationIdempotent,
  checkSubsetAntisymmetric,
  checkSubsetReflexive,
  checkSubsetSound,
  checkSubsetTransitive,
  type LawOptions,
} from './laws.js';
export {
  arbAatArgMap,
  arbAatArgMapNarrower,
  arbAatConstraint,
  arbAatConstraintOf,
  arbAatNarrower,
  checkAatArgMapNarrowingComplete,
  checkAatArgMapNarrowingSound,
  checkAatNarrowingComplete,
  checkAatNarrowingSound,
  type AatArgMap,
  type AatCoreType,
  type AatLawOptions,
} from './aat-laws.js';
export { arbNumberLiteral, checkNumberRoundTrip, type NumberLawOptions } from './number-laws.js';
export {
  applyMutation,
  arbMutation,
  flipCharacter,
  spliceBlocks,
  spliceChains,
  type BlockList,
  type Mutation,
} from './mutators.js';
export {
  checkAttenuationNeverWidens,
  checkDelegateRefusesExactlyWidenings,
  checkSpliceIsDenied,
  checkTamperIsDenied,
  lawWorld,
  type ChainLawOptions,
  type LawWorld,
} from './chain-laws.js';
export {
  CHAIN_MUTATORS,
  mutationTarget,
  type ChainMutator,
  type ChainParties,
  type Meaning,
  type Mutant,
  type MutationTarget,
  type MutatorName,
} from './chain-mutators.js';
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
export { NUM_RUNS, type RunOptions } from './config.js';
// Types that the signatures above use.
export type { NarrowingProfile } from '../core/constraint/narrowing.js';
