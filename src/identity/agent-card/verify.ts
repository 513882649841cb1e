/**
 * `verifyAgentCard`: check an A2A §8.4 signature on an Agent Card, taking keys only from
 * trust configuration (a key set, or a `jku` allow-listed for the card's origin).
 */
import { decodeBase64url } from '../../core/encoding.js';
import { MandateError, isMandateError, type MandateErrorCode } from '../../core/errors.js';
import { malformed } from '../../core/failure.js';
import { parseJsonObject } from '../../core/json-text.js';
import type { JWK } from 'jose';
import { verifyJwsSignature } from '../../core/jws/signature.js';
import type { PublicJwk } from '../jwk.js';
import {
  isKeyResolver,
  remoteJwks,
  staticKeys,
  type JwkSet,
  type KeyResolver,
  type RemoteJwksOptions,
  type ResolvableAlg,
  type ResolvedKey,
} from '../key-resolver.js';
import { thumbprintUriSync } from '../thumbprint.js';
import {
  canonicalizeAgentCard,
  CANONICALIZATION_PROFILES,
  DEFAULT_PROFILE,
  type CanonicalizationProfile,
} from './canonical.js';
import { readHolderKeys } from './holder-keys.js';
import { parseAgentCard } from './parse.js';
import { AGENT_CARD_TYP } from './sign.js';
import type { AgentCard, AgentCardVersion } from './schema.js';

/** Algorithms an Agent Card signature may use. `EdDSA` only when allow-listed explicitly. */
export type AgentCardAlg = ResolvableAlg;

const DEFAULT_ALGORITHMS: readonly AgentCardAlg[] = ['Ed25519', 'ES256'];
const KNOWN_ALGORITHMS: readonly AgentCardAlg[] = ['Ed25519', 'EdDSA', 'ES256'];
/** Most signatures examined on one card (rotation needs two or three). */
const MAX_SIGNATURES = 8;

/** Options of `verifyAgentCard`. */
export interface VerifyAgentCardOptions {
  /** The keys trusted to sign this card: a resolver, a JWK Set or a list of JWKs. */
  readonly keys?: KeyResolver | JwkSet | readonly JWK[];
  /**
   * JWKS URLs a signature's `jku` may name (exact match after URL parsing). Configure them
   * per origin: a `jku` is trusted only because you listed it for this card's origin.
   * A signature whose `jku` is not listed is denied, even if `keys` would have matched.
   */
  readonly jku?: readonly string[];
  /** Cache and cooldown of the JWKS fetched from an allow-listed `jku`. */
  readonly jkuOptions?: RemoteJwksOptions;
  /**
   * The origin the card was obtained from (e.g. `https://billing.example`). When set, every
   * interface URL the card declares must be on this origin or in `interfaceOrigins`.
   */
  readonly origin?: string;
  readonly interfaceOrigins?: readonly string[];
  /** Canonicalisation profile(s) accepted. Default `'a2a-js'`. */
  readonly profile?: CanonicalizationProfile | readonly CanonicalizationProfile[];
  /** Allowed `alg` values. Default `['Ed25519', 'ES256']`. */
  readonly algorithms?: readonly AgentCardAlg[];
  /** Reuse JWKS resolvers across calls (the agent resolver passes one). */
  readonly jkuCache?: Map<string, KeyResolver>;
}

/** A card whose signature verified. */
export interface VerifiedAgentCard {
  /** The card as validated (with its signatures). */
  readonly card: AgentCard;
  readonly version: AgentCardVersion;
  /** The exact canonical payload the signature covers. */
  readonly payload: string;
  readonly profile: CanonicalizationProfile;
  /** The verifying signature's header. */
  readonly alg: AgentCardAlg;
  readonly kid: string;
  readonly jku?: string;
  /** The signing key and its principal id (RFC 9278). */
  readonly signingKey: PublicJwk;
  readonly signingKeyId: string;
  /** Holder keys the card lists (`HOLDER_KEYS_EXTENSION`), signed with the card. */
  readonly holderKeys: readonly PublicJwk[];
}

function denial(
  code: MandateErrorCode,
  message: string,
  detail: Record<string, unknown>,
  cause?: unknown,
): MandateError {
  return new MandateError(code, message, { check: 'anchor', detail, cause });
}

function originOf(value: string, label: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new TypeError(`${label} must be an absolute URL`, { cause });
  }
  return url.origin;
}

function interfaceUrls(card: AgentCard, version: AgentCardVersion): string[] {
  if (version === '0.3') {
    const extra = (card['additionalInterfaces'] as { url?: string }[] | undefined) ?? [];
    return [card['url'] as string, ...extra.map((entry) => entry.url ?? '')];
  }
  const interfaces = (card['supportedInterfaces'] as { url?: string }[] | undefined) ?? [];
  return interfaces.map((entry) => entry.url ?? '');
}

function checkOrigin(
  card: AgentCard,
  version: AgentCardVersion,
  origin: string,
  others: readonly string[],
): void {
  const allowed = new Set([
    originOf(origin, 'origin'),
    ...others.map((o) => originOf(o, 'origin')),
  ]);
  for (const [i, url] of interfaceUrls(card, version).entries()) {
    let found: string | undefined;
    try {
      found = new URL(url).origin;
    } catch {
      found = undefined;
    }
    if (found === undefined || !allowed.has(found)) {
      throw denial(
        'MANDATE_UNTRUSTED_ISSUER',
        'the Agent Card declares an interface on another origin than the one it was served from',
        { reason: 'origin-mismatch', index: i, origin: originOf(origin, 'origin') },
      );
    }
  }
}

interface Prepared {
  readonly keys: KeyResolver | undefined;
  readonly jku: ReadonlySet<string>;
  readonly profiles: readonly CanonicalizationProfile[];
  readonly algorithms: readonly AgentCardAlg[];
}

function prepare(options: VerifyAgentCardOptions): Prepared {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('verifyAgentCard needs options');
  const keys =
    options.keys === undefined
      ? undefined
      : isKeyResolver(options.keys)
        ? options.keys
        : staticKeys(options.keys);
  const jku = new Set((options.jku ?? []).map((url) => new URL(url).href));
  if (keys === undefined && jku.size === 0) {
    throw new TypeError('verifyAgentCard needs trusted keys or an allow-listed jku');
  }
  const profiles =
    options.profile === undefined
      ? [DEFAULT_PROFILE]
      : typeof options.profile === 'string'
        ? [options.profile]
        : [...options.profile];
  if (profiles.length === 0 || profiles.some((p) => !CANONICALIZATION_PROFILES.includes(p))) {
    throw new TypeError(`profile must be one or more of ${CANONICALIZATION_PROFILES.join(', ')}`);
  }
  const algorithms = options.algorithms ?? DEFAULT_ALGORITHMS;
  if (algorithms.length === 0 || algorithms.some((alg) => !KNOWN_ALGORITHMS.includes(alg))) {
    throw new TypeError(`algorithms must be a non-empty subset of ${KNOWN_ALGORITHMS.join(', ')}`);
  }
  return { keys, jku, profiles, algorithms };
}

const HEADER_MEMBERS = new Set(['alg', 'typ', 'kid', 'jku']);

async function verifyOne(
  index: number,
  entry: { protected: string; signature: string; header?: Readonly<Record<string, unknown>> },
  payloads: ReadonlyMap<CanonicalizationProfile, string>,
  prepared: Prepared,
  options: VerifyAgentCardOptions,
): Promise<Omit<VerifiedAgentCard, 'card' | 'version' | 'holderKeys'>> {
  const label = `card.signatures.${index}`;
  const header = parseJsonObject(
    decodeBase64url(entry.protected, `${label}.protected`, 'anchor').toString('utf8'),
    `${label}.protected`,
    'anchor',
  );
  // Header members steer key selection: only the four A2A names, and none of them may be
  // repeated (or smuggled) in the unprotected header. `crit`, `jwk`, `x5u`, `x5c`, `b64`
  // and every other member are refused, never ignored.
  for (const member of Object.keys(header)) {
    if (!HEADER_MEMBERS.has(member))
      malformed(`${label}: protected header member "${member.slice(0, 32)}" is not allowed`, {
        path: `${label}.protected`,
        check: 'anchor',
      });
  }
  for (const member of Object.keys(entry.header ?? {})) {
    if (HEADER_MEMBERS.has(member) || member === 'crit' || member === 'jwk' || member === 'x5u')
      malformed(`${label}: "${member.slice(0, 32)}" must not appear in the unprotected header`, {
        path: `${label}.header`,
        check: 'anchor',
      });
  }
  const { alg, typ, kid, jku } = header;
  if (typeof alg !== 'string' || !prepared.algorithms.includes(alg as AgentCardAlg)) {
    throw denial('MANDATE_SIGNATURE_INVALID', `${label}: algorithm not allowed`, {
      reason: 'alg-not-allowed',
      path: `${label}.protected.alg`,
    });
  }
  if (typ !== AGENT_CARD_TYP)
    malformed(`${label}: typ must be ${AGENT_CARD_TYP}`, {
      path: `${label}.protected.typ`,
      check: 'anchor',
    });
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > 256)
    return malformed(`${label}: kid must be a non-empty string`, {
      path: `${label}.protected.kid`,
      check: 'anchor',
    });
  let resolver: KeyResolver | undefined = prepared.keys;
  let jkuUrl: string | undefined;
  if (jku !== undefined) {
    if (typeof jku !== 'string')
      return malformed(`${label}: jku must be a string`, {
        path: `${label}.protected.jku`,
        check: 'anchor',
      });
    try {
      jkuUrl = new URL(jku).href;
    } catch {
      return malformed(`${label}: jku must be an absolute URL`, {
        path: `${label}.protected.jku`,
        check: 'anchor',
      });
    }
    if (!prepared.jku.has(jkuUrl)) {
      throw denial('MANDATE_UNTRUSTED_ISSUER', `${label}: jku is not allow-listed`, {
        reason: 'jku-not-allowed',
        path: `${label}.protected.jku`,
      });
    }
    resolver = options.jkuCache?.get(jkuUrl);
    if (resolver === undefined) {
      resolver = remoteJwks(jkuUrl, options.jkuOptions);
      options.jkuCache?.set(jkuUrl, resolver);
    }
  }
  if (resolver === undefined) {
    throw denial('MANDATE_UNTRUSTED_ISSUER', `${label}: no trusted key set for this signature`, {
      reason: 'unknown-kid',
      kid,
    });
  }
  const signature = decodeBase64url(entry.signature, `${label}.signature`, 'anchor');
  let key: ResolvedKey;
  try {
    key = await resolver.resolve({ alg: alg as AgentCardAlg, kid });
  } catch (cause) {
    if (isMandateError(cause) && cause.code !== 'MANDATE_UNTRUSTED_ISSUER') throw cause;
    throw denial(
      'MANDATE_UNTRUSTED_ISSUER',
      `${label}: no trusted key matches kid`,
      { reason: 'unknown-kid', kid },
      cause,
    );
  }
  const cryptoAlg = alg === 'ES256' ? 'ES256' : 'Ed25519';
  for (const [profile, payload] of payloads) {
    const signingInput = `${entry.protected}.${Buffer.from(payload, 'utf8').toString('base64url')}`;
    if (verifyJwsSignature(cryptoAlg, key.key, signingInput, signature)) {
      return {
        payload,
        profile,
        alg: alg as AgentCardAlg,
        kid,
        ...(jkuUrl === undefined ? {} : { jku: jkuUrl }),
        signingKey: key.jwk,
        signingKeyId: thumbprintUriSync(key.jwk),
      };
    }
  }
  throw denial('MANDATE_SIGNATURE_INVALID', 'signature verification failed', {
    reason: 'signature',
    path: label,
  });
}

/**
 * Verify an Agent Card's signature (A2A §8.4.3). Resolves the verified card, or rejects
 * with a `MandateError` (check `anchor`):
 * - `MANDATE_MALFORMED`: not a v1.0/v0.3 card, unknown members, a bad protected header;
 * - `MANDATE_SIGNATURE_INVALID`: no signature (`detail.reason` `unsigned`), an algorithm
 *   outside the allow-list (`alg-not-allowed`, e.g. `none`), a signature that does not
 *   verify (`signature`, e.g. a tampered field);
 * - `MANDATE_UNTRUSTED_ISSUER`: no trusted key for the `kid` (`unknown-kid`), a `jku` not
 *   allow-listed (`jku-not-allowed`), interfaces on another origin (`origin-mismatch`).
 * One verifying signature suffices (rotation); otherwise the first signature's failure is
 * reported.
 *
 * Not checked here, and left to the caller: that the card is current (cards carry no
 * expiry; use the resolver's cache lifetime), that the named keys are not revoked beyond
 * what the key set says, and anything the card claims about skills or endpoints.
 */
export async function verifyAgentCard(
  input: unknown,
  options: VerifyAgentCardOptions,
): Promise<VerifiedAgentCard> {
  const prepared = prepare(options);
  const { card, version } = parseAgentCard(input);
  const signatures = card.signatures ?? [];
  if (signatures.length === 0) {
    throw denial('MANDATE_SIGNATURE_INVALID', 'the Agent Card is not signed', {
      reason: 'unsigned',
    });
  }
  if (signatures.length > MAX_SIGNATURES) {
    throw denial(
      'MANDATE_LIMIT_EXCEEDED',
      `an Agent Card may carry at most ${MAX_SIGNATURES} signatures`,
      {
        path: 'card.signatures',
      },
    );
  }
  if (options.origin !== undefined) {
    checkOrigin(card, version, options.origin, options.interfaceOrigins ?? []);
  }
  const payloads = new Map<CanonicalizationProfile, string>();
  for (const profile of prepared.profiles) {
    try {
      payloads.set(profile, canonicalizeAgentCard(card, profile));
    } catch (cause) {
      throw denial(
        'MANDATE_MALFORMED',
        'the Agent Card has no canonical form',
        { path: 'card' },
        cause,
      );
    }
  }
  const holderKeys = readHolderKeys(card);
  let first: unknown;
  for (const [index, entry] of signatures.entries()) {
    try {
      const verified = await verifyOne(index, entry, payloads, prepared, options);
      return { card, version, ...verified, holderKeys };
    } catch (error) {
      if (!isMandateError(error)) throw error;
      first ??= error;
    }
  }
  throw first;
}
