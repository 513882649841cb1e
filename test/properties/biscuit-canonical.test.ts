/**
 * The Biscuit block decoder accepts exactly the canonical encoding (docs/format.md, "Canonical
 * encoding"). It checks canonical form while it reads, comparing the bytes with what the encoder
 * would write without writing it; the law here holds that check to the plain definition: a block
 * the decoder accepts is, byte for byte, what `encodeBlock` writes for the content it decoded.
 * Blocks of generated chains are tampered with at the byte level (bit flips, inserted and removed
 * bytes, overlong varints at any nesting depth, fields duplicated, dropped or swapped), and every
 * outcome is either that or a coded refusal at the block's hop.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { isMandateError } from '../../src/core/errors.js';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import { delegate, mint, type CapabilityInput, type KeyPair } from '../../src/index.js';
import { decodeBlock, encodeBlock } from '../../src/format/biscuit/block.js';
import { readBiscuit } from '../../src/format/biscuit/chain.js';
import { SymbolTable } from '../../src/format/biscuit/symbols.js';
import { fromTokenText, toTokenText } from '../../src/format/biscuit/token.js';
import { arbCapabilities, arbNarrowing } from '../../src/testing/arbitraries.js';
import { lawParams, NUM_RUNS } from '../../src/testing/config.js';
import {
  rawFields,
  writeField,
  writeFields,
  writeVarint,
  type RawField,
} from '../../src/testing/protobuf-bytes.js';
import { derivedKeyPair } from '../../src/testing/seeded-keys.js';

const NOW = 1_767_225_600;
const [ANCHOR, A, B, C] = [0, 1, 2, 3].map((i) => derivedKeyPair(15, i, 'canonical')) as [
  KeyPair,
  KeyPair,
  KeyPair,
  KeyPair,
];

/** A three-block chain: a root, a narrowing delegation, and one that narrows time and audience. */
async function chainOf(root: CapabilityInput[], narrowed: CapabilityInput[]): Promise<string> {
  const minted = await mint({
    format: 'biscuit',
    issuer: ANCHOR,
    issuerId: 'https://as.example',
    subject: 'user:alice',
    holder: A.publicJwk,
    capabilities: root.length === 0 ? [{ resource: 'docs:a', actions: ['read'] }] : root,
    audience: ['https://one.example', 'https://two.example'],
    purpose: 'canonical law',
    expiresIn: 3600,
    now: NOW,
  });
  const child = await delegate(minted, {
    signer: A,
    holder: B.publicJwk,
    capabilities: narrowed,
    now: NOW,
  });
  const grandchild = await delegate(child, {
    signer: B,
    holder: C.publicJwk,
    audience: 'https://two.example',
    expiresIn: 600,
    now: NOW + 5,
  });
  return grandchild.token;
}

const arbChain = arbCapabilities()
  .filter((caps) => caps.length > 0)
  .chain((root) => arbNarrowing(root).map((narrowed) => ({ root, narrowed })));

/** A byte-level edit of a protobuf message, applied at `depth` levels of nesting at most. */
type Edit =
  | { readonly kind: 'flip'; readonly at: number; readonly mask: number }
  | { readonly kind: 'insert'; readonly at: number; readonly byte: number }
  | { readonly kind: 'remove'; readonly at: number }
  | { readonly kind: 'overlong-tag' | 'overlong-length'; readonly path: readonly number[] }
  | { readonly kind: 'duplicate' | 'drop'; readonly path: readonly number[] }
  | { readonly kind: 'swap'; readonly path: readonly number[] };

const arbPath = fc.array(fc.nat(40), { minLength: 1, maxLength: 5 });
const arbEdit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    mask: fc.integer({ min: 1, max: 255 }),
  }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.nat(255) }),
  fc.record({ kind: fc.constant('remove' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constantFrom('overlong-tag' as const, 'overlong-length' as const),
    path: arbPath,
  }),
  fc.record({ kind: fc.constantFrom('duplicate' as const, 'drop' as const), path: arbPath }),
  fc.record({ kind: fc.constant('swap' as const), path: arbPath }),
);

/**
 * Applies a structural edit at the field `path` names (each entry picks a field, modulo the
 * message's field count, then descends into its body); undefined when the path leaves the
 * messages (a body that is not itself a message).
 */
function editAt(buf: Uint8Array, edit: Edit & { path: readonly number[] }): Uint8Array | undefined {
  const fields = rawFields(buf);
  if (fields === undefined || fields.length === 0) return undefined;
  const [first, ...rest] = edit.path;
  const i = (first ?? 0) % fields.length;
  const field = fields[i]!;
  if (rest.length > 0 && field.wire === 2) {
    const inner = editAt(field.body, { ...edit, path: rest });
    if (inner !== undefined) {
      const out = [...fields];
      out[i] = { ...field, body: inner };
      return writeFields(out);
    }
  }
  const parts = fields.map((f) => writeField(f));
  switch (edit.kind) {
    case 'overlong-tag':
      parts[i] = writeField(field, true);
      break;
    case 'overlong-length':
      if (field.wire !== 2) return undefined;
      parts[i] = Uint8Array.from([
        ...writeVarint(field.key),
        ...writeVarint(field.body.length, true),
        ...field.body,
      ]);
      break;
    case 'duplicate':
      parts.splice(i, 0, writeField(field));
      break;
    case 'drop':
      parts.splice(i, 1);
      break;
    case 'swap': {
      const j = (i + 1) % parts.length;
      [parts[i], parts[j]] = [parts[j]!, parts[i]!];
      break;
    }
    default:
      return undefined;
  }
  return Buffer.concat(parts);
}

function applyEdit(bytes: Uint8Array, edit: Edit): Uint8Array | undefined {
  const at = 'at' in edit ? edit.at % (bytes.length + 1) : 0;
  switch (edit.kind) {
    case 'flip': {
      if (bytes.length === 0) return undefined;
      const out = Uint8Array.from(bytes);
      const i = at % bytes.length;
      out[i] = (out[i] ?? 0) ^ edit.mask;
      return out;
    }
    case 'insert':
      return Uint8Array.from([...bytes.subarray(0, at), edit.byte, ...bytes.subarray(at)]);
    case 'remove':
      if (bytes.length === 0) return undefined;
      return Uint8Array.from([
        ...bytes.subarray(0, at % bytes.length),
        ...bytes.subarray((at % bytes.length) + 1),
      ]);
    default:
      return editAt(bytes, edit);
  }
}

/** The decoder's verdict, held to the definition: accepted means re-encoded to the same bytes. */
function checkVerdict(bytes: Uint8Array, table: SymbolTable, hop: number): 'accepted' | 'refused' {
  let decoded: ReturnType<typeof decodeBlock>;
  try {
    decoded = decodeBlock(bytes, table, hop, DEFAULT_LIMITS);
  } catch (error) {
    if (!isMandateError(error)) throw error;
    expect(['MANDATE_MALFORMED', 'MANDATE_LIMIT_EXCEEDED']).toContain(error.code);
    expect(error).toMatchObject({ hop, check: 'limits' });
    return 'refused';
  }
  const again = encodeBlock(decoded.content, table, hop === 0);
  expect(Buffer.from(again.bytes).equals(Buffer.from(bytes))).toBe(true);
  expect(again.table.nextId).toBe(decoded.table.nextId);
  return 'accepted';
}

describe('Biscuit token text: only the canonical base64url', () => {
  /** The definition: the alphabet, padding to four, and re-encoding gives the same text. */
  function canonical(text: string): boolean {
    return (
      /^[A-Za-z0-9_-]+={0,2}$/.test(text) &&
      text.length % 4 === 0 &&
      toTokenText(Buffer.from(text, 'base64url')) === text
    );
  }
  const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/';
  const arbText = fc.oneof(
    fc.string({ unit: fc.constantFrom(...BASE64), minLength: 1, maxLength: 16 }),
    // A genuine text with one character replaced: mostly the last ones, where the bits hide.
    fc
      .tuple(fc.uint8Array({ minLength: 1, maxLength: 12 }), fc.nat(), fc.constantFrom(...BASE64))
      .map(([bytes, at, c]) => {
        const text = toTokenText(bytes);
        const i = text.length - 1 - (at % Math.min(4, text.length));
        return text.slice(0, i) + c + text.slice(i + 1);
      }),
  );

  it('accepts exactly the texts that re-encode to themselves, and decodes them', () => {
    fc.assert(
      fc.property(arbText, (text) => {
        let decoded: Uint8Array | undefined;
        try {
          decoded = fromTokenText(text);
        } catch (error) {
          expect(error).toMatchObject({ code: 'MANDATE_MALFORMED', hop: 0, check: 'limits' });
        }
        expect(decoded !== undefined).toBe(canonical(text));
        if (decoded !== undefined) expect(toTokenText(decoded)).toBe(text);
      }),
      lawParams({ numRuns: Math.max(1000, NUM_RUNS * 10) }),
    );
  });
});

describe('Biscuit blocks: canonical encoding, checked while reading', () => {
  it('genuine blocks decode, and re-encode to their own bytes', async () => {
    await fc.assert(
      fc.asyncProperty(arbChain, async ({ root, narrowed }) => {
        const decoded = readBiscuit(await chainOf(root, narrowed), DEFAULT_LIMITS);
        decoded.token.blocks.forEach((signed, hop) => {
          const table = decoded.entries[hop - 1]?.table ?? SymbolTable.initial;
          expect(checkVerdict(signed.block, table, hop)).toBe('accepted');
        });
      }),
      lawParams({ numRuns: Math.max(20, Math.floor(NUM_RUNS / 4)) }),
    );
  });

  it('a tampered block is refused at its hop unless it is exactly the canonical encoding of what it states', async () => {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        arbChain,
        fc.nat(2),
        fc.array(arbEdit, { minLength: 1, maxLength: 3 }),
        async ({ root, narrowed }, hop, edits) => {
          const decoded = readBiscuit(await chainOf(root, narrowed), DEFAULT_LIMITS);
          const signed = decoded.token.blocks[hop]!;
          const table = decoded.entries[hop - 1]?.table ?? SymbolTable.initial;
          let bytes: Uint8Array | undefined = signed.block;
          for (const edit of edits)
            bytes = bytes === undefined ? undefined : applyEdit(bytes, edit);
          if (bytes === undefined) return;
          if (checkVerdict(bytes, table, hop) === 'refused') refused++;
        },
      ),
      lawParams({ numRuns: Math.max(100, NUM_RUNS) }),
    );
    // The edits are attacks: nearly all of them must be refused (a flipped date byte is not).
    expect(refused).toBeGreaterThan(0);
  });

  it('block ids round-trip: a lowercase UUID as its 16 bytes, any other id as text', () => {
    const hex = fc.constantFrom(...'0123456789abcdefABCDEF-g');
    const arbId = fc.oneof(
      fc.uuid(),
      fc.uuid().map((u) => u.toUpperCase()),
      fc.tuple(fc.uuid(), fc.nat(35), hex).map(([u, i, c]) => u.slice(0, i) + c + u.slice(i + 1)),
      fc.string({ unit: hex, minLength: 30, maxLength: 40 }),
    );
    fc.assert(
      fc.property(arbId, (id) => {
        const { bytes } = encodeBlock({ id, issuedAt: NOW }, SymbolTable.initial, false);
        const asBytes = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id);
        // The id's symbol is in the block's symbols exactly when it is carried as text.
        expect(Buffer.from(bytes).includes(Buffer.from(id))).toBe(!asBytes);
        const { content } = decodeBlock(bytes, SymbolTable.initial, 1, DEFAULT_LIMITS);
        expect(content.id).toBe(id);
      }),
      lawParams({ numRuns: Math.max(300, NUM_RUNS * 3) }),
    );
  });

  it.each<[string, (fields: RawField[]) => RawField[] | Uint8Array]>([
    ['a check dropped', (f) => f.filter((x, i) => !(x.key === 6 * 8 + 2 && i === f.length - 1))],
    [
      'the checks before the facts',
      (f) => [...f.filter((x) => x.key === 50), ...f.filter((x) => x.key !== 50)],
    ],
    [
      'the version repeated at the end',
      (f) => [...f, { key: 3 * 8, wire: 0, body: Uint8Array.of(3) }],
    ],
    [
      'a symbol with a byte-order mark (decodes to the same text)',
      (f) =>
        f.map((x, i) =>
          i === 0 ? { ...x, body: Uint8Array.from([0xef, 0xbb, 0xbf, ...x.body]) } : x,
        ),
    ],
    [
      'the version as an overlong varint',
      (f) => Buffer.concat(f.map((x) => writeField(x, x.key === 24))),
    ],
  ])('refuses %s', async (_name, edit) => {
    const decoded = readBiscuit(
      await chainOf(
        [{ resource: 'billing:a/**', actions: ['pay', 'read'] }],
        [{ resource: 'billing:a/*', actions: ['pay'] }],
      ),
      DEFAULT_LIMITS,
    );
    for (const hop of [0, 1]) {
      const fields = rawFields(decoded.token.blocks[hop]!.block)!;
      const edited = edit(fields);
      const bytes = edited instanceof Uint8Array ? edited : writeFields(edited);
      const table = decoded.entries[hop - 1]?.table ?? SymbolTable.initial;
      expect(() => decodeBlock(bytes, table, hop, DEFAULT_LIMITS)).toThrow(
        expect.objectContaining({ code: 'MANDATE_MALFORMED', hop, check: 'limits' }),
      );
    }
  });
});
