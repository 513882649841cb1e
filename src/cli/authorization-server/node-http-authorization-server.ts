/**
 * The smallest real authorization server, on node:http: what `startDemoAuthorizationServer`
 * runs when oidc-provider (a devDependency of Mandate) is not installed, or when asked for it
 * (`implementation: 'node-http'`). It serves, on 127.0.0.1 with an ephemeral port:
 *
 * - RFC 8414 metadata at `/.well-known/oauth-authorization-server` (no OpenID discovery: it
 *   issues no ID tokens);
 * - `/authorize`: the authorization-code grant with PKCE (S256 only) and the same stand-in
 *   sign-in as the oidc-provider server (the user named in `login_hint`; the requested scopes
 *   that user holds and the resource serves), answering with RFC 9207 `iss`;
 * - `/token`: `authorization_code`, `client_credentials` and the RFC 8693 token-exchange
 *   grant, every request authenticated with `private_key_jwt` (RFC 7523: signature by a
 *   registered key, `iss` = `sub` = the client, `aud` = the issuer or the token endpoint, a
 *   short `exp`, a `jti` never seen before). Access tokens are RFC 9068 JWTs (`at+jwt`,
 *   Ed25519) for one resource indicator (RFC 8707), with `may_act` for users who allow an
 *   agent. The exchange is answered by the same `createTokenExchangeHandler` as oidc-provider's,
 *   with the key that signed the client assertion as the mandate's holder;
 * - `/jwks` (access-token keys) and `/mandate/jwks` (the mandate-signing key).
 *
 * Not served: DPoP-bound tokens (a `DPoP` header is refused), refresh tokens, ID tokens,
 * userinfo, revocation and introspection. State is in memory. Never expose it beyond loopback.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { decodeJwt, importJWK, SignJWT } from 'jose';
import { systemClock } from '../../core/time.js';
import {
  demoServerHandle,
  DEMO_REDIRECT_URI,
  listenOnLoopback,
  prepareDemoExchange,
  serveRevocationList,
  type DemoAuthorizationServer,
  type DemoAuthorizationServerOptions,
} from './demo-server-common.js';
import { assertionSigningKey } from '../../oauth/oidc-provider.js';
import { splitScope } from '../../oauth/scope-map.js';
import { GRANT_TYPE_TOKEN_EXCHANGE } from '../../oauth/token-types.js';

const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Largest form body the token endpoint reads. */
const MAX_BODY_BYTES = 64 * 1024;
/** Longest client-assertion lifetime accepted, and the clock skew tolerated, in seconds. */
const MAX_ASSERTION_LIFETIME = 300;
const SKEW = 60;
/** Lifetime of an authorization code, in seconds. */
const CODE_TTL = 60;

type Form = Readonly<Record<string, string | readonly string[]>>;

/** An OAuth error answer (RFC 6749 §5.2). */
class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
  }
}

interface PendingCode {
  readonly clientId: string;
  readonly user: string;
  readonly challenge: string;
  readonly resource: string;
  readonly scopes: readonly string[];
  readonly expiresAt: number;
}

/** Read a form body (`application/x-www-form-urlencoded`), at most `MAX_BODY_BYTES`. */
async function readForm(req: IncomingMessage): Promise<Form> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new OAuthError('invalid_request', 'the body must be application/x-www-form-urlencoded');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new OAuthError('invalid_request', 'the body is too large');
    chunks.push(chunk);
  }
  const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  const form: Record<string, string | readonly string[]> = {};
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    form[name] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return form;
}

/** A parameter that must appear at most once (RFC 6749 §3.1, §3.2). */
function one(form: Form, name: string): string | undefined {
  const value = form[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new OAuthError('invalid_request', `${name} must not repeat`);
  return value.length === 0 ? undefined : value;
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Start the node:http demo authorization server (see the module comment). */
export async function startNodeHttpAuthorizationServer(
  options: DemoAuthorizationServerOptions,
): Promise<DemoAuthorizationServer> {
  const users = options.users ?? {};
  const ttl = options.accessTokenTtl ?? 300;
  const clock = systemClock;
  let handle: (req: IncomingMessage, res: ServerResponse) => Promise<void> = (_req, res) => {
    res.statusCode = 503;
    res.end();
    return Promise.resolve();
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
      else res.end();
    });
  });
  const port = await listenOnLoopback(server);
  const issuer = `http://127.0.0.1:${port}`;
  const tokenEndpoint = `${issuer}/token`;
  const {
    tokenKey,
    tokenPublicKey,
    mandateKey,
    mandateJwks,
    handler,
    allScopes,
    resourceScopes,
    revocation,
  } = await prepareDemoExchange(options, issuer);
  const signingKey = await importJWK(tokenKey, 'Ed25519');
  const codes = new Map<string, PendingCode>();
  /** Client-assertion ids seen, until they expire (RFC 7523 §3 item 7). */
  const seenAssertions = new Map<string, number>();

  const metadata = JSON.stringify({
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: tokenEndpoint,
    jwks_uri: `${issuer}/jwks`,
    scopes_supported: allScopes,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'client_credentials', GRANT_TYPE_TOKEN_EXCHANGE],
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['Ed25519', 'EdDSA', 'ES256'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
  });
  const jwks = JSON.stringify({ keys: [tokenPublicKey] });

  /** RFC 9068 access token for `resource`. */
  async function accessToken(
    subject: string,
    clientId: string,
    resource: string,
    scopes: readonly string[],
    mayAct: string | undefined,
  ): Promise<string> {
    const now = clock();
    return new SignJWT({
      client_id: clientId,
      ...(scopes.length === 0 ? {} : { scope: scopes.join(' ') }),
      ...(mayAct === undefined ? {} : { may_act: { sub: mayAct } }),
    })
      .setProtectedHeader({ alg: 'Ed25519', typ: 'at+jwt', kid: tokenKey.kid })
      .setIssuer(issuer)
      .setSubject(subject)
      .setAudience(resource)
      .setIssuedAt(now)
      .setExpirationTime(now + ttl)
      .setJti(randomUUID())
      .sign(signingKey);
  }

  /** RFC 7523 client authentication; resolves the client id and the key it proved. */
  async function authenticate(form: Form) {
    const fail = (why: string): never => {
      throw new OAuthError('invalid_client', why, 401);
    };
    if (one(form, 'client_assertion_type') !== CLIENT_ASSERTION_TYPE) {
      fail('private_key_jwt client authentication is required');
    }
    const assertion = one(form, 'client_assertion');
    if (assertion === undefined) return fail('client_assertion is missing');
    let unverified: ReturnType<typeof decodeJwt>;
    try {
      unverified = decodeJwt(assertion);
    } catch {
      return fail('client_assertion is malformed');
    }
    const clientId = unverified.sub;
    if (typeof clientId !== 'string' || !Object.hasOwn(options.agents, clientId)) {
      return fail('unknown client');
    }
    const named = one(form, 'client_id');
    if (named !== undefined && named !== clientId) fail('client_id does not match the assertion');
    const agent = options.agents[clientId];
    const holder =
      agent === undefined ? undefined : await assertionSigningKey(assertion, [agent.publicJwk]);
    if (holder === undefined) return fail('no registered key of the client signed the assertion');
    // The signature holds: the claims are the client's.
    const { iss, aud, exp, iat, nbf, jti } = unverified;
    const now = clock();
    const audiences = typeof aud === 'string' ? [aud] : (aud ?? []);
    if (iss !== clientId) fail('the assertion must have iss = sub = client_id');
    if (!audiences.includes(issuer) && !audiences.includes(tokenEndpoint)) {
      fail('the assertion is for another audience');
    }
    if (typeof exp !== 'number' || exp <= now - SKEW) fail('the assertion has expired');
    if ((exp as number) - now > MAX_ASSERTION_LIFETIME + SKEW) fail('the assertion lives too long');
    if (typeof iat === 'number' && iat > now + SKEW) fail('the assertion was issued in the future');
    if (typeof nbf === 'number' && nbf > now + SKEW) fail('the assertion is not valid yet');
    if (typeof jti !== 'string' || jti.length === 0) return fail('the assertion needs a jti');
    for (const [id, until] of seenAssertions) if (until < now) seenAssertions.delete(id);
    const key = `${clientId}:${jti}`;
    if (seenAssertions.has(key)) fail('the assertion was used before');
    seenAssertions.set(key, (exp as number) + SKEW);
    return { clientId, holder };
  }

  function resourceOf(form: Form): string {
    const resource = one(form, 'resource');
    if (resource === undefined || !resourceScopes.has(resource)) {
      throw new OAuthError('invalid_target', 'resource must name a resource this server serves');
    }
    return resource;
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers['dpop'] !== undefined) {
      throw new OAuthError('invalid_request', 'this server does not issue DPoP-bound tokens');
    }
    const form = await readForm(req);
    const grantType = one(form, 'grant_type');
    const client = await authenticate(form);
    if (grantType === GRANT_TYPE_TOKEN_EXCHANGE) {
      const result = await handler.exchange({
        params: form,
        client: { id: client.clientId, holder: { ...client.holder } },
      });
      sendJson(res, result.status, result.body);
      return;
    }
    if (grantType === 'client_credentials') {
      const resource = resourceOf(form);
      const agent = options.agents[client.clientId];
      const allowed = new Set([...allScopes, ...(agent?.scopes ?? [])]);
      const served = resourceScopes.get(resource) ?? [];
      const scopes = splitScope(one(form, 'scope')).filter(
        (scope) => allowed.has(scope) && served.includes(scope),
      );
      const issued = await accessToken(
        client.clientId,
        client.clientId,
        resource,
        scopes,
        undefined,
      );
      sendJson(res, 200, {
        access_token: issued,
        token_type: 'Bearer',
        expires_in: ttl,
        ...(scopes.length === 0 ? {} : { scope: scopes.join(' ') }),
      });
      return;
    }
    if (grantType === 'authorization_code') {
      const code = one(form, 'code');
      const pending = code === undefined ? undefined : codes.get(code);
      if (code !== undefined) codes.delete(code);
      if (pending === undefined || pending.expiresAt < clock()) {
        throw new OAuthError('invalid_grant', 'the code is unknown, used or expired');
      }
      if (pending.clientId !== client.clientId) {
        throw new OAuthError('invalid_grant', 'the code was issued to another client');
      }
      if (one(form, 'redirect_uri') !== DEMO_REDIRECT_URI) {
        throw new OAuthError('invalid_grant', 'redirect_uri does not match');
      }
      const verifier = one(form, 'code_verifier');
      if (verifier === undefined || s256(verifier) !== pending.challenge) {
        throw new OAuthError('invalid_grant', 'the PKCE code_verifier does not match');
      }
      const resource = one(form, 'resource') ?? pending.resource;
      if (resource !== pending.resource) {
        throw new OAuthError('invalid_target', 'resource differs from the authorization request');
      }
      const issued = await accessToken(
        pending.user,
        client.clientId,
        resource,
        pending.scopes,
        Object.hasOwn(users, pending.user) ? users[pending.user]?.mayAct : undefined,
      );
      sendJson(res, 200, {
        access_token: issued,
        token_type: 'Bearer',
        expires_in: ttl,
        scope: pending.scopes.join(' '),
      });
      return;
    }
    throw new OAuthError(
      'unsupported_grant_type',
      'this server serves authorization_code, client_credentials and token exchange',
    );
  }

  /** The authorization endpoint, with the stand-in sign-in and consent. */
  function authorize(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    const clientId = q.get('client_id') ?? '';
    const redirectUri = q.get('redirect_uri');
    // Never redirect to an unregistered URI (RFC 6749 §4.1.2.1): answer here.
    if (!Object.hasOwn(options.agents, clientId) || redirectUri !== DEMO_REDIRECT_URI) {
      sendJson(res, 400, {
        error: 'invalid_request',
        error_description: 'unknown client_id or unregistered redirect_uri',
      });
      return;
    }
    const back = (params: Record<string, string>) => {
      const target = new URL(redirectUri);
      for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
      const state = q.get('state');
      if (state !== null) target.searchParams.set('state', state);
      target.searchParams.set('iss', issuer);
      res.writeHead(302, { location: target.href, 'cache-control': 'no-store' });
      res.end();
    };
    if (q.get('response_type') !== 'code') {
      back({ error: 'unsupported_response_type' });
      return;
    }
    const challenge = q.get('code_challenge');
    if (q.get('code_challenge_method') !== 'S256' || challenge === null || challenge.length < 43) {
      back({ error: 'invalid_request', error_description: 'PKCE with S256 is required' });
      return;
    }
    const resource = q.get('resource');
    const served = resource === null ? undefined : resourceScopes.get(resource);
    if (resource === null || served === undefined) {
      back({ error: 'invalid_target', error_description: 'resource must name a served resource' });
      return;
    }
    const user = q.get('login_hint') ?? '';
    const account = Object.hasOwn(users, user) ? users[user] : undefined;
    if (account === undefined) {
      back({ error: 'access_denied', error_description: 'unknown user' });
      return;
    }
    // Consent: the requested scopes the user holds and the resource serves.
    const scopes = splitScope(q.get('scope') ?? undefined).filter(
      (scope) => account.scopes.includes(scope) && served.includes(scope),
    );
    if (scopes.length === 0) {
      back({ error: 'access_denied', error_description: 'no requested scope can be granted' });
      return;
    }
    const code = randomBytes(32).toString('base64url');
    const now = clock();
    for (const [id, entry] of codes) if (entry.expiresAt < now) codes.delete(id);
    codes.set(code, {
      clientId,
      user,
      challenge,
      resource,
      scopes,
      expiresAt: now + CODE_TTL,
    });
    back({ code });
  }

  handle = async (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    if (serveRevocationList(revocation, url.pathname, req, res)) return;
    switch (route) {
      case 'GET /.well-known/oauth-authorization-server':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(metadata);
        return;
      case 'GET /jwks':
      case 'GET /mandate/jwks':
        res.writeHead(200, {
          'content-type': 'application/jwk-set+json',
          'cache-control': 'max-age=60',
        });
        res.end(url.pathname === '/jwks' ? jwks : mandateJwks);
        return;
      case 'GET /authorize':
        authorize(url, res);
        return;
      case 'POST /token':
        try {
          await token(req, res);
        } catch (error) {
          if (!(error instanceof OAuthError)) throw error;
          // No WWW-Authenticate on a 401: the client did not authenticate with an HTTP
          // scheme (RFC 6749 §5.2 asks for one only then).
          sendJson(res, error.status, { error: error.error, error_description: error.description });
        }
        return;
      default:
        sendJson(res, 404, { error: 'not_found' });
    }
  };

  return demoServerHandle('node-http', 'oauth2', issuer, mandateKey, server, revocation);
}
