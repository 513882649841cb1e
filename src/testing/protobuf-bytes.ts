/**
 * Biscuit tokens edited as bytes: the protobuf wire format read and written generically (only
 * the wire format is assumed, never the schema), so the byte-level attack mutators work on
 * whatever layout Biscuit's encoder writes.
 *
 * @module
 */

/** Bytes as token text, padded exactly when the original text is (Biscuit's text form). */
export function bytesAsTextLike(original: string, bytes: Uint8Array): string {
  const text = Buffer.from(bytes).toString('base64url');
  const padded = original.endsWith('=') || original.length % 4 === 0;
  return padded ? text + '='.repeat((4 - (text.length % 4)) % 4) : text;
}

/** One field as it sits in the bytes: its key (number and wire type) and its body. */
export interface RawField {
  readonly key: number;
  readonly wire: number;
  readonly body: Uint8Array;
}

/** A varint at `start`: its value and the offset after it, or `undefined` when truncated. */
export function readVarint(buf: Uint8Array, start: number): [number, number] | undefined {
  let value = 0;
  for (let i = 0; i < 10; i++) {
    const byte = buf[start + i];
    if (byte === undefined) return undefined;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return [value, start + i + 1];
  }
  return undefined;
}

/** A varint's bytes; `overlong` adds a redundant zero continuation byte (non-canonical). */
export function writeVarint(value: number, overlong = false): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0 || overlong) byte |= 0x80;
    out.push(byte);
  } while (rest > 0);
  if (overlong) out.push(0);
  return out;
}

/** The top-level fields of a protobuf message, or `undefined` when the bytes are not one. */
export function rawFields(buf: Uint8Array): RawField[] | undefined {
  const fields: RawField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const tag = readVarint(buf, pos);
    if (tag === undefined) return undefined;
    const [key, afterTag] = tag;
    const wire = key % 8;
    let end: number;
    let bodyStart = afterTag;
    if (wire === 0) {
      const v = readVarint(buf, afterTag);
      if (v === undefined) return undefined;
      end = v[1];
    } else if (wire === 2) {
      const len = readVarint(buf, afterTag);
      if (len === undefined) return undefined;
      bodyStart = len[1];
      end = bodyStart + len[0];
    } else if (wire === 1) end = afterTag + 8;
    else if (wire === 5) end = afterTag + 4;
    else return undefined;
    if (end > buf.length) return undefined;
    fields.push({ key, wire, body: buf.subarray(bodyStart, end) });
    pos = end;
  }
  return fields;
}

/** One field's bytes; `overlongTag` writes its key as an overlong varint. */
export function writeField(field: RawField, overlongTag = false): Uint8Array {
  const length = field.wire === 2 ? writeVarint(field.body.length) : [];
  return Uint8Array.from([...writeVarint(field.key, overlongTag), ...length, ...field.body]);
}

/** A message's bytes from its fields, in order. */
export function writeFields(fields: readonly RawField[]): Uint8Array {
  return Buffer.concat(fields.map((f) => writeField(f)));
}

/** A Biscuit token's bytes (padded or unpadded URL-safe base64). */
export function biscuitBytes(token: string): Uint8Array {
  return new Uint8Array(Buffer.from(token, 'base64url'));
}

/** Edit a Biscuit token's top-level protobuf fields; `undefined` when they cannot be read. */
export function editBiscuitFields(
  token: string,
  edit: (fields: RawField[]) => Uint8Array | RawField[] | undefined,
): string | undefined {
  const fields = rawFields(biscuitBytes(token));
  if (fields === undefined || fields.length === 0) return undefined;
  const edited = edit(fields);
  if (edited === undefined) return undefined;
  return bytesAsTextLike(token, edited instanceof Uint8Array ? edited : writeFields(edited));
}

let nested: Uint8Array | undefined;

/** Field 1 holding field 1 holding ..., 2000 levels deep (built once). */
export function nestedProtobuf(): Uint8Array {
  if (nested === undefined) {
    const levels = 2000;
    // Innermost first: each level is the tag 0x0a and the length of what it wraps.
    const parts: number[][] = [];
    let length = 0;
    for (let i = 0; i < levels; i++) {
      const head = [0x0a, ...writeVarint(length)];
      parts.push(head);
      length += head.length;
    }
    nested = Uint8Array.from(parts.reverse().flat());
  }
  return nested;
}
