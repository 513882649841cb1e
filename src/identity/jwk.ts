/**
 * Public keys as they cross trust boundaries: a strict schema (no private members, no
 * extra parameters that could redirect key resolution), and import into a node:crypto
 * KeyObject exactly once per distinct key.
 */
import { createPublicKey, KeyObject } from 'node:crypto';
import type { SigningAlg } from '../core/jws/signature.js';
import type { z } from 'zod';
import { RecurringCache } from '../core/recurring-cache.js';
import { hasCanonicalTail, isCanonicalBase64url } from '../core/encoding.js';
import { MandateError, type Check } from '../core/errors.js';
import { parseWith } from '../core/schemas.js';
import { lazySchema } from '../core/zod.js';
import { withoutStackTraces } from '../core/stack-traces.js';

/** The public JWKs Mandate accepts: Ed25519 (default) and P-256 (built on first use). */
export const publicJwkSchema = lazySchema((z) => {
  const b64u32 = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 bytes of base64url');
  const okpSchema = z.strictObject({
    kty: z.literal('OKP'),
    crv: z.literal('Ed25519'),
    x: b64u32,
    alg: z.enum(['Ed25519', 'EdDSA']).optional(),
    kid: z.string().max(256).optional(),
    use: z.literal('sig').optional(),
  });
  const ecSchema = z.strictObject({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    x: b64u32,
    y: b64u32,
    alg: z.literal('ES256').optional(),
    kid: z.string().max(256).optional(),
    use: z.literal('sig').optional(),
  });
  return z.discriminatedUnion('kty', [okpSchema, ecSchema]);
});

/** A validated public key, reduced to the members that identify it. */
export type PublicJwk =
  | { readonly kty: 'OKP'; readonly crv: 'Ed25519'; readonly x: string }
  | { readonly kty: 'EC'; readonly crv: 'P-256'; readonly x: string; readonly y: string };

/** JWS algorithms Mandate signs and verifies with (defined with the JWS primitives in core). */
export type { SigningAlg };

/** The JWS algorithm that goes with a validated key. */
export function algForJwk(jwk: PublicJwk): SigningAlg {
  return jwk.kty === 'OKP' ? 'Ed25519' : 'ES256';
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

/**
 * Validate an untrusted public JWK. Private key material is refused explicitly (it must
 * never travel in a token), then the strict schema applies.
 */
export function parsePublicJwk(
  value: unknown,
  check: Check,
  hop?: number,
  label = 'jwk',
): PublicJwk {
  // The usual key, exactly `{kty, crv, x}` of an Ed25519 key, is plainly valid: the schema
  // would accept it and reduce it to the same members (a test holds the two together).
  const plainX = plainEd25519X(value);
  if (plainX !== undefined) {
    // 43 characters of the alphabet (checked there): only the last one's unused bits are left.
    if (hasCanonicalTail(plainX)) {
      return { kty: 'OKP', crv: 'Ed25519', x: plainX };
    }
    return assertCanonicalKey({ kty: 'OKP', crv: 'Ed25519', x: plainX }, check, hop, label);
  }
  if (typeof value === 'object' && value !== null) {
    for (const member of PRIVATE_MEMBERS) {
      if (Object.hasOwn(value, member)) {
        throw new MandateError('MANDATE_MALFORMED', `${label} contains private key material`, {
          check,
          hop,
          detail: { path: `${label}.${member}` },
        });
      }
    }
  }
  const parsed = parseWith(publicJwkSchema(), value, label, { check, hop });
  return assertCanonicalKey(minimalJwk(parsed), check, hop, label);
}

/**
 * One key, one id: every coordinate must be the canonical base64url of its 32 bytes (the
 * schema fixed the length). Otherwise flipping the unused low bits of the last character
 * would give the same key another RFC 7638 thumbprint, so another principal id.
 */
function assertCanonicalKey(
  jwk: PublicJwk,
  check: Check,
  hop: number | undefined,
  label: string,
): PublicJwk {
  const coordinates = jwk.kty === 'OKP' ? { x: jwk.x } : { x: jwk.x, y: jwk.y };
  for (const [name, value] of Object.entries(coordinates)) {
    if (!isCanonicalBase64url(value)) {
      throw new MandateError(
        'MANDATE_MALFORMED',
        `${label}.${name} is not the canonical base64url of its bytes`,
        { check, hop, detail: { path: `${label}.${name}`, reason: 'non-canonical' } },
      );
    }
  }
  return jwk;
}

const B64U43 = /^[A-Za-z0-9_-]{43}$/;

/**
 * The `x` of an object whose own members are exactly `kty: 'OKP'`, `crv: 'Ed25519'` and a
 * 43-character base64url `x` (a key `publicJwkSchema` accepts as it is); else undefined.
 */
export function plainEd25519X(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  let members = 0;
  for (const key in value) if (Object.hasOwn(value, key)) members++;
  if (members !== 3) return undefined;
  const jwk = value as Record<string, unknown>;
  if (!Object.hasOwn(jwk, 'kty') || !Object.hasOwn(jwk, 'crv') || !Object.hasOwn(jwk, 'x'))
    return undefined;
  const x = jwk['x'];
  return jwk['kty'] === 'OKP' && jwk['crv'] === 'Ed25519' && typeof x === 'string' && B64U43.test(x)
    ? x
    : undefined;
}

/** Only the members that identify the key: what goes into a `cnf.jwk` or a proof header. */
export function minimalJwk(
  jwk: PublicJwk | z.infer<ReturnType<typeof publicJwkSchema>>,
): PublicJwk {
  return jwk.kty === 'OKP'
    ? { kty: 'OKP', crv: jwk.crv, x: jwk.x }
    : { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y };
}

/** Two validated keys are the same key. */
export function sameKey(a: PublicJwk, b: PublicJwk): boolean {
  if (a.kty === 'OKP') return b.kty === 'OKP' && a.x === b.x;
  return b.kty === 'EC' && a.x === b.x && a.y === b.y;
}

/**
 * Imports a validated public JWK into a node:crypto KeyObject (node:crypto's own JWK import, at a
 * fraction of its usual cost: see {@link withoutStackTraces}). Throws what `createPublicKey` throws
 * for a key that does not import (an EC point off the curve), without a stack.
 */
export function importPublicJwk(jwk: PublicJwk): KeyObject {
  const key = minimalJwk(jwk);
  return withoutStackTraces(() => createPublicKey({ key, format: 'jwk' }));
}

/**
 * A key to verify one signature with: an imported `KeyObject`, or a validated Ed25519 JWK that
 * node:crypto imports for that one verification (`{ key, format: 'jwk' }`).
 */
export type VerifyingKey = KeyObject | { readonly key: PublicJwk; readonly format: 'jwk' };

/** The `KeyObject` of a {@link VerifyingKey} (importing a JWK; it was validated already). */
export function keyObjectOf(key: VerifyingKey): KeyObject {
  return key instanceof KeyObject ? key : importPublicJwk(key.key);
}

/**
 * A bounded cache of imported keys, keyed by their identifying members. Importing a JWK
 * costs more than a hash lookup, and the same holder keys recur on every request.
 */
export class KeyCache {
  /** Imported keys; an Ed25519 key met once is only noted (see {@link KeyCache.forVerifying}). */
  readonly #keys: RecurringCache<KeyObject>;

  constructor(max = 1024) {
    this.#keys = new RecurringCache(max);
  }

  /**
   * A key to verify one signature with: the cached `KeyObject`, or, for an Ed25519 key met for
   * the first time, the JWK itself, which node:crypto reads for that one verification at less
   * than an import followed by a verification costs (no `KeyObject` is made, none collected).
   * The second time a key is met it is imported and cached: a key seen once (a new agent, a new
   * user) costs no import, a recurring one is imported once, as before. Every Ed25519 key
   * `parsePublicJwk` returns imports, so both forms verify alike; a P-256 key is imported (its
   * point may be off the curve: {@link KeyCache.get} says so).
   */
  forVerifying(jwk: PublicJwk, check: Check, hop?: number): VerifyingKey {
    if (jwk.kty !== 'OKP') return this.get(jwk, check, hop);
    const key = this.#keys.get(jwk.x);
    if (key !== undefined) return key;
    if (!this.#keys.metBefore(jwk.x)) return { key: minimalJwk(jwk), format: 'jwk' };
    return this.get(jwk, check, hop);
  }

  /** The KeyObject for a validated JWK; a key that does not import (off-curve) is malformed. */
  get(jwk: PublicJwk, check: Check, hop?: number): KeyObject {
    const id = jwk.kty === 'OKP' ? jwk.x : `${jwk.x}.${jwk.y}`;
    let key = this.#keys.get(id);
    if (key === undefined) {
      try {
        key = importPublicJwk(jwk);
      } catch (cause) {
        throw new MandateError('MANDATE_MALFORMED', 'public key does not import', {
          check,
          hop,
          cause,
        });
      }
      this.#keys.set(id, key);
    }
    return key;
  }
}
