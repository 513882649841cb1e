/**
 * RFC 8693 §4.1 `act` (actor) and §4.4 `may_act` claims.
 *
 * `act` names the party acting for the token's `sub`; a chain of delegation nests one `act`
 * inside another, the outermost being the current actor and the most deeply nested the least
 * recent. RFC 8693 treats the nested (prior) actors as informational only: a consumer applies
 * access control to the top-level claims and the current actor. Mandate's own chain goes
 * further (every hop is signed and may only narrow); `act` is how that chain is shown to
 * services that only understand OAuth.
 *
 * These functions read claims; they verify nothing. Call them on the claims of a token that
 * has been verified (`createAccessTokenVerifier`), or on payloads you only inspect.
 */
import { malformed } from '../core/failure.js';

/** One actor, as an `act` / `may_act` object identifies it. */
export interface Actor {
  /** The actor's subject identifier. */
  readonly sub?: string;
  /** The issuer `sub` is relative to, when given. */
  readonly iss?: string;
  /** The actor's OAuth client id, when given. */
  readonly client_id?: string;
  /** Every other member of the object (nested `act` excluded), as given. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/** Deepest `act` nesting read; a longer chain is refused as malformed. */
export const MAX_ACT_DEPTH = 32;

function readActor(value: unknown, path: string): Actor {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    malformed(`${path} must be a JSON object`, { path, hop: 0 });
  }
  const record = value as Record<string, unknown>;
  const claims: Record<string, unknown> = {};
  let sub: string | undefined;
  let iss: string | undefined;
  let clientId: string | undefined;
  for (const [name, member] of Object.entries(record)) {
    if (name === 'act') continue;
    if (name === 'sub' || name === 'iss' || name === 'client_id') {
      if (typeof member !== 'string' || member.length === 0 || member.length > 1024) {
        malformed(`${path}.${name} must be a non-empty string`, {
          path: `${path}.${name}`,
          hop: 0,
        });
      }
      if (name === 'sub') sub = member;
      else if (name === 'iss') iss = member;
      else clientId = member;
    } else {
      claims[name] = member;
    }
  }
  if (sub === undefined && clientId === undefined) {
    malformed(`${path} must identify the actor (sub or client_id)`, { path, hop: 0 });
  }
  return {
    ...(sub === undefined ? {} : { sub }),
    ...(iss === undefined ? {} : { iss }),
    ...(clientId === undefined ? {} : { client_id: clientId }),
    claims,
  };
}

/**
 * Read an `act` claim into its actors, current actor first (the outermost object), the least
 * recent last (the most deeply nested). `undefined` (no claim) reads as no actors. A claim
 * that is not an object, an actor with no `sub`/`client_id`, or nesting deeper than
 * 32 levels throws `MANDATE_MALFORMED`.
 */
export function parseActClaim(value: unknown): Actor[] {
  const actors: Actor[] = [];
  let current = value;
  let path = 'act';
  while (current !== undefined) {
    if (actors.length === MAX_ACT_DEPTH)
      malformed(`act nests deeper than ${MAX_ACT_DEPTH}`, { path, hop: 0 });
    actors.push(readActor(current, path));
    current = (current as { act?: unknown }).act;
    path += '.act';
  }
  return actors;
}

/**
 * Read a `may_act` claim: the one party the token's subject allows to act for them.
 * `undefined` reads as undefined; a malformed claim throws `MANDATE_MALFORMED`.
 */
export function parseMayActClaim(value: unknown): Actor | undefined {
  if (value === undefined) return undefined;
  const actor = readActor(value, 'may_act');
  if (Object.hasOwn(value as object, 'act'))
    malformed('may_act must not nest act', { path: 'may_act.act', hop: 0 });
  return actor;
}

/**
 * Whether `may_act` allows `actor`: every identifying member `may_act` states (`sub`, `iss`,
 * `client_id`) must equal the actor's. Other members of `may_act` are informational.
 */
export function mayActAllows(
  mayAct: Actor,
  actor: { readonly sub?: string; readonly iss?: string; readonly client_id?: string },
): boolean {
  // A `may_act` that names nobody allows nobody (parseMayActClaim refuses one; an Actor built
  // by hand must not turn into "anyone").
  if (mayAct.sub === undefined && mayAct.client_id === undefined) return false;
  for (const name of ['sub', 'iss', 'client_id'] as const) {
    const required = mayAct[name];
    if (required !== undefined && actor[name] !== required) return false;
  }
  return true;
}

/**
 * Build an `act` claim from actors given current first: the first becomes the outermost
 * object, the last the most deeply nested.
 */
export function buildActClaim(
  actors: readonly (Omit<Actor, 'claims'> & {
    readonly claims?: Readonly<Record<string, unknown>>;
  })[],
): Record<string, unknown> | undefined {
  let claim: Record<string, unknown> | undefined;
  for (let i = actors.length - 1; i >= 0; i--) {
    const actor = actors[i];
    if (actor === undefined) continue;
    const { claims, ...identity } = actor;
    if (identity.sub === undefined && identity.client_id === undefined) {
      throw new TypeError('every actor needs a sub or a client_id');
    }
    claim = { ...claims, ...identity, ...(claim === undefined ? {} : { act: claim }) };
  }
  return claim;
}
