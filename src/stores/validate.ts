/**
 * Argument checks shared by every store. Ids reach a store from tokens an attacker wrote,
 * so they are checked here as well as by the verifier's schemas: a store must not be the
 * place where a hostile id turns into an odd key, a huge allocation or a silent collision.
 * Misuse throws `TypeError`/`RangeError` (CONVENTIONS.md section 1), never a store error.
 */

/** Longest id (in UTF-16 code units) a store accepts. Block and proof ids are far shorter. */
export const MAX_ID_LENGTH = 1024;

/** Most ids one `firstRevoked` call accepts (a chain is far shorter; this bounds one round trip). */
export const MAX_IDS_PER_CALL = 1024;

// With the `u` flag a well-formed surrogate pair is one code point outside this range, so
// only lone surrogates match. Those would all encode to U+FFFD in UTF-8 and so collide.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Checks that `id` is a non-empty, bounded, well-formed string. */
export function assertId(id: unknown, label = 'id'): asserts id is string {
  if (typeof id !== 'string') throw new TypeError(`${label} must be a string`);
  if (id.length === 0) throw new TypeError(`${label} must not be empty`);
  if (id.length > MAX_ID_LENGTH) {
    throw new RangeError(`${label} must be at most ${MAX_ID_LENGTH} characters`);
  }
  if (LONE_SURROGATE.test(id)) throw new TypeError(`${label} must be well-formed Unicode`);
}

/** Checks a list of ids for `firstRevoked`. */
export function assertIds(ids: unknown): asserts ids is readonly string[] {
  if (!Array.isArray(ids)) throw new TypeError('ids must be an array');
  if (ids.length > MAX_IDS_PER_CALL) {
    throw new RangeError(`ids must hold at most ${MAX_IDS_PER_CALL} entries`);
  }
  ids.forEach((id: unknown, index) => assertId(id, `ids[${index}]`));
}

/** Checks an expiry in seconds since the epoch (fractions allowed). */
export function assertExpiresAt(
  expiresAt: unknown,
  label = 'expiresAt',
): asserts expiresAt is number {
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) {
    throw new RangeError(`${label} must be a finite number of seconds since the epoch`);
  }
}

/**
 * Checks the entries of one `checkAndStoreAll` call: a bounded list of `{ jti, expiresAt }`
 * with distinct ids (a repeated id would be its own replay inside one all-or-none step).
 */
export function assertReplayEntries(
  entries: unknown,
): asserts entries is readonly { readonly jti: string; readonly expiresAt: number }[] {
  if (!Array.isArray(entries)) throw new TypeError('entries must be an array');
  if (entries.length > MAX_IDS_PER_CALL) {
    throw new RangeError(`entries must hold at most ${MAX_IDS_PER_CALL} entries`);
  }
  const seen = new Set<string>();
  entries.forEach((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null) {
      throw new TypeError(`entries[${index}] must be an object`);
    }
    const { jti, expiresAt } = entry as { jti?: unknown; expiresAt?: unknown };
    assertId(jti, `entries[${index}].jti`);
    assertExpiresAt(expiresAt, `entries[${index}].expiresAt`);
    if (seen.has(jti)) throw new TypeError(`entries[${index}].jti repeats an earlier entry`);
    seen.add(jti);
  });
}
