/**
 * Rule 8 for a certificate-bound holder (RFC 8705 §3): possession is proven by the TLS
 * connection's peer certificate, which must be the one the last block pins.
 */
import { MandateError } from '../../core/errors.js';
import { sameKey, type PublicJwk } from '../../identity/jwk.js';
import {
  certificatePublicJwkSync,
  sameThumbprint,
  toX509,
  x5tS256,
  type CertificateInput,
} from '../../identity/certificate.js';

/** What the transport says about the connection a request came on. */
export interface MtlsContext {
  /**
   * The client certificate the TLS handshake authenticated (`tlsSocket.getPeerX509Certificate()`),
   * or undefined when the client presented none (or one the server's CA did not accept).
   */
  readonly peerCertificate?: CertificateInput | undefined;
}

/**
 * Check the peer certificate against a certificate-bound block. Throws `MANDATE_PROOF_MISSING`
 * (no certificate) or `MANDATE_PROOF_INVALID` (another certificate, a certificate whose key is
 * not the holder key, or one outside its validity period), check `possession`.
 *
 * Not checked here, and left to the TLS layer: that the peer proved possession of the
 * certificate's private key (the handshake does) and, in PKI mode, its chain to a CA.
 */
export function checkCertificateBinding(
  mtls: MtlsContext | undefined,
  block: { readonly holderX5t: string; readonly holderKey: PublicJwk },
  hop: number,
  now: number,
  tolerance: number,
): void {
  const deny = (
    code: 'MANDATE_PROOF_MISSING' | 'MANDATE_PROOF_INVALID',
    message: string,
    reason: string,
  ): never => {
    throw new MandateError(code, message, { check: 'possession', hop, detail: { reason } });
  };
  const presented = mtls?.peerCertificate;
  if (presented === undefined || presented === null) {
    deny(
      'MANDATE_PROOF_MISSING',
      'the holder is bound to a client certificate and none was presented',
      'client-certificate',
    );
  }
  let cert;
  try {
    cert = toX509(presented as CertificateInput);
  } catch {
    return deny(
      'MANDATE_PROOF_INVALID',
      'the client certificate does not parse',
      'client-certificate',
    );
  }
  if (!sameThumbprint(x5tS256(cert), block.holderX5t)) {
    deny(
      'MANDATE_PROOF_INVALID',
      'the client certificate is not the one the mandate is bound to',
      'x5t#S256',
    );
  }
  let key: PublicJwk;
  try {
    key = certificatePublicJwkSync(cert);
  } catch {
    return deny(
      'MANDATE_PROOF_INVALID',
      "the client certificate's key is not a holder key",
      'cnf.jwk',
    );
  }
  if (!sameKey(key, block.holderKey)) {
    deny('MANDATE_PROOF_INVALID', "the client certificate's key is not the holder key", 'cnf.jwk');
  }
  const notBefore = Date.parse(cert.validFrom) / 1000;
  const notAfter = Date.parse(cert.validTo) / 1000;
  if (!(now + tolerance >= notBefore && now - tolerance <= notAfter)) {
    deny(
      'MANDATE_PROOF_INVALID',
      'the client certificate is outside its validity period',
      'certificate-validity',
    );
  }
}
