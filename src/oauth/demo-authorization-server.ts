/**
 * A real authorization server on loopback, for the tests and `mandate demo`: oidc-provider
 * (a devDependency, imported lazily) on 127.0.0.1 with an ephemeral port, serving
 * - client credentials and authorization code (PKCE) with `private_key_jwt` clients (RFC 7523),
 * - RFC 9068 JWT access tokens per resource indicator (RFC 8707), with `may_act` for users
 *   who allow an agent to act for them,
 * - the RFC 8693 token-exchange grant, registered through `registerGrantType` and answered by
 *   `createTokenExchangeHandler`: a user's token becomes a root mandate for the agent,
 * - its discovery document, its JWKS, and the JWKS of its mandate-signing key
 *   (`/mandate/jwks`, kept apart from the access-token keys).
 *
 * It is a demo server: state is in memory, and its sign-in page is a stand-in that signs in
 * whichever configured user the authorization request names in `login_hint` and grants the
 * requested scopes that user holds. Never expose it beyond loopback.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair as generateJoseKeyPair, type JWK } from 'jose';
import type { CapabilityInput, KeyPair } from '../core/types.js';
import type { TrustAnchor } from '../identity/anchors.js';
import { generateKeyPair } from '../identity/keys.js';
import { createAccessTokenVerifier } from './access-token.js';
import { registerTokenExchange, type OidcProviderLike } from './oidc-provider.js';
import { createTokenExchangeHandler, type MayActContext } from './token-exchange.js';
import { GRANT_TYPE_TOKEN_EXCHANGE } from './token-types.js';
import type { Span } from '../core/time.js';

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
}

/** A running demo authorization server. */
export interface DemoAuthorizationServer {
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

/** The redirect URI every demo agent registers. */
export const DEMO_REDIRECT_URI = 'https://agent.example/callback';

/** The minimal shape of the oidc-provider module this file uses. */
interface OidcProviderModule {
  default: new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;
  errors: { InvalidTarget: new (description?: string) => Error };
}

interface GrantInstance {
  addOIDCScope(scope: string): void;
  addResourceScope(resource: string, scope: string): void;
  addOIDCClaims(claims: readonly string[]): void;
  save(): Promise<string>;
}

interface ProviderInstance extends OidcProviderLike {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: Record<string, unknown>,
    options?: { mergeWithLastSubmission?: boolean },
  ): Promise<void>;
  Grant: (new (init: { accountId: string; clientId: string }) => GrantInstance) & {
    find(id: string): Promise<GrantInstance | undefined>;
  };
}

interface InteractionDetails {
  readonly prompt: {
    readonly name: string;
    readonly details: {
      readonly missingOIDCScope?: readonly string[];
      readonly missingOIDCClaims?: readonly string[];
      readonly missingResourceScopes?: Readonly<Record<string, readonly string[]>>;
    };
  };
  readonly params: Readonly<Record<string, unknown>>;
  readonly session?: { readonly accountId?: string };
  readonly grantId?: string;
}

/** oidc-provider's storage, in memory (the demo keeps nothing across restarts). */
function memoryAdapterClass() {
  const store = new Map<string, { payload: Record<string, unknown>; expiresAt: number }>();
  const grants = new Map<string, Set<string>>();
  const live = (key: string) => {
    const entry = store.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return entry.payload;
  };
  return class MemoryAdapter {
    readonly #name: string;
    constructor(name: string) {
      this.#name = name;
    }
    #key(id: string) {
      return `${this.#name}:${id}`;
    }
    upsert(id: string, payload: Record<string, unknown>, expiresIn: number): Promise<void> {
      const key = this.#key(id);
      store.set(key, { payload: { ...payload }, expiresAt: Date.now() + expiresIn * 1000 });
      const grantId = payload['grantId'];
      if (typeof grantId === 'string') {
        const keys = grants.get(grantId) ?? new Set<string>();
        keys.add(key);
        grants.set(grantId, keys);
      }
      return Promise.resolve();
    }
    find(id: string) {
      return Promise.resolve(live(this.#key(id)));
    }
    findByUid(uid: string) {
      for (const [key, entry] of store) {
        if (key.startsWith(`${this.#name}:`) && entry.payload['uid'] === uid) {
          return Promise.resolve(live(key));
        }
      }
      return Promise.resolve(undefined);
    }
    findByUserCode(userCode: string) {
      for (const [key, entry] of store) {
        if (key.startsWith(`${this.#name}:`) && entry.payload['userCode'] === userCode) {
          return Promise.resolve(live(key));
        }
      }
      return Promise.resolve(undefined);
    }
    consume(id: string) {
      const payload = live(this.#key(id));
      if (payload !== undefined) payload['consumed'] = Math.floor(Date.now() / 1000);
      return Promise.resolve();
    }
    destroy(id: string) {
      store.delete(this.#key(id));
      return Promise.resolve();
    }
    revokeByGrantId(grantId: string) {
      for (const key of grants.get(grantId) ?? []) store.delete(key);
      grants.delete(grantId);
      return Promise.resolve();
    }
  };
}

function signingAlg(jwk: JWK): 'Ed25519' | 'ES256' {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'Ed25519';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  throw new TypeError('an agent key must be an Ed25519 or P-256 public JWK');
}

function listen(server: ReturnType<typeof createServer>): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Start the demo authorization server on 127.0.0.1 (ephemeral port). Rejects when
 * oidc-provider is not installed (it is a devDependency of Mandate).
 */
export async function startDemoAuthorizationServer(
  options: DemoAuthorizationServerOptions,
): Promise<DemoAuthorizationServer> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('startDemoAuthorizationServer needs options');
  }
  // A variable specifier keeps TypeScript from resolving the (untyped) devDependency.
  const moduleName = 'oidc-provider';
  const { default: Provider, errors } = (await import(moduleName)) as OidcProviderModule;

  const users = options.users ?? {};
  const resources = options.resources ?? {};
  const ttl = options.accessTokenTtl ?? 300;
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

  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer((req, res) => handle(req, res));
  const port = await listen(server);
  const issuer = `http://127.0.0.1:${port}`;
  const allScopes = [
    ...new Set([...Object.keys(options.scopes), ...Object.values(resources).flat()]),
  ];
  const resourceScopes = new Map<string, readonly string[]>([
    [issuer, Object.keys(options.scopes)],
    ...Object.entries(resources),
  ]);

  const clients = Object.entries(options.agents).map(([clientId, agent]) => {
    const alg = signingAlg(agent.publicJwk);
    return {
      client_id: clientId,
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: alg,
      jwks: { keys: [{ ...agent.publicJwk }] },
      grant_types: ['authorization_code', 'client_credentials', GRANT_TYPE_TOKEN_EXCHANGE],
      response_types: ['code'],
      redirect_uris: [DEMO_REDIRECT_URI],
      scope: ['openid', ...allScopes, ...(agent.scopes ?? [])].join(' '),
      id_token_signed_response_alg: 'Ed25519',
    };
  });

  const provider = new Provider(issuer, {
    adapter: memoryAdapterClass(),
    clients,
    jwks: { keys: [tokenKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    scopes: ['openid', ...allScopes],
    claims: { openid: ['sub'] },
    clientAuthMethods: ['private_key_jwt'],
    enabledJWA: {
      clientAuthSigningAlgValues: ['Ed25519', 'EdDSA', 'ES256'],
      idTokenSigningAlgValues: ['Ed25519'],
    },
    ttl: {
      AccessToken: ttl,
      ClientCredentials: ttl,
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      IdToken: ttl,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      dPoP: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, indicator: string) => {
          const scopes = resourceScopes.get(indicator);
          if (scopes === undefined) throw new errors.InvalidTarget();
          return {
            scope: scopes.join(' '),
            audience: indicator,
            accessTokenTTL: ttl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'Ed25519' } },
          };
        },
      },
    },
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    },
    findAccount: (_ctx: unknown, id: string) =>
      Object.hasOwn(users, id) ? { accountId: id, claims: () => ({ sub: id }) } : undefined,
    extraTokenClaims: (_ctx: unknown, token: { kind?: string; accountId?: string }) => {
      if (token.kind !== 'AccessToken' || token.accountId === undefined) return undefined;
      const mayAct = Object.hasOwn(users, token.accountId)
        ? users[token.accountId]?.mayAct
        : undefined;
      return mayAct === undefined ? undefined : { may_act: { sub: mayAct } };
    },
    renderError: (ctx: { type: string; body: unknown }, out: Record<string, unknown>) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  });

  const subjectTokens = createAccessTokenVerifier({
    issuer,
    audience: issuer,
    jwks: { keys: [tokenPublicKey] },
    algorithms: ['Ed25519', 'EdDSA'],
  });
  const targets = options.targets ?? Object.keys(resources);
  registerTokenExchange(
    provider,
    createTokenExchangeHandler({
      subjectTokens,
      scopes: options.scopes,
      signer: mandateKey,
      issuerId: issuer,
      kid: mandateKid,
      targets,
      ...(options.mayAct === undefined ? {} : { mayAct: options.mayAct }),
      ...(options.mandateLifetime === undefined ? {} : { expiresIn: options.mandateLifetime }),
    }),
  );

  const mandateJwks = JSON.stringify({
    keys: [{ ...mandateKey.publicJwk, kid: mandateKid, use: 'sig' }],
  });
  const callback = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    const { prompt, params } = details;
    if (prompt.name === 'login') {
      const hint = params['login_hint'];
      if (typeof hint !== 'string' || !Object.hasOwn(users, hint)) {
        await provider.interactionFinished(req, res, {
          error: 'access_denied',
          error_description: 'unknown user',
        });
        return;
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: hint } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    if (prompt.name === 'consent') {
      const accountId = details.session?.accountId;
      const user = accountId === undefined ? undefined : users[accountId];
      if (accountId === undefined || user === undefined) {
        await provider.interactionFinished(req, res, { error: 'access_denied' });
        return;
      }
      const grant =
        (details.grantId === undefined ? undefined : await provider.Grant.find(details.grantId)) ??
        new provider.Grant({ accountId, clientId: String(params['client_id']) });
      const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
      if (missingOIDCScope !== undefined) grant.addOIDCScope(missingOIDCScope.join(' '));
      if (missingOIDCClaims !== undefined) grant.addOIDCClaims(missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
        const held = scopes.filter((scope) => user.scopes.includes(scope));
        if (held.length > 0) grant.addResourceScope(indicator, held.join(' '));
      }
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
      return;
    }
    await provider.interactionFinished(req, res, { error: 'access_denied' });
  }

  handle = (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/mandate/jwks' && req.method === 'GET') {
      res.writeHead(200, {
        'content-type': 'application/jwk-set+json',
        'cache-control': 'max-age=60',
      });
      res.end(mandateJwks);
      return;
    }
    if (path.startsWith('/interaction/') && req.method === 'GET') {
      interaction(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
      return;
    }
    callback(req, res);
  };

  const mandateJwksUri = `${issuer}/mandate/jwks`;
  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    mandateJwksUri,
    exchangeAudience: issuer,
    mandateKey,
    trustAnchor: { id: issuer, jwksUri: mandateJwksUri },
    redirectUri: DEMO_REDIRECT_URI,
    userAgent: (user) => (url) => followSignIn(url, user),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}

/**
 * The demo's browser: adds `login_hint`, follows redirects on the server's own origin with a
 * cookie jar, and stops at the first redirect elsewhere (the client's redirect URI).
 */
async function followSignIn(authorizationUrl: URL, user: string): Promise<URL> {
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
