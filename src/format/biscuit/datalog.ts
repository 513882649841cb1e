/**
 * The Mandate ↔ Biscuit Datalog mapping (docs/format.md, "Biscuit encoding"): which facts and checks
 * a block carries, how they are written (always through parameters, never by pasting data into
 * Datalog text), and how the facts are read back from a block's protobuf bytes without biscuit-wasm.
 *
 * @module
 */
import { z } from 'zod';

import { normalizeCapabilities } from '../../core/capability.js';
import { MandateError, isMandateError, rethrowAtBlock } from '../../core/errors.js';
import { parseJsonObject } from '../../core/json-text.js';
import type { Limits } from '../../core/limits.js';
import { assertSafeText, parseResourcePattern } from '../../core/names.js';
import type { Capability } from '../../core/types.js';
import type { PlannedBlock } from '../plan.js';
import {
  allBytesOf,
  bytesOf,
  ProtobufError,
  readFields,
  readMessage,
  varintOf,
  type MessageSchema,
} from './protobuf.js';
import { fromJwk, type BiscuitAlgorithm } from './token.js';
import type { BiscuitTerm } from './wasm.js';
import { APPROVAL_FACT, approvalCode, readApprovals } from './approvals.js';
import type { ApprovalRequirement } from '../../core/approval-requirement.js';

/** Mandate's version of this mapping, carried by every block as `mandate({version})`. */
export const MAPPING_VERSION = 1;

/** Biscuit's default symbol table (specification, "Symbols"): ids 0..27; block symbols start at 1024. */
const DEFAULT_SYMBOLS = [
  'read', 'write', 'resource', 'operation', 'right', 'time', 'role', 'owner', 'tenant', 'namespace',
  'user', 'team', 'service', 'admin', 'email', 'group', 'member', 'ip_address', 'client', 'client_ip',
  'domain', 'path', 'version', 'cluster', 'node', 'hostname', 'nonce', 'query',
] as const; // prettier-ignore
const FIRST_BLOCK_SYMBOL = 1024;

/** Latest date Biscuit's RFC 3339 parameters can carry with a four-digit year (9999-12-31T23:59:59Z). */
const MAX_DATE = 253_402_300_799;

// ---------------------------------------------------------------------------------------------
// Writing a block
// ---------------------------------------------------------------------------------------------

/** Datalog source plus its parameters, ready for `addCodeWithParameters`. */
export interface BlockCode {
  readonly source: string;
  readonly parameters: Readonly<Record<string, BiscuitTerm>>;
}

/**
 * The Datalog body that holds when the requested resource matches `pattern` (DESIGN.md section 5:
 * `*` one segment, a trailing `**` zero or more; `s:**` needs at least one segment), over the
 * request facts `resource_scheme(s)`, `resource_segment(i, seg)` and `resource_length(n)` that the
 * authorizer supplies. No regular expressions: biscuit-wasm 0.6.0 leaks about 256 KiB of wasm memory
 * and spends ~1.5 ms per `.matches()` evaluation. Segment indexes are our own integers; every name
 * is a parameter, registered in `p` under `prefix`.
 */
export function resourceBody(pattern: string, prefix: string, p: Record<string, BiscuitTerm>) {
  const parsed = parseResourcePattern(pattern, 'capability.resource');
  p[`${prefix}s`] = parsed.scheme;
  const parts = [`resource_scheme({${prefix}s})`];
  parsed.segments.forEach((seg, i) => {
    if (seg === '*') return;
    p[`${prefix}g${i}`] = seg;
    parts.push(`resource_segment(${i}, {${prefix}g${i}})`);
  });
  const n = parsed.segments.length;
  parts.push(
    parsed.rest ? `resource_length($n), $n >= ${Math.max(1, n)}` : `resource_length(${n})`,
  );
  return parts.join(', ');
}

function date(seconds: number, label: string): { date: string } {
  if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds > MAX_DATE) {
    throw new RangeError(`${label} must be whole seconds between 1970 and 9999`);
  }
  return { date: new Date(seconds * 1000).toISOString().replace('.000Z', 'Z') };
}

function hex(bytes: Uint8Array): { bytes: string } {
  return { bytes: Buffer.from(bytes).toString('hex') };
}

/**
 * The Datalog of one block. Facts state the block (what Mandate decodes); checks restate its
 * caveats for any Biscuit authorizer (what a Rust or Go verifier can enforce natively). Every value is
 * a parameter: user data never becomes Datalog text.
 *
 * @param rootAlg the root signer's algorithm (authority block only).
 */
export function blockCode(plan: PlannedBlock, rootAlg?: 'Ed25519' | 'ES256'): BlockCode {
  const p: Record<string, BiscuitTerm> = {};
  const lines: string[] = [];
  const holder = fromJwk(plan.holderJwk);
  p['version'] = MAPPING_VERSION;
  p['id'] = plan.id;
  p['issuer'] = plan.issuer;
  p['subject'] = plan.subject;
  p['holder_alg'] = holder.algorithm === 0 ? 'ed25519' : 'secp256r1';
  p['holder_key'] = hex(holder.key);
  p['iat'] = date(plan.issuedAt, 'issuedAt');
  p['exp'] = date(plan.expiresAt, 'expiresAt');
  p['depth'] = plan.depth;
  p['max_depth'] = plan.maxDepth;
  lines.push(
    'mandate({version});',
    'block_id({id});',
    'issuer({issuer});',
    'subject({subject});',
    'holder({holder_alg}, {holder_key});',
    'issued_at({iat});',
    'expires_at({exp});',
    'depth({depth}, {max_depth});',
  );
  if (rootAlg !== undefined) {
    p['root_alg'] = rootAlg;
    lines.push('root_alg({root_alg});');
  }
  if (plan.notBefore !== undefined) {
    p['nbf'] = date(plan.notBefore, 'notBefore');
    lines.push('not_before({nbf});');
  }
  plan.audience?.forEach((aud, i) => {
    p[`aud${i}`] = aud;
    lines.push(`audience({aud${i}});`);
  });
  if (plan.purpose !== undefined) {
    p['purpose'] = plan.purpose;
    lines.push('purpose({purpose});');
  }
  approvalCode(plan.approvals, p, lines);
  const capabilities = normalizeCapabilities(plan.capabilities);
  capabilities.forEach((cap, i) => {
    p[`cap${i}`] = JSON.stringify(cap);
    lines.push(`capability({cap${i}});`);
  });
  // Checks, over the request facts a Biscuit authorizer supplies (docs/format.md): time(),
  // service(), operation(), resource_scheme(), resource_segment() and resource_length().
  lines.push('check if time($t), $t < {exp};');
  if (plan.notBefore !== undefined) lines.push('check if time($t), $t >= {nbf};');
  if (plan.audience !== undefined) {
    p['audiences'] = { set: [...plan.audience] };
    lines.push('check if service($s), {audiences}.contains($s);');
  }
  const rights = capabilities.map((cap, i) => {
    p[`ops${i}`] = { set: [...cap.actions] };
    return `operation($op), {ops${i}}.contains($op), ${resourceBody(cap.resource, `r${i}`, p)}`;
  });
  lines.push(rights.length === 0 ? 'check if false;' : `check if ${rights.join(' or ')};`);
  return { source: lines.join('\n'), parameters: p };
}

// ---------------------------------------------------------------------------------------------
// Reading a block's facts (no wasm, no verification)
// ---------------------------------------------------------------------------------------------

/** A fact's term, as Mandate reads it. Other term kinds make the block malformed. */
export type FactTerm =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'integer'; readonly value: bigint }
  | { readonly kind: 'date'; readonly value: bigint }
  | { readonly kind: 'bytes'; readonly value: Uint8Array };

/** A fact as read from a block. */
export interface BlockFact {
  readonly name: string;
  readonly terms: readonly FactTerm[];
}

const BLOCK: MessageSchema = {
  1: { wire: 2, repeated: true }, // symbols
  2: { wire: 2 }, // context
  3: { wire: 0 }, // version
  4: { wire: 2, repeated: true }, // facts_v2
  5: { wire: 2, repeated: true }, // rules_v2
  6: { wire: 2, repeated: true }, // checks_v2
  7: { wire: 2, repeated: true }, // scope
  8: { wire: 2, repeated: true }, // publicKeys
};
const FACT: MessageSchema = { 1: { wire: 2, required: true } };
const PREDICATE: MessageSchema = { 1: { wire: 0, required: true }, 2: { wire: 2, repeated: true } };

/** Most facts a Mandate block may hold (its fixed facts, audiences and capabilities). */
function maxFacts(limits: Limits): number {
  // Audiences and capabilities, and approval requirements: each at most maxCapabilities.
  return 16 + 3 * limits.maxCapabilities;
}

/**
 * Reads the facts of a serialized `Block`. The symbol table is Biscuit's default table plus the
 * block's own symbols from 1024 — true of the authority block and of every third-party block, the
 * only kinds Mandate accepts. Rules, scopes and public-key tables are refused (Mandate writes none;
 * a block carrying them is not a Mandate block); checks are left to the authorizer.
 */
export function readBlockFacts(block: Uint8Array, hop: number, limits: Limits): BlockFact[] {
  const label = `block ${hop}`;
  try {
    const fields = readMessage(block, BLOCK, 'the Datalog block');
    for (const [field, what] of [
      [5, 'rules'],
      [7, 'scope'],
      [8, 'public keys'],
    ] as const) {
      if (fields.has(field))
        throw new ProtobufError(`it carries ${what}, which a Mandate block never has`);
    }
    const symbols = allBytesOf(fields, 1).map((b) => decodeUtf8(b));
    const symbol = (id: bigint): string => {
      const index = Number(id);
      const value =
        id < BigInt(FIRST_BLOCK_SYMBOL)
          ? DEFAULT_SYMBOLS[index]
          : symbols[index - FIRST_BLOCK_SYMBOL];
      if (value === undefined) throw new ProtobufError(`unknown symbol ${id}`);
      return value;
    };
    const facts = allBytesOf(fields, 4);
    if (facts.length > maxFacts(limits)) {
      throw new MandateError('MANDATE_LIMIT_EXCEEDED', `${label}: too many facts`, {
        check: 'limits',
        hop,
        detail: { limit: maxFacts(limits), facts: facts.length },
      });
    }
    void varintOf(fields, 3);
    return facts.map((factBytes) => {
      const predicate = bytesOf(readMessage(factBytes, FACT, 'fact'), 1) ?? new Uint8Array();
      const pred = readMessage(predicate, PREDICATE, 'predicate');
      const name = symbol(varintOf(pred, 1) ?? 0n);
      const terms = allBytesOf(pred, 2).map((t) => readTerm(t, symbol));
      return { name, terms };
    });
  } catch (error) {
    if (error instanceof ProtobufError) {
      // The signature is checked later (rule 2): a changed byte usually shows up here first.
      const message =
        `${label} is not a Mandate block as written (${error.message}): ` +
        'the token was changed or cut, or is not a Mandate Biscuit';
      throw new MandateError('MANDATE_MALFORMED', message, {
        check: 'limits',
        hop,
        detail: { path: `${label}.block` },
      });
    }
    throw error;
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new ProtobufError('a symbol is not UTF-8');
  }
}

function readTerm(bytes: Uint8Array, symbol: (id: bigint) => string): FactTerm {
  const [only, ...more] = readFields(bytes);
  if (only === undefined || more.length > 0) throw new ProtobufError('a term must have one value');
  if (only.wire === 0 && only.field === 2) {
    // int64 as a plain varint: two's complement.
    const v = only.value >= 1n << 63n ? only.value - (1n << 64n) : only.value;
    return { kind: 'integer', value: v };
  }
  if (only.wire === 0 && only.field === 3) return { kind: 'string', value: symbol(only.value) };
  if (only.wire === 0 && only.field === 4) return { kind: 'date', value: only.value };
  if (only.wire === 2 && only.field === 5) return { kind: 'bytes', value: only.bytes };
  throw new ProtobufError(`a fact term of kind ${only.field} is not part of the Mandate mapping`);
}

// ---------------------------------------------------------------------------------------------
// Facts → block view
// ---------------------------------------------------------------------------------------------

/** The block fields the facts state, before holder-key validation. */
export interface FactView {
  readonly version: number;
  readonly id: string;
  readonly issuer: string;
  readonly subject: string;
  readonly holder: { readonly algorithm: BiscuitAlgorithm; readonly key: Uint8Array };
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly notBefore?: number;
  readonly audience?: readonly string[];
  readonly depth: number;
  readonly maxDepth: number;
  readonly purpose?: string;
  readonly rootAlg?: 'Ed25519' | 'ES256';
  readonly capabilities: readonly Capability[];
  readonly approvals?: readonly ApprovalRequirement[];
}

const seconds = z
  .bigint()
  .min(0n)
  .max(BigInt(MAX_DATE))
  .transform((v) => Number(v));
const smallInt = z
  .bigint()
  .min(0n)
  .max(64n)
  .transform((v) => Number(v));

/** What each predicate's terms must be, and how often it may occur in one block. */
const PREDICATES = {
  mandate: { terms: ['integer'], min: 1, max: 1 },
  block_id: { terms: ['string'], min: 1, max: 1 },
  issuer: { terms: ['string'], min: 1, max: 1 },
  subject: { terms: ['string'], min: 1, max: 1 },
  holder: { terms: ['string', 'bytes'], min: 1, max: 1 },
  issued_at: { terms: ['date'], min: 1, max: 1 },
  expires_at: { terms: ['date'], min: 1, max: 1 },
  depth: { terms: ['integer', 'integer'], min: 1, max: 1 },
  root_alg: { terms: ['string'], min: 0, max: 1 },
  not_before: { terms: ['date'], min: 0, max: 1 },
  audience: { terms: ['string'], min: 0, max: Infinity },
  purpose: { terms: ['string'], min: 0, max: 1 },
  capability: { terms: ['string'], min: 0, max: Infinity },
  [APPROVAL_FACT]: { terms: ['string'], min: 0, max: Infinity },
} as const satisfies Record<
  string,
  { terms: readonly FactTerm['kind'][]; min: number; max: number }
>;

type Predicate = keyof typeof PREDICATES;

function isPredicate(name: string): name is Predicate {
  return Object.hasOwn(PREDICATES, name);
}

/**
 * Turns a block's facts into its view, validating every value (zod for numbers, the look-alike
 * rules for text, the capability algebra's normal form for capabilities). Throws
 * `MANDATE_MALFORMED` / `MANDATE_LIMIT_EXCEEDED` naming the hop and the fact.
 */
export function viewOfFacts(facts: readonly BlockFact[], hop: number, limits: Limits): FactView {
  const label = `block ${hop}`;
  const fail = (path: string, message: string): never => {
    throw new MandateError('MANDATE_MALFORMED', `${label}: ${path} ${message}`, {
      check: 'limits',
      hop,
      detail: { path: `${label}.${path}` },
    });
  };
  const byName = new Map<Predicate, (readonly FactTerm[])[]>();
  for (const fact of facts) {
    if (!isPredicate(fact.name)) fail(fact.name, 'is not a Mandate fact');
    const name = fact.name as Predicate;
    const spec = PREDICATES[name];
    const kinds = fact.terms.map((t) => t.kind);
    if (kinds.length !== spec.terms.length || kinds.some((k, i) => k !== spec.terms[i])) {
      fail(name, `must have terms (${spec.terms.join(', ')})`);
    }
    const list = byName.get(name) ?? [];
    list.push(fact.terms);
    byName.set(name, list);
  }
  for (const [name, spec] of Object.entries(PREDICATES) as [
    Predicate,
    (typeof PREDICATES)[Predicate],
  ][]) {
    const n = byName.get(name)?.length ?? 0;
    if (n < spec.min) fail(name, 'is missing');
    if (n > spec.max) fail(name, 'occurs more than once');
  }
  const one = (name: Predicate, i = 0): FactTerm => {
    const term = byName.get(name)?.[0]?.[i];
    if (term === undefined) return fail(name, 'is missing');
    return term;
  };
  const text = (name: Predicate, term: FactTerm = one(name)): string => {
    if (term.kind !== 'string') return fail(name, 'must be a string');
    try {
      return assertSafeText(term.value, `${label}.${name}`, limits.maxStringLength);
    } catch (error) {
      if (!isMandateError(error)) throw error;
      throw new MandateError(error.code, error.message, {
        check: 'limits',
        hop,
        detail: error.detail,
      });
    }
  };
  const num = (name: Predicate, schema: z.ZodType<number, bigint>, i = 0): number => {
    const term = one(name, i);
    const parsed = schema.safeParse(term.value);
    if (!parsed.success || typeof term.value !== 'bigint') return fail(name, 'is out of range');
    return parsed.data;
  };
  const version = num('mandate', smallInt);
  if (version !== MAPPING_VERSION) fail('mandate', `must be ${MAPPING_VERSION}`);
  const holderAlg = text('holder');
  const holderKey = one('holder', 1);
  if (holderKey.kind !== 'bytes') return fail('holder', 'must carry key bytes');
  let algorithm: BiscuitAlgorithm;
  if (holderAlg === 'ed25519' && holderKey.value.length === 32) algorithm = 0;
  else if (holderAlg === 'secp256r1' && holderKey.value.length === 33) algorithm = 1;
  else return fail('holder', 'must be an Ed25519 or P-256 public key');
  const audience = (byName.get('audience') ?? []).map((terms) => text('audience', terms[0]));
  if (audience.length > limits.maxCapabilities) {
    throw new MandateError('MANDATE_LIMIT_EXCEEDED', `${label}: too many audiences`, {
      check: 'limits',
      hop,
      detail: { limit: limits.maxCapabilities },
    });
  }
  if (new Set(audience).size !== audience.length) fail('audience', 'repeats a value');
  let rootAlg: 'Ed25519' | 'ES256' | undefined;
  if (byName.has('root_alg')) {
    const alg = text('root_alg');
    if (alg !== 'Ed25519' && alg !== 'ES256') return fail('root_alg', 'must be Ed25519 or ES256');
    rootAlg = alg;
  }
  const rawCaps = (byName.get('capability') ?? []).map((terms) => {
    const term = terms[0];
    if (term?.kind !== 'string') return fail('capability', 'must be a string');
    if (term.value.length > limits.maxTokenBytes) fail('capability', 'is too long');
    return term.value;
  });
  if (rawCaps.length > limits.maxCapabilities) {
    throw new MandateError(
      'MANDATE_LIMIT_EXCEEDED',
      `${label}: more than ${limits.maxCapabilities} capabilities`,
      {
        check: 'limits',
        hop,
        detail: { limit: limits.maxCapabilities },
      },
    );
  }
  const capabilities = parseCapabilities(rawCaps, hop, limits);
  const rawApprovals = (byName.get(APPROVAL_FACT) ?? []).map((terms) => {
    const term = terms[0];
    if (term?.kind !== 'string') return fail(APPROVAL_FACT, 'must be a string');
    if (term.value.length > limits.maxTokenBytes) fail(APPROVAL_FACT, 'is too long');
    return term.value;
  });
  const approvals = readApprovals(rawApprovals, hop, limits);
  const depth = num('depth', smallInt, 0);
  const maxDepth = num('depth', smallInt, 1);
  if (depth > maxDepth) fail('depth', 'exceeds the maximum depth');
  return {
    version,
    id: text('block_id'),
    issuer: text('issuer'),
    subject: text('subject'),
    holder: { algorithm, key: holderKey.value },
    issuedAt: num('issued_at', seconds),
    expiresAt: num('expires_at', seconds),
    ...(byName.has('not_before') ? { notBefore: num('not_before', seconds) } : {}),
    ...(audience.length === 0 ? {} : { audience }),
    depth,
    maxDepth,
    ...(byName.has('purpose') ? { purpose: text('purpose') } : {}),
    ...(rootAlg === undefined ? {} : { rootAlg }),
    capabilities,
    ...(approvals === undefined ? {} : { approvals }),
  };
}

/** Capability JSON texts, parsed strictly and put in normal form by the algebra. */
function parseCapabilities(texts: readonly string[], hop: number, limits: Limits): Capability[] {
  const label = `block ${hop}`;
  try {
    const values = texts.map((text, i) =>
      parseJsonObject(text, `${label}.capability.${i}`, 'limits', hop),
    );
    return normalizeCapabilities(values as never, { limits });
  } catch (error) {
    rethrowAtBlock(error, label, hop);
  }
}
