/**
 * `mandate/agent-card`: signed A2A Agent Cards (A2A §8.4), agent resolution from the
 * well-known location, and the holder-keys extension that binds an agent to its keys.
 */
export type { AgentCard, AgentCardSignature, AgentCardVersion } from './schema.js';
export { parseAgentCard, type ParsedAgentCard } from './parse.js';
export type { CanonicalizationProfile } from './canonical.js';
export { signAgentCard, type SignAgentCardOptions } from './sign.js';
export {
  verifyAgentCard,
  type AgentCardAlg,
  type VerifiedAgentCard,
  type VerifyAgentCardOptions,
} from './verify.js';
export { holderKeysExtension, readHolderKeys } from './holder-keys.js';
export {
  createAgentResolver,
  type AgentResolver,
  type AgentResolverOptions,
  type AgentTrust,
} from './resolve.js';
export {
  staticKeys,
  remoteJwks,
  type KeyResolver,
  type KeySelector,
  type ResolvedKey,
  type JwkSet,
  type RemoteJwksOptions,
} from '../key-resolver.js';
// Types that the signatures above use.
export type { ResolvableAlg } from '../key-resolver.js';
export type { FieldSpec, MessageSpec } from './schema.js';
export type { Clock } from '../../core/time.js';
export type { PublicJwk } from '../jwk.js';
