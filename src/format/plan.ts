/**
 * What `mint` and `delegate` decide before any encoding: the next block's contents.
 * Format-independent, so the JWS and Biscuit encodings narrow by exactly the same rules,
 * and `delegate` refuses a widening with the code a verifier would report.
 */
import { randomUUID } from 'node:crypto';
import type { JWK } from 'jose';
import { normalizeCapabilities } from '../core/capability.js';
import {
  normalizeApprovalRequirements,
  type ApprovalRequirement,
  type ApprovalRequirementInput,
} from '../core/approval-requirement.js';
import type { NarrowingProfile } from '../core/constraint/narrowing.js';
import { MandateError } from '../core/errors.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { assertSafeText } from '../core/names.js';
import { findBlockWidening, widenedError } from '../core/widening.js';
import { parseSpan, systemClock, type Span } from '../core/time.js';
import type { BlockView, CapabilityInput, Format, KeyPair } from '../core/types.js';
import { requirePublicJwk } from '../identity/keys.js';
import { bindingFor, type CertificateInput } from '../identity/certificate.js';
import type { PublicJwk } from '../identity/jwk.js';
import { thumbprintUriSync } from '../identity/thumbprint.js';

/** Further delegations allowed below a root when `maxDepth` is not given. */
export const DEFAULT_MAX_DEPTH = 4;
/** The deepest chain `mint` will allow (bounded by the verifier's block limit too). */
export const MAX_DEPTH_LIMIT = DEFAULT_LIMITS.maxBlocks - 1;

/** Options of `mint`. */
export interface MintOptions {
  /** The trust anchor's key pair: it signs the root. */
  readonly issuer: KeyPair;
  /** The issuer's name as the root carries it (default: the key's principal id). */
  readonly issuerId?: string;
  /**
   * The originating user. Required for the `'jws'` and `'biscuit'` formats; must be omitted
   * for `'aat'`, which has no subject (the decoded subject is then the issuer id).
   */
  readonly subject?: string;
  /** The first holder's public key. */
  readonly holder: JWK;
  /**
   * RFC 8705: bind the holder to this client certificate (`cnf.x5t#S256`); its public key
   * must be `holder`. JWS format only. See `mandate/mtls`.
   */
  readonly holderCertificate?: CertificateInput;
  readonly capabilities: readonly CapabilityInput[];
  /**
   * Calls that need human approval before a verifier allows them (docs/guides/approvals.md):
   * `threshold` of `approvers` must sign an approval of the exact call. Default: none.
   */
  readonly approvals?: readonly ApprovalRequirementInput[];
  /** Seconds, or a span such as `'15m'`. */
  readonly expiresIn: Span;
  /** Seconds from now before which the mandate is not valid (default 0). */
  readonly notBefore?: Span;
  readonly audience?: string | readonly string[];
  /** Further delegations allowed below the root (default 4). */
  readonly maxDepth?: number;
  readonly purpose?: string;
  /** `'jws'` (default), `'biscuit'`, or `'aat'` (an AAT root token, docs/format.md). */
  readonly format?: Format;
  /** Header `kid` naming the issuer's key within its key set. */
  readonly kid?: string;
  /** The block id (default: a random UUID). Set it only for reproducible vectors. */
  readonly id?: string;
  /** The clock, in seconds since the epoch (default: the wall clock). */
  readonly now?: number;
}

/** Options of `delegate`. */
export interface DelegateOptions {
  /** The current holder's key pair: it signs the new block. */
  readonly signer: KeyPair;
  /** The next holder's public key. */
  readonly holder: JWK;
  /** RFC 8705: bind the holder to this client certificate, as in `MintOptions`. */
  readonly holderCertificate?: CertificateInput;
  /** Default: the parent's capabilities, unchanged. */
  readonly capabilities?: readonly CapabilityInput[];
  /**
   * The new block's approval requirements. Default: the parent's, unchanged. A list must keep
   * each of the parent's requirements, as it is or tightened (a higher threshold, fewer
   * approvers, a wider scope or trigger), and may add more: dropping or loosening one throws
   * `MANDATE_WIDENED`. To add one: `[...(parent.approvals ?? []), added]`.
   */
  readonly approvals?: readonly ApprovalRequirementInput[];
  /** Default: the parent's expiry. A later expiry throws `MANDATE_WIDENED`. */
  readonly expiresIn?: Span;
  /** Default: the parent's audience. A wider one throws `MANDATE_WIDENED`. */
  readonly audience?: string | readonly string[];
  /** Default: the parent's remaining depth minus one. More throws `MANDATE_WIDENED`. */
  readonly maxDepth?: number;
  readonly purpose?: string;
  /** The block id (default: a random UUID). Set it only for reproducible vectors. */
  readonly id?: string;
  readonly now?: number;
}

/** A block to be encoded: its view plus the holder key, before any signature. */
export interface PlannedBlock extends Omit<BlockView, 'holderJwk'> {
  readonly holderJwk: PublicJwk;
  /** RFC 8705 `cnf.x5t#S256`, when the holder is bound to a client certificate. */
  readonly holderX5t?: string;
}

function normalizeAudience(audience: string | readonly string[] | undefined, label: string) {
  if (audience === undefined) return undefined;
  const list = typeof audience === 'string' ? [audience] : [...audience];
  if (!Array.isArray(list) || list.length === 0) throw new TypeError(`${label} must not be empty`);
  for (const entry of list) assertSafeText(entry, label, DEFAULT_LIMITS.maxStringLength);
  return [...new Set(list)];
}

function checkDepth(maxDepth: number, label: string): number {
  if (!Number.isSafeInteger(maxDepth) || maxDepth < 0 || maxDepth > MAX_DEPTH_LIMIT) {
    throw new RangeError(`${label} must be an integer from 0 to ${MAX_DEPTH_LIMIT}`);
  }
  return maxDepth;
}

function blockId(id: string | undefined): string {
  if (id === undefined) return randomUUID();
  return assertSafeText(id, 'id', 256);
}

function nowFrom(now: number | undefined): number {
  if (now === undefined) return systemClock();
  if (!Number.isSafeInteger(now) || now < 0) throw new RangeError('now must be whole seconds');
  return now;
}

function approvalsOf(requirements: readonly ApprovalRequirement[]): {
  approvals?: readonly ApprovalRequirement[];
} {
  return requirements.length === 0 ? {} : { approvals: requirements };
}

function certificateBinding(
  certificate: CertificateInput | undefined,
  holder: PublicJwk,
): { holderX5t?: string } {
  return certificate === undefined ? {} : { holderX5t: bindingFor(certificate, holder) };
}

/** Plan a root block. Misuse throws TypeError/RangeError; nothing here is a denial. */
export function planRoot(options: MintOptions): PlannedBlock {
  if (typeof options !== 'object' || options === null) throw new TypeError('mint needs options');
  const now = nowFrom(options.now);
  const holderJwk = requirePublicJwk(options.holder, 'holder');
  if (options.holderCertificate !== undefined && options.format === 'biscuit') {
    throw new TypeError('holderCertificate (RFC 8705) is supported by the JWS format only');
  }
  const issuerId = options.issuerId ?? options.issuer.id;
  assertSafeText(issuerId, 'issuerId', DEFAULT_LIMITS.maxStringLength);
  if (options.format === 'aat') {
    if (options.subject !== undefined) {
      throw new TypeError('AAT tokens carry no subject (draft section 3.2): omit subject');
    }
  } else {
    if (typeof options.subject !== 'string' || options.subject === '') {
      throw new MandateError(
        'MANDATE_MALFORMED',
        `subject is ${options.subject === '' ? 'empty' : 'missing'}: a ${options.format ?? 'jws'} root ` +
          'names the user it acts for (a non-empty string); only an AAT root has none',
        { check: 'limits', detail: { path: 'subject', reason: 'type' } },
      );
    }
    assertSafeText(options.subject, 'subject', DEFAULT_LIMITS.maxStringLength);
  }
  const subject = options.subject ?? issuerId;
  const lifetime = parseSpan(options.expiresIn, 'expiresIn');
  if (lifetime <= 0) throw new RangeError('expiresIn must be positive');
  const notBefore =
    options.notBefore === undefined ? undefined : now + parseSpan(options.notBefore, 'notBefore');
  const audience = normalizeAudience(options.audience, 'audience');
  if (options.purpose !== undefined)
    assertSafeText(options.purpose, 'purpose', DEFAULT_LIMITS.maxStringLength);
  return {
    id: blockId(options.id),
    issuer: issuerId,
    holder: thumbprintUriSync(holderJwk),
    holderJwk,
    ...certificateBinding(options.holderCertificate, holderJwk),
    subject,
    capabilities: normalizeCapabilities(options.capabilities),
    ...approvalsOf(normalizeApprovalRequirements(options.approvals ?? [])),
    issuedAt: now,
    expiresAt: now + lifetime,
    ...(notBefore === undefined ? {} : { notBefore }),
    ...(audience === undefined ? {} : { audience }),
    depth: 0,
    maxDepth: checkDepth(options.maxDepth ?? DEFAULT_MAX_DEPTH, 'maxDepth'),
    ...(options.purpose === undefined ? {} : { purpose: options.purpose }),
  };
}

/**
 * Plan a delegation block below `parent` (the chain's last block, at index `hop - 1`).
 * Anything wider than the parent throws `MANDATE_WIDENED` naming the new block's hop.
 */
export function planDelegation(
  parent: BlockView,
  hop: number,
  options: DelegateOptions,
  profile: NarrowingProfile = 'mandate',
): PlannedBlock {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('delegate needs options');
  const now = Math.max(nowFrom(options.now), parent.issuedAt);
  const holderJwk = requirePublicJwk(options.holder, 'holder');
  if (hop > MAX_DEPTH_LIMIT) {
    throw new MandateError(
      'MANDATE_LIMIT_EXCEEDED',
      `a chain holds at most ${MAX_DEPTH_LIMIT + 1} blocks`,
      {
        check: 'limits',
        hop,
      },
    );
  }
  // Omitted options inherit the parent's; the block is then checked whole, by rule 4's own
  // function, so `delegate` refuses exactly what a verifier would deny.
  const maxDepth =
    options.maxDepth === undefined
      ? parent.maxDepth - parent.depth - 1
      : checkDepth(options.maxDepth, 'maxDepth');
  // The parent's own (frozen, normal-form) array when unchanged: its prepared form and the
  // narrowing answer are then remembered by the capability algebra, not recomputed.
  const capabilities =
    options.capabilities === undefined
      ? parent.capabilities
      : normalizeCapabilities(options.capabilities);
  const expiresAt =
    options.expiresIn === undefined
      ? parent.expiresAt
      : now + parseSpan(options.expiresIn, 'expiresIn');
  const audience =
    options.audience === undefined
      ? parent.audience
      : normalizeAudience(options.audience, 'audience');
  const approvals =
    options.approvals === undefined
      ? (parent.approvals ?? [])
      : normalizeApprovalRequirements(options.approvals);
  if (options.purpose !== undefined)
    assertSafeText(options.purpose, 'purpose', DEFAULT_LIMITS.maxStringLength);
  const planned: PlannedBlock = {
    id: blockId(options.id),
    issuer: parent.holder,
    holder: thumbprintUriSync(holderJwk),
    holderJwk,
    ...certificateBinding(options.holderCertificate, holderJwk),
    subject: parent.subject,
    capabilities,
    ...approvalsOf(approvals),
    issuedAt: now,
    expiresAt,
    ...(parent.notBefore === undefined ? {} : { notBefore: parent.notBefore }),
    ...(audience === undefined ? {} : { audience }),
    depth: parent.depth + 1,
    maxDepth: parent.depth + 1 + maxDepth,
    ...(options.purpose === undefined ? {} : { purpose: options.purpose }),
  };
  const widening = findBlockWidening(parent, planned, profile, { building: true });
  if (widening !== undefined) throw widenedError(widening, hop);
  return planned;
}
