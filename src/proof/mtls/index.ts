/**
 * `mandate/mtls`: RFC 8705 certificate-bound holders, node:https helpers, and SPIFFE
 * identities (X.509-SVID, JWT-SVID) as agent names.
 */
export { holderFromCertificate, type CertificateInput } from '../../identity/certificate.js';
export type { MtlsContext } from './possession.js';
export {
  mtlsServerOptions,
  mtlsContext,
  type MtlsServerConfig,
  type PeerCertificateOptions,
} from './server.js';
export {
  spiffeIdFromCertificate,
  verifyJwtSvid,
  type SpiffeId,
  type VerifiedJwtSvid,
  type VerifyJwtSvidOptions,
} from './spiffe.js';
