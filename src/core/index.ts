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
export { checkConstraint } from './constraint/check.js';
export { intersectConstraints } from './constraint/intersection.js';
export { isArgMapNarrower, type ArgConstraints, type ArgMapOptions } from './constraint/arg-map.js';
export type { ArgMapFailure } from './constraint/forms.js';
export {
  isConstraintNarrower,
  type NarrowingOptions,
  type NarrowingProfile,
} from './constraint/narrowing.js';
export { normalizeConstraint, type ConstraintParseOptions } from './constraint/parse.js';
export { intersectPatterns, isPatternSubset, matchesResource } from './resource.js';
export {
  validateActionName,
  validateArgumentName,
  validateConcreteResource,
  validateResourcePattern,
} from './names.js';
export { DEFAULT_LIMITS, type Limits } from './limits.js';
