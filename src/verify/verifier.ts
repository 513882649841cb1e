/** `createVerifier`: the service side. Every request's mandate is checked here. */
import { MandateError, MandateUsageError, isMandateError } from '../core/errors.js';
import type {
  Action,
  Format,
  MandateLike,
  ProofRequest,
  UnverifiedMandate,
} from '../core/types.js';
import type { Limits } from '../core/limits.js';
import type { MtlsContext } from '../proof/mtls/possession.js';
import { deniedFrom, type Decision, type Denied } from './decision.js';
import { resolveConfig, type VerifierConfig, type VerifierOptions } from './config.js';
import { toolAction } from '../format/aat/claims.js';
import { codecFor, codecOf } from '../format/codec.js';
import { RULES, ruleTables, type Rule, type VerifyState } from './rules.js';
import { assertSingleUse } from './single-use.js';
import type { ReplayEntry } from '../stores/types.js';

/** What a request presents besides the mandate. */
export interface VerifyRequest {
  /**
   * What the request asks to do. May be omitted for a tool call (`request: { tool, args }`):
   * it is then `toolAction(tool, args)`, i.e. `{ resource: 'tool:<name>', action: 'call',
   * args }` — the form AAT tool capabilities take (docs/format.md).
   */
  readonly action?: Action;
  /** The proof of possession (for HTTP, the `DPoP` header). */
  readonly proof?: string;
  /** The request the proof is bound to: `{ method, url }` or `{ tool, args }`. */
  readonly request?: ProofRequest;
  /**
   * The mTLS connection's client certificate (`mtlsContext(req)` from `mandate/mtls`): proves
   * possession for a holder bound to that certificate (RFC 8705) instead of `proof`.
   */
  readonly mtls?: MtlsContext;
  /**
   * Signed approvals of this call (`approve`), for the approval requirements the mandate
   * carries (docs/guides/approvals.md): over HTTP the `Mandate-Approval` headers. At most 16;
   * read only when a requirement applies, and each is used up once the request is allowed.
   */
  readonly approvals?: readonly string[];
  /**
   * Ids the caller needs used once, together with this request: recorded in the verifier's
   * replay store (`replay`) in the same all-or-none step as the approvals, after every rule
   * has allowed the request, and never when it is denied. One already held denies with
   * `MANDATE_REPLAYED` (check `possession`, the last hop, `detail.path: singleUse.<i>`) and
   * records nothing; a store that fails denies with `MANDATE_STORE_UNAVAILABLE`. The A2A guard
   * passes its message's sender proof and grant here, so that a message refused for any reason
   * spends none of its approvals. At most 8 distinct `{ jti, expiresAt }` (seconds since the
   * epoch), each id at most 1013 characters; anything else is misuse (TypeError). The store
   * keeps them in a namespace of their own (`single-use:<id>`), so no id chosen here can use
   * up, or be refused because of, a proof's or an approval's id; label kinds of your own apart
   * (the A2A guard: `sender:…`, `grant:…`).
   */
  readonly singleUse?: readonly ReplayEntry[];
}

/** A configured verifier. */
export interface Verifier {
  /**
   * Verify a mandate for one request: every one of the nine rules (docs/format.md, "Verification"), in order.
   * Resolves a `Decision`; never rejects on a denial. Throws (TypeError) only on misuse,
   * e.g. a proof without the request it is bound to.
   *
   * Not checked here, and left to the caller: that `action` truly describes the request
   * being served (map it from the request, never from the caller's claims), and, when
   * `requireProof` is off, that the transport proved possession.
   */
  verify(mandate: MandateLike | UnverifiedMandate, request: VerifyRequest): Promise<Decision>;
  /**
   * The limits this verifier enforces (`createVerifier` sets them, defaults filled in). The
   * tool guards bound the arguments they snapshot and prove by them, so a call past the
   * verifier's request limits costs the guard no more than one the verifier would allow.
   */
  readonly limits?: Limits;
}

/**
 * Create a verifier. Returns synchronously; remote key sets are fetched on first use.
 * Options are validated now: misuse throws here rather than denying every request later.
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const config = resolveConfig(options);
  // The rule tables are captured now (they are frozen too): what this verifier enforces is
  // fixed when it is made.
  const tables = ruleTables();
  return Object.freeze({
    verify: (mandate: MandateLike, request: VerifyRequest) =>
      runRules(config, tables, mandate, request),
    limits: config.limits,
  });
}

/** The rule orders a verifier runs, by format: each codec names its own (`Codec.ruleOrder`). */
type RuleTables = ReadonlyMap<Format, readonly Rule[]>;

async function runRules(
  config: VerifierConfig,
  tables: RuleTables,
  mandate: MandateLike,
  request: VerifyRequest,
): Promise<Decision> {
  if (typeof request !== 'object' || request === null) {
    throw new TypeError('verify needs { action, proof?, request? }');
  }
  const called =
    typeof request.request === 'object' && request.request !== null && 'tool' in request.request
      ? request.request
      : undefined;
  let requested: Action;
  if (typeof request.action === 'object' && request.action !== null) requested = request.action;
  else if (request.action === undefined && called !== undefined) {
    try {
      requested = toolAction(called.tool, called.args);
    } catch (cause) {
      throw new TypeError('verify: request.tool must be a non-empty string', { cause });
    }
  } else throw new TypeError('verify needs { action, proof?, request? }');
  const singleUse = assertSingleUse(request.singleUse);
  const token =
    typeof mandate === 'string' ? mandate : (mandate as { token?: unknown } | null)?.token;
  let now: number;
  try {
    now = config.clock();
    if (!Number.isFinite(now)) throw new RangeError('the clock gave no time');
  } catch {
    return {
      allowed: false,
      code: 'MANDATE_INTERNAL',
      hop: 0,
      check: 'window',
      reason: 'the clock failed',
      detail: {},
    };
  }
  // A tool call is authorized on the arguments its proof binds, unless the caller names
  // them (then rule 8 requires the two to be the same JSON).
  const toolArgs =
    request.request !== undefined && 'tool' in request.request ? request.request.args : undefined;
  const action =
    requested.args === undefined && toolArgs !== undefined
      ? { ...requested, args: toolArgs }
      : requested;
  const state: VerifyState = {
    token: typeof token === 'string' ? token : '',
    now,
    action,
    proof: request.proof,
    request: request.request,
    mtls: request.mtls,
    approvals: request.approvals,
    singleUse,
  };
  // Rule 1 (first in every order) decodes the chain; its codec then fixes the order of the rest.
  let rules = RULES;
  for (let index = 0; index < rules.length; index++) {
    const rule = rules[index];
    if (rule === undefined) break;
    try {
      // Most rules are synchronous: awaiting only a promise spares a turn of the queue each.
      const running = rule.run(state, config);
      if (running instanceof Promise) await running;
      if (index === 0) rules = rulesFor(tables, state.chain?.format);
    } catch (error) {
      if (error instanceof MandateUsageError) throw error;
      const lastHop = Math.max(0, (state.chain?.blocks.length ?? 1) - 1);
      if (isMandateError(error)) return draftStepsOnAatOnly(deniedFrom(error, lastHop), state);
      // An unexpected failure inside a rule is a denial, never an allow.
      return deniedFrom(
        new MandateError('MANDATE_INTERNAL', `rule ${rule.check} failed unexpectedly`, {
          check: rule.check,
          hop: lastHop,
        }),
      );
    }
  }
  const chain = state.chain;
  const root = chain?.blocks[0];
  const last = chain?.blocks[chain.blocks.length - 1];
  if (chain === undefined || root === undefined || last === undefined) {
    return {
      allowed: false,
      code: 'MANDATE_INTERNAL',
      hop: 0,
      check: 'internal',
      reason: 'no chain after the rules',
      detail: {},
    };
  }
  return {
    allowed: true,
    subject: root.subject,
    chain: [root.issuer, ...chain.blocks.map((block) => block.holder)],
    capabilities: last.capabilities,
    holder: last.holder,
    blockIds: chain.blocks.map((block) => block.id),
    format: chain.format,
    ...(state.approvedBy === undefined || state.approvedBy.length === 0
      ? {}
      : { approvedBy: state.approvedBy }),
  };
}

/** The rules for a decoded chain's format; none (a format without a codec) fails closed. */
function rulesFor(tables: RuleTables, format: Format | undefined): readonly Rule[] {
  const rules = format === undefined ? undefined : tables.get(format);
  if (rules === undefined) throw new Error(`no rule order for format ${String(format)}`);
  return rules;
}

/**
 * The AAT draft's step labels (`detail.step`, e.g. "6b") mean something only for an AAT
 * chain (a codec with `draftSteps`); a JWS or Biscuit denial does not carry them (its
 * `check` names the rule).
 */
function draftStepsOnAatOnly(denied: Denied, state: VerifyState): Denied {
  if (!Object.hasOwn(denied.detail, 'step')) return denied;
  const codec = state.chain === undefined ? codecFor(state.token) : codecOf(state.chain.format);
  if (codec.draftSteps) return denied;
  const { step: _step, ...detail } = denied.detail;
  return { ...denied, detail };
}
