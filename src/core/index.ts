/**
 * The capability algebra: pure functions over capabilities, constraints and resource names.
 */
export {
  allows,
  authorize,
  findWidening,
  intersect,
  isSubset,
  normalizeCapabilities,
  type AlgebraOptions,
  type Authorization,
  type Widening,
} from './capability.js';
export {
  checkConstraint,
  intersectConstraints,
  isArgMapNarrower,
  isConstraintNarrower,
  normalizeConstraint,
  type ArgConstraints,
  type ArgMapFailure,
  type ArgMapOptions,
  type ConstraintParseOptions,
  type NarrowingOptions,
  type NarrowingProfile,
} from './constraint.js';
export { intersectPatterns, isPatternSubset, matchesResource } from './resource.js';
export {
  validateActionName,
  validateArgumentName,
  validateConcreteResource,
  validateResourcePattern,
} from './names.js';
export { DEFAULT_LIMITS, type Limits } from './limits.js';
