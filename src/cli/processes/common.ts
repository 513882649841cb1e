/**
 * What the processes of `mandate demo --processes` share: their configuration (one JSON
 * environment variable), key import, and the one-line "ready" handshake on stdout.
 */
import { createPrivateKey } from 'node:crypto';
import type { JWK } from 'jose';
import type { Json, KeyPair } from '../../core/types.js';
import { thumbprintUri } from '../../identity/thumbprint.js';

/** The environment variable carrying a role's configuration. */
export const CONFIG_ENV = 'MANDATE_DEMO_CONFIG';

/** The trust anchor and identities every role knows (static configuration, no discovery). */
export interface DemoConfig {
  readonly anchorId: string;
  readonly anchorJwk: JWK;
  readonly orchestratorAudience: string;
  readonly billingAudience: string;
  readonly toolAudience: string;
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
