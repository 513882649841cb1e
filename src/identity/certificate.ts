/**
 * RFC 8705 certificate binding: the `x5t#S256` confirmation of a holder, and the public key
 * of a certificate as a Mandate holder key.
 *
 * Design: a block bound to a certificate keeps `cnf.jwk` = the certificate's public key and
 * adds `cnf["x5t#S256"]` pinning the certificate itself. The key is what linkage needs (the
 * next block is signed by it, so delegation keeps working); the thumbprint is what the TLS
 * layer can check (the peer proved possession of that certificate's private key in the
 * handshake). Hence only Ed25519 and P-256 certificates can bind a holder.
 */
import { timingSafeEqual, X509Certificate } from 'node:crypto';
import { sha256Base64url } from '../core/encoding.js';
import { parsePublicJwk, sameKey, type PublicJwk } from './jwk.js';

/** Anything a certificate arrives as: a parsed certificate, PEM text, DER bytes, or a
 * node:tls `PeerCertificate` (its `raw` DER). */
export type CertificateInput = X509Certificate | string | Uint8Array | { readonly raw: Uint8Array };

/** Parse a certificate input. Throws TypeError when it is not an X.509 certificate. */
export function toX509(input: CertificateInput): X509Certificate {
  if (input instanceof X509Certificate) return input;
  try {
    if (typeof input === 'string' || input instanceof Uint8Array) return new X509Certificate(input);
    if (typeof input === 'object' && input !== null && input.raw instanceof Uint8Array) {
      return new X509Certificate(input.raw);
    }
  } catch (cause) {
    throw new TypeError('not an X.509 certificate', { cause });
  }
  throw new TypeError('a certificate must be an X509Certificate, PEM text or DER bytes');
}

/** RFC 8705 §3.1 `x5t#S256`: base64url(SHA-256(DER)) of the certificate. */
export function x5tS256(certificate: CertificateInput): string {
  return sha256Base64url(toX509(certificate).raw);
}

/** Constant-time comparison of two `x5t#S256` values. */
export function sameThumbprint(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Synchronous form of `certificatePublicJwk` (node:crypto export). */
export function certificatePublicJwkSync(certificate: CertificateInput): PublicJwk {
  const cert = toX509(certificate);
  try {
    return parsePublicJwk(cert.publicKey.export({ format: 'jwk' }), 'anchor');
  } catch (cause) {
    throw new TypeError('the certificate key must be Ed25519 or P-256', { cause });
  }
}

/**
 * The certificate's public key as a holder JWK. Throws TypeError for a key Mandate cannot
 * hold with (RSA, other curves).
 */
export function certificatePublicJwk(certificate: CertificateInput): Promise<PublicJwk> {
  return Promise.resolve(certificate).then(certificatePublicJwkSync);
}

/**
 * What to spread into `mint`/`delegate` options to bind the new holder to a client
 * certificate: `{ holder, holderCertificate }`.
 */
export function holderFromCertificate(
  certificate: CertificateInput,
): Promise<{ holder: PublicJwk; holderCertificate: X509Certificate }> {
  return Promise.resolve(certificate).then((input) => {
    const cert = toX509(input);
    return { holder: { ...certificatePublicJwkSync(cert) }, holderCertificate: cert };
  });
}

/**
 * The `x5t#S256` for a planned block, after checking the certificate's key is the holder
 * key (the design above). Misuse throws TypeError.
 */
export function bindingFor(certificate: CertificateInput, holder: PublicJwk): string {
  const cert = toX509(certificate);
  if (!sameKey(certificatePublicJwkSync(cert), holder)) {
    throw new TypeError("holderCertificate's public key must be the holder key");
  }
  return x5tS256(cert);
}
