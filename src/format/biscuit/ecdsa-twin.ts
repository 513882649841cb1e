/**
 * ECDSA signatures are malleable: if (r, s) verifies, so does (r, n − s). A Biscuit revocation id
 * is the hex of a block's signature, so for a P-256 signature whose block no later block covers,
 * whoever holds the token can present the other form and with it another revocation id. The
 * verifier therefore looks up both forms: a block revoked under either id stays revoked.
 */

/** The order of the P-256 group. */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

function readInteger(der: Uint8Array, at: number): { value: bigint; end: number } | undefined {
  if (der[at] !== 0x02) return undefined;
  const length = der[at + 1];
  if (length === undefined || length === 0 || length > 33) return undefined;
  const end = at + 2 + length;
  if (end > der.length) return undefined;
  let value = 0n;
  for (let i = at + 2; i < end; i++) value = (value << 8n) | BigInt(der[i] ?? 0);
  return { value, end };
}

function encodeInteger(value: bigint): number[] {
  const bytes: number[] = [];
  for (let v = value; v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
  if (bytes.length === 0) bytes.push(0);
  if ((bytes[0] ?? 0) & 0x80) bytes.unshift(0); // DER: a positive INTEGER keeps its sign bit clear
  return [0x02, bytes.length, ...bytes];
}

/**
 * The other valid DER encoding of a P-256 ECDSA signature, `SEQUENCE { r, n − s }`, or undefined
 * when `der` is not a short-form DER ECDSA signature (then there is no twin to look up).
 */
export function ecdsaTwin(der: Uint8Array): Uint8Array | undefined {
  if (der[0] !== 0x30 || der[1] !== der.length - 2) return undefined;
  const r = readInteger(der, 2);
  if (r === undefined) return undefined;
  const s = readInteger(der, r.end);
  if (s === undefined || s.end !== der.length || s.value === 0n || s.value >= P256_N) {
    return undefined;
  }
  const body = [...encodeInteger(r.value), ...encodeInteger(P256_N - s.value)];
  return Uint8Array.from([0x30, body.length, ...body]);
}
