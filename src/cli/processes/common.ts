/**
 * What the processes of `mandate demo --processes` share: their configuration (one JSON
 * environment variable), key import, the trust anchor (the authorization server's key set),
 * their stores (shared Redis, or memory), and the one-line "ready" handshake on stdout.
 */
import { createPrivateKey } from 'node:crypto';
import type { JWK } from 'jose';
import type { CapabilityInput, Json, KeyPair } from '../../core/types.js';
import type { TrustAnchor } from '../../identity/anchors.js';
import type { ReplayStore, RevocationStore } from '../../stores/types.js';
import { thumbprintUri } from '../../identity/thumbprint.js';

/** The environment variable carrying a role's configuration. */
export const CONFIG_ENV = 'MANDATE_DEMO_CONFIG';

/**
 * What every role knows. The trust anchor is the authorization server's: its id and the URL
 * of its mandate-signing key set, fetched over HTTP (no key is configured by hand).
 */
export interface DemoConfig {
  /** The authorization server's issuer identifier (the trust anchor id). */
  readonly anchorId: string;
  /** The authorization server's mandate JWKS. */
  readonly anchorJwksUri: string;
  readonly billingAudience: string;
  readonly toolAudience: string;
  /** Shared Redis stores (revocation, replay) for every verifier; memory stores without. */
  readonly redisUrl?: string;
  /** The key prefix of this run in Redis. */
  readonly redisPrefix?: string;
  /** The role's own private key (a per-run test key). */
  readonly keyJwk?: JWK;
  /** The Agent Card provider's key (billing signs its card with it; others verify). */
  readonly providerJwk?: JWK;
  readonly toolUrl?: string;
  readonly billingOrigin?: string;
  /** The billing agent's own grant (for its own work; never for a caller). */
  readonly billingOwnGrant?: string;
  /** The thief's loot: a captured tool call. */
  readonly captured?: CapturedCall;
  /** The orchestrator's OAuth client: its client id and the server's discovery document. */
  readonly oauthClientId?: string;
  readonly discovery?: 'oidc' | 'oauth2';
  /** What the orchestrator asks the authorization server for, for the user's task. */
  readonly rootCapabilities?: readonly CapabilityInput[];
}

/** A tools/call as an eavesdropper saw it. */
export interface CapturedCall {
  readonly name: string;
  readonly arguments: Record<string, Json>;
  readonly _meta: Record<string, string>;
}

/** An outcome as it travels between processes. */
export type Outcome =
  | { readonly allowed: true; readonly subject: string; readonly chain: readonly string[] }
  | {
      readonly allowed: false;
      readonly code: string;
      readonly hop: number;
      readonly check: string;
    };

export function readConfig(): DemoConfig {
  const text = process.env[CONFIG_ENV];
  if (text === undefined) throw new Error(`${CONFIG_ENV} is not set`);
  return JSON.parse(text) as DemoConfig;
}

export async function keyPairOf(jwk: JWK | undefined): Promise<KeyPair> {
  if (jwk === undefined) throw new Error('no key configured');
  const privateKey = createPrivateKey({ key: jwk as never, format: 'jwk' });
  const { d: _d, ...publicJwk } = jwk;
  return { privateKey, publicJwk, id: await thumbprintUri(publicJwk) };
}

/** Tell the parent this role is up (one JSON line on stdout). */
export function ready(info: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ready: info })}\n`);
}

/** The MCP error of a denial, as an outcome. */
export function denialOutcome(data: { code: string; hop: number; check: string }): Outcome {
  return { allowed: false, code: data.code, hop: data.hop, check: data.check };
}

/** The trust anchor of the configuration: the authorization server's mandate key set. */
export function trustAnchorOf(config: DemoConfig): TrustAnchor {
  return { id: config.anchorId, jwksUri: config.anchorJwksUri };
}

/** A role's stores: the shared Redis ones when configured, else this process's memory. */
export interface RoleStores {
  readonly revocation: RevocationStore;
  readonly replay: ReplayStore;
  /** `redis` or `memory`. */
  readonly kind: 'redis' | 'memory';
}

/** The stores a role verifies with (ioredis is loaded only when Redis is configured). */
export async function storesOf(config: DemoConfig): Promise<RoleStores> {
  if (config.redisUrl === undefined) {
    const { MemoryReplayStore, MemoryRevocationStore } = await import('../../stores/memory.js');
    return {
      revocation: new MemoryRevocationStore(),
      replay: new MemoryReplayStore(),
      kind: 'memory',
    };
  }
  const { RedisReplayStore, RedisRevocationStore } = await import('../../stores/redis/index.js');
  const prefix = config.redisPrefix ?? 'mandate-demo:';
  return {
    revocation: new RedisRevocationStore({ url: config.redisUrl, prefix }),
    replay: new RedisReplayStore({ url: config.redisUrl, prefix }),
    kind: 'redis',
  };
}
