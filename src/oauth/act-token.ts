/**
 * Interop with services that only understand OAuth: express a verified Mandate chain as an
 * RFC 9068 JWT access token whose nested RFC 8693 `act` claims name every holder, the
 * current actor (the chain's last holder) outermost and the first holder most deeply nested.
 *
 * RFC 8693 treats the nested (prior) actors as informational only; a consumer of this token
 * decides on its top-level claims and the current actor. What Mandate verified goes further
 * than the token can say: every hop was signed by the previous holder and could only narrow.
 * The token carries the chain's effective authority (`authorization_details`, and the scopes
 * that lie wholly within it), is bound to the current actor's key (`cnf.jkt`, so it must be
 * used with a DPoP proof by that actor), and never outlives the chain.
 *
 * Read such a token back with `createAccessTokenVerifier`: its `actors` list the chain.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { parseSpan, systemClock, type Span } from '../core/time.js';
import type { CapabilityInput, KeyPair, MandateLike } from '../core/types.js';
import { parseMandate } from '../format/parse.js';
import { prepareSigner } from '../identity/keys.js';
import { THUMBPRINT_URI_PREFIX } from '../identity/thumbprint.js';
import type { Allowed } from '../verify/decision.js';
import { buildActClaim } from './act-claim.js';
import { createScopeMap, isScopeMap, type ScopeMap } from './scope-map.js';
import { ACCESS_TOKEN_TYP, MANDATE_DETAIL_TYPE } from './token-types.js';

/** Options of `issueActToken`. */
export interface IssueActTokenOptions {
  /** The issuing service's key pair (the downstream service trusts its JWKS). */
  readonly signer: KeyPair;
  /** `iss`: the issuing service's identifier. */
  readonly issuer: string;
  /** `aud`: the downstream service(s). */
  readonly audience: string | readonly string[];
  /** Lifetime; never beyond the chain's expiry. Default 5 minutes. */
  readonly expiresIn?: Span;
  readonly kid?: string;
  /** A scope map: the token's `scope` lists the scopes wholly within the chain's authority. */
  readonly scopes?: ScopeMap | Readonly<Record<string, readonly CapabilityInput[]>>;
  /** Seconds since the epoch (default: the wall clock). */
  readonly now?: number;
}

/**
 * Issue an RFC 9068 access token (typ `at+jwt`) for the chain a verifier has just allowed.
 * `decision` must be the `Allowed` decision for `mandate` (the block ids must match); an
 * unverified or mismatched pair is misuse (TypeError).
 */
export async function issueActToken(
  decision: Allowed,
  mandate: MandateLike,
  options: IssueActTokenOptions,
): Promise<string> {
  if (decision?.allowed !== true) throw new TypeError('issueActToken needs an allowed decision');
  const parsed = await parseMandate(mandate);
  const ids = parsed.blocks.map((block) => block.id);
  if (ids.length !== decision.blockIds.length || ids.some((id, i) => id !== decision.blockIds[i])) {
    throw new TypeError('the decision was not made for this mandate');
  }
  const signer = prepareSigner(options.signer);
  const now = options.now ?? systemClock();
  const chainExpiry = Math.min(...parsed.blocks.map((block) => block.expiresAt));
  const exp = Math.min(now + parseSpan(options.expiresIn ?? '5m', 'expiresIn'), chainExpiry);
  if (exp <= now) throw new RangeError('the chain has expired');
  const holders = decision.chain.slice(1);
  const current = decision.holder;
  if (!current.startsWith(THUMBPRINT_URI_PREFIX)) throw new TypeError('unexpected holder id');
  const scopeMap =
    options.scopes === undefined
      ? undefined
      : isScopeMap(options.scopes)
        ? options.scopes
        : createScopeMap(options.scopes);
  const scope = scopeMap?.scopesWithin(decision.capabilities) ?? [];
  const audience = typeof options.audience === 'string' ? options.audience : [...options.audience];
  const claims = {
    client_id: current,
    act: buildActClaim([...holders].reverse().map((sub) => ({ sub }))),
    cnf: { jkt: current.slice(THUMBPRINT_URI_PREFIX.length) },
    authorization_details: decision.capabilities.map((capability) => ({
      type: MANDATE_DETAIL_TYPE,
      ...capability,
    })),
    ...(scope.length === 0 ? {} : { scope: scope.join(' ') }),
  };
  return new SignJWT(claims)
    .setProtectedHeader({
      alg: signer.alg,
      typ: ACCESS_TOKEN_TYP,
      ...(options.kid === undefined ? {} : { kid: options.kid }),
    })
    .setIssuer(options.issuer)
    .setSubject(decision.subject)
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(exp)
    .setJti(randomUUID())
    .sign(signer.key);
}
