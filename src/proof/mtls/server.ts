/** node:https helpers: ask for a client certificate, and read the one the handshake authenticated. */
import type { IncomingMessage } from 'node:http';
import type { ServerOptions } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import type { MtlsContext } from './possession.js';

/** Options of `mtlsServerOptions`: the server's own certificate and the client CA. */
export interface MtlsServerConfig extends Omit<
  ServerOptions,
  'requestCert' | 'rejectUnauthorized'
> {
  /** The CA(s) client certificates must chain to (PEM). Required: no CA, no mTLS. */
  readonly ca: NonNullable<ServerOptions['ca']>;
  readonly cert: NonNullable<ServerOptions['cert']>;
  readonly key: NonNullable<ServerOptions['key']>;
}

/**
 * `https.createServer` options for mTLS: the server requests a client certificate and
 * validates it against `ca`, but does not abort the handshake when there is none or it does
 * not validate (`rejectUnauthorized: false`), so the application answers with a coded
 * denial instead of a bare connection reset. Pair it with `mtlsContext(req)`, which passes
 * on only a certificate the handshake authenticated.
 */
export function mtlsServerOptions(config: MtlsServerConfig): ServerOptions {
  if (typeof config !== 'object' || config === null || config.ca === undefined) {
    throw new TypeError('mtlsServerOptions needs { ca, cert, key }');
  }
  return { ...config, requestCert: true, rejectUnauthorized: false };
}

/** Options of `peerCertificate` / `mtlsContext`. */
export interface PeerCertificateOptions {
  /**
   * Pass on only a certificate that chains to the server's configured CA (`socket.authorized`).
   * Default true. `false` is RFC 8705 §2.2 self-signed mode: any certificate, bound by its
   * thumbprint alone.
   */
  readonly requireAuthorized?: boolean;
}

function socketOf(source: IncomingMessage | TLSSocket): TLSSocket | undefined {
  const socket = 'socket' in source && !('encrypted' in source) ? source.socket : source;
  return (socket as TLSSocket).encrypted === true ? (socket as TLSSocket) : undefined;
}

/** The client certificate the TLS handshake authenticated, or undefined. */
export function peerCertificate(
  source: IncomingMessage | TLSSocket,
  options: PeerCertificateOptions = {},
): X509Certificate | undefined {
  const socket = socketOf(source);
  if (socket === undefined) return undefined;
  if ((options.requireAuthorized ?? true) && !socket.authorized) return undefined;
  return socket.getPeerX509Certificate() ?? undefined;
}

/** The `mtls` member of `verifier.verify(token, { action, mtls })` for this request. */
export function mtlsContext(
  source: IncomingMessage | TLSSocket,
  options: PeerCertificateOptions = {},
): MtlsContext {
  const certificate = peerCertificate(source, options);
  return certificate === undefined ? {} : { peerCertificate: certificate };
}
