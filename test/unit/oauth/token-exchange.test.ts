/**
 * The token-exchange handler on its own (no server): request validation and error codes,
 * with access tokens signed locally and verified by the real access-token verifier.
 */
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KeyPair } from '../../../src/core/types.js';
import { parseMandate } from '../../../src/format/parse.js';
import { generateKeyPair, prepareSigner } from '../../../src/identity/keys.js';
import {
  TOKEN_TYPE,
  createAccessTokenVerifier,
  createTokenExchangeHandler,
  type TokenExchangeHandler,
} from '../../../src/oauth/index.js';
import { GRANT_TYPE_TOKEN_EXCHANGE } from '../../../src/oauth/token-types.js';

const AS = 'https://as.example';
const PAYMENTS = 'https://payments.example';
let asKey: KeyPair;
let agent: KeyPair;
let handler: TokenExchangeHandler;
let userToken: string;
let actorToken: string;

async function accessToken(claims: Record<string, unknown>): Promise<string> {
  const signer = prepareSigner(asKey);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ client_id: 'agent', jti: crypto.randomUUID(), ...claims })
    .setProtectedHeader({ alg: signer.alg, typ: 'at+jwt' })
    .setIssuer(AS)
    .setAudience(AS)
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(signer.key);
}

beforeAll(async () => {
  [asKey, agent] = await Promise.all([generateKeyPair(), generateKeyPair()]);
  handler = createTokenExchangeHandler({
    subjectTokens: createAccessTokenVerifier({
      issuer: AS,
      audience: AS,
      jwks: { keys: [asKey.publicJwk] },
    }),
    scopes: { pay: [{ resource: 'billing:**', actions: ['pay'] }] },
    signer: asKey,
    issuerId: AS,
    targets: [PAYMENTS],
  });
  userToken = await accessToken({ sub: 'alice', scope: 'pay', may_act: { sub: 'agent' } });
  actorToken = await accessToken({ sub: 'agent' });
});

function exchange(params: Record<string, string | string[]>) {
  return handler.exchange({
    params: {
      grant_type: GRANT_TYPE_TOKEN_EXCHANGE,
      subject_token: userToken,
      subject_token_type: TOKEN_TYPE.accessToken,
      actor_token: actorToken,
      actor_token_type: TOKEN_TYPE.accessToken,
      resource: PAYMENTS,
      ...params,
    },
    client: { id: 'agent', holder: agent.publicJwk },
  });
}

describe('createTokenExchangeHandler', () => {
  it('mints a root mandate for the authenticated client key, never past the user token', async () => {
    const result = await exchange({});
    expect(result).toMatchObject({ ok: true, status: 200, narrowed: false });
    if (!result.ok) throw new Error('unreachable');
    expect(result.body).toMatchObject({
      token_type: 'N_A',
      issued_token_type: TOKEN_TYPE.mandateJws,
    });
    const root = await parseMandate(result.body.access_token);
    expect(root).toMatchObject({ subject: 'alice', holder: agent.id });
    expect(result.body.expires_in).toBeLessThanOrEqual(600);
  });

  it.each([
    ['a repeated single-valued parameter', { scope: ['pay', 'pay'] }, 'invalid_request'],
    ['another grant type', { grant_type: 'client_credentials' }, 'unsupported_grant_type'],
    ['actor_token without its type', { actor_token_type: '' }, 'invalid_request'],
    [
      'an unknown requested_token_type',
      { requested_token_type: TOKEN_TYPE.jwt },
      'invalid_request',
    ],
    [
      'malformed authorization_details',
      { authorization_details: '{' },
      'invalid_authorization_details',
    ],
    [
      'authorization_details of another type',
      { authorization_details: JSON.stringify([{ type: 'payment_initiation' }]) },
      'invalid_authorization_details',
    ],
    ['a subject token that is not a JWT', { subject_token: 'opaque' }, 'invalid_request'],
  ])('%s: %s', async (_name, params, error) => {
    const result = await exchange(params);
    expect(result).toMatchObject({ ok: false, status: 400, body: { error } });
  });

  it('refuses a subject token that is already delegated (act): invalid_request', async () => {
    const delegated = await accessToken({ sub: 'alice', scope: 'pay', act: { sub: 'someone' } });
    const result = await exchange({ subject_token: delegated });
    expect(result).toMatchObject({ ok: false, body: { error: 'invalid_request' } });
  });

  it('refuses misuse at construction with TypeError', () => {
    const verifier = createAccessTokenVerifier({
      issuer: AS,
      audience: AS,
      jwks: { keys: [asKey.publicJwk] },
    });
    expect(() =>
      createTokenExchangeHandler({
        subjectTokens: verifier,
        scopes: {},
        signer: asKey,
        issuerId: AS,
        targets: [],
      }),
    ).toThrow(TypeError);
    expect(() =>
      createTokenExchangeHandler({
        subjectTokens: verifier,
        scopes: {},
        signer: { ...asKey, publicJwk: { kty: 'RSA' } },
        issuerId: AS,
        targets: [PAYMENTS],
      }),
    ).toThrow(TypeError);
  });
});
