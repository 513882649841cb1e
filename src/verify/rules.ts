/**
 * The verifier's rules (DESIGN.md section 3) as data: one step per rule, in order. The
 * pipeline runs them in this order and reports the first failure, so the order is
 * visible here and a test asserts it.
 */
import { authorizeEach, isSubset } from '../core/capability.js';
// Every denial is the one coded failure (`fail`), named here for what a rule does with it.
import { fail as deny, MandateUsageError, type Check } from '../core/errors.js';
import { deepFreeze } from '../core/freeze.js';
import { findBlockWidening, widenedError } from '../core/widening.js';
import type { Action, Format, ProofRequest } from '../core/types.js';
import { checkExpectedHolder } from './expect-holder.js';
import { keyObjectOf } from '../identity/jwk.js';
import { checkCertificateBinding, type MtlsContext } from '../proof/mtls/possession.js';
import { proofMustNameAudience } from '../proof/audience.js';
import { checkProof, sameArgs } from '../proof/check.js';
import { isHttpRequest } from '../proof/request.js';
import { AAT_ACCEPTANCE_STEPS, aatCodec } from '../format/aat/codec.js';
import { CODECS, type VerifiableChain } from '../format/codec.js';
import { MANDATE_RULE_ORDER, type RuleStep } from '../format/rule-order.js';
import { chainBounds, type VerifierConfig } from './config.js';
import { acceptProof } from './proof-acceptance.js';
import { boundRequest } from './bound-request.js';
import { askStore } from './store-call.js';
import { checkApprovals } from './approval-rule.js';
import { recordSingleUse } from './single-use.js';
import type { ReplayEntry, RevocationStore } from '../stores/types.js';
import type { KeyObject } from 'node:crypto';
import type { ResolvedAnchor } from '../identity/anchors.js';

/** What one verification carries from rule to rule. */
export interface VerifyState {
  readonly token: string;
  readonly now: number;
  readonly action: Action;
  readonly proof?: string | undefined;
  readonly request?: ProofRequest | undefined;
  /** The TLS connection's authenticated client certificate (RFC 8705). */
  readonly mtls?: MtlsContext | undefined;
  /** Signed approvals presented with the request (docs/guides/approvals.md). */
  readonly approvals?: readonly unknown[] | undefined;
  /** Ids the caller asks to be used once with this request (`VerifyRequest.singleUse`). */
  readonly singleUse?: readonly ReplayEntry[] | undefined;
  chain?: VerifiableChain;
  /** The approvers whose approvals rule 9 counted (set when a requirement applied). */
  approvedBy?: readonly string[];
}

/** One rule: its name and what it checks. */
export interface Rule {
  readonly check: Exclude<Check, 'internal'>;
  run(state: VerifyState, config: VerifierConfig): void | Promise<void>;
}

function chainOf(state: VerifyState): VerifiableChain {
  if (state.chain === undefined) throw new Error('rule ran before the chain was decoded');
  return state.chain;
}

/** 1. Size, depth and encoding within limits; every block parses against its schema. */
const limits: Rule = {
  check: 'limits',
  run(state, config) {
    // Most encodings decode synchronously: a promise (and a turn of the queue) only when not.
    const decoded = config.decode(state.token);
    if (!(decoded instanceof Promise)) {
      state.chain = decoded;
      return;
    }
    return decoded.then((chain) => {
      state.chain = chain;
    });
  },
};

/** 2. The root is signed by a configured trust anchor, within what it may grant. */
const anchor: Rule = {
  check: 'anchor',
  run(state, config) {
    const chain = chainOf(state);
    const root = chain.blocks[0];
    if (root === undefined) deny('MANDATE_MALFORMED', 'limits', 0, 'the mandate has no blocks');
    const trusted = config.anchors.get(root.issuer);
    if (trusted === undefined) {
      deny(
        'MANDATE_UNTRUSTED_ISSUER',
        'anchor',
        0,
        'the root is not from a configured trust anchor',
        {
          step: '3k',
        },
      );
    }
    if (!config.algorithms.includes(root.alg)) {
      deny(
        'MANDATE_SIGNATURE_INVALID',
        'anchor',
        0,
        'the root uses an algorithm this verifier does not allow',
        { step: '3a' },
      );
    }
    const key = trusted.key(
      { alg: root.alg, ...(root.kid === undefined ? {} : { kid: root.kid }) },
      0,
    );
    // A configured key is at hand; a key set may have to be fetched.
    return key instanceof Promise
      ? key.then((fetched) => rootSigned(chain, root, fetched, trusted))
      : rootSigned(chain, root, key, trusted);
  },
};

/** Rule 2's checks once the anchor's key is known: the root's signature, then what it grants. */
function rootSigned(
  chain: VerifiableChain,
  root: VerifiableChain['blocks'][number],
  key: KeyObject,
  trusted: ResolvedAnchor,
): void {
  if (!chain.rootSignatureValid(key)) {
    deny('MANDATE_SIGNATURE_INVALID', 'anchor', 0, 'signature verification failed', {
      step: '3b',
    });
  }
  if (trusted.mayGrant !== undefined && !isSubset(root.capabilities, trusted.mayGrant)) {
    deny(
      'MANDATE_WIDENED',
      'anchor',
      0,
      `the root grants more than anchor ${trusted.id} may grant`,
    );
  }
}

/** 3. Each block is signed by its parent's holder and commits to its parent; one user throughout. */
const linkage: Rule = {
  check: 'linkage',
  run(state, config) {
    const chain = chainOf(state);
    const { blocks } = chain;
    for (let hop = 1; hop < blocks.length; hop++) {
      const block = blocks[hop];
      const parent = blocks[hop - 1];
      if (block === undefined || parent === undefined) continue;
      if (
        !config.algorithms.includes(block.alg) ||
        block.alg !== (parent.holderKey.kty === 'OKP' ? 'Ed25519' : 'ES256')
      ) {
        deny(
          'MANDATE_SIGNATURE_INVALID',
          'linkage',
          hop,
          `block ${hop}: algorithm does not match its signer's key`,
          { step: '4a' },
        );
      }
      const signer = config.keys.forVerifying(parent.holderKey, 'linkage', hop);
      if (!chain.linkSignatureValid(hop, signer)) {
        deny(
          'MANDATE_SIGNATURE_INVALID',
          'linkage',
          hop,
          `block ${hop}: signature verification failed`,
          {
            step: '4b',
          },
        );
      }
      if (block.issuer !== parent.holder) {
        deny(
          'MANDATE_LINK_BROKEN',
          'linkage',
          hop,
          `block ${hop}: issuer is not block ${hop - 1}'s holder`,
          {
            step: '4c',
          },
        );
      }
      if (!chain.parentHashValid(hop)) {
        deny(
          'MANDATE_LINK_BROKEN',
          'linkage',
          hop,
          `block ${hop}: does not commit to block ${hop - 1}`,
          {
            step: '4q',
          },
        );
      }
      if (block.subject !== parent.subject) {
        deny('MANDATE_LINK_BROKEN', 'linkage', hop, `block ${hop}: names another originating user`);
      }
    }
  },
};

/** 4. Each block is no wider than its parent: capabilities, time, audience, depth. */
const narrowing: Rule = {
  check: 'narrowing',
  run(state, config) {
    const chain = chainOf(state);
    const { blocks } = chain;
    const { maxDelegationDepth } = chainBounds(config, chain);
    const root = blocks[0];
    if (root !== undefined && root.depth !== 0) {
      deny('MANDATE_WIDENED', 'narrowing', 0, 'the root must have depth 0', { step: '3c' });
    }
    if (
      root !== undefined &&
      maxDelegationDepth !== undefined &&
      root.maxDepth > maxDelegationDepth
    ) {
      deny(
        'MANDATE_WIDENED',
        'narrowing',
        0,
        'the root allows deeper delegation than this verifier',
        {
          step: '3i',
        },
      );
    }
    for (let hop = 1; hop < blocks.length; hop++) {
      const block = blocks[hop];
      const parent = blocks[hop - 1];
      if (block === undefined || parent === undefined) continue;
      // The encoding's profile picks the subsumption rules ('aat': the draft's exactly).
      const widening = findBlockWidening(parent, block, chain.profile, {
        limits: config.limits,
        maxDelegationDepth,
      });
      if (widening !== undefined) throw widenedError(widening, hop);
    }
  },
};

/** 5. Now lies within every block's validity window (with clock tolerance). */
const window: Rule = {
  check: 'window',
  run(state, config) {
    const chain = chainOf(state);
    const { blocks } = chain;
    const { now } = state;
    const tolerance = config.clockTolerance;
    const { maxTokenLifetime } = chainBounds(config, chain);
    for (let hop = 0; hop < blocks.length; hop++) {
      const block = blocks[hop];
      if (block === undefined) continue;
      // AAT step labels: the root's checks are 3e-3h, a derived token's 4i-4l.
      const root = hop === 0;
      if (now - tolerance >= block.expiresAt) {
        deny('MANDATE_EXPIRED', 'window', hop, `block ${hop} has expired`, {
          expiresAt: block.expiresAt,
          step: root ? '3e' : '4i',
        });
      }
      if (block.notBefore !== undefined && now + tolerance < block.notBefore) {
        deny('MANDATE_NOT_YET_VALID', 'window', hop, `block ${hop} is not valid yet`, {
          notBefore: block.notBefore,
        });
      }
      if (block.issuedAt > now + config.maxIatSkew) {
        deny('MANDATE_NOT_YET_VALID', 'window', hop, `block ${hop} is issued in the future`, {
          step: root ? '3f' : '4k',
        });
      }
      if (block.expiresAt <= block.issuedAt) {
        deny('MANDATE_MALFORMED', 'window', hop, `block ${hop} expires before it is issued`, {
          step: root ? '3g' : '4l',
        });
      }
      // A delegation cannot outlive its root nor predate it, so the root bounds them all.
      if (
        root &&
        maxTokenLifetime !== undefined &&
        block.expiresAt - block.issuedAt > maxTokenLifetime
      ) {
        deny(
          'MANDATE_EXPIRED',
          'window',
          hop,
          `block ${hop} lives longer than this verifier allows`,
          {
            step: '3h',
            maxTokenLifetime,
          },
        );
      }
    }
  },
};

/** 6. No block's id (nor, for Biscuit, its revocation id) is revoked. */
const revocation: Rule = {
  check: 'revocation',
  run(state, config) {
    // No store, nothing to ask: no promise either.
    const store = config.revocation;
    return store === undefined ? undefined : checkRevocation(state, config, store);
  },
};

async function checkRevocation(
  state: VerifyState,
  config: VerifierConfig,
  store: RevocationStore,
): Promise<void> {
  const { blocks } = chainOf(state);
  // Hop order, each block's ids together: the store's first revoked id is then the lowest hop's.
  const ids: string[] = [];
  const hops: number[] = [];
  for (const [hop, block] of blocks.entries()) {
    ids.push(block.id);
    hops.push(hop);
    for (const alias of [block.revocationId, block.revocationIdTwin]) {
      if (alias === undefined) continue;
      ids.push(alias);
      hops.push(hop);
    }
  }
  // Rule 2 has matched the root to this anchor; a store that keeps revocations per issuer
  // (a signed revocation list) looks only in that issuer's list.
  const anchorId = config.anchors.get(blocks[0]?.issuer ?? '')?.id;
  if (anchorId === undefined) throw new Error('revocation ran before the anchor was found');
  const context = { anchor: anchorId };
  const revoked = await askStore(config.storeTimeoutMs, 'revocation', 0, async () => {
    if (store.firstRevoked !== undefined) return store.firstRevoked(ids, context);
    for (const id of ids) if (await store.isRevoked(id, context)) return id;
    return undefined;
  });
  if (revoked !== undefined && typeof revoked !== 'string') {
    deny(
      'MANDATE_STORE_UNAVAILABLE',
      'revocation',
      0,
      'the revocation store gave an unreadable answer',
    );
  }
  if (revoked !== undefined) {
    // An id the store names that is not in the chain is denied at the root, never allowed.
    const hop = hops[ids.indexOf(revoked)] ?? 0;
    deny('MANDATE_REVOKED', 'revocation', hop, `block ${hop} has been revoked`, {
      id: revoked,
    });
  }
}

/** 7. The verifier's own identity is within every block's audience. */
const audience: Rule = {
  check: 'audience',
  run(state, config) {
    const { blocks } = chainOf(state);
    let named = false;
    for (let hop = 0; hop < blocks.length; hop++) {
      const block = blocks[hop];
      if (block?.audience === undefined) continue;
      named = true;
      if (!block.audience.includes(config.audience)) {
        deny('MANDATE_AUDIENCE', 'audience', hop, `block ${hop} is not for ${config.audience}`, {
          step: '6c',
        });
      }
    }
    if (!named && config.requireAudience) {
      deny(
        'MANDATE_AUDIENCE',
        'audience',
        0,
        'the mandate names no audience and this verifier requires one',
        {
          step: '6c',
        },
      );
    }
  },
};

/** 8. A valid, fresh, unseen proof of possession by the last holder, bound to this request. */
const holderProof: Rule = {
  check: 'possession',
  async run(state, config) {
    const chain = chainOf(state);
    const { blocks } = chain;
    const hop = blocks.length - 1;
    const last = blocks[hop];
    if (last === undefined)
      return deny('MANDATE_MALFORMED', 'limits', 0, 'the mandate has no blocks');
    if (last.holderX5t !== undefined) {
      // RFC 8705: a certificate-bound holder proves possession with the TLS peer
      // certificate; a request proof, if also present, is checked as well.
      const { holderX5t, holderKey } = last;
      checkCertificateBinding(
        state.mtls,
        { holderX5t, holderKey },
        hop,
        state.now,
        config.clockTolerance,
      );
      if (state.proof === undefined) return;
    }
    if (!config.requireProof && state.proof === undefined) return;
    if (state.proof === undefined)
      deny('MANDATE_PROOF_MISSING', 'possession', hop, 'no proof of possession');
    const request = state.request;
    if (request === undefined)
      throw new MandateUsageError('verify: a proof needs the request it is bound to');
    // DPoP and invocation proofs verify with the key as the chain's links do; an encoding's own
    // proof check is given the imported key.
    const holderKey =
      chain.checkProof === undefined
        ? config.keys.forVerifying(last.holderKey, 'possession', hop)
        : config.keys.get(last.holderKey, 'possession', hop);
    // A tool-call proof names its service; it must, when the chain names several.
    const requireAudience = proofMustNameAudience(blocks, config.requirePopAudience);
    // An encoding with its own proof (AAT: aat-pop+jwt) checks it; else DPoP / invocation.
    // Both verify the proof's signature before any work that grows with the request, and
    // bound the request right after it (a walk that stops at the limits): the proof's hash
    // over the arguments and everything after it read at most what the limits admit.
    const bounds = () => boundRequest(state.action, request, config.limits);
    const checked =
      chain.checkProof === undefined
        ? checkProof(state.proof, request, {
            token: state.token,
            holderJwk: last.holderKey,
            holderKey,
            hop,
            now: state.now,
            window: config.proofWindow,
            algorithms: config.algorithms,
            maxStringLength: config.limits.maxStringLength,
            audience: config.audience,
            requireAudience,
            boundRequest: bounds,
          })
        : await chain.checkProof(state.proof, {
            request,
            action: state.action,
            hop,
            holderKey: keyObjectOf(holderKey),
            now: state.now,
            window: config.proofWindow,
            algorithms: config.algorithms,
            audience: config.audience,
            requireAudience,
            boundRequest: bounds,
          });
    // Compared only now, after the proof's signature: canonicalising megabytes of arguments
    // for a garbage proof would let anyone who saw a token burn this verifier's CPU.
    if (
      !isHttpRequest(request) &&
      state.action.args !== undefined &&
      state.action.args !== request.args &&
      !sameArgs(request.args, state.action.args)
    ) {
      deny(
        'MANDATE_PROOF_INVALID',
        'possession',
        hop,
        'the action arguments are not the proven tool arguments',
      );
    }
    const root = blocks[0];
    await acceptProof(checked, {
      hop,
      signer: last.holder,
      grant: root === undefined ? last.id : root.id,
      window: config.proofWindow,
      replay: config.replay,
      storeTimeoutMs: config.storeTimeoutMs,
      nonce: config.nonce,
      // The draft's step labels come from the AAT codec, for an AAT chain only.
      ...(chain.format === aatCodec.format ? { steps: AAT_ACCEPTANCE_STEPS } : {}),
    });
  },
};

/** Rule 8, then the holder the verifier expects (`expectHolder`), if configured. */
const possession: Rule = {
  check: 'possession',
  run(state, config) {
    const expected = config.expectHolder;
    if (expected === undefined) return holderProof.run(state, config);
    return (async () => {
      await holderProof.run(state, config);
      await checkExpectedHolder(expected, chainOf(state).blocks, state.mtls);
    })();
  },
};

/**
 * Rule 8's first part for an encoding that authorizes before it checks the proof (AAT's
 * order): the proof's typing and signature, which cost the same whatever the request, so a
 * garbage proof is refused before rule 9 does any work that grows with the arguments.
 */
const proofSignature: Rule = {
  check: 'possession',
  run(state, config) {
    const chain = chainOf(state);
    const hop = chain.blocks.length - 1;
    const last = chain.blocks[hop];
    if (chain.checkProofSignature === undefined || last === undefined) return;
    // No proof: rule 8 reports it (or allows it, when no proof is required) in its place.
    if (state.proof === undefined) return;
    chain.checkProofSignature(state.proof, {
      hop,
      holderKey: config.keys.get(last.holderKey, 'possession', hop),
      algorithms: config.algorithms,
    });
  },
};

/** 9. The requested action is allowed by every block (the intersection, i.e. the last block). */
const authorizeAction: Rule = {
  check: 'authorize',
  run(state, config) {
    const chain = chainOf(state);
    const { blocks } = chain;
    // Every block in order, the first refusal reported (the action is read once for all).
    const refused = authorizeEach(
      blocks.map((block) => block.capabilities),
      state.action,
      { limits: config.limits },
    );
    if (refused !== undefined) {
      const { index: hop, denial: result } = refused;
      // A malformed action (hostile request data) keeps its own code: MANDATE_MALFORMED.
      const reason =
        result.code === 'MANDATE_FORBIDDEN'
          ? `block ${hop} does not allow this: ${result.reason}`
          : `the requested action is malformed: ${result.reason}`;
      // A request past the configured bounds (`maxRequestStringLength`, `maxRequestSize`,
      // `maxRequestValues`), found before any matching, is rule 1's kind of denial: check
      // `limits`. With a proof, rule 8 has already checked them right after its signature
      // (`boundRequest`); without one, here, before any matching.
      const check = result.code === 'MANDATE_LIMIT_EXCEEDED' ? 'limits' : 'authorize';
      deny(result.code, check, hop, reason, { ...result.detail, step: '6b' });
    }
  },
};

/** Every step by the name a codec's rule order uses. */
const STEPS: Readonly<Record<RuleStep, Rule>> = {
  limits,
  anchor,
  linkage,
  narrowing,
  window,
  revocation,
  audience,
  possession,
  'proof-signature': proofSignature,
  authorize: authorizeAction,
};

/**
 * 9, second part: every approval requirement that covers the request is met by valid approvals
 * of this call; then those approvals and the caller's single-use ids are used up, all in one
 * all-or-none store step (docs/guides/approvals.md).
 */
const approvals: Rule = {
  check: 'authorize',
  run(state, config) {
    const chain = chainOf(state);
    // No block carries a requirement and the caller asks for no single-use id: nothing to
    // read or record (and no promise).
    const required = chain.blocks.some((block) => (block.approvals?.length ?? 0) > 0);
    if (!required && (state.singleUse?.length ?? 0) === 0) return;
    return checkAndRecordApprovals(state, config, chain);
  },
};

async function checkAndRecordApprovals(
  state: VerifyState,
  config: VerifierConfig,
  chain: VerifiableChain,
): Promise<void> {
  const checked = await checkApprovals(state, config, chain);
  await recordSingleUse(
    config,
    { hop: chain.blocks.length - 1, grant: chain.blocks[0]?.id ?? '' },
    checked.records,
    state.singleUse ?? [],
  );
  state.approvedBy = checked.approvedBy;
}

/**
 * The last step of an order, followed by rule 9's approvals: they run after everything else
 * in every order (in Mandate's, right after the action's authorization; in the AAT draft's,
 * after the proof), so that a request denied for any other reason never burns an approval or
 * a single-use id, and no approval is read for a request refused anyway. Their denials name check `authorize`.
 */
function thenApprovals(last: Rule): Rule {
  return {
    check: last.check,
    run(state, config) {
      const running = last.run(state, config);
      return running instanceof Promise
        ? running.then(() => approvals.run(state, config))
        : approvals.run(state, config);
    },
  };
}

/**
 * The rules in a codec's order (`Codec.ruleOrder`), deep-frozen. An order that does not run
 * every rule of DESIGN.md section 3 exactly once, `limits` first (it decodes the chain, and
 * so picks the codec), is a programming error: it throws, so no encoding can skip a rule.
 */
export function rulesInOrder(order: readonly RuleStep[]): readonly Rule[] {
  const named = new Set(order);
  if (
    order[0] !== 'limits' ||
    named.size !== order.length ||
    MANDATE_RULE_ORDER.some((step) => !named.has(step))
  ) {
    throw new TypeError(`a rule order must run every rule once, limits first: ${order.join(', ')}`);
  }
  const rules = order.map((step) => STEPS[step]);
  const last = rules.pop();
  if (last === undefined) throw new TypeError('a rule order must not be empty');
  return deepFreeze([...rules, thenApprovals(last)]);
}

/**
 * The rules, in order (docs/format.md, "Verification"). Deep-frozen, rule objects included:
 * nothing outside this module can reorder, drop or replace a rule (a verifier also captures
 * its tables when it is created).
 */
export const RULES: readonly Rule[] = rulesInOrder(MANDATE_RULE_ORDER);

/**
 * The same rules in the AAT draft's order (the AAT codec's `ruleOrder`): the chain, then the
 * request's authorization, then the proof, whose signature is checked before the
 * authorization. Used for AAT chains; the verdict is the same in either order, only which
 * failure is reported first differs. Deep-frozen.
 */
export const AAT_RULES: readonly Rule[] = rulesInOrder(aatCodec.ruleOrder);

const ORDERED = new Map<readonly RuleStep[], readonly Rule[]>([
  [MANDATE_RULE_ORDER, RULES],
  [aatCodec.ruleOrder, AAT_RULES],
]);

/**
 * Each codec's rules in its own order, by format: a new map per call (a verifier captures one
 * when it is created), of deep-frozen tables.
 */
export function ruleTables(): ReadonlyMap<Format, readonly Rule[]> {
  return new Map(
    CODECS.map((codec) => {
      let rules = ORDERED.get(codec.ruleOrder);
      if (rules === undefined) {
        rules = rulesInOrder(codec.ruleOrder);
        ORDERED.set(codec.ruleOrder, rules);
      }
      return [codec.format, rules];
    }),
  );
}

// `possession` delegates to it: frozen like the rules that are listed.
deepFreeze(holderProof);
deepFreeze(approvals);
