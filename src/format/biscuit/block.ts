/**
 * One Mandate block as a Biscuit Datalog `Block` (docs/format.md, "Biscuit encoding", layout 2):
 * which facts and checks it carries, written and read byte by byte in JavaScript.
 *
 * A block states only what it sets: the authority block everything; a delegation block its issue
 * time and whatever it narrows (expiry, audience, depth, capabilities) or adds (purpose). What a
 * delegation does not state it inherits from its parent. The holder is not a fact: it is the
 * `SignedBlock`'s next key (token.ts).
 *
 * The checks are a function of the facts: they restate the block's caveats in Datalog over the
 * request facts a standard Biscuit authorizer supplies (time, service, operation, resource), so
 * that any Biscuit verifier enforces them. Reading a block re-encodes what it read and requires
 * the same bytes, so a block whose checks say anything else than its facts (or whose encoding is
 * not the one canonical encoding) is malformed. That is why Mandate's own decision can be made
 * by its capability algebra alone, without running Datalog.
 *
 * @module
 */
import { normalizeCapabilities } from '../../core/capability.js';
import { isMandateError, rethrowAtBlock } from '../../core/errors.js';
import { limitExceeded, malformed as fail } from '../../core/failure.js';
import { parseJsonObject } from '../../core/json-text.js';
import { BoundedMap } from '../../core/bounded-map.js';
import { limitsKey, type Limits } from '../../core/limits.js';
import { assertSafeText, parseResourcePattern } from '../../core/names.js';
import type { Capability } from '../../core/types.js';
import type { ApprovalRequirement } from '../../core/approval-requirement.js';
import {
  APPROVAL_FACT,
  ENFORCES_APPROVALS,
  ENFORCES_PREDICATE,
  approvalTexts,
  readApprovals,
} from './approvals.js';
import {
  allBytesOf,
  bytesOf,
  concatBytes,
  NotCanonical,
  ProtobufError,
  ProtoMatcher,
  ProtoWriter,
  type ProtoSink,
  readFields,
  readMessage,
  varintOf,
  type MessageSchema,
} from './protobuf.js';
import type { SymbolTable } from './symbols.js';
import { SymbolWriter } from './symbols.js';

/** Mandate's Biscuit layout version, carried by the authority block as `mandate(2)`. */
export const LAYOUT_VERSION = 2;

/** The Datalog version the blocks declare (`Block.version`): v3.0 features only. */
export const DATALOG_VERSION = 3;

/** Latest date Biscuit's RFC 3339 form can carry with a four-digit year (9999-12-31T23:59:59Z). */
const MAX_DATE = 253_402_300_799;

/** What one block states. Undefined members are inherited from the parent (delegations). */
export interface BlockContent {
  /** Authority only: the trust anchor's name. */
  readonly issuer?: string;
  /** Authority only: the originating user. */
  readonly subject?: string;
  /** Authority only, when the root is signed with ES256 (absent: Ed25519). */
  readonly rootAlg?: 'ES256';
  /** The block's Mandate id (a UUID is carried as its 16 bytes, any other id as text). */
  readonly id: string;
  readonly issuedAt: number;
  readonly expiresAt?: number;
  /** Authority only (a delegation keeps its parent's). */
  readonly notBefore?: number;
  readonly audience?: readonly string[];
  /** Absolute: the deepest block index the chain may reach. */
  readonly maxDepth?: number;
  readonly purpose?: string;
  readonly capabilities?: readonly Capability[];
  /** Approval requirements (absolute, normalized; never empty when present). */
  readonly approvals?: readonly ApprovalRequirement[];
}

// ---------------------------------------------------------------------------------------------
// Terms, predicates, rules (Biscuit schema.proto, TermV2 / PredicateV2 / RuleV2 / CheckV2)
// ---------------------------------------------------------------------------------------------

type Term =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'integer'; readonly value: number }
  | { readonly kind: 'date'; readonly value: number }
  | { readonly kind: 'set'; readonly value: readonly string[] }
  | { readonly kind: 'bytes'; readonly value: Uint8Array }
  | { readonly kind: 'variable'; readonly value: string }
  | { readonly kind: 'bool'; readonly value: boolean };

const str = (value: string): Term => ({ kind: 'string', value });
const int = (value: number): Term => ({ kind: 'integer', value });
const date = (value: number): Term => ({ kind: 'date', value });
const set = (value: readonly string[]): Term => ({ kind: 'set', value });
const variable = (value: string): Term => ({ kind: 'variable', value });

/** `OpBinary.Kind` values Mandate's checks use. */
const LESS_THAN = 0;
const GREATER_OR_EQUAL = 3;
const CONTAINS = 5;

interface Predicate {
  readonly name: string;
  readonly terms: readonly Term[];
}

/** An expression in Biscuit's postfix form: values, then a binary operation. */
interface Expression {
  readonly values: readonly Term[];
  readonly op?: number;
}

interface Query {
  readonly body: readonly Predicate[];
  readonly expressions: readonly Expression[];
}

function writeTerm(w: ProtoSink, term: Term, symbols: SymbolWriter): void {
  switch (term.kind) {
    case 'variable':
      w.uint(1, symbols.id(term.value));
      return;
    case 'integer':
      w.uint(2, term.value);
      return;
    case 'string':
      w.uint(3, symbols.id(term.value));
      return;
    case 'date':
      w.uint(4, term.value);
      return;
    case 'bytes':
      w.bytes(5, term.value);
      return;
    case 'bool':
      w.uint(6, term.value ? 1 : 0);
      return;
    case 'set':
      w.begin(7);
      for (const v of term.value) {
        w.begin(1);
        w.uint(3, symbols.id(v));
        w.end();
      }
      w.end();
  }
}

function writePredicate(w: ProtoSink, p: Predicate, symbols: SymbolWriter): void {
  w.uint(1, symbols.id(p.name));
  for (const t of p.terms) {
    w.begin(2);
    writeTerm(w, t, symbols);
    w.end();
  }
}

/** A check (`CheckV2`, kind One) of one or more queries joined by `or`. */
function writeCheck(w: ProtoSink, queries: readonly Query[], symbols: SymbolWriter): void {
  for (const q of queries) {
    w.begin(1);
    w.begin(1);
    writePredicate(w, QUERY_HEAD, symbols);
    w.end();
    for (const p of q.body) {
      w.begin(2);
      writePredicate(w, p, symbols);
      w.end();
    }
    for (const e of q.expressions) {
      w.begin(3);
      for (const v of e.values) {
        w.begin(1);
        w.begin(1);
        writeTerm(w, v, symbols);
        w.end();
        w.end();
      }
      if (e.op !== undefined) {
        w.begin(1);
        w.begin(3);
        w.uint(1, e.op);
        w.end();
        w.end();
      }
      w.end();
    }
    w.end();
  }
}

const QUERY_HEAD: Predicate = { name: 'query', terms: [] };

// ---------------------------------------------------------------------------------------------
// The layout: facts and checks of a block
// ---------------------------------------------------------------------------------------------

/** A capability's members other than resource and actions, as canonical JSON text. */
function extrasOf(cap: Capability): string {
  const { resource: _resource, actions: _actions, ...extras } = cap;
  return JSON.stringify(extras);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A block id as a term: a lowercase UUID as its 16 bytes (the common case), else text. */
function idTerm(id: string): Term {
  return UUID.test(id)
    ? { kind: 'bytes', value: Buffer.from(id.replaceAll('-', ''), 'hex') }
    : str(id);
}

/** The block id a term carries (the inverse of {@link idTerm}). */
function idOf(term: Term): string | undefined {
  if (term.kind === 'string') return term.value;
  if (term.kind !== 'bytes' || term.value.length !== 16) return undefined;
  const hex = Buffer.from(term.value).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function factsOf(content: BlockContent, authority: boolean): Predicate[] {
  const facts: Predicate[] = [];
  if (authority) {
    facts.push({ name: 'mandate', terms: [int(LAYOUT_VERSION)] });
    facts.push({ name: 'issuer', terms: [str(content.issuer ?? '')] });
    facts.push({ name: 'subject', terms: [str(content.subject ?? '')] });
    if (content.rootAlg !== undefined)
      facts.push({ name: 'root_alg', terms: [str(content.rootAlg)] });
  }
  facts.push({ name: 'block_id', terms: [idTerm(content.id)] });
  facts.push({ name: 'issued_at', terms: [date(content.issuedAt)] });
  if (content.expiresAt !== undefined)
    facts.push({ name: 'expires_at', terms: [date(content.expiresAt)] });
  if (content.notBefore !== undefined)
    facts.push({ name: 'not_before', terms: [date(content.notBefore)] });
  for (const aud of content.audience ?? []) facts.push({ name: 'audience', terms: [str(aud)] });
  if (content.maxDepth !== undefined)
    facts.push({ name: 'max_depth', terms: [int(content.maxDepth)] });
  if (content.purpose !== undefined) facts.push({ name: 'purpose', terms: [str(content.purpose)] });
  if (content.capabilities !== undefined) {
    if (content.capabilities.length === 0) facts.push({ name: 'capabilities', terms: [int(0)] });
    for (const cap of content.capabilities) {
      facts.push({
        name: 'capability',
        terms: [str(cap.resource), set(cap.actions), str(extrasOf(cap))],
      });
    }
  }
  for (const text of approvalTexts(content.approvals ?? [])) {
    facts.push({ name: APPROVAL_FACT, terms: [str(text)] });
  }
  return facts;
}

/** The query that holds when the request's operation and resource are within `cap`. */
function rightQuery(cap: Capability): Query {
  const body: Predicate[] = [];
  const expressions: Expression[] = [];
  const [only, ...more] = cap.actions;
  if (only !== undefined && more.length === 0) {
    body.push({ name: 'operation', terms: [str(only)] });
  } else {
    body.push({ name: 'operation', terms: [variable('operation')] });
    expressions.push({ values: [set(cap.actions), variable('operation')], op: CONTAINS });
  }
  const parsed = parseResourcePattern(cap.resource, 'capability.resource');
  if (!parsed.rest && !parsed.segments.includes('*')) {
    // An exact resource: one fact of the request, and the same symbol as the capability fact.
    body.push({ name: 'resource', terms: [str(cap.resource)] });
    return { body, expressions };
  }
  // A pattern (DESIGN.md section 5: `*` one segment, a trailing `**` zero or more, `s:**` at
  // least one), over resource_scheme/resource_segment/resource_length; no regular expressions.
  body.push({ name: 'resource_scheme', terms: [str(parsed.scheme)] });
  parsed.segments.forEach((seg, i) => {
    if (seg !== '*') body.push({ name: 'resource_segment', terms: [int(i), str(seg)] });
  });
  const n = parsed.segments.length;
  if (parsed.rest) {
    body.push({ name: 'resource_length', terms: [variable('n')] });
    expressions.push({ values: [variable('n'), int(Math.max(1, n))], op: GREATER_OR_EQUAL });
  } else {
    body.push({ name: 'resource_length', terms: [int(n)] });
  }
  return { body, expressions };
}

function checksOf(content: BlockContent): Query[][] {
  const checks: Query[][] = [];
  const time = { name: 'time', terms: [variable('time')] };
  if (content.expiresAt !== undefined) {
    checks.push([
      {
        body: [time],
        expressions: [{ values: [variable('time'), date(content.expiresAt)], op: LESS_THAN }],
      },
    ]);
  }
  if (content.notBefore !== undefined) {
    checks.push([
      {
        body: [time],
        expressions: [
          { values: [variable('time'), date(content.notBefore)], op: GREATER_OR_EQUAL },
        ],
      },
    ]);
  }
  if (content.audience !== undefined) {
    checks.push([
      {
        body: [{ name: 'service', terms: [variable('service')] }],
        expressions: [{ values: [set(content.audience), variable('service')], op: CONTAINS }],
      },
    ]);
  }
  if (content.capabilities !== undefined) {
    checks.push(
      content.capabilities.length === 0
        ? [{ body: [], expressions: [{ values: [{ kind: 'bool', value: false }] }] }]
        : content.capabilities.map(rightQuery),
    );
  }
  if (content.approvals !== undefined && content.approvals.length > 0) {
    // Only an authorizer that states it enforces approvals (Mandate's, rule 9) satisfies this.
    checks.push([
      { body: [{ name: ENFORCES_PREDICATE, terms: [str(ENFORCES_APPROVALS)] }], expressions: [] },
    ]);
  }
  return checks;
}

/** A block's own symbols (`Block.symbols`, field 1), which come first in its encoding. */
function writeSymbols(w: ProtoSink, symbols: readonly string[]): void {
  for (const symbol of symbols) w.bytes(1, Buffer.from(symbol, 'utf8'));
}

/** Everything after the symbols: the version, the facts, and the checks the facts imply. */
function writeBody(
  w: ProtoSink,
  content: BlockContent,
  authority: boolean,
  symbols: SymbolWriter,
): void {
  w.uint(3, DATALOG_VERSION);
  for (const f of factsOf(content, authority)) {
    w.begin(4);
    w.begin(1);
    writePredicate(w, f, symbols);
    w.end();
    w.end();
  }
  for (const c of checksOf(content)) {
    w.begin(6);
    writeCheck(w, c, symbols);
    w.end();
  }
}

/**
 * The serialized `Block` of `content`, given the symbol table of the blocks before it. Also
 * returns the table after it. `authority`: the block is the token's first.
 */
export function encodeBlock(
  content: BlockContent,
  table: SymbolTable,
  authority: boolean,
): { bytes: Uint8Array; table: SymbolTable } {
  const symbols = new SymbolWriter(table);
  // The body first (it decides the new symbols), then the symbols in front of it.
  const body = new ProtoWriter();
  writeBody(body, content, authority, symbols);
  const added = symbols.added;
  if (added.length === 0) return { bytes: body.finish(), table };
  const head = new ProtoWriter();
  writeSymbols(head, added);
  return { bytes: concatBytes(head.finish(), body.finish()), table: table.extend(added) };
}

/**
 * Whether `bytes` is exactly what {@link encodeBlock} writes for `content` after `table`, given
 * the symbols the block declares: the same traversal, compared byte by byte as it goes, with
 * nothing written (cheaper than encoding and comparing, and the same answer by construction).
 */
function isCanonical(
  bytes: Uint8Array,
  content: BlockContent,
  table: SymbolTable,
  declared: readonly string[],
  authority: boolean,
): boolean {
  const symbols = new SymbolWriter(table);
  const match = new ProtoMatcher(bytes);
  try {
    writeSymbols(match, declared);
    writeBody(match, content, authority, symbols);
    match.finish();
  } catch (error) {
    if (error instanceof NotCanonical) return false;
    throw error;
  }
  // The writer puts in front exactly the symbols the body added, in order.
  const added = symbols.added;
  return added.length === declared.length && added.every((symbol, i) => symbol === declared[i]);
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

const BLOCK: MessageSchema = {
  1: { wire: 2, repeated: true }, // symbols
  3: { wire: 0, required: true }, // version
  4: { wire: 2, repeated: true }, // facts_v2
  6: { wire: 2, repeated: true }, // checks_v2
};
const FACT: MessageSchema = { 1: { wire: 2, required: true } };
const PREDICATE: MessageSchema = { 1: { wire: 0, required: true }, 2: { wire: 2, repeated: true } };

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new ProtobufError('a symbol is not UTF-8');
  }
}

/** A fact term as read: the kinds Mandate's facts use. */
function readTerm(bytes: Uint8Array, table: SymbolTable): Term {
  const [only, ...more] = readFields(bytes);
  if (only === undefined || more.length > 0) throw new ProtobufError('a term must have one value');
  if (only.wire === 0 && only.field === 2) return int(only.value);
  if (only.wire === 0 && only.field === 3) return str(table.symbol(only.value));
  if (only.wire === 0 && only.field === 4) return date(only.value);
  if (only.wire === 2 && only.field === 5) return { kind: 'bytes', value: only.bytes };
  if (only.wire === 2 && only.field === 7) {
    const values = readFields(only.bytes).map((f) => {
      if (f.field !== 1 || f.wire !== 2) throw new ProtobufError('a set holds terms');
      const inner = readTerm(f.bytes, table);
      if (inner.kind !== 'string') throw new ProtobufError('a Mandate set holds strings only');
      return inner.value;
    });
    return set(values);
  }
  throw new ProtobufError(`a fact term of kind ${only.field} is not part of the Mandate layout`);
}

/** Each predicate a block may state: its term kinds, and whether it may repeat. */
const PREDICATES: Readonly<
  Record<
    string,
    { readonly terms: readonly (Term['kind'] | 'id')[]; readonly many?: true; readonly root?: true }
  >
> = {
  mandate: { terms: ['integer'], root: true },
  issuer: { terms: ['string'], root: true },
  subject: { terms: ['string'], root: true },
  root_alg: { terms: ['string'], root: true },
  block_id: { terms: ['id'] },
  issued_at: { terms: ['date'] },
  expires_at: { terms: ['date'] },
  not_before: { terms: ['date'], root: true },
  audience: { terms: ['string'], many: true },
  max_depth: { terms: ['integer'] },
  purpose: { terms: ['string'] },
  capabilities: { terms: ['integer'] },
  capability: { terms: ['string', 'set', 'string'], many: true },
  [APPROVAL_FACT]: { terms: ['string'], many: true },
};

function malformed(hop: number, path: string, message: string): never {
  return fail(`block ${hop}: ${path} ${message}`, { path: `block ${hop}.${path}`, hop });
}

function tooMany(hop: number, what: string, limit: number): never {
  return limitExceeded(`block ${hop}: more than ${limit} ${what}`, {
    path: `block ${hop}`,
    hop,
    limit,
  });
}

/**
 * Reads a serialized `Block` (hop `hop`, after the blocks that built `table`) into what it states,
 * validating every value (the look-alike rules for text, the capability algebra's normal form) and
 * requiring the one canonical encoding of that content. Throws `MANDATE_MALFORMED` /
 * `MANDATE_LIMIT_EXCEEDED` naming the hop.
 */
export function decodeBlock(
  bytes: Uint8Array,
  table: SymbolTable,
  hop: number,
  limits: Limits,
): { content: BlockContent; table: SymbolTable } {
  const label = `block ${hop}`;
  const facts = new Map<string, Term[][]>();
  let after: SymbolTable;
  let declared: string[];
  try {
    const fields = readMessage(bytes, BLOCK, 'the Datalog block');
    if (varintOf(fields, 3) !== DATALOG_VERSION) {
      throw new ProtobufError(`the Datalog version must be ${DATALOG_VERSION}`);
    }
    declared = allBytesOf(fields, 1).map(decodeUtf8);
    after = table.extend(declared);
    const factFields = allBytesOf(fields, 4);
    const maxFacts = 16 + 3 * limits.maxCapabilities;
    if (factFields.length > maxFacts) tooMany(hop, 'facts', maxFacts);
    for (const factBytes of factFields) {
      const predicate = bytesOf(readMessage(factBytes, FACT, 'fact'), 1) ?? new Uint8Array();
      const pred = readMessage(predicate, PREDICATE, 'predicate');
      const name = after.symbol(varintOf(pred, 1) ?? 0);
      const spec = PREDICATES[name];
      if (spec === undefined || !Object.hasOwn(PREDICATES, name)) {
        return malformed(hop, name, 'is not a Mandate fact');
      }
      if (spec.root === true && hop > 0)
        malformed(hop, name, 'is stated by the authority block only');
      const terms = allBytesOf(pred, 2).map((t) => readTerm(t, after));
      const kindOk = (t: Term, i: number): boolean =>
        spec.terms[i] === 'id'
          ? t.kind === 'string' || t.kind === 'bytes'
          : t.kind === spec.terms[i];
      if (terms.length !== spec.terms.length || !terms.every(kindOk)) {
        malformed(hop, name, `must have terms (${spec.terms.join(', ')})`);
      }
      const list = facts.get(name) ?? [];
      if (list.length > 0 && spec.many !== true) malformed(hop, name, 'occurs more than once');
      list.push(terms);
      facts.set(name, list);
    }
  } catch (error) {
    if (error instanceof ProtobufError) {
      // The signature is checked later (rule 2): a changed byte usually shows up here first.
      fail(
        `${label} is not a Mandate block as written (${error.message}): ` +
          'the token was changed or cut, or is not a Mandate Biscuit',
        { path: `${label}.block`, hop },
      );
    }
    throw error;
  }
  const content = contentOf(facts, hop, limits);
  // The one canonical encoding: same facts in the same order, the checks the facts imply.
  if (!isCanonical(bytes, content, table, declared, hop === 0)) {
    malformed(
      hop,
      'block',
      'is not in the canonical Mandate layout (its checks must restate its facts)',
    );
  }
  return { content, table: after };
}

function contentOf(facts: Map<string, Term[][]>, hop: number, limits: Limits): BlockContent {
  const label = `block ${hop}`;
  const first = (name: string, i = 0): Term | undefined => facts.get(name)?.[0]?.[i];
  const text = (name: string, term = first(name)): string | undefined => {
    if (term === undefined) return undefined;
    if (term.kind !== 'string') return malformed(hop, name, 'must be a string');
    try {
      return assertSafeText(term.value, `${label}.${name}`, limits.maxStringLength);
    } catch (error) {
      rethrowAtBlock(error, label, hop);
    }
  };
  const seconds = (name: string): number | undefined => {
    const term = first(name);
    if (term === undefined) return undefined;
    if (term.kind !== 'date' || term.value > MAX_DATE)
      return malformed(hop, name, 'is out of range');
    return term.value;
  };
  const small = (name: string): number | undefined => {
    const term = first(name);
    if (term === undefined) return undefined;
    if (term.kind !== 'integer' || term.value > 64) return malformed(hop, name, 'is out of range');
    return term.value;
  };
  const authority = hop === 0;
  if (authority) {
    if (small('mandate') !== LAYOUT_VERSION) malformed(hop, 'mandate', `must be ${LAYOUT_VERSION}`);
    for (const name of ['issuer', 'subject', 'expires_at', 'max_depth'] as const) {
      if (!facts.has(name)) malformed(hop, name, 'is missing');
    }
  }
  const idTermRead = first('block_id');
  const id = idTermRead === undefined ? undefined : idOf(idTermRead);
  if (id === undefined) return malformed(hop, 'block_id', 'is missing or not an id');
  try {
    assertSafeText(id, `${label}.block_id`, 256);
  } catch (error) {
    rethrowAtBlock(error, label, hop);
  }
  const issuedAt = seconds('issued_at');
  if (issuedAt === undefined) return malformed(hop, 'issued_at', 'is missing');
  const rootAlg = text('root_alg');
  if (rootAlg !== undefined && rootAlg !== 'ES256') malformed(hop, 'root_alg', 'must be ES256');
  const audienceTerms = facts.get('audience');
  const audience = audienceTerms?.map((terms) => text('audience', terms[0]) ?? '');
  if (audience !== undefined && audience.length > limits.maxCapabilities) {
    tooMany(hop, 'audiences', limits.maxCapabilities);
  }
  const capabilities = capabilitiesOf(facts, hop, limits);
  const approvalTerms = facts.get(APPROVAL_FACT) ?? [];
  if (approvalTerms.length > limits.maxCapabilities) {
    tooMany(hop, 'approval requirements', limits.maxCapabilities);
  }
  const approvals = readApprovals(
    approvalTerms.map(([term]) => {
      if (term?.kind !== 'string') return malformed(hop, APPROVAL_FACT, 'must be a string');
      if (term.value.length > limits.maxTokenBytes) malformed(hop, APPROVAL_FACT, 'is too long');
      return term.value;
    }),
    hop,
    limits,
  );
  const content: BlockContent = {
    ...optional('issuer', authority ? text('issuer') : undefined),
    ...optional('subject', authority ? text('subject') : undefined),
    ...(rootAlg === undefined ? {} : { rootAlg: 'ES256' as const }),
    id,
    issuedAt,
    ...optional('expiresAt', seconds('expires_at')),
    ...optional('notBefore', seconds('not_before')),
    ...optional('audience', audience),
    ...optional('maxDepth', small('max_depth')),
    ...optional('purpose', text('purpose')),
    ...optional('capabilities', capabilities),
    ...optional('approvals', approvals),
  };
  return content;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Normalized capabilities by their exact facts and the limits they were checked against. */
const normalized = new BoundedMap<string, Capability[]>(256);

function capabilitiesOf(
  facts: Map<string, Term[][]>,
  hop: number,
  limits: Limits,
): Capability[] | undefined {
  const label = `block ${hop}`;
  const list = facts.get('capability') ?? [];
  const none = facts.get('capabilities');
  if (none !== undefined) {
    if (list.length > 0 || none[0]?.[0]?.value !== 0)
      malformed(hop, 'capabilities', 'must be 0 and alone');
    return [];
  }
  if (list.length === 0) {
    if (hop === 0) malformed(hop, 'capability', 'is missing');
    return undefined;
  }
  if (list.length > limits.maxCapabilities) tooMany(hop, 'capabilities', limits.maxCapabilities);
  // The same grants recur across tokens: their normal form (and the algebra's prepared form,
  // cached on the returned array) is remembered by the exact facts and limits (bounded).
  const memoKey = `${limitsKey(limits)}\u0000${JSON.stringify(list.map((terms) => terms.map((t) => t.value)))}`;
  const known = normalized.get(memoKey);
  if (known !== undefined) return known;
  try {
    const inputs = list.map((terms, i) => {
      const [resource, actions, extras] = terms;
      if (resource?.kind !== 'string' || actions?.kind !== 'set' || extras?.kind !== 'string') {
        return malformed(hop, 'capability', 'must have terms (string, set, string)');
      }
      if (extras.value.length > limits.maxTokenBytes) malformed(hop, 'capability', 'is too long');
      const rest = parseJsonObject(extras.value, `${label}.capability.${i}`, 'limits', hop);
      return { ...rest, resource: resource.value, actions: [...actions.value] };
    });
    const capabilities = normalizeCapabilities(inputs, { limits });
    normalized.set(memoKey, capabilities);
    return capabilities;
  } catch (error) {
    if (!isMandateError(error)) throw error;
    rethrowAtBlock(error, label, hop);
  }
}
