/** Signing a revocation list: the issuer's side of the format in `format.ts`. */
import type { KeyPair } from '../../core/types.js';
import { encodeSegment } from '../../core/jws/compact.js';
import { prepareSigner, signBytes } from '../../identity/keys.js';
import { REVOCATION_LIST_TYP, revocationListPayloadSchema } from './format.js';
import type { RevocationListPayload } from './format.js';

/**
 * Signs `payload` as a compact JWS with the trust anchor's key pair `issuer` (the key its
 * roots are signed with), `typ` `mandate-revocation-list+jwt`, and `kid` when given (a
 * verifier whose anchor is a JWKS picks the key by it, which is how a rotated key is found).
 * The payload is checked against the list schema first: nothing malformed is ever signed.
 */
export function signRevocationList(
  payload: RevocationListPayload,
  issuer: KeyPair,
  kid?: string,
): string {
  const checked = revocationListPayloadSchema.safeParse(payload);
  if (!checked.success) {
    throw new TypeError(
      `not a valid revocation list payload: ${checked.error.issues[0]?.message ?? 'invalid'}`,
    );
  }
  if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > 256)) {
    throw new TypeError('kid must be a non-empty string of at most 256 characters');
  }
  const signer = prepareSigner(issuer);
  const header = {
    alg: signer.alg,
    typ: REVOCATION_LIST_TYP,
    ...(kid === undefined ? {} : { kid }),
  };
  const input = `${encodeSegment(header)}.${encodeSegment(payload)}`;
  return `${input}.${signBytes(signer, input).toString('base64url')}`;
}
