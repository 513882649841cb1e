/**
 * One block of a JWS chain: its claims (AAT names where the concepts coincide), their
 * schema, and the decoded view the verifier's rules work on.
 */
import type { z } from 'zod';
import { BoundedMap } from '../../core/bounded-map.js';
import { RecurringCache } from '../../core/recurring-cache.js';
import { normalizeCapabilities } from '../../core/capability.js';
import {
  normalizeApprovalRequirements,
  type ApprovalRequirement,
} from '../../core/approval-requirement.js';
import { MandateError, isMandateError, rethrowAtBlock } from '../../core/errors.js';
import { malformed } from '../../core/failure.js';
import { limitsKey, type Limits } from '../../core/limits.js';
import { assertSafeText } from '../../core/names.js';
import { TYP } from '../../core/typ.js';
import type { BlockView, Capability } from '../../core/types.js';
import {
  importPublicJwk,
  parsePublicJwk,
  type PublicJwk,
  type SigningAlg,
} from '../../identity/jwk.js';
import { thumbprintUriSync } from '../../identity/thumbprint.js';
import type { ParsedJws } from '../../core/jws/compact.js';
import { parseWith } from '../../core/schemas.js';
import { zod } from '../../core/zod.js';

/** The `authorization_details` type of a Mandate capability (RFC 9396). */
export const CAPABILITY_DETAIL_TYPE = 'mandate';

const MAX_DEPTH = 64;
const B64U43 = /^[A-Za-z0-9_-]{43}$/;
// Built on first use, like every schema (zod loads only for a block that is not plainly valid).
function claimsSchema(limits: Limits) {
  const z = zod();
  const int = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
  const str = z.string().min(1).max(limits.maxStringLength);
  return z.strictObject({
    jti: str,
    iss: str,
    sub: str,
    iat: int,
    exp: int,
    nbf: int.optional(),
    aud: z.union([str, z.array(str).min(1).max(limits.maxCapabilities)]).optional(),
    del_depth: int.max(MAX_DEPTH),
    del_max_depth: int.max(MAX_DEPTH),
    par_hash: z.string().regex(B64U43).optional(),
    // RFC 8705: a certificate-bound holder keeps cnf.jwk (the certificate's key, for
    // linkage) and adds x5t#S256 pinning the certificate (see src/identity/certificate.ts).
    cnf: z.strictObject({
      jwk: z.unknown(),
      'x5t#S256': z.string().regex(B64U43).optional(),
    }),
    authorization_details: z
      .array(z.looseObject({ type: z.literal(CAPABILITY_DETAIL_TYPE) }))
      .max(limits.maxCapabilities),
    purpose: z.string().max(limits.maxStringLength).optional(),
    // Approval requirements (docs/format.md): read by `normalizeApprovalRequirements`.
    approval_requirements: z.array(z.unknown()).min(1).max(limits.maxCapabilities).optional(),
  });
}

type ClaimsSchema = ReturnType<typeof claimsSchema>;
const schemaCache = new WeakMap<Limits, ClaimsSchema>();

/** The claims schema for `limits` (built once per limits object). */
export function schemaFor(limits: Limits): ClaimsSchema {
  let schema = schemaCache.get(limits);
  if (schema === undefined) {
    schema = claimsSchema(limits);
    schemaCache.set(limits, schema);
  }
  return schema;
}

/** The claims of a Mandate block, as on the wire. */
export type BlockClaims = z.infer<ClaimsSchema>;

const CLAIM_NAMES = new Set([
  'jti',
  'iss',
  'sub',
  'iat',
  'exp',
  'nbf',
  'aud',
  'del_depth',
  'del_max_depth',
  'par_hash',
  'cnf',
  'authorization_details',
  'purpose',
  'approval_requirements',
]);

function isStr(value: unknown, max: number): boolean {
  return typeof value === 'string' && value.length >= 1 && value.length <= max;
}

function isInt(value: unknown, max: number): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max;
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A quick test that parsed JSON claims pass the claims schema, for the common case: true
 * only when every rule of `claimsSchema` visibly holds (a test checks that the schema
 * accepts whatever this accepts). Anything else, including anything unusual, is left to
 * the schema, whose verdict and message stand: the pair accepts and rejects exactly what
 * the schema alone does, without zod's cost on every well-formed block.
 */
export function claimsPlainlyValid(
  payload: Readonly<Record<string, unknown>>,
  limits: Limits,
): boolean {
  const max = limits.maxStringLength;
  // Own members by `for…in` (no array of keys per block); an inherited one only sends the
  // claims to the schema.
  for (const key in payload) if (!CLAIM_NAMES.has(key)) return false;
  const { aud, cnf, authorization_details: details } = payload;
  if (
    !isStr(payload['jti'], max) ||
    !isStr(payload['iss'], max) ||
    !isStr(payload['sub'], max) ||
    !isInt(payload['iat'], Number.MAX_SAFE_INTEGER) ||
    !isInt(payload['exp'], Number.MAX_SAFE_INTEGER) ||
    (Object.hasOwn(payload, 'nbf') && !isInt(payload['nbf'], Number.MAX_SAFE_INTEGER)) ||
    !isInt(payload['del_depth'], MAX_DEPTH) ||
    !isInt(payload['del_max_depth'], MAX_DEPTH)
  ) {
    return false;
  }
  if (Object.hasOwn(payload, 'aud') && !isStr(aud, max)) {
    if (!Array.isArray(aud) || aud.length < 1 || aud.length > limits.maxCapabilities) return false;
    for (const entry of aud as unknown[]) if (!isStr(entry, max)) return false;
  }
  if (Object.hasOwn(payload, 'par_hash')) {
    const parHash = payload['par_hash'];
    if (typeof parHash !== 'string' || !B64U43.test(parHash)) return false;
  }
  if (Object.hasOwn(payload, 'purpose')) {
    const purpose = payload['purpose'];
    if (typeof purpose !== 'string' || purpose.length > max) return false;
  }
  if (!isRecord(cnf) || !Object.hasOwn(cnf, 'jwk')) return false;
  for (const key of Object.keys(cnf)) {
    if (key === 'jwk') continue;
    const x5t = cnf[key];
    if (key !== 'x5t#S256' || typeof x5t !== 'string' || !B64U43.test(x5t)) return false;
  }
  if (Object.hasOwn(payload, 'approval_requirements')) {
    const requirements = payload['approval_requirements'];
    if (
      !Array.isArray(requirements) ||
      requirements.length < 1 ||
      requirements.length > limits.maxCapabilities
    )
      return false;
  }
  if (!Array.isArray(details) || details.length > limits.maxCapabilities) return false;
  for (const entry of details as unknown[]) {
    if (!isRecord(entry) || entry['type'] !== CAPABILITY_DETAIL_TYPE) return false;
  }
  return true;
}

/** A block decoded and shape-checked; nothing about it is verified yet. */
export interface DecodedBlock extends BlockView {
  readonly kind: 'root' | 'delegation';
  readonly alg: SigningAlg;
  readonly kid?: string;
  readonly parHash?: string;
  readonly holderKey: PublicJwk;
  /** RFC 8705 `cnf.x5t#S256`: the holder's client certificate, when bound to one. */
  readonly holderX5t?: string;
  readonly signingInput: string;
  readonly signature: Buffer;
}

/**
 * Normalised capabilities by the limits they were checked under and the exact JSON of their
 * entries (kept once those recur). Normalising is a pure function of those two, and the same capability sets recur
 * on every request (a delegation per call, the same grants): reusing the frozen result also
 * reuses its prepared form in the algebra. The limits are part of the key, so a verifier
 * with stricter limits never reuses a result another verifier's looser limits accepted.
 */
const capabilityCaches = new BoundedMap<string, RecurringCache<Capability[]>>(4);

/**
 * The capability cache for these limits' values. One per limits (a process rarely has more
 * than one or two): the key within is the entries' JSON alone, not a concatenation that would
 * be copied and hashed in full, limits and all, for every block.
 */
function capabilityCacheFor(limits: Limits): RecurringCache<Capability[]> {
  const key = limitsKey(limits);
  let cache = capabilityCaches.get(key);
  if (cache === undefined) {
    // Kept once they recur (a never-seen token's entries, read before any signature, are not),
    // fingerprinted by their end: every entry list starts alike, `[{"type":"mandate",`.
    cache = new RecurringCache(1024, 'end');
    capabilityCaches.set(key, cache);
  }
  return cache;
}

function normalizedDetails(
  details: readonly Readonly<Record<string, unknown>>[],
  limits: Limits,
): Capability[] {
  const capabilityCache = capabilityCacheFor(limits);
  const key = JSON.stringify(details);
  let capabilities = capabilityCache.get(key);
  if (capabilities === undefined) {
    capabilities = normalizeCapabilities(
      details.map((entry) =>
        Object.fromEntries(Object.entries(entry).filter(([member]) => member !== 'type')),
      ) as never,
      { limits },
    );
    if (capabilityCache.metBefore(key)) capabilityCache.set(key, capabilities);
  }
  return capabilities;
}

/** The `typ` a block at this position must carry. */
export function typFor(hop: number): string {
  return hop === 0 ? TYP.root : TYP.delegation;
}

/**
 * Check a parsed JWS against the block schema and decode it (DESIGN.md rule 1).
 * `typ` must match the block's position: a root cannot be presented as a delegation.
 */
export function decodeBlock(jws: ParsedJws, hop: number, limits: Limits): DecodedBlock {
  const label = `block ${hop}`;
  const expectedTyp = typFor(hop);
  if (jws.header.typ !== expectedTyp) {
    malformed(`${label}: typ must be ${expectedTyp}`, { path: `${label}.header.typ`, hop });
  }
  if (jws.header.alg !== 'Ed25519' && jws.header.alg !== 'ES256') {
    // Allow-listed before any crypto: `none`, HMAC and `EdDSA` never reach a key.
    malformed(`${label}: alg must be Ed25519 or ES256`, { path: `${label}.header.alg`, hop });
  }
  const kid = jws.header.kid;
  if (kid !== undefined && (typeof kid !== 'string' || kid.length > 256 || hop !== 0)) {
    malformed(`${label}: kid is only allowed on the root, as a short string`, {
      path: `${label}.header.kid`,
      hop,
    });
  }
  let claims: BlockClaims;
  if (claimsPlainlyValid(jws.payload, limits)) {
    // The schema would accept it and return the same values (its copy adds nothing read here).
    claims = jws.payload as BlockClaims;
  } else {
    // A string or list past a configured limit is that limit's denial, as in every encoding.
    claims = parseWith(schemaFor(limits), jws.payload, label, { hop, limits: true });
  }
  // Names a human reads (who, by whom, for whom) get the same look-alike rules as
  // resource names: no bidi, zero-width, control characters or lone surrogates; NFC.
  const max = limits.maxStringLength;
  safeText(claims.jti, `${label}.jti`, max, hop);
  safeText(claims.iss, `${label}.iss`, max, hop);
  safeText(claims.sub, `${label}.sub`, max, hop);
  if (typeof claims.aud === 'string') safeText(claims.aud, `${label}.aud.0`, max, hop);
  else if (claims.aud !== undefined) {
    for (const [i, aud] of claims.aud.entries()) safeText(aud, `${label}.aud.${i}`, max, hop);
  }
  if (claims.purpose !== undefined) safeText(claims.purpose, `${label}.purpose`, max, hop);
  const holderKey = parsePublicJwk(claims.cnf.jwk, 'limits', hop, `${label}.cnf.jwk`);
  if (holderKey.kty === 'EC') {
    // An EC point off the curve only shows when imported: find it here (rule 1), not at
    // the hop that would later need the key.
    try {
      importPublicJwk(holderKey);
    } catch {
      malformed(`${label}: cnf.jwk is not a valid P-256 public key`, {
        path: `${label}.cnf.jwk`,
        hop,
      });
    }
  }
  let capabilities: Capability[];
  try {
    // Read the entries as parsed, not zod's copies: zod rebuilds objects by assignment, so a
    // member named `__proto__` would become a prototype and vanish instead of being refused.
    const details = jws.payload['authorization_details'] as readonly Readonly<
      Record<string, unknown>
    >[];
    capabilities = normalizedDetails(details, limits);
  } catch (error) {
    rethrowAtBlock(error, label, hop);
  }
  let approvals: ApprovalRequirement[] | undefined;
  if (Object.hasOwn(jws.payload, 'approval_requirements')) {
    try {
      approvals = normalizeApprovalRequirements(jws.payload['approval_requirements'] as never, {
        limits,
        path: `${label}.approval_requirements`,
      });
    } catch (error) {
      rethrowAtBlock(error, label, hop);
    }
  }
  if (hop === 0 && claims.par_hash !== undefined) {
    malformed(`${label}: a root block carries no par_hash`, { path: `${label}.par_hash`, hop });
  }
  if (hop > 0 && claims.par_hash === undefined) {
    malformed(`${label}: a delegation block needs par_hash`, { path: `${label}.par_hash`, hop });
  }
  if (claims.del_depth > claims.del_max_depth) {
    malformed(`${label}: del_depth exceeds del_max_depth`, { path: `${label}.del_depth`, hop });
  }
  const audience =
    claims.aud === undefined
      ? undefined
      : typeof claims.aud === 'string'
        ? [claims.aud]
        : claims.aud;
  // Written member by member, optional ones only when present, in the order readers see
  // (the inspector prints blocks as JSON): a spread per optional member costs an object each.
  const block: Writable<DecodedBlock> = {
    kind: hop === 0 ? 'root' : 'delegation',
    alg: jws.header.alg,
  } as Writable<DecodedBlock>;
  if (typeof kid === 'string') block.kid = kid;
  if (claims.par_hash !== undefined) block.parHash = claims.par_hash;
  block.id = claims.jti;
  block.issuer = claims.iss;
  block.holder = thumbprintUriSync(holderKey);
  block.holderJwk = { ...holderKey };
  block.holderKey = holderKey;
  const x5t = claims.cnf['x5t#S256'];
  if (x5t !== undefined) block.holderX5t = x5t;
  block.subject = claims.sub;
  block.capabilities = capabilities;
  if (approvals !== undefined) block.approvals = approvals;
  block.issuedAt = claims.iat;
  block.expiresAt = claims.exp;
  if (claims.nbf !== undefined) block.notBefore = claims.nbf;
  if (audience !== undefined) block.audience = audience;
  block.depth = claims.del_depth;
  block.maxDepth = claims.del_max_depth;
  if (claims.purpose !== undefined) block.purpose = claims.purpose;
  block.signingInput = jws.signingInput;
  block.signature = jws.signature;
  return block;
}

/** A decoded block while it is being written. */
type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** A name a human reads passes `assertSafeText`, or the block is malformed (rule 1). */
function safeText(value: unknown, path: string, max: number, hop: number): void {
  try {
    assertSafeText(value, path, max);
  } catch (error) {
    if (!isMandateError(error)) throw error;
    throw new MandateError('MANDATE_MALFORMED', error.message, {
      check: 'limits',
      hop,
      detail: error.detail,
    });
  }
}

/** Build the claims of a block from its view (the inverse of `decodeBlock`). */
export function encodeClaims(
  block: Omit<BlockView, 'holder'> & { parHash?: string; holderX5t?: string },
): BlockClaims {
  const aud = block.audience;
  return {
    jti: block.id,
    iss: block.issuer,
    sub: block.subject,
    iat: block.issuedAt,
    exp: block.expiresAt,
    ...(block.notBefore === undefined ? {} : { nbf: block.notBefore }),
    ...(aud === undefined
      ? {}
      : { aud: aud.length === 1 && aud[0] !== undefined ? aud[0] : [...aud] }),
    del_depth: block.depth,
    del_max_depth: block.maxDepth,
    ...(block.parHash === undefined ? {} : { par_hash: block.parHash }),
    cnf: {
      jwk: block.holderJwk,
      ...(block.holderX5t === undefined ? {} : { 'x5t#S256': block.holderX5t }),
    },
    authorization_details: block.capabilities.map((capability) => ({
      type: CAPABILITY_DETAIL_TYPE,
      ...capability,
    })),
    ...(block.purpose === undefined ? {} : { purpose: block.purpose }),
    ...(block.approvals === undefined || block.approvals.length === 0
      ? {}
      : { approval_requirements: [...block.approvals] }),
  };
}

/** Whether a header `alg` names the algorithm of the key that must have signed. */
export function isAlgFor(alg: string, expected: SigningAlg): boolean {
  return alg === expected;
}
