/**
 * Resolving an agent by name: fetch its Agent Card from the well-known location of its
 * origin, verify the signature against the keys configured for that origin, cache the
 * result for a bounded time, and answer "is this key the named agent's?".
 */
import type { JWK } from 'jose';
import { readBounded } from '../../core/bounded-read.js';
import { MandateError, isMandateError } from '../../core/errors.js';
import { systemClock, type Clock } from '../../core/time.js';
import { KeyCache, parsePublicJwk, type PublicJwk } from '../jwk.js';
import type { JwkSet, KeyResolver, RemoteJwksOptions, ResolvedKey } from '../key-resolver.js';
import { thumbprintSync, thumbprintUriSync } from '../thumbprint.js';
import type { CanonicalizationProfile } from './canonical.js';
import { agentOrigin } from './origin.js';
import { CARD_LIMITS } from './schema.js';
import { verifyAgentCard, type AgentCardAlg, type VerifiedAgentCard } from './verify.js';
import { deepFreeze } from '../../core/freeze.js';

export { agentOrigin };

/** Where cards are looked for, in order (A2A v1.0, then the older v0.3 location). */
export const AGENT_CARD_PATHS = deepFreeze([
  '/.well-known/agent-card.json',
  '/.well-known/agent.json',
] as const);

/** What is trusted about one agent (keyed by its origin in `agents`). */
export interface AgentTrust {
  /** Keys trusted to sign this agent's card. */
  readonly keys?: KeyResolver | JwkSet | readonly JWK[];
  /** JWKS URLs a card signature of this agent may name in `jku`. */
  readonly jku?: readonly string[];
  /** Origins besides the agent's own that its card may declare interfaces on. */
  readonly interfaceOrigins?: readonly string[];
}

/** Options of `createAgentResolver`. */
export interface AgentResolverOptions {
  /** The agents this resolver may vouch for, by origin (`https://billing.example`). */
  readonly agents: Readonly<Record<string, AgentTrust>>;
  readonly profile?: CanonicalizationProfile | readonly CanonicalizationProfile[];
  readonly algorithms?: readonly AgentCardAlg[];
  readonly jkuOptions?: RemoteJwksOptions;
  /** Seconds a verified card is cached when the response has no `max-age`. Default 300. */
  readonly ttl?: number;
  /** Upper bound on any cache lifetime, in seconds. Default 3600. */
  readonly maxTtl?: number;
  /** Milliseconds a fetch may take. Default 5000. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  /** The clock, in seconds since the epoch. */
  readonly clock?: Clock;
}

/** A configured resolver. */
export interface AgentResolver {
  /** The agent's verified card (cached). Rejects with a coded `MandateError`. */
  resolve(agent: string): Promise<VerifiedAgentCard>;
  /** Whether `key` (a public JWK or a principal id) is one of the agent's holder keys. */
  isAgentKey(agent: string, key: JWK | string): Promise<boolean>;
  /** The agent's holder keys as a `KeyResolver` (a key's `kid` is its RFC 7638 thumbprint). */
  keys(agent: string): KeyResolver;
  /** Forget cached cards (all, or one agent's). */
  invalidate(agent?: string): void;
}

function untrusted(
  message: string,
  detail: Record<string, unknown>,
  cause?: unknown,
): MandateError {
  return new MandateError('MANDATE_UNTRUSTED_ISSUER', message, { check: 'anchor', detail, cause });
}

function maxAge(header: string | null): number | undefined {
  if (header === null) return undefined;
  if (/(^|,)\s*(no-store|no-cache)\s*(,|$)/i.test(header)) return 0;
  const match = /(?:^|,)\s*max-age\s*=\s*(\d{1,10})\s*(?:,|$)/i.exec(header);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

async function readLimited(response: Response, limit: number): Promise<string> {
  const bytes = await readBounded(
    response.body,
    limit,
    () =>
      new MandateError('MANDATE_LIMIT_EXCEEDED', 'the Agent Card is too large', {
        check: 'anchor',
        detail: { limit },
      }),
  );
  return bytes.toString('utf8');
}

/**
 * Create an agent resolver. Returns synchronously; nothing is fetched until asked.
 * Only agents listed in `agents` resolve: an unknown agent is `MANDATE_UNTRUSTED_ISSUER`
 * (`detail.reason` `unknown-agent`). A redirect, a non-200 answer or a network failure is
 * `MANDATE_UNTRUSTED_ISSUER` too (`agent-unavailable`): nothing is cached on failure.
 */
export function createAgentResolver(options: AgentResolverOptions): AgentResolver {
  if (typeof options !== 'object' || options === null || typeof options.agents !== 'object') {
    throw new TypeError('createAgentResolver needs { agents }');
  }
  const agents = new Map<string, AgentTrust>();
  for (const [name, trust] of Object.entries(options.agents)) {
    if (trust.keys === undefined && (trust.jku ?? []).length === 0) {
      throw new TypeError(`agent ${name}: configure keys or an allow-listed jku`);
    }
    agents.set(agentOrigin(name), trust);
  }
  const ttl = options.ttl ?? 300;
  const maxTtl = options.maxTtl ?? 3600;
  if (!(ttl >= 0) || !(maxTtl >= 0)) throw new RangeError('ttl and maxTtl must be non-negative');
  const timeoutMs = options.timeoutMs ?? 5000;
  const fetchImpl = options.fetch ?? fetch;
  const clock = options.clock ?? systemClock;
  const cache = new Map<string, { card: VerifiedAgentCard; expiresAt: number }>();
  const inflight = new Map<string, Promise<VerifiedAgentCard>>();
  const jkuCache = new Map<string, KeyResolver>();
  /** Holder keys are asked for on every request: each is imported once (bounded). */
  const holderKeyObjects = new KeyCache();

  async function fetchCard(origin: string): Promise<{ text: string; lifetime: number }> {
    for (const path of AGENT_CARD_PATHS) {
      const url = `${origin}${path}`;
      let response: Response;
      try {
        response = await fetchImpl(url, {
          redirect: 'manual',
          headers: { accept: 'application/json' },
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (cause) {
        throw untrusted(
          'the Agent Card could not be fetched',
          { reason: 'agent-unavailable', agent: origin },
          cause,
        );
      }
      if (response.url !== '' && new URL(response.url).origin !== origin) {
        throw untrusted('the Agent Card was served from another origin', {
          reason: 'origin-mismatch',
          agent: origin,
        });
      }
      if (response.status >= 300 && response.status < 400) {
        // A card must come from the agent's own origin; a redirect is never followed.
        throw untrusted('the Agent Card location redirects', {
          reason: 'origin-mismatch',
          agent: origin,
        });
      }
      if (response.status === 404) continue;
      if (response.status !== 200) {
        throw untrusted(`the Agent Card fetch answered ${response.status}`, {
          reason: 'agent-unavailable',
          agent: origin,
        });
      }
      const text = await readLimited(response, CARD_LIMITS.maxBytes);
      const age = maxAge(response.headers.get('cache-control'));
      return { text, lifetime: Math.min(age ?? ttl, maxTtl) };
    }
    throw untrusted('the agent publishes no Agent Card', {
      reason: 'agent-unavailable',
      agent: origin,
    });
  }

  async function load(origin: string, trust: AgentTrust): Promise<VerifiedAgentCard> {
    const { text, lifetime } = await fetchCard(origin);
    const card = await verifyAgentCard(text, {
      ...(trust.keys === undefined ? {} : { keys: trust.keys }),
      ...(trust.jku === undefined ? {} : { jku: trust.jku }),
      ...(options.jkuOptions === undefined ? {} : { jkuOptions: options.jkuOptions }),
      ...(options.profile === undefined ? {} : { profile: options.profile }),
      ...(options.algorithms === undefined ? {} : { algorithms: options.algorithms }),
      interfaceOrigins: trust.interfaceOrigins ?? [],
      origin,
      jkuCache,
    });
    if (lifetime > 0) cache.set(origin, { card, expiresAt: clock() + lifetime });
    return card;
  }

  async function resolve(agent: string): Promise<VerifiedAgentCard> {
    let origin: string;
    try {
      origin = agentOrigin(agent);
    } catch (cause) {
      throw untrusted(
        'not an agent name this resolver accepts',
        { reason: 'unknown-agent' },
        cause,
      );
    }
    const trust = agents.get(origin);
    if (trust === undefined) {
      throw untrusted('no trust is configured for this agent', {
        reason: 'unknown-agent',
        agent: origin,
      });
    }
    const cached = cache.get(origin);
    if (cached !== undefined && clock() < cached.expiresAt) return cached.card;
    cache.delete(origin);
    let pending = inflight.get(origin);
    if (pending === undefined) {
      pending = load(origin, trust).finally(() => inflight.delete(origin));
      inflight.set(origin, pending);
    }
    return pending;
  }

  return {
    resolve,
    async isAgentKey(agent, key) {
      const { holderKeys } = await resolve(agent);
      let id: string;
      if (typeof key === 'string') {
        id = key;
      } else {
        try {
          id = thumbprintUriSync(parsePublicJwk(key, 'anchor'));
        } catch {
          return false;
        }
      }
      return holderKeys.some((holder) => thumbprintUriSync(holder) === id);
    },
    keys(agent) {
      return {
        async resolve(selector) {
          const { holderKeys } = await resolve(agent);
          const kty = selector.alg === 'ES256' ? 'EC' : 'OKP';
          const matches = holderKeys.filter(
            (jwk: PublicJwk) =>
              jwk.kty === kty &&
              (selector.kid === undefined || thumbprintSync(jwk) === selector.kid),
          );
          const [only] = matches;
          if (only === undefined || matches.length !== 1) {
            throw untrusted('no holder key of the agent matches', {
              reason: 'unknown-kid',
              agent,
            });
          }
          const resolved: ResolvedKey = {
            key: holderKeyObjects.get(only, 'anchor'),
            jwk: only,
            kid: thumbprintSync(only),
          };
          return resolved;
        },
      };
    },
    invalidate(agent) {
      if (agent === undefined) cache.clear();
      else cache.delete(agentOrigin(agent));
    },
  };
}

/** Whether an error is a coded denial from agent resolution. */
export function isAgentResolutionError(error: unknown): error is MandateError {
  return isMandateError(error) && error.check === 'anchor';
}
