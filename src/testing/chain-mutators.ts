/**
 * The attack mutators of the fuzzing campaign (`npm run fuzz`, docs/fuzzing.md): each reshapes a
 * genuine chain the way one kind of attacker could, and says who presents the result and whether
 * it can still mean what the genuine chain meant. Every mutator works on all three formats (JWS
 * chain, AAT, Biscuit); where JSON has no Biscuit counterpart, the Biscuit variant works on the
 * token's bytes and protobuf fields, whatever the encoder writes.
 *
 * Exported so users can run them against their own verifiers: build a {@link MutationTarget}
 * with {@link mutationTarget}, apply any of {@link CHAIN_MUTATORS}, and check the verdict as
 * `runFuzzCampaign` does.
 *
 * @module
 */
import { createHmac } from 'node:crypto';
import { normalizeCapabilities } from '../core/capability.js';
import { canonicalJson } from '../core/encoding.js';
import { deepFreeze } from '../core/freeze.js';
import type {
  BlockView,
  Capability,
  CapabilityInput,
  Constraint,
  Format,
  KeyPair,
} from '../core/types.js';
import { AAT_DETAIL_TYPE, capabilitiesToTools, toolResource } from '../format/aat/claims.js';
import { CAPABILITY_DETAIL_TYPE } from '../format/jws/block.js';
import { BLOCK_SEPARATOR } from '../format/jws/chain.js';
import { parseMandate } from '../format/parse.js';
import { TYP } from '../core/typ.js';
import {
  encodeChainUnchecked,
  jsonBlocksOf,
  planOf,
  resignJsonChain,
  signJsonBlock,
  type JsonBlockText,
} from './forge.js';
import type { FuzzRandom } from './fuzz/random.js';
import { flipCharacter, spliceBlocks } from './mutators.js';
import { LOOKALIKES, withScheme, withToolName } from './lookalikes.js';
import {
  biscuitBytes,
  bytesAsTextLike,
  editBiscuitFields,
  nestedProtobuf,
  writeField,
  writeVarint,
  type RawField,
} from './protobuf-bytes.js';

/** A genuine chain and the keys of everyone who took part in it, as the mutators attack it. */
export interface MutationTarget {
  readonly format: Format;
  readonly token: string;
  /** The decoded blocks, root first. */
  readonly blocks: readonly BlockView[];
  /** `signers[i]` signed block `i`: the trust anchor for the root, then each parent holder. */
  readonly signers: readonly KeyPair[];
  /** `holders[i]` holds block `i`; the last one holds the chain. */
  readonly holders: readonly KeyPair[];
  /** A key that no block of the chain names (a thief, or an outside colluder). */
  readonly stranger: KeyPair;
  /** Another genuine chain of the same format, with other block ids (for splicing). */
  readonly partner?: MutationTarget;
}

/**
 * Whether a mutant can still authorize what a genuine chain does:
 * - `changed`: by construction it authorizes something no genuine chain grants its presenter
 *   (or it breaks a documented bound, a signature, a link); a verifier must deny it;
 * - `may-preserve`: it may mean exactly what a genuine chain means (a re-encoding, a genuine
 *   prefix, bytes a lenient decoder maps to the same value); a verifier may allow it only with
 *   the decision that genuine chain gets.
 */
export type Meaning = 'changed' | 'may-preserve';

/** One mutated token, who presents it, and what it may mean. */
export interface Mutant {
  readonly token: string;
  /** The key that signs the request's proof (the attacker presenting the token). */
  readonly presenter: KeyPair;
  readonly meaning: Meaning;
  /** Which form of the attack this is (for the campaign's report and a failure's replay). */
  readonly variant: string;
}

/** The names of the campaign's mutators. */
export type MutatorName =
  | 'flip'
  | 'strip'
  | 'reorder'
  | 'duplicate'
  | 'splice'
  | 'widen-resign'
  | 'stranger-resign'
  | 'reencode'
  | 'duplicate-keys'
  | 'confusables'
  | 'oversized'
  | 'deep-nesting'
  | 'edge-numbers'
  | 'header-injection';

/** An attack: one kind of reshaping, applied with the case's random draws. */
export interface ChainMutator {
  readonly name: MutatorName;
  /** What the attacker does, in one line. */
  readonly summary: string;
  /** The mutant, or `undefined` when this chain offers the attack nothing (e.g. one block). */
  mutate(target: MutationTarget, random: FuzzRandom): Promise<Mutant | undefined>;
}

// ---------------------------------------------------------------------------------------
// Building blocks

function at<T>(items: readonly T[], i: number): T {
  const item = items[i];
  if (item === undefined) throw new RangeError(`no item ${i}`);
  return item;
}

function lastHolder(target: MutationTarget): KeyPair {
  return at(target.holders, target.holders.length - 1);
}

/** The blocks of the token as the format's splicer exposes them (JWS pieces, Biscuit blocks). */
async function blockTexts(token: string): Promise<string[]> {
  let texts: string[] = [];
  await spliceBlocks(token, (blocks) => (texts = blocks));
  return texts;
}

const isJson = (format: Format): format is 'jws' | 'aat' => format !== 'biscuit';

/** A capability for a resource no generated chain grants (a widening anywhere). */
function unheldCapability(format: Format): Capability {
  const input: CapabilityInput =
    format === 'aat'
      ? { resource: toolResource('fuzz_unheld'), actions: ['call'] }
      : { resource: 'fuzz:**', actions: ['read'] };
  return at(normalizeCapabilities([input]), 0);
}

/** Re-encode blocks `0..hop` through the encoder, block `hop` replaced by `plan`. */
function reencodeUpTo(
  target: MutationTarget,
  hop: number,
  plan: BlockView,
  signer: KeyPair = at(target.signers, hop),
): Promise<string> {
  const plans = [...target.blocks.slice(0, hop).map(planOf), planOf(plan)];
  const signers = [...target.signers.slice(0, hop), signer];
  return encodeChainUnchecked(target.format, plans, signers);
}

/**
 * The chain with block `hop` rewritten as `view`, signed by its genuine signer. JWS and AAT: the
 * view's claims written into the block's JSON and the later blocks re-linked, so the view
 * reaches the verifier whatever it holds (past the limits, names no decoder accepts). Biscuit:
 * through its encoder, the chain cut after `hop` when `last` (a block past the limits cannot be
 * extended).
 */
async function rewriteBlock(
  target: MutationTarget,
  hop: number,
  view: BlockView,
  last = false,
): Promise<string> {
  const format = target.format;
  if (isJson(format)) {
    return resignEdited(
      target,
      hop,
      editPayload(target, (payload) => writeClaims(format, payload, view)),
    );
  }
  if (last) return reencodeUpTo(target, hop, view);
  const plans = target.blocks.map((block, i) => planOf(i === hop ? view : block));
  return encodeChainUnchecked(format, plans, target.signers);
}

/**
 * The mutant whose block `hop` is rewritten as `view` ({@link rewriteBlock}); none where the
 * encoder cannot write the view (a block no encoder writes is no attack to send).
 */
async function rewrittenMutant(
  target: MutationTarget,
  hop: number,
  view: BlockView,
  mutant: Omit<Mutant, 'token'>,
  last = false,
): Promise<Mutant | undefined> {
  try {
    return { token: await rewriteBlock(target, hop, view, last), ...mutant };
  } catch {
    return undefined;
  }
}

/** A hop drawn at random (the draw every single-block mutator starts with), and its block. */
function randomHop(
  target: MutationTarget,
  random: FuzzRandom,
): { readonly n: number; readonly hop: number; readonly block: BlockView } {
  const n = target.blocks.length;
  const hop = random.int(n);
  return { n, hop, block: at(target.blocks, hop) };
}

/** Who holds the chain {@link rewriteBlock} returns with `last` (Biscuit's is cut after `hop`). */
function holderAfterRewrite(target: MutationTarget, hop: number): KeyPair {
  return isJson(target.format) ? lastHolder(target) : at(target.holders, hop);
}

/** Write a block view's claims into a JWS or AAT payload (other members are kept). */
function writeClaims(
  format: 'jws' | 'aat',
  payload: Record<string, unknown>,
  view: BlockView,
): void {
  payload['jti'] = view.id;
  payload['iat'] = view.issuedAt;
  payload['exp'] = view.expiresAt;
  payload['del_depth'] = view.depth;
  payload['del_max_depth'] = view.maxDepth;
  if (format === 'jws') {
    payload['sub'] = view.subject;
    if (view.purpose !== undefined) payload['purpose'] = view.purpose;
    payload['authorization_details'] = view.capabilities.map((c) => ({
      type: CAPABILITY_DETAIL_TYPE,
      ...c,
    }));
  } else {
    payload['authorization_details'] = [
      { type: AAT_DETAIL_TYPE, tools: capabilitiesToTools(view.capabilities) },
    ];
  }
}

/** A block for a new holder below the chain's last block, inheriting everything. */
function appendedView(target: MutationTarget, holder: KeyPair): BlockView {
  const parent = at(target.blocks, target.blocks.length - 1);
  return {
    ...parent,
    id: `${parent.id}.x`,
    issuer: parent.holder,
    holder: holder.id,
    holderJwk: holder.publicJwk,
    depth: parent.depth + 1,
  };
}

/** Edit block `hop`'s JSON text and re-sign the chain from there (JWS and AAT). */
function resignEdited(
  target: MutationTarget,
  hop: number,
  edit: (block: JsonBlockText) => JsonBlockText,
  signer?: KeyPair,
): string {
  const format = target.format;
  if (!isJson(format)) throw new TypeError('JSON edits apply to JWS and AAT chains');
  const block = at(jsonBlocksOf(target.token), hop);
  const signers =
    signer === undefined ? target.signers : target.signers.map((s, i) => (i === hop ? signer : s));
  return resignJsonChain(format, target.token, hop, edit(block), signers);
}

function editPayload(
  target: MutationTarget,
  edit: (payload: Record<string, unknown>) => void,
): (block: JsonBlockText) => JsonBlockText {
  return (block) => {
    const payload = JSON.parse(block.payload) as Record<string, unknown>;
    edit(payload);
    const text = target.format === 'aat' ? canonicalJson(payload) : JSON.stringify(payload);
    return { header: block.header, payload: text };
  };
}

function editHeader(
  edit: (header: Record<string, unknown>) => void,
): (block: JsonBlockText) => JsonBlockText {
  return (block) => {
    const header = JSON.parse(block.header) as Record<string, unknown>;
    edit(header);
    return { header: JSON.stringify(header), payload: block.payload };
  };
}

/** Insert `"member":valueText` as the first or the last member of an object's JSON text. */
function insertMember(objectText: string, member: string, valueText: string, first: boolean) {
  const entry = `${JSON.stringify(member)}:${valueText}`;
  return first ? `{${entry},${objectText.slice(1)}` : `${objectText.slice(0, -1)},${entry}}`;
}

// ---------------------------------------------------------------------------------------
// The mutators

const flip: ChainMutator = {
  name: 'flip',
  summary: 'change one character of the token (JWS, AAT) or one bit of its bytes (Biscuit)',
  mutate(target, random) {
    const { token } = target;
    let mutated: string;
    let variant: string;
    if (isJson(target.format)) {
      mutated = flipCharacter(token, random.int(token.length), random.int(64));
      variant = 'character';
    } else {
      const bytes = biscuitBytes(token);
      const i = random.int(bytes.length);
      bytes[i] = (bytes[i] ?? 0) ^ (1 << random.int(8));
      mutated = bytesAsTextLike(token, bytes);
      variant = 'bit';
    }
    if (mutated === token) return Promise.resolve(undefined);
    return Promise.resolve({
      token: mutated,
      presenter: lastHolder(target),
      meaning: 'may-preserve',
      variant,
    });
  },
};

const strip: ChainMutator = {
  name: 'strip',
  summary: 'remove one block (the last: the earlier holder presents a genuine prefix)',
  async mutate(target, random) {
    const n = target.blocks.length;
    if (n < 2) return undefined;
    const i = random.int(n);
    const token = await spliceBlocks(target.token, (blocks) => blocks.filter((_, j) => j !== i));
    const tail = i === n - 1;
    return {
      token,
      presenter: at(target.holders, tail ? n - 2 : n - 1),
      meaning: tail ? 'may-preserve' : 'changed',
      variant: tail ? 'last' : i === 0 ? 'root' : 'middle',
    };
  },
};

const reorder: ChainMutator = {
  name: 'reorder',
  summary: 'swap two blocks; the holder of the block now last presents',
  async mutate(target, random) {
    const n = target.blocks.length;
    if (n < 2) return undefined;
    const a = random.int(n);
    const b = (a + 1 + random.int(n - 1)) % n;
    const order = target.blocks.map((_, i) => (i === a ? b : i === b ? a : i));
    const token = await spliceBlocks(target.token, (blocks) => order.map((i) => blocks[i]));
    return {
      token,
      presenter: at(target.holders, at(order, n - 1)),
      meaning: 'changed',
      variant: a === 0 || b === 0 ? 'with-root' : 'delegations',
    };
  },
};

const duplicate: ChainMutator = {
  name: 'duplicate',
  summary: 'repeat one block right after itself',
  async mutate(target, random) {
    const n = target.blocks.length;
    const i = random.int(n);
    const token = await spliceBlocks(target.token, (blocks) => [
      ...blocks.slice(0, i + 1),
      blocks[i],
      ...blocks.slice(i + 1),
    ]);
    return {
      token,
      presenter: lastHolder(target),
      meaning: 'changed',
      variant: i === 0 ? 'root' : i === n - 1 ? 'last' : 'middle',
    };
  },
};

const splice: ChainMutator = {
  name: 'splice',
  summary: "the head of this chain joined to the tail of another chain; the tail's holder presents",
  async mutate(target, random) {
    const partner = target.partner;
    if (partner === undefined || partner.token === target.token) return undefined;
    const keep = 1 + random.int(target.blocks.length);
    const from = random.int(partner.blocks.length);
    const right = (await blockTexts(partner.token)).slice(from);
    const token = await spliceBlocks(target.token, (blocks) => [
      ...blocks.slice(0, keep),
      ...right,
    ]);
    return {
      token,
      presenter: lastHolder(partner),
      meaning: 'changed',
      variant: from === 0 ? 'second-root' : 'tail',
    };
  },
};

const WIDENINGS = ['resource', 'action', 'expiry', 'depth', 'audience'] as const;

const widenResign: ChainMutator = {
  name: 'widen-resign',
  summary: 'the parent holder re-signs (or appends) a block wider than its parent',
  async mutate(target, random) {
    const n = target.blocks.length;
    const hop = 1 + random.int(n);
    const parent = at(target.blocks, hop - 1);
    const holder = hop < n ? at(target.holders, hop) : target.stranger;
    const base = hop < n ? at(target.blocks, hop) : appendedView(target, holder);
    const choices = WIDENINGS.filter(
      (w) =>
        (w !== 'action' || (target.format !== 'aat' && base.capabilities.length > 0)) &&
        // AAT checks every block's `aud` at the enforcement point (draft step 6c) instead of
        // narrowing it per hop: a wider `aud` grants nothing there, so it is no AAT widening.
        (w !== 'audience' || (parent.audience !== undefined && target.format !== 'aat')),
    );
    const how = random.pick(choices);
    let view: BlockView;
    switch (how) {
      case 'resource':
        view = { ...base, capabilities: [...base.capabilities, unheldCapability(target.format)] };
        break;
      case 'action':
        view = {
          ...base,
          capabilities: base.capabilities.map((c) => ({ ...c, actions: [...c.actions, 'purge'] })),
        };
        break;
      case 'expiry':
        view = { ...base, expiresAt: parent.expiresAt + 3600 };
        break;
      case 'depth':
        view = { ...base, maxDepth: parent.maxDepth + 1 };
        break;
      case 'audience':
        view = { ...base, audience: [...(parent.audience ?? []), 'https://elsewhere.fuzz'] };
        break;
    }
    return {
      token: await reencodeUpTo(target, hop, view, at(target.holders, hop - 1)),
      presenter: holder,
      meaning: 'changed',
      variant: `${how}${hop === n ? '-appended' : ''}`,
    };
  },
};

const strangerResign: ChainMutator = {
  name: 'stranger-resign',
  summary: 'a key that holds nothing signs a block in place of its genuine signer, or appends one',
  async mutate(target, random) {
    const n = target.blocks.length;
    if (random.chance()) {
      const view = appendedView(target, target.stranger);
      return {
        token: await reencodeUpTo(target, n, view, target.stranger),
        presenter: target.stranger,
        meaning: 'changed',
        variant: 'append',
      };
    }
    const hop = random.int(n);
    const plans = target.blocks.map(planOf);
    const signers = target.signers.map((s, i) => (i === hop ? target.stranger : s));
    return {
      token: await encodeChainUnchecked(target.format, plans, signers),
      presenter: lastHolder(target),
      meaning: 'changed',
      variant: hop === 0 ? 'root' : 'delegation',
    };
  },
};

function reencodeJson(target: MutationTarget, random: FuzzRandom): Mutant {
  const { hop } = randomHop(target, random);
  const presenter = lastHolder(target);
  const pieces = target.token.split(BLOCK_SEPARATOR);
  const variant = random.pick([
    'padded-signature',
    'standard-alphabet',
    'whitespace',
    'member-order',
    'unicode-escapes',
    'number-spelling',
  ] as const);
  if (variant === 'padded-signature' || variant === 'standard-alphabet') {
    // Only the signature segment: the signing input, and so every par_hash, stay the same.
    const piece = at(pieces, hop);
    const dot = piece.lastIndexOf('.');
    const signature = piece.slice(dot + 1);
    const reencoded =
      variant === 'padded-signature'
        ? `${signature}${'='.repeat((4 - (signature.length % 4)) % 4 || 1)}`
        : Buffer.from(signature, 'base64url').toString('base64');
    pieces[hop] = `${piece.slice(0, dot + 1)}${reencoded}`;
    return { token: pieces.join(BLOCK_SEPARATOR), presenter, meaning: 'may-preserve', variant };
  }
  const token = resignEdited(target, hop, (block) => {
    const payload = JSON.parse(block.payload) as Record<string, unknown>;
    switch (variant) {
      case 'whitespace':
        return { header: block.header, payload: JSON.stringify(payload, null, 1) };
      case 'member-order':
        return {
          header: block.header,
          payload: JSON.stringify(Object.fromEntries(Object.entries(payload).reverse())),
        };
      case 'unicode-escapes':
        return {
          header: block.header,
          payload: block.payload.replace(
            /"([a-z])/g,
            (_m, c: string) => `"\\u00${c.charCodeAt(0).toString(16)}`,
          ),
        };
      case 'number-spelling':
        return {
          header: block.header,
          payload: block.payload.replace(/"exp":(\d+)/, (_m, d: string) => `"exp":${d}.0`),
        };
    }
  });
  return { token, presenter, meaning: 'may-preserve', variant };
}

const reencode: ChainMutator = {
  name: 'reencode',
  summary: 'the same content encoded another way (base64, JSON spelling, protobuf varints)',
  mutate(target, random) {
    if (isJson(target.format)) return Promise.resolve(reencodeJson(target, random));
    const presenter = lastHolder(target);
    const { token } = target;
    const variant = random.pick([
      'unpadded',
      'standard-alphabet',
      'overlong-tag',
      'field-order',
    ] as const);
    let mutated: string | undefined;
    switch (variant) {
      case 'unpadded':
        mutated = token.endsWith('=') ? token.replace(/=+$/, '') : `${token}=`;
        break;
      case 'standard-alphabet':
        mutated = Buffer.from(biscuitBytes(token)).toString('base64');
        break;
      case 'overlong-tag':
        mutated = editBiscuitFields(token, (fields) => {
          const i = random.int(fields.length);
          return Buffer.concat(fields.map((f, j) => writeField(f, j === i)));
        });
        break;
      case 'field-order':
        mutated = editBiscuitFields(token, (fields) =>
          fields.length < 2 ? undefined : [...fields].reverse(),
        );
        break;
    }
    if (mutated === undefined || mutated === token) return Promise.resolve(undefined);
    return Promise.resolve({ token: mutated, presenter, meaning: 'may-preserve', variant });
  },
};

const duplicateKeys: ChainMutator = {
  name: 'duplicate-keys',
  summary: 'a signed block repeats a member with a conflicting value (Biscuit: a protobuf field)',
  mutate(target, random) {
    const { n, hop } = randomHop(target, random);
    const first = random.chance();
    if (!isJson(target.format)) {
      const mutated = editBiscuitFields(target.token, (fields) => {
        const i = random.int(fields.length);
        const copy = at(fields, i);
        // The same field again: identical, or carrying another field's bytes.
        const other = at(fields, random.int(fields.length));
        const twin = random.chance() ? copy : { ...copy, body: other.body };
        return first
          ? [...fields.slice(0, i), twin, ...fields.slice(i)]
          : [...fields.slice(0, i + 1), twin, ...fields.slice(i + 1)];
      });
      if (mutated === undefined || mutated === target.token) return Promise.resolve(undefined);
      return Promise.resolve({
        token: mutated,
        presenter: lastHolder(target),
        meaning: 'may-preserve',
        variant: 'protobuf-field',
      });
    }
    const block = at(target.blocks, hop);
    const strangerJwk = JSON.stringify({ jwk: target.stranger.publicJwk });
    const options: [string, string, boolean][] = [
      ['cnf', strangerJwk, false],
      ['exp', String(block.expiresAt + 86_400), false],
      ['del_max_depth', String(block.maxDepth + 5), false],
      ['aud', JSON.stringify('https://elsewhere.fuzz'), false],
      ['jti', JSON.stringify(`${block.id}-twin`), false],
      ['alg', JSON.stringify('none'), true],
      ['typ', JSON.stringify(TYP.dpop), true],
    ];
    if (target.format === 'jws') options.push(['sub', JSON.stringify('mallory'), false]);
    const [member, value, inHeader] = random.pick(options);
    const token = resignEdited(target, hop, (text) =>
      inHeader
        ? { header: insertMember(text.header, member, value, first), payload: text.payload }
        : { header: text.header, payload: insertMember(text.payload, member, value, first) },
    );
    const stolen = member === 'cnf' && hop === n - 1;
    return Promise.resolve({
      token,
      presenter: stolen ? target.stranger : lastHolder(target),
      meaning: 'changed',
      variant: `${inHeader ? 'header' : 'payload'}-${member}-${first ? 'first' : 'last'}`,
    });
  },
};

const confusables: ChainMutator = {
  name: 'confusables',
  summary: "a block's names replaced by look-alikes (every scheme, action, tool or the subject)",
  async mutate(target, random) {
    const { hop, block } = randomHop(target, random);
    const [look, transform] = random.pick(LOOKALIKES);
    const fields = ['resource', ...(target.format === 'aat' ? [] : ['action'])];
    if (hop > 0 && target.format !== 'aat') fields.push('subject');
    const field = random.pick(fields);
    if (field !== 'subject' && block.capabilities.length === 0) return undefined;
    const capabilities = block.capabilities.map((c): Capability => {
      if (field === 'action') return { ...c, actions: c.actions.map(transform) };
      const resource =
        target.format === 'aat'
          ? withToolName(c.resource, transform)
          : withScheme(c.resource, transform);
      return { ...c, resource };
    });
    const view: BlockView =
      field === 'subject'
        ? { ...block, subject: transform(block.subject) }
        : { ...block, capabilities };
    return rewrittenMutant(target, hop, view, {
      presenter: lastHolder(target),
      meaning: 'changed',
      variant: `${field}-${look}`,
    });
  },
};

function nestedAll(depth: number): Constraint {
  let c: Constraint = { constraint_type: 'wildcard' };
  for (let i = 0; i < depth; i++) c = { constraint_type: 'all', constraints: [c] };
  return c;
}

const OVERSIZE = ['long-id', 'many-capabilities', 'long-actions', 'huge-block', 'many-blocks'];

const oversized: ChainMutator = {
  name: 'oversized',
  summary: 'a block beyond the documented limits (string, capability, array, block, chain size)',
  async mutate(target, random) {
    const { hop, block } = randomHop(target, random);
    const how = random.pick(OVERSIZE);
    const presenter = lastHolder(target);
    if (how === 'many-blocks') {
      const token = await spliceBlocks(target.token, (blocks) => [
        ...blocks,
        ...Array.from({ length: 17 }, () => blocks[blocks.length - 1]),
      ]);
      return { token, presenter, meaning: 'changed', variant: how };
    }
    const seed = block.capabilities[0] ?? unheldCapability(target.format);
    let view: BlockView;
    switch (how) {
      case 'long-id':
        view = { ...block, id: `${block.id}${'i'.repeat(2048)}` };
        break;
      case 'many-capabilities':
        view = {
          ...block,
          capabilities: Array.from({ length: 65 }, (_, i) => ({
            ...seed,
            resource: target.format === 'aat' ? toolResource(`t${i}`) : `${seed.resource}${i}`,
          })),
        };
        break;
      case 'long-actions':
        view = {
          ...block,
          capabilities: [
            {
              ...seed,
              actions:
                target.format === 'aat'
                  ? seed.actions
                  : Array.from({ length: 300 }, (_, i) => `a${i}`),
              ...(target.format === 'aat'
                ? {
                    constraints: {
                      x: {
                        constraint_type: 'one_of',
                        values: Array.from({ length: 300 }, (_, i) => i),
                      },
                    },
                  }
                : {}),
            },
          ],
        };
        break;
      default:
        view = { ...block, id: `${block.id}${'h'.repeat(20_000)}` };
        break;
    }
    return rewrittenMutant(
      target,
      hop,
      view,
      { presenter: holderAfterRewrite(target, hop), meaning: 'changed', variant: how },
      true,
    );
  },
};

const deepNesting: ChainMutator = {
  name: 'deep-nesting',
  summary: 'constraints nested past the limit, or JSON (protobuf) nested thousands deep',
  async mutate(target, random) {
    const { hop, block } = randomHop(target, random);
    const presenter = lastHolder(target);
    const json = isJson(target.format) && random.chance();
    if (json) {
      const depth = random.pick([65, 1000, 5000]);
      const token = resignEdited(target, hop, (text) => ({
        header: text.header,
        payload: insertMember(
          text.payload,
          'nest',
          `${'['.repeat(depth)}${']'.repeat(depth)}`,
          false,
        ),
      }));
      return { token, presenter, meaning: 'changed', variant: `json-${depth}` };
    }
    if (!isJson(target.format) && random.chance()) {
      // A protobuf field nested 2000 deep, as an unknown field of the token message.
      const mutated = editBiscuitFields(target.token, (fields) => [
        ...fields,
        { key: (15 << 3) | 2, wire: 2, body: nestedProtobuf() },
      ]);
      if (mutated === undefined) return undefined;
      return { token: mutated, presenter, meaning: 'may-preserve', variant: 'protobuf-2000' };
    }
    const seed = block.capabilities[0] ?? unheldCapability(target.format);
    const view: BlockView = {
      ...block,
      capabilities: [{ ...seed, constraints: { x: nestedAll(20) } }],
    };
    return rewrittenMutant(
      target,
      hop,
      view,
      { presenter: holderAfterRewrite(target, hop), meaning: 'changed', variant: 'constraint-20' },
      true,
    );
  },
};

/** Numbers no time, depth or bound may take, as JSON text. */
const INADMISSIBLE = ['1.5', '-1', '9007199254740992', '1e16', '1e308', '1e400', '-1e400'];
/** Numbers at the edge, or admissible values spelt another way (`0.1e1` is 1). */
const EDGE = ['-0', '9007199254740991', '0', '0.1e1', '1E0'];

const edgeNumbers: ChainMutator = {
  name: 'edge-numbers',
  summary: 'times, depths at and past the edges of the admissible integers',
  async mutate(target, random) {
    const { hop, block } = randomHop(target, random);
    const presenter = lastHolder(target);
    const members = ['exp', 'iat', 'del_depth', 'del_max_depth'];
    const member = random.pick(members);
    const edge = random.chance(0.25);
    const text = random.pick(edge ? EDGE : INADMISSIBLE);
    const meaning: Meaning = edge ? 'may-preserve' : 'changed';
    if (isJson(target.format)) {
      const token = resignEdited(target, hop, (b) => ({
        header: b.header,
        payload: b.payload.replace(new RegExp(`"${member}":-?\\d+`), `"${member}":${text}`),
      }));
      return { token, presenter, meaning, variant: `${member}=${text}` };
    }
    const value = Number(text);
    const field = ({ exp: 'expiresAt', iat: 'issuedAt', del_depth: 'depth' } as const)[
      member as 'exp'
    ];
    const view = { ...block, [field ?? 'maxDepth']: value } as BlockView;
    return rewrittenMutant(target, hop, view, { presenter, meaning, variant: `${member}=${text}` });
  },
};

const HEADER_ATTACKS = [
  'jwk-stranger',
  'jku-stranger',
  'x5u-stranger',
  'kid-stranger',
  'alg-none',
  'hs256-public-key',
  'crit',
  'b64-false',
  'typ-confusion',
  'kid-genuine',
] as const;

type HeaderEdit = (header: Record<string, unknown>) => void;

/** Header edits signed by the stranger (keys it points to) and by the genuine signer. */
function headerEdits(stranger: KeyPair): {
  byStranger: Partial<Record<(typeof HEADER_ATTACKS)[number], HeaderEdit>>;
  byGenuine: Partial<Record<(typeof HEADER_ATTACKS)[number], HeaderEdit>>;
} {
  const url = 'https://stranger.example/.well-known/jwks.json';
  return {
    byStranger: {
      'jwk-stranger': (h) => (h['jwk'] = stranger.publicJwk),
      'jku-stranger': (h) => (h['jku'] = url),
      'x5u-stranger': (h) => (h['x5u'] = url),
      'kid-stranger': (h) => (h['kid'] = `../../keys/${stranger.id}`),
    },
    byGenuine: {
      'kid-genuine': (h) => (h['kid'] = "' OR '1'='1"),
      crit: (h) => {
        h['crit'] = ['fuzz'];
        h['fuzz'] = true;
      },
      'b64-false': (h) => {
        h['b64'] = false;
        h['crit'] = ['b64'];
      },
    },
  };
}

const headerInjection: ChainMutator = {
  name: 'header-injection',
  summary:
    'JOSE header members that pick keys or algorithms (Biscuit: root key id, unknown fields)',
  mutate(target, random) {
    const { hop } = randomHop(target, random);
    const presenter = lastHolder(target);
    if (!isJson(target.format)) {
      const variant = random.pick(['root-key-id', 'unknown-field'] as const);
      const mutated = editBiscuitFields(target.token, (fields) => {
        const extra: RawField =
          variant === 'root-key-id'
            ? { key: (1 << 3) | 0, wire: 0, body: Uint8Array.from(writeVarint(random.int(1000))) }
            : { key: (9 << 3) | 2, wire: 2, body: Uint8Array.from([1, 2, 3]) };
        return [extra, ...fields.filter((f) => f.key !== extra.key)];
      });
      if (mutated === undefined || mutated === target.token) return Promise.resolve(undefined);
      return Promise.resolve({ token: mutated, presenter, meaning: 'may-preserve', variant });
    }
    const attack = random.pick(HEADER_ATTACKS);
    const stranger = target.stranger;
    let token: string;
    const headers = headerEdits(stranger);
    const edit = headers.byStranger[attack] ?? headers.byGenuine[attack];
    // `kid` under the genuine signature names no other key: it may be ignored, nothing more.
    const meaning: Meaning = attack === 'kid-genuine' ? 'may-preserve' : 'changed';
    if (edit !== undefined) {
      const signer = headers.byStranger[attack] === undefined ? undefined : stranger;
      token = resignEdited(target, hop, editHeader(edit), signer);
      return Promise.resolve({ token, presenter, meaning, variant: attack });
    }
    switch (attack) {
      case 'typ-confusion': {
        const typ = random.pick([
          TYP.root,
          TYP.delegation,
          TYP.aat,
          TYP.dpop,
          TYP.invocation,
          'JWT',
        ]);
        const current = (
          JSON.parse(at(jsonBlocksOf(target.token), hop).header) as { typ?: unknown }
        ).typ;
        if (typ === current) return Promise.resolve(undefined);
        token = resignEdited(
          target,
          hop,
          editHeader((h) => (h['typ'] = typ)),
        );
        break;
      }
      case 'alg-none':
      case 'hs256-public-key': {
        const pieces = target.token.split(BLOCK_SEPARATOR);
        const block = at(jsonBlocksOf(target.token), hop);
        const header = JSON.parse(block.header) as Record<string, unknown>;
        header['alg'] = attack === 'alg-none' ? 'none' : 'HS256';
        const signed = signJsonBlock(
          { header: JSON.stringify(header), payload: block.payload },
          stranger,
        );
        const input = signed.slice(0, signed.lastIndexOf('.'));
        const key = JSON.stringify(at(target.signers, hop).publicJwk);
        const signature =
          attack === 'alg-none' ? '' : createHmac('sha256', key).update(input).digest('base64url');
        pieces[hop] = `${input}.${signature}`;
        // Only the last block: a changed signing input would break the next block's par_hash.
        token = pieces.slice(0, hop + 1).join(BLOCK_SEPARATOR);
        return Promise.resolve({
          token,
          presenter: at(target.holders, hop),
          meaning,
          variant: attack,
        });
      }
      default:
        return Promise.resolve(undefined);
    }
    return Promise.resolve({ token, presenter, meaning, variant: attack });
  },
};

/** Every mutator of the campaign, in a fixed order (the campaign's round-robin follows it). */
export const CHAIN_MUTATORS: readonly ChainMutator[] = deepFreeze([
  flip,
  strip,
  reorder,
  duplicate,
  splice,
  widenResign,
  strangerResign,
  reencode,
  duplicateKeys,
  confusables,
  oversized,
  deepNesting,
  edgeNumbers,
  headerInjection,
]);

/** The parties of a chain: the trust anchor, and every key that may hold a block. */
export interface ChainParties {
  readonly anchor: KeyPair;
  readonly keys: readonly KeyPair[];
  readonly stranger: KeyPair;
}

/**
 * A mutation target for a genuine `token`: decodes its blocks (nothing is verified) and finds
 * each block's holder among `parties.keys`. Throws `RangeError` when a holder is not among them.
 */
export async function mutationTarget(
  token: string,
  parties: ChainParties,
  partner?: MutationTarget,
): Promise<MutationTarget> {
  const mandate = await parseMandate(token);
  const byId = new Map(parties.keys.map((k) => [k.id, k]));
  const holders = mandate.blocks.map((b) => {
    const key = byId.get(b.holder);
    if (key === undefined) throw new RangeError(`no key for holder ${b.holder}`);
    return key;
  });
  return {
    format: mandate.format,
    token,
    blocks: mandate.blocks,
    signers: [parties.anchor, ...holders.slice(0, -1)],
    holders,
    stranger: parties.stranger,
    ...(partner === undefined ? {} : { partner }),
  };
}
