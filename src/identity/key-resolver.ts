/**
 * Key resolvers: where a verifier gets the public key that must have signed something (a
 * root block, an Agent Card). One interface, three sources: keys configured in code
 * (`staticKeys`), a remote JWKS (`remoteJwks`, jose's cached key set with cooldown and
 * rotation), and the holder keys a signed Agent Card lists (`mandate/agent-card`).
 *
 * A resolver never takes a key from the thing being verified: the header's `kid` and `alg`
 * only select among keys the resolver already trusts.
 */
import { createPublicKey, KeyObject } from 'node:crypto';
import type { FlattenedJWSInput, JWK, JWSHeaderParameters } from 'jose';
import { MandateError } from '../core/errors.js';
import { parsePublicJwk, type PublicJwk } from './jwk.js';
import { deepFreeze } from '../core/freeze.js';

/** The JOSE algorithms a resolver may be asked for. */
export type ResolvableAlg = 'Ed25519' | 'EdDSA' | 'ES256';

/** What selects a key: the JWS header's `alg` and `kid`. */
export interface KeySelector {
  readonly alg: ResolvableAlg;
  readonly kid?: string | undefined;
}

/** A resolved key: ready for node:crypto, and as a validated public JWK. */
export interface ResolvedKey {
  readonly key: KeyObject;
  readonly jwk: PublicJwk;
  readonly kid?: string;
}

/**
 * Where trusted public keys come from. `resolve` rejects with a `MandateError`
 * (`MANDATE_UNTRUSTED_ISSUER`, check `anchor`) when no trusted key matches.
 */
export interface KeyResolver {
  resolve(selector: KeySelector): Promise<ResolvedKey>;
}

function keyType(alg: ResolvableAlg): 'OKP' | 'EC' {
  return alg === 'ES256' ? 'EC' : 'OKP';
}

function noKey(message: string, detail: Record<string, unknown>, cause?: unknown): MandateError {
  return new MandateError('MANDATE_UNTRUSTED_ISSUER', message, {
    check: 'anchor',
    detail,
    cause,
  });
}

function isJwkList(value: unknown): value is readonly JWK[] {
  return value instanceof Array;
}

/** A JWK Set as published: `{ keys: [...] }`. */
export interface JwkSet {
  readonly keys: readonly JWK[];
}

/**
 * A fixed set of trusted keys. Each needs a `kid` when there is more than one, so a
 * signature names its key unambiguously; a header without `kid` matches only when exactly
 * one key of the right type is configured. Misuse (a private or unsupported key) throws
 * TypeError here, never at resolve time.
 */
export function staticKeys(keys: JwkSet | readonly JWK[]): KeyResolver {
  const list: readonly JWK[] | undefined = isJwkList(keys) ? keys : keys?.keys;
  if (!isJwkList(list) || list.length === 0) {
    throw new TypeError('staticKeys needs at least one public JWK');
  }
  const entries = list.map((jwk: JWK, i: number) => {
    let parsed: PublicJwk;
    try {
      parsed = parsePublicJwk(jwk, 'anchor', undefined, `keys.${i}`);
    } catch (cause) {
      throw new TypeError(`keys.${i} must be an Ed25519 or P-256 public JWK`, { cause });
    }
    const kid = typeof jwk.kid === 'string' ? jwk.kid : undefined;
    const key = createPublicKey({ key: { ...parsed }, format: 'jwk' });
    return { jwk: parsed, key, ...(kid === undefined ? {} : { kid }) };
  });
  const kids = entries.map((entry) => entry.kid).filter((kid) => kid !== undefined);
  if (new Set(kids).size !== kids.length) throw new TypeError('staticKeys: duplicate kid');
  return {
    resolve(selector) {
      const candidates = entries.filter(
        (entry) =>
          entry.jwk.kty === keyType(selector.alg) &&
          (selector.kid === undefined || entry.kid === selector.kid),
      );
      const [only] = candidates;
      if (only === undefined || candidates.length !== 1) {
        return Promise.reject(
          noKey(
            candidates.length === 0
              ? 'no configured key matches the signature'
              : 'several configured keys match; the signature must name one (kid)',
            { reason: 'unknown-kid', ...(selector.kid === undefined ? {} : { kid: selector.kid }) },
          ),
        );
      }
      return Promise.resolve(only);
    },
  };
}

/** Options of `remoteJwks`: jose's remote key set, every timing configurable. */
export interface RemoteJwksOptions {
  /**
   * Milliseconds after a fetch during which an unknown `kid` does not trigger another fetch
   * (jose's cooldown). Default 30 000. A key added to the set is picked up on the first
   * request for its `kid` after the cooldown.
   */
  readonly cooldownDuration?: number;
  /**
   * Milliseconds a fetched set is trusted before it is fetched again (jose's cache max-age).
   * Default 600 000. A key removed from the set stops verifying once this has passed.
   */
  readonly cacheMaxAge?: number;
  /** Milliseconds a fetch may take. Default 5000. */
  readonly timeoutDuration?: number;
  /** Extra request headers. */
  readonly headers?: Record<string, string>;
  /** A fetch implementation (tests, proxies). Must not follow redirects to other origins. */
  readonly fetch?: typeof fetch;
}

/** The defaults `remoteJwks` applies. */
export const REMOTE_JWKS_DEFAULTS = deepFreeze({
  cooldownDuration: 30_000,
  cacheMaxAge: 600_000,
  timeoutDuration: 5_000,
} as const);

/** Parse a JWKS URL: absolute, http(s). Misuse throws TypeError starting with `needs`. */
export function jwksUrl(url: string | URL, needs: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new TypeError(`${needs} an absolute URL`, { cause });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new TypeError(`${needs} an http(s) URL`);
  }
  return parsed;
}

/** A remote key set: the key that verifies a JWS with this header (jose's `createRemoteJWKSet`). */
export type RemoteKeySet = (
  header: JWSHeaderParameters,
  token?: FlattenedJWSInput,
) => Promise<CryptoKey | KeyObject>;

/**
 * jose's remote key set with Mandate's defaults and checks: timings validated (at once), a
 * custom fetch never follows redirects. Shared by `remoteJwks` and the access-token verifier.
 * jose's remote-set module is loaded on the first lookup (a lookup is asynchronous anyway),
 * so importing Mandate loads none of it.
 */
export function joseRemoteKeySet(url: URL, options: RemoteJwksOptions = {}): RemoteKeySet {
  for (const name of ['cooldownDuration', 'cacheMaxAge', 'timeoutDuration'] as const) {
    const value = options[name];
    if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
      throw new RangeError(`${name} must be a non-negative number of milliseconds`);
    }
  }
  const fetchImpl = options.fetch;
  let set: Promise<RemoteKeySet> | undefined;
  return async (header, token) => {
    set ??= import('jose/jwks/remote').then(({ createRemoteJWKSet, customFetch }) =>
      createRemoteJWKSet(url, {
        cooldownDuration: options.cooldownDuration ?? REMOTE_JWKS_DEFAULTS.cooldownDuration,
        cacheMaxAge: options.cacheMaxAge ?? REMOTE_JWKS_DEFAULTS.cacheMaxAge,
        timeoutDuration: options.timeoutDuration ?? REMOTE_JWKS_DEFAULTS.timeoutDuration,
        ...(options.headers === undefined ? {} : { headers: options.headers }),
        ...(fetchImpl === undefined
          ? {}
          : {
              [customFetch]: (input: string, init: RequestInit) =>
                fetchImpl(input, { ...init, redirect: 'error' }),
            }),
      }),
    );
    return (await set)(header, token);
  };
}

/**
 * A remote JWK Set (jose's `createRemoteJWKSet`): fetched lazily on first use, cached for
 * `cacheMaxAge`, refetched on an unknown `kid` at most once per `cooldownDuration`. Only
 * Ed25519 and P-256 keys are ever returned; anything else in the set is ignored by selection.
 */
export function remoteJwks(url: string | URL, options: RemoteJwksOptions = {}): KeyResolver {
  const parsed = jwksUrl(url, 'remoteJwks needs');
  const jwks = joseRemoteKeySet(parsed, options);
  const source = parsed.href;
  const exported = new WeakMap<KeyObject, PublicJwk>();
  return {
    async resolve(selector) {
      let key: KeyObject;
      try {
        const found = await jwks({
          alg: selector.alg,
          ...(selector.kid === undefined ? {} : { kid: selector.kid }),
        });
        key = found instanceof KeyObject ? found : KeyObject.from(found);
      } catch (cause) {
        throw noKey(
          'no key of the remote key set matches the signature',
          {
            reason: 'unknown-kid',
            jwksUri: source,
            ...(selector.kid === undefined ? {} : { kid: selector.kid }),
          },
          cause,
        );
      }
      // jose hands out the same KeyObject for a key until the set is refetched: export and
      // validate each once (a WeakMap, so it goes with the key).
      let jwk = exported.get(key);
      if (jwk === undefined) {
        try {
          jwk = parsePublicJwk(key.export({ format: 'jwk' }), 'anchor');
        } catch (cause) {
          throw noKey('the remote key set returned an unsupported key', { jwksUri: source }, cause);
        }
        exported.set(key, jwk);
      }
      if (jwk.kty !== keyType(selector.alg)) {
        throw noKey('the remote key does not match the algorithm', { jwksUri: source });
      }
      return { key, jwk, ...(selector.kid === undefined ? {} : { kid: selector.kid }) };
    },
  };
}

/** Whether a value is a `KeyResolver` (has a `resolve` function). */
export function isKeyResolver(value: unknown): value is KeyResolver {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { resolve?: unknown }).resolve === 'function'
  );
}
