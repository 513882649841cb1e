/** Access tokens bound to a DPoP key, and DPoP proofs, signed as an RFC 9068 server and an RFC 9449 client would. */
import { createHash, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { KeyPair } from '../../src/index.js';
import type { PublicJwk } from '../../src/identity/jwk.js';
import { prepareSigner } from '../../src/identity/keys.js';
import { thumbprintSync } from '../../src/identity/thumbprint.js';

/** An RFC 9068 access token from `issuer` (key id `k1`) for `audience`, bound to `client`'s key. */
export function signAccessToken(
  issuer: KeyPair,
  client: KeyPair,
  claims: {
    readonly iss: string;
    readonly aud: string;
    readonly iat: number;
    readonly exp: number;
  },
): Promise<string> {
  const signer = prepareSigner(issuer);
  return new SignJWT({
    client_id: 'billing',
    scope: 'pay',
    jti: randomUUID(),
    cnf: { jkt: thumbprintSync(client.publicJwk as PublicJwk) },
  })
    .setProtectedHeader({ alg: signer.alg, typ: 'at+jwt', kid: 'k1' })
    .setIssuer(claims.iss)
    .setSubject('alice')
    .setAudience(claims.aud)
    .setIssuedAt(claims.iat)
    .setExpirationTime(claims.exp)
    .sign(signer.key);
}

/** A DPoP proof by `client` for `POST url` with access token `token`, issued at `iat`. */
export function signDpopProof(
  client: KeyPair,
  token: string,
  url: string,
  iat: number,
  extra: Readonly<Record<string, unknown>> = {},
): Promise<string> {
  const signer = prepareSigner(client);
  return new SignJWT({
    htm: 'POST',
    htu: url,
    ath: createHash('sha256').update(token).digest('base64url'),
    jti: randomUUID(),
    iat,
    ...extra,
  })
    .setProtectedHeader({ alg: signer.alg, typ: 'dpop+jwt', jwk: { ...signer.publicJwk } })
    .sign(signer.key);
}
