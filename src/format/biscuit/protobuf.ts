/**
 * A minimal, strict protobuf (proto2 wire format) reader and writer for the few Biscuit messages
 * Mandate reads and writes by hand (docs/format.md, "Biscuit encoding").
 *
 * Why by hand: Mandate writes and reads every byte of its Biscuit tokens in JavaScript (no wasm on
 * the mint, delegate or verify path), and the messages involved are small and fixed (`Biscuit`,
 * `SignedBlock`, `PublicKey`, `Proof`, and the parts of `Block` its layout uses), so a small reader
 * is less code to trust than a protobuf dependency.
 *
 * Varints are read as JavaScript numbers: every varint Mandate's layout carries (field keys,
 * lengths, symbol ids, dates, small integers) is far below 2^53, and a value at or above 2^53 is
 * refused rather than read imprecisely (BigInt arithmetic made this reader the hot spot of a
 * Biscuit verification).
 *
 * Strictness (every violation is a `ProtobufError`, mapped by callers to `MANDATE_MALFORMED`):
 * truncated input, a varint longer than 10 bytes or at/above 2^53, wire types 3/4 (groups) and
 * 6/7, and a length running past its message. Whether unknown or repeated fields are allowed is
 * decided by the caller, per message.
 *
 * @module
 */

/** A wire-format violation. The message never contains input bytes. */
export class ProtobufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufError';
  }
}

/** One field as read: its number, wire type and value (a varint, or the raw bytes of a LEN field). */
export type ProtoField =
  | { readonly field: number; readonly wire: 0; readonly value: number }
  | { readonly field: number; readonly wire: 2; readonly bytes: Uint8Array }
  | { readonly field: number; readonly wire: 1 | 5; readonly bytes: Uint8Array };

const MAX_VARINT_BYTES = 10;
const TWO_POW_53 = 2 ** 53;

/** Reads one varint at `start`; `next` is the offset after it. */
function readVarint(buf: Uint8Array, start: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    const byte = buf[start + i];
    if (byte === undefined) throw new ProtobufError('truncated varint');
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) {
      if (value >= TWO_POW_53) throw new ProtobufError('varint exceeds 2^53');
      return { value, next: start + i + 1 };
    }
    scale *= 128;
  }
  throw new ProtobufError('varint longer than 10 bytes');
}

/**
 * Reads every field of one message, in order. Lengths are bounded by the buffer, so the work is
 * linear in the input size.
 */
export function readFields(buf: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const key = readVarint(buf, pos);
    pos = key.next;
    const field = Math.floor(key.value / 8);
    const wire = key.value % 8;
    if (field < 1 || field > 536_870_911) throw new ProtobufError('invalid field number');
    if (wire === 0) {
      const v = readVarint(buf, pos);
      pos = v.next;
      fields.push({ field, wire, value: v.value });
    } else if (wire === 2) {
      const len = readVarint(buf, pos);
      pos = len.next;
      if (len.value > buf.length - pos) throw new ProtobufError('length past end');
      const end = pos + len.value;
      fields.push({ field, wire, bytes: buf.subarray(pos, end) });
      pos = end;
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      if (pos + size > buf.length) throw new ProtobufError('truncated fixed field');
      fields.push({ field, wire, bytes: buf.subarray(pos, pos + size) });
      pos += size;
    } else {
      throw new ProtobufError(`unsupported wire type ${wire}`);
    }
  }
  return fields;
}

/**
 * A cursor over a message, for readers that know the order fields come in (the block layout):
 * no field objects or maps are built. Every read is bounded by the end of the message it is in;
 * a violation is a {@link ProtobufError}.
 */
export class ProtoReader {
  readonly #buf: Uint8Array;
  #pos: number;
  readonly #end: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.#buf = buf;
    this.#pos = start;
    this.#end = end;
  }

  /** Whether every byte of the message has been read. */
  get done(): boolean {
    return this.#pos >= this.#end;
  }

  /** The next field's key (`field * 8 + wire`), without consuming it; -1 at the end. */
  peekKey(): number {
    if (this.done) return -1;
    const byte = this.#buf[this.#pos] ?? 0;
    if ((byte & 0x80) === 0) return byte;
    const start = this.#pos;
    const key = this.varint();
    this.#pos = start;
    return key;
  }

  /** A varint (below 2^53, at most 10 bytes). */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      if (this.#pos >= this.#end) throw new ProtobufError('truncated varint');
      const byte = this.#buf[this.#pos++] ?? 0;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (value >= TWO_POW_53) throw new ProtobufError('varint exceeds 2^53');
        return value;
      }
      scale *= 128;
    }
    throw new ProtobufError('varint longer than 10 bytes');
  }

  /** Consumes a key, which must be `key`. */
  expect(key: number, what: string): void {
    if (this.varint() !== key) throw new ProtobufError(`${what} is not where the layout puts it`);
  }

  /** The value of a LEN field whose key was just read, as a reader of its own. */
  message(): ProtoReader {
    const end = this.#lenEnd();
    const inner = new ProtoReader(this.#buf, this.#pos, end);
    this.#pos = end;
    return inner;
  }

  /** The bytes of a LEN field whose key was just read. */
  bytes(): Uint8Array {
    const end = this.#lenEnd();
    const bytes = this.#buf.subarray(this.#pos, end);
    this.#pos = end;
    return bytes;
  }

  #lenEnd(): number {
    const length = this.varint();
    if (length > this.#end - this.#pos) throw new ProtobufError('length past end');
    return this.#pos + length;
  }
}

/** Schema of one message: for each known field, its wire type and whether it may repeat. */
export type MessageSchema = Readonly<
  Record<number, { readonly wire: 0 | 2; readonly repeated?: boolean; readonly required?: boolean }>
>;

const required = new WeakMap<MessageSchema, readonly number[]>();

/** The required field numbers of a schema (computed once per schema). */
function requiredFields(schema: MessageSchema): readonly number[] {
  let fields = required.get(schema);
  if (fields === undefined) {
    fields = Object.entries(schema).flatMap(([field, spec]) =>
      spec.required === true ? [Number(field)] : [],
    );
    required.set(schema, fields);
  }
  return fields;
}

/** The fields of a message grouped by number, checked against `schema` (unknown fields refused). */
export function readMessage(
  buf: Uint8Array,
  schema: MessageSchema,
  name: string,
): Map<number, ProtoField[]> {
  const out = new Map<number, ProtoField[]>();
  for (const f of readFields(buf)) {
    const spec = schema[f.field];
    if (spec === undefined) throw new ProtobufError(`${name}: unknown field ${f.field}`);
    if (spec.wire !== f.wire)
      throw new ProtobufError(
        `${name}: field ${f.field} has the wrong protobuf wire type (${f.wire}, expected ${spec.wire})`,
      );
    const list = out.get(f.field);
    if (list === undefined) {
      out.set(f.field, [f]);
      continue;
    }
    if (spec.repeated !== true) {
      throw new ProtobufError(`${name}: field ${f.field} appears more than once`);
    }
    list.push(f);
  }
  for (const field of requiredFields(schema)) {
    if (!out.has(field)) throw new ProtobufError(`${name}: field ${field} is missing`);
  }
  return out;
}

/** The bytes of a LEN field (or undefined when absent). */
export function bytesOf(fields: Map<number, ProtoField[]>, field: number): Uint8Array | undefined {
  const f = fields.get(field)?.[0];
  return f !== undefined && f.wire === 2 ? f.bytes : undefined;
}

/** The value of a varint field (or undefined when absent). */
export function varintOf(fields: Map<number, ProtoField[]>, field: number): number | undefined {
  const f = fields.get(field)?.[0];
  return f !== undefined && f.wire === 0 ? f.value : undefined;
}

/** Every LEN value of a repeated field, in order. */
export function allBytesOf(fields: Map<number, ProtoField[]>, field: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const f of fields.get(field) ?? []) if (f.wire === 2) out.push(f.bytes);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

function varint(value: number): number[] {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError('varint out of range');
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/** A varint field. */
export function varintField(field: number, value: number): Uint8Array {
  return Uint8Array.from([...varint(field * 8), ...varint(value)]);
}

/** A LEN field (bytes, string or embedded message). */
export function lenField(field: number, bytes: Uint8Array): Uint8Array {
  const head = varint(field * 8 + 2).concat(varint(bytes.length));
  const out = new Uint8Array(head.length + bytes.length);
  out.set(head, 0);
  out.set(bytes, head.length);
  return out;
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const part of parts) size += part.length;
  const out = new Uint8Array(size);
  let pos = 0;
  for (const part of parts) {
    out.set(part, pos);
    pos += part.length;
  }
  return out;
}

/**
 * Where the block layout writes a message (block.ts): into bytes ({@link ProtoWriter}), or against
 * bytes it must equal ({@link ProtoMatcher}). One traversal of a block's facts and checks drives
 * either, so "canonical" means exactly "what the encoder writes", checked without writing it.
 */
export interface ProtoSink {
  /** A varint field. */
  uint(field: number, value: number): void;
  /** A LEN field holding `bytes`. */
  bytes(field: number, bytes: Uint8Array): void;
  /** A LEN field holding the UTF-8 of `text`. */
  string(field: number, text: string): void;
  /** Opens a LEN field holding a message, closed by {@link ProtoSink.end}. */
  begin(field: number): void;
  /** Closes the message the last {@link ProtoSink.begin} opened. */
  end(): void;
}

const UTF8_ENCODER = new TextEncoder();

/** The number of bytes of `value` as a varint. */
function varintSize(value: number): number {
  let size = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) size++;
  return size;
}

/**
 * What the writer and the matcher share: a field is its key, then its value; a LEN field's value
 * is its length, then its bytes. Each says what "emit" means (write, or compare).
 */
abstract class FieldSink {
  /** Emits `value` as a varint. */
  protected abstract varint(value: number): void;
  /** Emits `bytes` as they are. */
  protected abstract raw(bytes: Uint8Array): void;

  /** A varint field. */
  uint(field: number, value: number): void {
    this.varint(field * 8);
    this.varint(value);
  }

  /** A LEN field holding `bytes`. */
  bytes(field: number, bytes: Uint8Array): void {
    this.varint(field * 8 + 2);
    this.varint(bytes.length);
    this.raw(bytes);
  }
}

/**
 * A protobuf writer into one growing buffer: the encoder's hot path (`mint`, `delegate`), so no
 * array or closure is allocated per field. A nested message gets one length byte up front, and is
 * shifted right in the rare case its length needs more (a message of 128 bytes or more).
 */
export class ProtoWriter extends FieldSink implements ProtoSink {
  #buf = new Uint8Array(512);
  #pos = 0;
  /** Where each open message's content starts. */
  readonly #open: number[] = [];

  #room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    const bigger = new Uint8Array(Math.max(this.#buf.length * 2, this.#pos + n));
    bigger.set(this.#buf.subarray(0, this.#pos));
    this.#buf = bigger;
  }

  protected varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError('varint out of range');
    this.#room(10);
    let v = value;
    while (v >= 0x80) {
      this.#buf[this.#pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.#buf[this.#pos++] = v;
  }

  protected raw(bytes: Uint8Array): void {
    this.#room(bytes.length);
    this.#buf.set(bytes, this.#pos);
    this.#pos += bytes.length;
  }

  string(field: number, text: string): void {
    const length = Buffer.byteLength(text, 'utf8');
    this.varint(field * 8 + 2);
    this.varint(length);
    this.#room(length);
    UTF8_ENCODER.encodeInto(text, this.#buf.subarray(this.#pos, this.#pos + length));
    this.#pos += length;
  }

  begin(field: number): void {
    this.varint(field * 8 + 2);
    this.#room(1);
    this.#pos++; // the length byte, written by end()
    this.#open.push(this.#pos);
  }

  end(): void {
    const start = this.#open.pop();
    if (start === undefined) throw new RangeError('end() without begin()');
    const length = this.#pos - start;
    const extra = varintSize(length) - 1;
    if (extra > 0) {
      this.#room(extra);
      this.#buf.copyWithin(start + extra, start, this.#pos);
      this.#pos += extra;
    }
    let at = start - 1;
    let v = length;
    while (v >= 0x80) {
      this.#buf[at++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.#buf[at] = v;
  }

  /** The bytes written so far (a copy). */
  finish(): Uint8Array {
    if (this.#open.length > 0) throw new RangeError('a message is still open');
    return this.#buf.slice(0, this.#pos);
  }
}

/** Thrown by {@link ProtoMatcher} at the first byte that differs from what the writer would write. */
export class NotCanonical extends Error {
  constructor() {
    super('the bytes are not the canonical encoding');
    this.name = 'NotCanonical';
  }
}

/**
 * Compares bytes with what a {@link ProtoWriter} would write for the same calls, without writing
 * anything: each call consumes the bytes the writer would have produced and throws
 * {@link NotCanonical} at the first difference. A nested message's length is read first and must
 * be the minimal varint of exactly the bytes its content then matches, which is what the writer
 * writes; so `finish()` succeeds exactly when the input equals the writer's output.
 */
export class ProtoMatcher extends FieldSink implements ProtoSink {
  readonly #buf: Uint8Array;
  #pos: number;
  /** Where each open message must end; the input's end first. */
  readonly #ends: number[];

  constructor(buf: Uint8Array, start = 0) {
    super();
    this.#buf = buf;
    this.#pos = start;
    this.#ends = [buf.length];
  }

  #limit(): number {
    return this.#ends[this.#ends.length - 1] ?? 0;
  }

  /** Consumes the varint the writer writes for `value`. */
  protected varint(value: number): void {
    const limit = this.#limit();
    let v = value;
    while (v >= 0x80) {
      if (this.#pos >= limit || this.#buf[this.#pos] !== ((v % 0x80) | 0x80)) {
        throw new NotCanonical();
      }
      this.#pos++;
      v = Math.floor(v / 0x80);
    }
    if (this.#pos >= limit || this.#buf[this.#pos] !== v) throw new NotCanonical();
    this.#pos++;
  }

  protected raw(bytes: Uint8Array): void {
    const end = this.#pos + bytes.length;
    if (end > this.#limit()) throw new NotCanonical();
    for (let i = 0; i < bytes.length; i++) {
      if (this.#buf[this.#pos + i] !== bytes[i]) throw new NotCanonical();
    }
    this.#pos = end;
  }

  string(field: number, text: string): void {
    // ASCII (nearly every symbol) compares code by code; anything else as its UTF-8 bytes.
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) >= 0x80) {
        this.bytes(field, Buffer.from(text, 'utf8'));
        return;
      }
    }
    this.varint(field * 8 + 2);
    this.varint(text.length);
    const end = this.#pos + text.length;
    if (end > this.#limit()) throw new NotCanonical();
    for (let i = 0; i < text.length; i++) {
      if (this.#buf[this.#pos + i] !== text.charCodeAt(i)) throw new NotCanonical();
    }
    this.#pos = end;
  }

  begin(field: number): void {
    this.varint(field * 8 + 2);
    // The length the writer computes once the content is written: read it, require its minimal
    // form, and hold the content to exactly that many bytes.
    const limit = this.#limit();
    let length = 0;
    let scale = 1;
    const start = this.#pos;
    for (;;) {
      if (this.#pos >= limit || this.#pos - start >= 8) throw new NotCanonical();
      const byte = this.#buf[this.#pos++] ?? 0;
      length += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) break;
      scale *= 128;
    }
    if (this.#pos - start !== varintSize(length) || length > limit - this.#pos) {
      throw new NotCanonical();
    }
    this.#ends.push(this.#pos + length);
  }

  end(): void {
    if (this.#ends.length < 2 || this.#ends.pop() !== this.#pos) throw new NotCanonical();
  }

  /** Throws {@link NotCanonical} unless every input byte was matched and no message is open. */
  finish(): void {
    if (this.#ends.length !== 1 || this.#pos !== this.#buf.length) throw new NotCanonical();
  }
}
