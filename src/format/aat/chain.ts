/**
 * AAT chains (draft-niyikiza-oauth-attenuating-agent-tokens-02): compact JWS tokens with
 * `typ` `aat+jwt`, root first, joined by `~` exactly like Mandate's JWS chain. Decoding
 * checks shape and limits only (DESIGN.md rule 1); each failure names the draft step that
 * rejects it (`detail.step`). The verifier's rules check signatures, links and the rest.
 */
import { normalizeCapabilities } from '../../core/capability.js';
import { decodeBase64url, canonicalJson } from '../../core/encoding.js';
import { MandateError, isMandateError } from '../../core/errors.js';
import { parseJsonObject, writtenWithFraction } from '../../core/json-text.js';
import { assertBlockCount, DEFAULT_LIMITS, type Limits } from '../../core/limits.js';
import { assertSafeText } from '../../core/names.js';
import { TYP } from '../../core/typ.js';
import type { Capability, CapabilityInput, ConstraintInput } from '../../core/types.js';
import { parsePublicJwk, type PublicJwk, type SigningAlg } from '../../identity/jwk.js';
import { signBytes, type PreparedSigner } from '../../identity/keys.js';
import { thumbprintUriSync } from '../../identity/thumbprint.js';
import type { ChainBlock } from '../codec.js';
import type { PlannedBlock } from '../plan.js';
import { parentHash } from '../jws/chain.js';
import { disallowedHeaderMember, parseHeader } from '../../core/jws/compact.js';
import {
  AAT_DETAIL_TYPE,
  TOOL_ACTION,
  aatMalformed,
  capabilitiesToTools,
  findConstraintProblem,
  toolResource,
} from './claims.js';
import { AAT_APPROVALS_HEADER, approvalHeader, readApprovalHeader } from './approvals.js';

/** Separator between tokens: the same as Mandate's JWS chain. */
export const AAT_SEPARATOR = '~';

/** One AAT token decoded and shape-checked; nothing about it is verified yet. */
export interface AatBlock extends ChainBlock {
  readonly parHash?: string;
  readonly signingInput: string;
  readonly signature: Buffer;
}

const SIGNATURE_BYTES = 64;
const ALGS: readonly string[] = ['Ed25519', 'ES256'];
/** Header members an AAT block may carry besides `alg` and `typ`. */
const AAT_HEADERS: readonly string[] = ['kid', 'crit', AAT_APPROVALS_HEADER];
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeSegmentJson(
  segment: string,
  label: string,
  hop: number,
): Record<string, unknown> | string {
  // Returns the reason rather than throwing: format detection probes with it too. Numbers
  // are read as written: an inadmissible one is marked, and denied at the step that reads
  // it (3n / 4o in a constraint, 3b / 4b5 in a NumericDate; AAT section 3.4).
  try {
    const text = utf8.decode(decodeBase64url(segment, label, 'limits', hop));
    return parseJsonObject(text, label, 'limits', hop, undefined, 'mark');
  } catch (error) {
    return error instanceof Error ? error.message : `${label}: not a JSON object`;
  }
}

/**
 * Whether a token is an AAT chain: its first token's `typ` is an AAT type, or (a token
 * whose `typ` is missing or foreign) its payload carries an `attenuating_agent_token`
 * entry. Detection only picks the decoder; each decoder enforces its own `typ`, so a
 * token can never be verified under the other format's rules.
 */
export function isAatChain(token: string): boolean {
  if (typeof token !== 'string' || !token.startsWith('eyJ')) return false;
  const first = token.slice(0, Math.max(0, token.indexOf(AAT_SEPARATOR)) || token.length);
  const [h = '', p = ''] = first.split('.', 3);
  let header: Readonly<Record<string, unknown>>;
  try {
    // The header cache the JWS decoder uses: the block decode that follows finds it there.
    header = parseHeader(h, 'header', 'limits', 0);
  } catch {
    return false;
  }
  if (header['typ'] === TYP.aat || header['typ'] === TYP.aatPop) return true;
  if (header['typ'] === TYP.root || header['typ'] === TYP.delegation) return false;
  const payload = decodeSegmentJson(p, 'payload', 0);
  const details = typeof payload === 'object' ? payload['authorization_details'] : undefined;
  return (
    Array.isArray(details) &&
    details.some(
      (entry: unknown) =>
        typeof entry === 'object' &&
        entry !== null &&
        (entry as Record<string, unknown>)['type'] === AAT_DETAIL_TYPE,
    )
  );
}

interface Split {
  readonly header: string;
  readonly payload: string;
  readonly signature: string;
  readonly claims: Record<string, unknown>;
}

/** Step 2c: split every token and extract its `jti`; a repeated `jti` is a cycle. */
function splitAll(pieces: readonly string[], limits: Limits): Split[] {
  const ids = new Set<string>();
  return pieces.map((piece, hop) => splitToken(piece, hop, ids, limits));
}

/** Step 2c for one token: split it and read its `jti`, which must not be in `ids` (then added). */
function splitToken(piece: string, hop: number, ids: Set<string>, limits: Limits): Split {
  const parts = piece.split('.');
  const [header = '', payload = '', signature = ''] = parts;
  const label = `block ${hop}`;
  if (parts.length !== 3 || header === '' || payload === '') {
    aatMalformed(`${label}: must be a compact JWS`, hop, '2c', label);
  }
  const claims = decodeSegmentJson(payload, `${label}.payload`, hop);
  if (typeof claims === 'string') aatMalformed(claims, hop, '2c', `${label}.payload`);
  const jti = claims['jti'];
  if (typeof jti !== 'string' || jti.length === 0) {
    aatMalformed(`${label}: no jti could be read`, hop, '2c', `${label}.jti`);
  }
  if (jti.length > limits.maxStringLength) {
    aatMalformed(`${label}: jti is too long`, hop, '2c', `${label}.jti`, 'MANDATE_LIMIT_EXCEEDED');
  }
  if (ids.has(jti)) {
    aatMalformed(`${label}: jti repeats an earlier token`, hop, '2c', `${label}.jti`);
  }
  ids.add(jti);
  return { header, payload, signature, claims };
}

const isUint = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isNumericDate = (value: unknown): value is number =>
  typeof value === 'number' &&
  Number.isFinite(value) &&
  value >= 0 &&
  value <= Number.MAX_SAFE_INTEGER;

/** Decode one token (steps 3a-3n for the root, 4a-4o for a derived token). */
function decodeToken(split: Split, hop: number, isLeaf: boolean, limits: Limits): AatBlock {
  const root = hop === 0;
  const label = `block ${hop}`;
  const step = (rootStep: string, childStep: string): string => (root ? rootStep : childStep);
  const bad: (message: string, s: string, path: string) => never = (message, s, path) =>
    aatMalformed(`${label}: ${message}`, hop, s, `${label}.${path}`);

  // 3a / 4a: explicit typing and the algorithm allow-list, before anything else. The header
  // comes from the parse cache `isAatChain` already filled (a header is a pure function of its text).
  let header: Readonly<Record<string, unknown>>;
  try {
    header = parseHeader(split.header, label, 'limits', hop);
  } catch (error) {
    return aatMalformed(
      error instanceof Error ? error.message : `${label}.header: not a JSON object`,
      hop,
      step('3a', '4a'),
      `${label}.header`,
    );
  }
  const { alg, typ, kid } = header;
  if (typeof alg !== 'string' || !ALGS.includes(alg)) {
    // `none`, `EdDSA` (polymorphic, RFC 9864) and HMAC never reach a key.
    bad('alg must be Ed25519 or ES256', step('3a', '4a'), 'header.alg');
  }
  if (typ !== TYP.aat) bad(`typ must be ${TYP.aat}`, step('3a', '4a'), 'header.typ');
  // The allow-list: `alg`, `typ`, `kid`, and `crit` only for Mandate's one critical extension
  // (`mandate_approvals`, checked below; any other critical member is refused, RFC 7515
  // §4.1.11). `jku`, `x5u`, `jwk`, `x5c`, `b64`, `zip` and the rest never reach key selection
  // or the payload's reading.
  const refused = disallowedHeaderMember(header, AAT_HEADERS);
  if (refused !== undefined) {
    bad(`header member "${refused}" is not allowed`, step('3a', '4a'), `header.${refused}`);
  }
  if (kid !== undefined && (typeof kid !== 'string' || kid.length > 256)) {
    bad('kid must be a short string', step('3a', '4a'), 'header.kid');
  }
  // Mandate's one critical extension: approval requirements (approvals.ts).
  const approvals = readApprovalHeader(header, hop, limits);
  let signature: Buffer;
  try {
    signature = decodeBase64url(split.signature, `${label}.signature`, 'limits', hop);
  } catch {
    return bad('signature is not base64url', step('3b', '4b'), 'signature');
  }
  if (signature.length !== SIGNATURE_BYTES) {
    bad('signature has the wrong length', step('3b', '4b'), 'signature');
  }

  const c = split.claims;
  // Section 3.2: NumericDates and the depth claims are JSON numbers with no fraction or
  // exponent part (`1.7e9` and `0.0` are not), read from the text as written.
  const integral = (name: string): boolean => !writtenWithFraction(c, name);
  if (
    !isNumericDate(c['iat']) ||
    !isNumericDate(c['exp']) ||
    !integral('iat') ||
    !integral('exp')
  ) {
    bad('iat and exp must be NumericDate values', step('3b', '4b5'), 'iat');
  }
  const iat = c['iat'];
  const exp = c['exp'];
  const jti = c['jti'] as string;
  const safe = (value: unknown, s: string, path: string): string => {
    try {
      return assertSafeText(value, `${label}.${path}`, limits.maxStringLength);
    } catch (error) {
      if (!isMandateError(error)) throw error;
      return aatMalformed(error.message, hop, s, `${label}.${path}`, error.code as never);
    }
  };
  safe(jti, step('3j', '4b1'), 'jti');
  const depth = c['del_depth'];
  const maxDepth = c['del_max_depth'];
  if (!isUint(depth) || !integral('del_depth'))
    bad('del_depth must be a non-negative integer', step('3c', '4b4'), 'del_depth');
  if (!isUint(maxDepth) || !integral('del_max_depth')) {
    bad('del_max_depth must be a non-negative integer', step('3i', '4b4'), 'del_max_depth');
  }
  const iss = c['iss'];
  if (typeof iss !== 'string') bad('iss must be a string', step('3k', '4b5'), 'iss');
  safe(iss, step('3k', '4b5'), 'iss');
  if (root && !/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(iss)) {
    bad('iss must be a URI', '3k', 'iss');
  }
  const parHash = c['par_hash'];
  if (root && parHash !== undefined) bad('a root token carries no par_hash', '3d', 'par_hash');
  if (!root && typeof parHash !== 'string') bad('par_hash is required', '4b5', 'par_hash');

  // 3l / 4b2: the holder's public key, never private material.
  const cnf = c['cnf'];
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) {
    bad('cnf must be an object', step('3l', '4b2'), 'cnf');
  }
  for (const member of Object.keys(cnf)) {
    // Another confirmation method would be a binding this verifier does not enforce.
    if (member !== 'jwk')
      bad(`cnf.${member.slice(0, 32)} is not supported`, step('3l', '4b2'), 'cnf');
  }
  let holderKey: PublicJwk;
  try {
    holderKey = parsePublicJwk(
      (cnf as Record<string, unknown>)['jwk'],
      'limits',
      hop,
      `${label}.cnf.jwk`,
    );
  } catch (error) {
    const reported = isMandateError(error) ? error.detail['path'] : undefined;
    const path = typeof reported === 'string' ? reported : `${label}.cnf.jwk`;
    return aatMalformed(
      error instanceof Error ? error.message : 'cnf.jwk is invalid',
      hop,
      step('3l', '4b2'),
      path,
    );
  }

  // Audience: a string or a non-empty array of strings.
  const aud = c['aud'];
  let audience: string[] | undefined;
  if (aud !== undefined) {
    const list = typeof aud === 'string' ? [aud] : aud;
    if (!Array.isArray(list) || list.length === 0 || list.length > limits.maxCapabilities) {
      bad('aud must be a string or a non-empty array of strings', '6c', 'aud');
    }
    audience = list.map((entry, i) => safe(entry, '6c', `aud.${i}`));
  }

  // 3m / 4b3, 4n: the capability entry (entries of other types are ignored).
  const details = c['authorization_details'];
  if (!Array.isArray(details)) {
    bad('authorization_details must be an array', step('3m', '4b3'), 'authorization_details');
  }
  if (details.length > limits.maxCapabilities) {
    aatMalformed(
      `${label}: too many authorization_details entries`,
      hop,
      step('3m', '4b3'),
      `${label}.authorization_details`,
      'MANDATE_LIMIT_EXCEEDED',
    );
  }
  const entries = details.filter(
    (entry: unknown) =>
      typeof entry === 'object' &&
      entry !== null &&
      (entry as Record<string, unknown>)['type'] === AAT_DETAIL_TYPE,
  ) as Record<string, unknown>[];
  if (entries.length > 1 || (root && entries.length === 0)) {
    bad(
      `must carry ${root ? 'exactly' : 'at most'} one ${AAT_DETAIL_TYPE} entry`,
      step('3m', '4n'),
      'authorization_details',
    );
  }
  if (isLeaf && entries.length !== 1) {
    bad(`the leaf must carry exactly one ${AAT_DETAIL_TYPE} entry`, '6a', 'authorization_details');
  }
  const entry = entries[0];
  let capabilities: Capability[] = [];
  if (entry !== undefined) {
    for (const member of Object.keys(entry)) {
      // Unknown members could be restrictions the issuer meant: fail closed.
      if (member !== 'type' && member !== 'tools') {
        bad(
          `${AAT_DETAIL_TYPE} entry: member ${member.slice(0, 32)} is not supported`,
          step('3m', '4n'),
          'authorization_details',
        );
      }
    }
    const tools = entry['tools'];
    if (typeof tools !== 'object' || tools === null || Array.isArray(tools)) {
      bad('tools must be an object', step('3m', '4n'), 'authorization_details.tools');
    }
    const names = Object.keys(tools);
    if (names.length > limits.maxCapabilities) {
      aatMalformed(
        `${label}: more than ${limits.maxCapabilities} tools`,
        hop,
        step('3m', '4n'),
        `${label}.authorization_details.tools`,
        'MANDATE_LIMIT_EXCEEDED',
      );
    }
    const inputs: CapabilityInput[] = [];
    for (const name of names) {
      const path = `authorization_details.tools.${name.slice(0, 64)}`;
      safe(name, step('3m', '4n'), path);
      const map = (tools as Record<string, unknown>)[name];
      // 3m / 4n: every tools value is a JSON object (a constraint map).
      if (typeof map !== 'object' || map === null || Array.isArray(map)) {
        bad('a tools value must be an object of argument constraints', step('3m', '4n'), path);
      }
      const problem = findConstraintProblem(
        map as Readonly<Record<string, unknown>>,
        `${label}.${path}`,
        limits,
      );
      if (problem !== undefined) {
        aatMalformed(
          `${problem.path}: ${problem.reason}`,
          hop,
          step('3n', '4o'),
          problem.path,
          problem.limit === true ? 'MANDATE_LIMIT_EXCEEDED' : 'MANDATE_MALFORMED',
        );
      }
      inputs.push({
        resource: toolResource(name),
        actions: [TOOL_ACTION],
        constraints: map as Readonly<Record<string, ConstraintInput>>,
      });
    }
    try {
      capabilities = normalizeCapabilities(inputs, { limits });
    } catch (error) {
      if (!isMandateError(error)) throw error;
      throw new MandateError(error.code, `${label}: ${error.message}`, {
        check: 'limits',
        hop,
        detail: { ...error.detail, step: step('3n', '4o') },
      });
    }
  }

  return {
    kind: root ? 'root' : 'delegation',
    alg: alg as SigningAlg,
    ...(typeof kid === 'string' ? { kid } : {}),
    ...(typeof parHash === 'string' ? { parHash } : {}),
    id: jti,
    issuer: iss,
    holder: thumbprintUriSync(holderKey),
    holderJwk: { ...holderKey },
    holderKey,
    // AAT has no `sub`: the authority is the trust anchor's own grant (docs/format.md).
    subject: '',
    capabilities,
    ...(approvals === undefined ? {} : { approvals }),
    issuedAt: iat,
    expiresAt: exp,
    ...(audience === undefined ? {} : { audience }),
    depth,
    maxDepth,
    signingInput: `${split.header}.${split.payload}`,
    signature,
  };
}

/**
 * Split and decode every token of an AAT chain. Throws `MANDATE_MALFORMED` or
 * `MANDATE_LIMIT_EXCEEDED` naming the first bad token and, in `detail.step`, the draft's
 * step. The subject of every block is the root's `iss` (the trust anchor): AAT has no `sub`.
 */
export function decodeAatChain(token: string, limits: Limits = DEFAULT_LIMITS): AatBlock[] {
  const pieces = token.split(AAT_SEPARATOR);
  assertBlockCount(pieces.length, limits, { step: '2a' });
  const splits = splitAll(pieces, limits);
  const blocks = splits.map((split, hop) =>
    decodeToken(split, hop, hop === splits.length - 1, limits),
  );
  const subject = blocks[0]?.issuer ?? '';
  return blocks.map((block) => ({ ...block, subject }));
}

/**
 * Decode `piece` as the new leaf below `parents` (decoded by {@link decodeAatChain} within the
 * same limits): the same checks a decode of the whole chain makes of it, without decoding the
 * parents again.
 */
export function decodeAatLeaf(
  piece: string,
  parents: readonly AatBlock[],
  limits: Limits,
): AatBlock {
  const hop = parents.length;
  assertBlockCount(hop + 1, limits, { step: '2a' });
  const split = splitToken(piece, hop, new Set(parents.map((parent) => parent.id)), limits);
  return { ...decodeToken(split, hop, true, limits), subject: parents[0]?.issuer ?? '' };
}

/**
 * `par_hash` / `aat_hash`: base64url SHA-256 of a token's exact JWS signing input — the same
 * commitment as the JWS chain's `par_hash`.
 */
export const aatHash: (block: Pick<AatBlock, 'signingInput'>) => string = parentHash;

/** Unpadded base64url of the RFC 8785 (JCS) form of a JSON value, as the draft asks. */
export function encodeJcsSegment(value: unknown): string {
  return Buffer.from(canonicalJson(value), 'utf8').toString('base64url');
}

/**
 * Sign a planned block as an AAT token (JCS payload, `typ` `aat+jwt`). Features AAT
 * cannot express throw TypeError: not-before, certificate binding, purpose, and
 * capabilities that are not tool calls with core constraint types (`capabilitiesToTools`).
 */
export function encodeAatBlock(
  block: PlannedBlock,
  signer: PreparedSigner,
  extra: { readonly parHash?: string; readonly kid?: string } = {},
): string {
  if (block.notBefore !== undefined) throw new TypeError('AAT tokens have no not-before');
  if (block.holderX5t !== undefined)
    throw new TypeError('AAT tokens bind a holder by cnf.jwk only');
  if (block.purpose !== undefined) throw new TypeError('AAT tokens carry no purpose');
  const header = {
    alg: signer.alg,
    typ: TYP.aat,
    ...(extra.kid === undefined ? {} : { kid: extra.kid }),
    ...approvalHeader(block.approvals),
  };
  const aud = block.audience;
  const claims = {
    jti: block.id,
    iss: block.issuer,
    iat: block.issuedAt,
    exp: block.expiresAt,
    del_depth: block.depth,
    del_max_depth: block.maxDepth,
    ...(extra.parHash === undefined ? {} : { par_hash: extra.parHash }),
    cnf: { jwk: block.holderJwk },
    ...(aud === undefined
      ? {}
      : { aud: aud.length === 1 && aud[0] !== undefined ? aud[0] : [...aud] }),
    authorization_details: [
      { type: AAT_DETAIL_TYPE, tools: capabilitiesToTools(block.capabilities) },
    ],
  };
  const signingInput = `${encodeJcsSegment(header)}.${encodeJcsSegment(claims)}`;
  return `${signingInput}.${signBytes(signer, signingInput).toString('base64url')}`;
}
