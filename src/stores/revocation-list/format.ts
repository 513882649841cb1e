/**
 * The signed revocation list: a compact JWS (`typ` `mandate-revocation-list+jwt`, `alg`
 * `Ed25519` or `ES256`, optional `kid`) signed by a trust anchor's key, whose payload is
 *
 * ```json
 * { "iss": "https://as.example", "ver": 42, "iat": 1767225600, "since": 0,
 *   "revoked": [["8c4e...-block-id", 1767229200], ...] }
 * ```
 *
 * `iss` is the anchor's configured id; `ver` a version that grows with every revocation;
 * `iat` when it was signed (a verifier's copy is as fresh as its `iat`); `since` 0 for the full
 * list, or a version the reader already holds for a delta (only the entries added after it);
 * each entry is a revoked block id and that block's expiry (seconds since the epoch), after
 * which the entry leaves the list. Spelled out in docs/format.md.
 */
import type { infer as Infer } from 'zod';
import { zod } from '../../core/zod.js';

import { TYP } from '../../core/typ.js';
import { MAX_ID_LENGTH } from '../validate.js';
import { deepFreeze } from '../../core/freeze.js';

// This entry's schemas are built on import, with the one zod every Mandate module shares.
const z = zod();

/** The list's JOSE `typ`. */
export const REVOCATION_LIST_TYP = TYP.revocationList;

/** The media type a publisher serves a list with. */
export const REVOCATION_LIST_MEDIA_TYPE = 'application/mandate-revocation-list+jwt';

/** The only signature algorithms a list may use (the anchors' key types). */
export const REVOCATION_LIST_ALGS = deepFreeze(['Ed25519', 'ES256'] as const);

/** Most entries one list may hold (a reader refuses more; the publisher refuses to grow past). */
export const MAX_LIST_ENTRIES = 1_000_000;

/** Seconds-since-the-epoch integers, bounded to what a `Date` can hold. */
const seconds = z.number().int().min(0).max(8_640_000_000_000);
const blockId = z
  .string()
  .min(1)
  .max(MAX_ID_LENGTH)
  // Lone surrogates would collide once encoded; the stores refuse them too.
  .refine((id) => !/[\uD800-\uDFFF]/u.test(id), 'must be well-formed Unicode');

/** The payload of a revocation list, strictly: any other member is refused. */
export const revocationListPayloadSchema = z
  .strictObject({
    iss: z.string().min(1).max(2048),
    ver: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    iat: seconds,
    since: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    revoked: z.array(z.tuple([blockId, seconds])).max(MAX_LIST_ENTRIES),
  })
  .refine((list) => list.since <= list.ver, {
    message: 'since must not exceed ver',
    path: ['since'],
  });

/** A list's payload. */
export type RevocationListPayload = Infer<typeof revocationListPayloadSchema>;

/** The `ETag` of a list state: its version and issue time (quoted, as HTTP wants). */
export function etagOf(version: number, issuedAt: number): string {
  return `"${version}.${issuedAt}"`;
}
