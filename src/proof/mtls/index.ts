/**
 * `mandate/mtls`: RFC 8705 certificate-bound holders, node:https helpers, and SPIFFE
 * identities (X.509-SVID, JWT-SVID) as agent names.
 */
export {
  toX509,
  x5tS256,
  certificatePublicJwk,
  holderFromCertificate,
  type CertificateInput,
} from '../../identity/certificate.js';
export { checkCertificateBinding, type MtlsContext } from './possession.js';
export {
  mtlsServerOptions,
  mtlsContext,
  peerCertificate,
  type MtlsServerConfig,
  type PeerCertificateOptions,
} from './server.js';
export {
  parseSpiffeId,
  spiffeIdFromCertificate,
  verifyJwtSvid,
  type SpiffeId,
  type VerifiedJwtSvid,
  type VerifyJwtSvidOptions,
} from './spiffe.js';
