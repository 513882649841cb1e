/**
 * A real authorization server on loopback, for the tests and `mandate demo`. Two
 * implementations behind one handle (`DemoAuthorizationServer`):
 *
 * - **oidc-provider** (a devDependency, imported lazily) on 127.0.0.1 with an ephemeral port,
 *   serving client credentials and authorization code (PKCE) with `private_key_jwt` clients
 *   (RFC 7523); RFC 9068 JWT access tokens per resource indicator (RFC 8707), with `may_act`
 *   for users who allow an agent to act for them; the RFC 8693 token-exchange grant,
 *   registered through `registerGrantType` and answered by `createTokenExchangeHandler`; its
 *   discovery document, its JWKS, and the JWKS of its mandate-signing key (`/mandate/jwks`,
 *   kept apart from the access-token keys).
 * - **node-http**, for when oidc-provider is not installed (a user of the published package):
 *   the smallest server on node:http with the same grants, the same exchange handler, a JWKS
 *   and RFC 8414 metadata (`node-http-authorization-server.ts`).
 *
 * It is a demo server: state is in memory, and its sign-in page is a stand-in that signs in
 * whichever configured user the authorization request names in `login_hint` and grants the
 * requested scopes that user holds. Never expose it beyond loopback.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  checkDemoOptions,
  demoServerHandle,
  DEMO_REDIRECT_URI,
  listenOnLoopback,
  prepareDemoExchange,
  serveRevocationList,
  signingAlg,
  type DemoAuthorizationServer,
  type DemoAuthorizationServerOptions,
} from './demo-server-common.js';
import { startNodeHttpAuthorizationServer } from './node-http-authorization-server.js';
import { registerTokenExchange, type OidcProviderLike } from '../../oauth/oidc-provider.js';
import { GRANT_TYPE_TOKEN_EXCHANGE } from '../../oauth/token-types.js';

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

/** Whether `error` says that the module `name` is not installed. */
function isMissingModule(error: unknown, name: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    typeof message === 'string' &&
    message.includes(name)
  );
}

/**
 * Start a demo authorization server on 127.0.0.1 (ephemeral port). `implementation` chooses
 * oidc-provider, the node:http server, or (`auto`, the default) oidc-provider when it is
 * installed and the node:http server otherwise; `server.implementation` says which runs.
 * With `implementation: 'oidc-provider'` it rejects when oidc-provider is not installed (it
 * is a devDependency of Mandate).
 */
export async function startDemoAuthorizationServer(
  options: DemoAuthorizationServerOptions,
): Promise<DemoAuthorizationServer> {
  checkDemoOptions(options);
  const implementation = options.implementation ?? 'auto';
  if (implementation === 'node-http') return startNodeHttpAuthorizationServer(options);
  if (implementation !== 'oidc-provider' && implementation !== 'auto') {
    throw new TypeError('implementation must be oidc-provider, node-http or auto');
  }
  // A variable specifier keeps TypeScript from resolving the (untyped) devDependency.
  const moduleName = 'oidc-provider';
  let loaded: OidcProviderModule;
  try {
    loaded = (await import(moduleName)) as OidcProviderModule;
  } catch (error) {
    if (implementation === 'auto' && isMissingModule(error, moduleName)) {
      return startNodeHttpAuthorizationServer(options);
    }
    throw error;
  }
  return startOidcProvider(loaded, options);
}

async function startOidcProvider(
  { default: Provider, errors }: OidcProviderModule,
  options: DemoAuthorizationServerOptions,
): Promise<DemoAuthorizationServer> {
  const users = options.users ?? {};
  const ttl = options.accessTokenTtl ?? 300;

  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer((req, res) => handle(req, res));
  const port = await listenOnLoopback(server);
  const issuer = `http://127.0.0.1:${port}`;
  const { tokenKey, mandateKey, mandateJwks, handler, allScopes, resourceScopes, revocation } =
    await prepareDemoExchange(options, issuer);

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

  registerTokenExchange(provider, handler);
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
    if (serveRevocationList(revocation, path, req, res)) return;
    if (path.startsWith('/interaction/') && req.method === 'GET') {
      interaction(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
      return;
    }
    callback(req, res);
  };

  return demoServerHandle('oidc-provider', 'oidc', issuer, mandateKey, server, revocation);
}
