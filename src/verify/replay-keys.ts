/**
 * The replay store's keys: one store holds three kinds of single-use ids, each in its own
 * namespace, so that an id of one kind is never taken for an id of another. Without that, a
 * request could use up another request's id of another kind, or be refused because of it:
 * a caller's single-use id chosen equal to a genuine proof's key would burn that proof (and
 * the reverse), a denial of service across kinds.
 *
 * - A proof of possession: `<signer>#<jti>`. The signer is its key's RFC 9278 thumbprint URI
 *   (`urn:ietf:params:oauth:jwk-thumbprint:sha-256:…`), computed from the key, never text a
 *   request chose, so every proof key starts with that URI prefix: the proofs' namespace.
 * - An approval: `approval:<approver>#<jti>`.
 * - A caller's single-use id (`VerifyRequest.singleUse`: the A2A guard's sender proof and
 *   grant): `single-use:<id>`, whatever the id (another kind's key included).
 *
 * No prefix is a prefix of another, so no key of one kind equals a key of another. The
 * proofs' and approvals' keys are those of earlier releases (a deploy keeps every proof and
 * approval recorded before it); only single-use ids moved into their namespace.
 */
import { THUMBPRINT_URI_PREFIX } from '../identity/thumbprint.js';
import { MAX_ID_LENGTH } from '../stores/validate.js';

/** The namespace of approvals' keys. */
const APPROVAL_PREFIX = 'approval:';

/** The namespace of callers' single-use ids. */
const SINGLE_USE_PREFIX = 'single-use:';

/** Longest single-use id a caller may pass: its key (prefixed) must fit a store's id bound. */
export const MAX_SINGLE_USE_ID_LENGTH = MAX_ID_LENGTH - SINGLE_USE_PREFIX.length;

/**
 * The key of a proof: its signer's principal id and its `jti` (proof ids are unique per key).
 * Throws a TypeError for a signer that is not a thumbprint URI: that would step outside the
 * proofs' namespace (inside a rule, the verifier turns it into a `MANDATE_INTERNAL` denial).
 */
export function proofReplayKey(signer: string, jti: string): string {
  if (!signer.startsWith(THUMBPRINT_URI_PREFIX)) {
    throw new TypeError('a proof signer is a thumbprint URI');
  }
  return `${signer}#${jti}`;
}

/** The key of an approval: its approver's principal id and its `jti`. */
export function approvalReplayKey(approver: string, jti: string): string {
  return `${APPROVAL_PREFIX}${approver}#${jti}`;
}

/** The key of a caller's single-use id (`VerifyRequest.singleUse`). */
export function singleUseReplayKey(id: string): string {
  return `${SINGLE_USE_PREFIX}${id}`;
}
