/**
 * What the two loopback authorization servers of `startDemoAuthorizationServer` share: their
 * options and handle, the access-token and mandate-signing keys, the RFC 8693 handler that
 * turns a user's token into a root mandate, and the stand-in browser that signs a user in.
 * The oidc-provider server (`demo-authorization-server.ts`) and the node:http one
 * (`node-http-authorization-server.ts`) differ only in how they serve OAuth; the exchange is
 * the same handler behind both.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair as generateJoseKeyPair, type JWK } from 'jose';
import type { Span } from '../../core/time.js';
import type { CapabilityInput, KeyPair } from '../../core/types.js';
import type { TrustAnchor } from '../../identity/anchors.js';
import { generateKeyPair } from '../../identity/keys.js';
import { createAccessTokenVerifier } from '../../oauth/access-token.js';
import {
  createTokenExchangeHandler,
  type MayActContext,
  type TokenExchangeHandler,
} from '../../oauth/token-exchange.js';

/** An agent: an OAuth client that authenticates with its key (`private_key_jwt`). */
export interface DemoAgent {
  readonly publicJwk: JWK;
  /** Scopes the agent may request for itself (client credentials). */
  readonly scopes?: readonly string[];
}

/** A user the demo sign-in knows. */
export interface DemoUser {
  /** The scopes the user holds (what consent may grant). */
  readonly scopes: readonly string[];
  /** The client id of the agent the user lets act for them (`may_act` in their tokens). */
  readonly mayAct?: string;
}

/**
 * Which server runs: `oidc-provider` (a devDependency of Mandate), `node-http` (the smallest
 * server on node:http: token endpoint, authorization endpoint, JWKS and RFC 8414 metadata), or
 * `auto`: oidc-provider when it is installed, else node-http.
 */
export type DemoServerImplementation = 'oidc-provider' | 'node-http' | 'auto';

/** Options of `startDemoAuthorizationServer`. */
export interface DemoAuthorizationServerOptions {
  /** Agents by client id. */
  readonly agents: Readonly<Record<string, DemoAgent>>;
  /** Users by subject identifier. */
  readonly users?: Readonly<Record<string, DemoUser>>;
  /** What each scope lets its holder do (the token exchange's scope map). */
  readonly scopes: Readonly<Record<string, readonly CapabilityInput[]>>;
  /**
   * Resource servers (RFC 8707 resource indicators) and the scopes each serves; JWT access
   * tokens are issued for them. The issuer itself is always one: tokens for the exchange.
   */
  readonly resources?: Readonly<Record<string, readonly string[]>>;
  /** Audiences a mandate may be issued for. Default: the keys of `resources`. */
  readonly targets?: readonly string[];
  /** The key that signs mandate roots (default: a new Ed25519 key). */
  readonly mandateKey?: KeyPair;
  /** Who may act for a user whose token has no `may_act`. Default: nobody. */
  readonly mayAct?: (context: MayActContext) => boolean | Promise<boolean>;
  /** Access-token lifetime in seconds. Default 300. */
  readonly accessTokenTtl?: number;
  /** Longest mandate lifetime. Default 15 minutes. */
  readonly mandateLifetime?: Span;
  /** Which server to start. Default `auto`. */
  readonly implementation?: DemoServerImplementation;
  /**
   * Where `server.revoke` publishes: called once the issuer is known, with the issuer id and
   * the mandate-signing key and `kid`, it returns a revocation store: a `RedisRevocationStore`
   * (any `RevocationStore`), or a `RevocationListPublisher` built from these, whose list the
   * server then serves at `/mandate/revocation-list`.
   */
  readonly revocation?: (issuer: DemoRevocationIssuer) => DemoRevocationTarget;
}

/** What a demo server's revocation target is built from. */
export interface DemoRevocationIssuer {
  /** The issuer id: the trust anchor's id. */
  readonly issuerId: string;
  /** The key that signs mandate roots (and so a revocation list). */
  readonly key: KeyPair;
  /** Its `kid` in the server's mandate JWKS. */
  readonly kid: string;
}

/** A store the demo server revokes in; with `handler`, a list it serves over HTTP. */
export interface DemoRevocationTarget {
  revoke(id: string, expiresAt?: number): Promise<void>;
  /** Serves a signed revocation list (a `RevocationListPublisher`'s `handler`). */
  readonly handler?: (req: IncomingMessage, res: ServerResponse) => void;
}

/** A running demo authorization server. */
export interface DemoAuthorizationServer {
  /** Which server this is. */
  readonly implementation: 'oidc-provider' | 'node-http';
  /** The discovery document it serves: OpenID (`oidc`) or RFC 8414 only (`oauth2`). */
  readonly discovery: 'oidc' | 'oauth2';
  /** The issuer identifier (`http://127.0.0.1:<port>`). */
  readonly issuer: string;
  /** The JWKS of the access-token signing keys. */
  readonly jwksUri: string;
  /** The JWKS of the mandate-signing key. */
  readonly mandateJwksUri: string;
  /** The audience of tokens meant for the token exchange (the issuer). */
  readonly exchangeAudience: string;
  /** The key that signs mandate roots. */
  readonly mandateKey: KeyPair;
  /** The trust anchor a Mandate verifier configures for this server. */
  readonly trustAnchor: TrustAnchor;
  /** Where its signed revocation list is served, when its `revocation` target serves one. */
  readonly revocationListUri?: string;
  /**
   * Revokes block `id` (with its expiry, seconds since the epoch) in the store configured as
   * `revocation`; rejects when none is.
   */
  revoke(id: string, expiresAt?: number): Promise<void>;
  /** The redirect URI registered for every agent (never fetched: the user agent stops there). */
  readonly redirectUri: string;
  /**
   * A user agent that signs `user` in: follows the authorization request through the sign-in
   * and consent steps, keeping cookies, and resolves the redirect back to `redirectUri`.
   */
  userAgent(user: string): (authorizationUrl: URL) => Promise<URL>;
  /** Stop listening and drop every connection. */
  close(): Promise<void>;
}

/** The handle both demo servers return: the same URLs and keys, whichever serves them. */
export function demoServerHandle(
  implementation: DemoAuthorizationServer['implementation'],
  discovery: DemoAuthorizationServer['discovery'],
  issuer: string,
  mandateKey: KeyPair,
  server: Server,
  revocation: DemoRevocationTarget | undefined,
): DemoAuthorizationServer {
  const mandateJwksUri = `${issuer}/mandate/jwks`;
  return {
    ...(revocation?.handler === undefined
      ? {}
      : { revocationListUri: `${issuer}${REVOCATION_LIST_PATH}` }),
    revoke: (id, expiresAt) =>
      revocation === undefined
        ? Promise.reject(new TypeError('this demo server has no revocation store configured'))
        : revocation.revoke(id, expiresAt),
    implementation,
    discovery,
    issuer,
    jwksUri: `${issuer}/jwks`,
    mandateJwksUri,
    exchangeAudience: issuer,
    mandateKey,
    trustAnchor: { id: issuer, jwksUri: mandateJwksUri },
    redirectUri: DEMO_REDIRECT_URI,
    userAgent: (user) => (url) => followSignIn(url, user),
    close: () => closeServer(server),
  };
}

/** Where a demo server serves its signed revocation list (when it publishes one). */
export const REVOCATION_LIST_PATH = '/mandate/revocation-list';

/**
 * Serves the revocation list on `GET`/`HEAD` `REVOCATION_LIST_PATH`; says whether it did
 * (the route is the server's only when its revocation target publishes a list).
 */
export function serveRevocationList(
  revocation: DemoRevocationTarget | undefined,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  const handler = revocation?.handler;
  if (handler === undefined || path !== REVOCATION_LIST_PATH) return false;
  handler(req, res);
  return true;
}

/** The redirect URI every demo agent registers. */
export const DEMO_REDIRECT_URI = 'https://agent.example/callback';

/** The JWS algorithm of an agent's registered key. */
export function signingAlg(jwk: JWK): 'Ed25519' | 'ES256' {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'Ed25519';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  throw new TypeError('an agent key must be an Ed25519 or P-256 public JWK');
}

/** Listen on 127.0.0.1, on an ephemeral port; resolves the port. */
export function listenOnLoopback(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stop listening and drop every connection. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.close((error) => (error === undefined ? resolve() : reject(error)));
    server.closeAllConnections();
  });
}

/** The keys and the exchange handler of one demo server. */
export interface DemoExchange {
  /** The private access-token signing key (JWK with `kid`, `use`, `alg: Ed25519`). */
  readonly tokenKey: JWK & { readonly kid: string };
  /** Its public half, as published at the server's JWKS. */
  readonly tokenPublicKey: JWK;
  readonly mandateKey: KeyPair;
  /** Where `server.revoke` publishes (from `options.revocation`). */
  readonly revocation: DemoRevocationTarget | undefined;
  /** The mandate key set, served at `/mandate/jwks`. */
  readonly mandateJwks: string;
  /** The RFC 8693 handler: a user's token (plus the agent's own) becomes a root mandate. */
  readonly handler: TokenExchangeHandler;
  /** Every scope a token may carry. */
  readonly allScopes: readonly string[];
  /** The scopes each resource (and the issuer, for the exchange) serves. */
  readonly resourceScopes: ReadonlyMap<string, readonly string[]>;
}

/** Validate the options every implementation needs. */
export function checkDemoOptions(options: DemoAuthorizationServerOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('startDemoAuthorizationServer needs options');
  }
  if (typeof options.agents !== 'object' || options.agents === null) {
    throw new TypeError('agents must map client ids to { publicJwk }');
  }
  for (const agent of Object.values(options.agents)) signingAlg(agent.publicJwk);
}

/** Create the keys and the exchange handler for a server whose issuer is `issuer`. */
export async function prepareDemoExchange(
  options: DemoAuthorizationServerOptions,
  issuer: string,
): Promise<DemoExchange> {
  const resources = options.resources ?? {};
  const mandateKey = options.mandateKey ?? (await generateKeyPair());
  const mandateKid = `mandate-${randomUUID().slice(0, 8)}`;
  const { privateKey } = await generateJoseKeyPair('Ed25519', { extractable: true });
  const tokenKey = {
    ...(await exportJWK(privateKey)),
    kid: `at-${randomUUID().slice(0, 8)}`,
    use: 'sig',
    alg: 'Ed25519',
  };
  const { d: _d, ...tokenPublicKey } = tokenKey;
  const subjectTokens = createAccessTokenVerifier({
    issuer,
    audience: issuer,
    jwks: { keys: [tokenPublicKey] },
    algorithms: ['Ed25519', 'EdDSA'],
  });
  const handler = createTokenExchangeHandler({
    subjectTokens,
    scopes: options.scopes,
    signer: mandateKey,
    issuerId: issuer,
    kid: mandateKid,
    targets: options.targets ?? Object.keys(resources),
    ...(options.mayAct === undefined ? {} : { mayAct: options.mayAct }),
    ...(options.mandateLifetime === undefined ? {} : { expiresIn: options.mandateLifetime }),
  });
  const revocation = options.revocation?.({ issuerId: issuer, key: mandateKey, kid: mandateKid });
  return {
    tokenKey,
    tokenPublicKey,
    mandateKey,
    revocation,
    mandateJwks: JSON.stringify({
      keys: [{ ...mandateKey.publicJwk, kid: mandateKid, use: 'sig' }],
    }),
    handler,
    allScopes: [...new Set([...Object.keys(options.scopes), ...Object.values(resources).flat()])],
    resourceScopes: new Map<string, readonly string[]>([
      [issuer, Object.keys(options.scopes)],
      ...Object.entries(resources),
    ]),
  };
}

/**
 * The demo's browser: adds `login_hint`, follows redirects on the server's own origin with a
 * cookie jar, and stops at the first redirect elsewhere (the client's redirect URI).
 */
export async function followSignIn(authorizationUrl: URL, user: string): Promise<URL> {
  const origin = authorizationUrl.origin;
  const jar = new Map<string, string>();
  let next = new URL(authorizationUrl);
  next.searchParams.set('login_hint', user);
  for (let step = 0; step < 16; step++) {
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(next, {
      redirect: 'manual',
      headers: cookie.length > 0 ? { cookie } : {},
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair !== undefined && eq > 0)
        jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    await response.body?.cancel();
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || location === null) {
      throw new Error(`sign-in stopped with HTTP ${response.status}`);
    }
    next = new URL(location, next);
    if (next.origin !== origin) return next;
  }
  throw new Error('sign-in did not finish');
}
