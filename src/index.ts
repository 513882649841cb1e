/**
 * Mandate: confused-deputy-safe delegation for multi-agent systems.
 * The main entry point: the API of DESIGN section 5 (keys, mint, delegate, prove, verify,
 * inspect, the capability algebra, the default stores, the errors), the deputy and audit
 * helpers, and what AAT callers need to read arguments as written. Everything else is
 * internal. Importing it loads neither biscuit-wasm nor any store client.
 */
export { generateKeyPair, type KeyAlg } from './identity/keys.js';
export type { TrustAnchor } from './identity/anchors.js';
export { mint } from './format/mint.js';
export { delegate } from './format/delegate.js';
export { sealMandate, type SealOptions } from './format/seal.js';
export { parseMandate } from './format/parse.js';
export { toolAction, toolResource } from './format/aat/claims.js';
export type { MintOptions, DelegateOptions } from './format/plan.js';
export { prove, type ProveOptions } from './proof/prove.js';
export {
  approve,
  approvalCall,
  describeCall,
  type ApprovalCall,
  type ApproveOptions,
} from './proof/approval.js';
export {
  APPROVER_USER,
  normalizeApprovalRequirements,
  findApprovalLoosening,
  requirementApplies,
  requirementImplies,
  type ApprovalLoosening,
  type ApprovalRequirement,
  type ApprovalRequirementInput,
} from './core/approval-requirement.js';
export {
  approvalNeeded,
  type ApprovalNeeded,
  type UnmetRequirement,
} from './verify/approval-needed.js';
export { createVerifier, type Verifier, type VerifyRequest } from './verify/verifier.js';
export type { VerifierOptions, NonceCheck, UserKeys } from './verify/config.js';
export type { Decision, Allowed, Denied } from './verify/decision.js';
export { isSubset, intersect, allows } from './core/capability.js';
export type { Limits } from './core/limits.js';
export { parseArguments, type ArgumentTextBounds } from './core/json-text.js';
export { InadmissibleNumber, isAdmissibleNumberLiteral } from './core/numbers.js';
export {
  MandateError,
  isMandateError,
  ERROR_CODES,
  CHECKS,
  type MandateErrorCode,
  type Check,
} from './core/errors.js';
export { MemoryRevocationStore, MemoryReplayStore } from './stores/memory.js';
export { StoreUnavailableError, type StoreUnavailableReason } from './stores/errors.js';
export type {
  RevocationContext,
  RevocationStore,
  ReplayStore,
  ReplayContext,
  ReplayEntry,
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
} from './proof/deputy.js';
export {
  createAuditor,
  type AuditContext,
  type AuditLogger,
  type AuditOption,
  type AuditRecord,
  type Auditor,
  type AuditorOptions,
} from './verify/audit.js';
// Types that the signatures above use, exported so that callers (and the API reference) can name them.
export type { ErrorDetail, MandateErrorInit } from './core/errors.js';
export type { Clock, Span } from './core/time.js';
export type { PublicJwk, SigningAlg } from './identity/jwk.js';
export type { ExpectHolder } from './verify/expect-holder.js';
export type { AlgebraOptions } from './core/capability.js';
export type { MemoryStoreOptions, MemoryReplayStoreOptions } from './stores/memory.js';
