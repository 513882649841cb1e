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
  concatBytes,
  NotCanonical,
  ProtobufError,
  ProtoMatcher,
  ProtoReader,
  ProtoWriter,
  type ProtoSink,
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

/** The JSON text of each normal-form capability's other members (frozen, shared: see rightQuery). */
const extrasTexts = new WeakMap<Capability, string>();

/** A capability's members other than resource and actions, as canonical JSON text. */
function extrasOf(cap: Capability): string {
  let text = extrasTexts.get(cap);
  if (text === undefined) {
    const { resource: _resource, actions: _actions, ...extras } = cap;
    text = JSON.stringify(extras);
    if (Object.isFrozen(cap)) extrasTexts.set(cap, text);
  }
  return text;
}

/** Lowercase hex digits' values by character code (-1: not one). */
const HEX_VALUE = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < 16; i++) table['0123456789abcdef'.charCodeAt(i)] = i;
  return table;
})();
/** Each byte's two lowercase hex digits. */
const HEX_BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
/** Where a UUID's dashes are (8-4-4-4-12). */
const isDashAt = (i: number): boolean => i === 8 || i === 13 || i === 18 || i === 23;

/** The 16 bytes of a lowercase UUID, or undefined for any other text. */
function uuidBytes(id: string): Uint8Array | undefined {
  if (id.length !== 36) return undefined;
  const out = new Uint8Array(16);
  let j = 0;
  for (let i = 0; i < 36;) {
    if (isDashAt(i)) {
      if (id.charCodeAt(i) !== 0x2d) return undefined;
      i++;
      continue;
    }
    const hi = HEX_VALUE[id.charCodeAt(i)] ?? -1;
    const lo = HEX_VALUE[id.charCodeAt(i + 1)] ?? -1;
    if (hi < 0 || lo < 0) return undefined;
    out[j++] = hi * 16 + lo;
    i += 2;
  }
  return out;
}

/** A block id as a term: a lowercase UUID as its 16 bytes (the common case), else text. */
function idTerm(id: string): Term {
  const bytes = uuidBytes(id);
  return bytes === undefined ? str(id) : { kind: 'bytes', value: bytes };
}

/** The block id a term carries (the inverse of {@link idTerm}). */
function idOf(term: Term): string | undefined {
  if (term.kind === 'string') return term.value;
  if (term.kind !== 'bytes' || term.value.length !== 16) return undefined;
  let id = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) id += '-';
    id += HEX_BYTE[term.value[i] ?? 0] ?? '';
  }
  return id;
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

/**
 * The queries of capabilities seen before. Normal-form capabilities are deep-frozen and shared
 * (the decoder remembers them by their facts), so a grant that recurs is turned into Datalog once.
 */
const rightQueries = new WeakMap<Capability, Query>();

/** The query that holds when the request's operation and resource are within `cap`. */
function rightQuery(cap: Capability): Query {
  let query = rightQueries.get(cap);
  if (query === undefined) {
    query = buildRightQuery(cap);
    if (Object.isFrozen(cap)) rightQueries.set(cap, query);
  }
  return query;
}

function buildRightQuery(cap: Capability): Query {
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
  for (const symbol of symbols) w.string(1, symbol);
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
  if (added.length !== declared.length) return false;
  for (let i = 0; i < added.length; i++) if (added[i] !== declared[i]) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/** Field keys (`field * 8 + wire`) of the layout, in the order the encoder writes them. */
const KEY = {
  symbol: 1 * 8 + 2,
  version: 3 * 8 + 0,
  fact: 4 * 8 + 2,
  predicate: 1 * 8 + 2,
  name: 1 * 8 + 0,
  term: 2 * 8 + 2,
  setTerm: 1 * 8 + 2,
} as const;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A symbol's text. ASCII (nearly every symbol) is read byte for byte; anything else through a
 * fatal UTF-8 decoder. (A byte-order mark, which a decoder drops, makes the block non-canonical:
 * the canonical check re-encodes the text.)
 */
function decodeUtf8(bytes: Uint8Array): string {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i] ?? 0) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    // Short ones (the vocabulary, names, ids) without a Buffer view; long ones (JSON) with one.
    return bytes.length <= 64
      ? String.fromCharCode(...bytes)
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  }
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new ProtobufError('a symbol is not UTF-8');
  }
}

/** A set term's strings. */
function readSet(r: ProtoReader, table: SymbolTable): string[] {
  const values: string[] = [];
  while (!r.done) {
    r.expect(KEY.setTerm, 'a set member');
    const inner = r.message();
    if (inner.varint() !== 3 * 8 + 0) throw new ProtobufError('a Mandate set holds strings only');
    values.push(table.symbol(inner.varint()));
    if (!inner.done) throw new ProtobufError('a term must have one value');
  }
  return values;
}

/** A fact term as read: the kinds Mandate's facts use. */
function readTerm(r: ProtoReader, table: SymbolTable): Term {
  let term: Term;
  const key = r.varint();
  switch (key) {
    case 2 * 8 + 0:
      term = int(r.varint());
      break;
    case 3 * 8 + 0:
      term = str(table.symbol(r.varint()));
      break;
    case 4 * 8 + 0:
      term = date(r.varint());
      break;
    case 5 * 8 + 2:
      term = { kind: 'bytes', value: r.bytes() };
      break;
    case 7 * 8 + 2:
      term = set(readSet(r.message(), table));
      break;
    default:
      throw new ProtobufError(
        `a fact term of kind ${Math.floor(key / 8)} is not part of the Mandate layout`,
      );
  }
  if (!r.done) throw new ProtobufError('a term must have one value');
  return term;
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

/** Whether a term read is of the kind a fact's spec names at that place. */
function kindOk(term: Term, kind: Term['kind'] | 'id' | undefined): boolean {
  return kind === 'id' ? term.kind === 'string' || term.kind === 'bytes' : term.kind === kind;
}

/** Reads one `FactV2` into `facts` (by predicate name), refusing anything the layout does not state. */
function readFact(
  fact: ProtoReader,
  table: SymbolTable,
  hop: number,
  facts: Map<string, Term[][]>,
): void {
  fact.expect(KEY.predicate, 'a fact predicate');
  const pred = fact.message();
  if (!fact.done) throw new ProtobufError('a fact holds one predicate');
  pred.expect(KEY.name, 'a predicate name');
  const name = table.symbol(pred.varint());
  const spec = Object.hasOwn(PREDICATES, name) ? PREDICATES[name] : undefined;
  if (spec === undefined) return malformed(hop, name, 'is not a Mandate fact');
  if (spec.root === true && hop > 0) malformed(hop, name, 'is stated by the authority block only');
  const terms: Term[] = [];
  let ok = true;
  while (!pred.done) {
    pred.expect(KEY.term, 'a predicate term');
    const term = readTerm(pred.message(), table);
    ok &&= kindOk(term, spec.terms[terms.length]);
    terms.push(term);
  }
  if (!ok || terms.length !== spec.terms.length) {
    malformed(hop, name, `must have terms (${spec.terms.join(', ')})`);
  }
  const list = facts.get(name);
  if (list === undefined) facts.set(name, [terms]);
  else if (spec.many !== true) malformed(hop, name, 'occurs more than once');
  else list.push(terms);
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
  const declared: string[] = [];
  try {
    // Read in the order the encoder writes: symbols, version, facts. The checks that follow are
    // compared, not read (isCanonical), as is every byte of the order and form read here.
    const r = new ProtoReader(bytes);
    while (r.peekKey() === KEY.symbol) {
      r.varint();
      declared.push(decodeUtf8(r.bytes()));
    }
    r.expect(KEY.version, 'the Datalog version');
    if (r.varint() !== DATALOG_VERSION) {
      throw new ProtobufError(`the Datalog version must be ${DATALOG_VERSION}`);
    }
    after = table.extend(declared);
    const factReaders: ProtoReader[] = [];
    while (r.peekKey() === KEY.fact) {
      r.varint();
      factReaders.push(r.message());
    }
    const maxFacts = 16 + 3 * limits.maxCapabilities;
    if (factReaders.length > maxFacts) tooMany(hop, 'facts', maxFacts);
    for (const fact of factReaders) readFact(fact, after, hop, facts);
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

/** The `i`th term of the first fact named `name`. */
function firstTerm(facts: Map<string, Term[][]>, name: string, i = 0): Term | undefined {
  return facts.get(name)?.[0]?.[i];
}

/** A string term as safe text (the look-alike rules, the string length limit). */
function textOf(
  term: Term | undefined,
  name: string,
  hop: number,
  limits: Limits,
): string | undefined {
  if (term === undefined) return undefined;
  if (term.kind !== 'string') return malformed(hop, name, 'must be a string');
  const label = `block ${hop}`;
  try {
    return assertSafeText(term.value, `${label}.${name}`, limits.maxStringLength);
  } catch (error) {
    rethrowAtBlock(error, label, hop);
  }
}

/** A date fact's seconds, within what Biscuit's dates carry. */
function secondsOf(facts: Map<string, Term[][]>, name: string, hop: number): number | undefined {
  const term = firstTerm(facts, name);
  if (term === undefined) return undefined;
  if (term.kind !== 'date' || term.value > MAX_DATE) return malformed(hop, name, 'is out of range');
  return term.value;
}

/** A small integer fact (a version, a depth): 0..64. */
function smallOf(facts: Map<string, Term[][]>, name: string, hop: number): number | undefined {
  const term = firstTerm(facts, name);
  if (term === undefined) return undefined;
  if (term.kind !== 'integer' || term.value > 64) return malformed(hop, name, 'is out of range');
  return term.value;
}

/** The text of each `approval_requirement` fact, bounded before it is parsed. */
function approvalTextsOf(facts: Map<string, Term[][]>, hop: number, limits: Limits): string[] {
  const terms = facts.get(APPROVAL_FACT) ?? [];
  if (terms.length > limits.maxCapabilities) {
    tooMany(hop, 'approval requirements', limits.maxCapabilities);
  }
  const texts: string[] = [];
  for (const [term] of terms) {
    if (term?.kind !== 'string') return malformed(hop, APPROVAL_FACT, 'must be a string');
    if (term.value.length > limits.maxTokenBytes) malformed(hop, APPROVAL_FACT, 'is too long');
    texts.push(term.value);
  }
  return texts;
}

function contentOf(facts: Map<string, Term[][]>, hop: number, limits: Limits): BlockContent {
  const label = `block ${hop}`;
  const authority = hop === 0;
  if (authority) {
    if (smallOf(facts, 'mandate', hop) !== LAYOUT_VERSION) {
      malformed(hop, 'mandate', `must be ${LAYOUT_VERSION}`);
    }
    for (const name of ROOT_FACTS) if (!facts.has(name)) malformed(hop, name, 'is missing');
  }
  const idTermRead = firstTerm(facts, 'block_id');
  const id = idTermRead === undefined ? undefined : idOf(idTermRead);
  if (id === undefined) return malformed(hop, 'block_id', 'is missing or not an id');
  try {
    assertSafeText(id, `${label}.block_id`, 256);
  } catch (error) {
    rethrowAtBlock(error, label, hop);
  }
  const issuedAt = secondsOf(facts, 'issued_at', hop);
  if (issuedAt === undefined) return malformed(hop, 'issued_at', 'is missing');
  const rootAlg = textOf(firstTerm(facts, 'root_alg'), 'root_alg', hop, limits);
  if (rootAlg !== undefined && rootAlg !== 'ES256') malformed(hop, 'root_alg', 'must be ES256');
  const audienceTerms = facts.get('audience');
  let audience: string[] | undefined;
  if (audienceTerms !== undefined) {
    audience = [];
    for (const terms of audienceTerms) {
      audience.push(textOf(terms[0], 'audience', hop, limits) ?? '');
    }
    if (audience.length > limits.maxCapabilities) {
      tooMany(hop, 'audiences', limits.maxCapabilities);
    }
  }
  const capabilities = capabilitiesOf(facts, hop, limits);
  const approvals = readApprovals(approvalTextsOf(facts, hop, limits), hop, limits);
  // Only what the block states: an absent member is inherited (delegations).
  const content: { -readonly [K in keyof BlockContent]: BlockContent[K] } = { id, issuedAt };
  if (authority) {
    const issuer = textOf(firstTerm(facts, 'issuer'), 'issuer', hop, limits);
    const subject = textOf(firstTerm(facts, 'subject'), 'subject', hop, limits);
    if (issuer !== undefined) content.issuer = issuer;
    if (subject !== undefined) content.subject = subject;
  }
  if (rootAlg !== undefined) content.rootAlg = 'ES256';
  const expiresAt = secondsOf(facts, 'expires_at', hop);
  if (expiresAt !== undefined) content.expiresAt = expiresAt;
  const notBefore = secondsOf(facts, 'not_before', hop);
  if (notBefore !== undefined) content.notBefore = notBefore;
  if (audience !== undefined) content.audience = audience;
  const maxDepth = smallOf(facts, 'max_depth', hop);
  if (maxDepth !== undefined) content.maxDepth = maxDepth;
  const purpose = textOf(firstTerm(facts, 'purpose'), 'purpose', hop, limits);
  if (purpose !== undefined) content.purpose = purpose;
  if (capabilities !== undefined) content.capabilities = capabilities;
  if (approvals !== undefined) content.approvals = approvals;
  return content;
}

/** The facts every authority block states. */
const ROOT_FACTS = ['issuer', 'subject', 'expires_at', 'max_depth'] as const;

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
