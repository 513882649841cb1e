/**
 * Mandate: confused-deputy-safe delegation for multi-agent systems.
 * The main entry point. Importing it loads neither biscuit-wasm
 * nor any store client.
 */
export { generateKeyPair, type KeyAlg } from './identity/keys.js';
export { thumbprintUri } from './identity/thumbprint.js';
export type { TrustAnchor } from './identity/anchors.js';
export { mint } from './format/mint.js';
export { delegate } from './format/delegate.js';
export { sealMandate, type SealOptions } from './format/seal.js';
export { parseMandate, detectFormat } from './format/parse.js';
export { toolAction, toolResource, toolFromResource } from './format/aat/claims.js';
export type { MintOptions, DelegateOptions } from './format/plan.js';
export { prove, type ProveOptions } from './proof/prove.js';
export { createVerifier, type Verifier, type VerifyRequest } from './verify/verifier.js';
export type { VerifierOptions, NonceCheck } from './verify/config.js';
export type { Decision, Allowed, Denied } from './verify/decision.js';
export { RULES, AAT_RULES } from './verify/rules.js';
export {
  isSubset,
  intersect,
  allows,
  authorize,
  normalizeCapabilities,
} from './core/capability.js';
export { DEFAULT_LIMITS, type Limits } from './core/limits.js';
export { parseArguments } from './core/json-text.js';
export {
  InadmissibleNumber,
  isAdmissibleNumberLiteral,
  isInadmissibleNumber,
} from './core/numbers.js';
export {
  MandateError,
  MandateUsageError,
  isMandateError,
  ERROR_CODES,
  CHECKS,
  type MandateErrorCode,
  type Check,
} from './core/errors.js';
export { TYP } from './core/typ.js';
export { MemoryRevocationStore, MemoryReplayStore } from './stores/memory.js';
export {
  StoreUnavailableError,
  StoreFullError,
  StoreQuotaError,
  type StoreUnavailableReason,
} from './stores/errors.js';
export type {
  RevocationContext,
  RevocationStore,
  ReplayStore,
  ReplayContext,
} from './stores/types.js';
export type {
  Action,
  BlockView,
  Capability,
  CapabilityInput,
  Constraint,
  ConstraintInput,
  Format,
  Json,
  KeyPair,
  Mandate,
  MandateLike,
  ProofRequest,
  UnverifiedMandate,
} from './core/types.js';
export {
  createDeputy,
  type Deputy,
  type DeputyOptions,
  type DeputyTarget,
  type GrantOptions,
  type NarrowedCall,
} from './adapters/deputy.js';
export {
  createAuditor,
  auditRecord,
  type AuditLogger,
  type AuditRecord,
  type Auditor,
  type AuditorOptions,
} from './adapters/audit.js';
// Types that the signatures above use, exported so that callers (and the API reference) can name them.
export type { ErrorDetail, MandateErrorInit } from './core/errors.js';
export type { Clock } from './core/time.js';
export type { Span } from './core/time.js';
export type { PublicJwk, SigningAlg } from './identity/jwk.js';
export type { ExpectHolder } from './verify/expect-holder.js';
export type { Authorization, AlgebraOptions } from './core/capability.js';
export type { MemoryStoreOptions, MemoryReplayStoreOptions } from './stores/memory.js';
