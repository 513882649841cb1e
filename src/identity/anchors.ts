/**
 * Trust anchors: the issuers a verifier trusts to originate authority. A root is trusted
 * only when its issuer name and its signing key both match one configured anchor; keys
 * come only from this configuration (a static JWK or the anchor's own JWKS URL), never
 * from the token.
 */
import type { KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { normalizeCapabilities } from '../core/capability.js';
import { MandateError } from '../core/errors.js';
import type { Capability, CapabilityInput } from '../core/types.js';
import { algForJwk, parsePublicJwk, type SigningAlg } from './jwk.js';
import type { KeyCache } from './jwk.js';
import {
  isKeyResolver,
  remoteJwks,
  type KeyResolver,
  type RemoteJwksOptions,
} from './key-resolver.js';

/** A trust anchor as configured. */
export type TrustAnchor =
  | {
      readonly id: string;
      readonly publicJwk: JWK;
      /** The capabilities this anchor may originate; a root beyond them is denied. */
      readonly mayGrant?: readonly CapabilityInput[];
    }
  | {
      readonly id: string;
      readonly jwksUri: string;
      /** Cache, cooldown and timeout of the remote key set (see `remoteJwks`). */
      readonly jwks?: RemoteJwksOptions;
      readonly mayGrant?: readonly CapabilityInput[];
    }
  | {
      readonly id: string;
      /** Any key resolver: `staticKeys`, `remoteJwks`, an Agent Card's keys. */
      readonly keys: KeyResolver;
      readonly mayGrant?: readonly CapabilityInput[];
    };

/** A trust anchor ready for use: its key resolved once, or a lazily fetched key set. */
export interface ResolvedAnchor {
  readonly id: string;
  readonly mayGrant?: readonly Capability[];
  /**
   * The key that must have signed a root with this header: at hand for a configured key, a
   * promise for a key set that may have to be fetched. Throws (or rejects with) a coded error.
   */
  key(
    header: { readonly alg: SigningAlg; readonly kid?: string },
    hop: number,
  ): KeyObject | Promise<KeyObject>;
}

/** Validate anchors once, at `createVerifier` time. Misuse throws TypeError. */
export function resolveAnchors(
  anchors: readonly TrustAnchor[],
  keys: KeyCache,
): ReadonlyMap<string, ResolvedAnchor> {
  // Not Array.isArray: it would widen the element type to `any`.
  if (!(anchors instanceof Array) || anchors.length === 0) {
    throw new TypeError('trustAnchors must be a non-empty array');
  }
  const resolved = new Map<string, ResolvedAnchor>();
  for (const anchor of anchors) {
    if (typeof anchor?.id !== 'string' || anchor.id.length === 0) {
      throw new TypeError('every trust anchor needs an id');
    }
    if (resolved.has(anchor.id))
      throw new TypeError(`trust anchor ${anchor.id} is configured twice`);
    const mayGrant =
      anchor.mayGrant === undefined ? undefined : normalizeCapabilities(anchor.mayGrant);
    const base = { id: anchor.id, ...(mayGrant === undefined ? {} : { mayGrant }) };
    if ('publicJwk' in anchor) {
      let jwk;
      try {
        jwk = parsePublicJwk(anchor.publicJwk, 'anchor');
      } catch (cause) {
        throw new TypeError(
          `trust anchor ${anchor.id}: publicJwk must be an Ed25519 or P-256 public key`,
          { cause },
        );
      }
      const key = keys.get(jwk, 'anchor');
      const alg = algForJwk(jwk);
      resolved.set(anchor.id, {
        ...base,
        key(header, hop) {
          if (header.alg !== alg) {
            throw new MandateError(
              'MANDATE_SIGNATURE_INVALID',
              "the root's algorithm does not match the anchor's key",
              { check: 'anchor', hop },
            );
          }
          return key;
        },
      });
    } else if ('jwksUri' in anchor || 'keys' in anchor) {
      let resolver: KeyResolver;
      if ('keys' in anchor) {
        if (!isKeyResolver(anchor.keys)) {
          throw new TypeError(`trust anchor ${anchor.id}: keys must be a KeyResolver`);
        }
        resolver = anchor.keys;
      } else {
        try {
          resolver = remoteJwks(anchor.jwksUri, anchor.jwks);
        } catch (cause) {
          throw new TypeError(`trust anchor ${anchor.id}: jwksUri must be an http(s) URL`, {
            cause,
          });
        }
      }
      resolved.set(anchor.id, {
        ...base,
        async key(header, hop) {
          try {
            const found = await resolver.resolve(header);
            return found.key;
          } catch (cause) {
            throw new MandateError(
              'MANDATE_UNTRUSTED_ISSUER',
              "no key of the anchor's key set matches the root",
              {
                check: 'anchor',
                hop,
                detail: { anchor: anchor.id },
                cause,
              },
            );
          }
        },
      });
    } else {
      throw new TypeError(
        `trust anchor ${String((anchor as { id: string }).id)} needs publicJwk, jwksUri or keys`,
      );
    }
  }
  return resolved;
}
