/**
 * Differential law (DESIGN.md sections 4 and 8): for the same scenario, the JWS and Biscuit
 * encodings reach the same decision with the same code, hop and check.
 *
 * A scenario is generated: a root capability set and a chain of 1..8 blocks, each hop a narrowing
 * of its parent (sometimes a widening, which `delegate` must refuse identically), optional shorter
 * expiries, a request aimed at the chain's capabilities, a verifier clock (sometimes past an
 * expiry), an optional revoked block, and an optional structural mutation of the token (block
 * removal, reordering, duplication). Block ids and times are fixed, so both encodings carry exactly
 * the same semantic content.
 *
 * Sometimes the root carries approval requirements (inherited by every hop) and no approval
 * is presented: both encodings must then refuse a covered request alike.
 *
 * Two documented differences are excluded from code equality. The token-size limit: a Biscuit
 * block is larger than its JWS twin, so a long chain can hit the limit one hop earlier. And
 * removing the LAST block. A truncated
 * JWS chain is the earlier holder's genuine mandate (AAT J.9.4); both deny the presenter here (the
 * proof is by the removed block's holder), only the code may differ. And a block moved out of
 * place (removed, swapped, duplicated): a Biscuit block's symbol ids count from the blocks before
 * it, so a moved block usually no longer decodes (rule 1, `MANDATE_MALFORMED`) at the hop where the
 * JWS chain fails its link (rule 3).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';

import { isMandateError } from '../../src/core/errors.js';
import type { Limits } from '../../src/core/limits.js';
import type { Action, CapabilityInput, Format, KeyPair, Mandate } from '../../src/core/types.js';
import { delegate } from '../../src/format/delegate.js';
import { mint } from '../../src/format/mint.js';
import { generateKeyPair } from '../../src/identity/keys.js';
import { prove } from '../../src/proof/prove.js';
import { MemoryRevocationStore } from '../../src/stores/memory.js';
import {
  arbAction,
  arbCapabilities,
  arbCapability,
  arbNarrowing,
} from '../../src/testing/arbitraries.js';
import { NUM_RUNS } from '../../src/testing/config.js';
import { arbApprovalRequirement } from '../../src/testing/approval-arbitraries.js';
import type { ApprovalRequirementInput } from '../../src/core/approval-requirement.js';
import { applyMutation, type Mutation } from '../../src/testing/mutators.js';
import { createVerifier } from '../../src/verify/verifier.js';

const ISSUER = 'https://issuer.differential';
const AUDIENCE = 'https://service.differential';
const NOW = 1_900_000_000;
const REQUEST = { method: 'POST', url: `${AUDIENCE}/act` } as const;
const RUNS = Math.max(25, Math.floor(NUM_RUNS / 5));

interface Hop {
  readonly capabilities: CapabilityInput[];
  /** Seconds of lifetime from NOW, or undefined to inherit. */
  readonly expiresIn: number | undefined;
}

interface Scenario {
  readonly hops: Hop[];
  readonly action: Action;
  readonly clock: number;
  readonly revoked: number | undefined;
  readonly mutation: Mutation | undefined;
  /** The verifier's configured capability limits (issue 11, finding 9), if any. */
  readonly limits: Partial<Limits> | undefined;
  /** Approval requirements of the root (inherited by every hop), if any: none is presented. */
  readonly approvals: ApprovalRequirementInput[] | undefined;
}

/** `value` one time in `n`, otherwise undefined. */
function sometimes<T>(arb: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | undefined> {
  return fc.oneof(
    { weight: n - 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: arb },
  );
}

/** A root and up to seven delegations, each narrowing its parent (1 in 25: anything at all, which `delegate` must refuse if wider). */
function arbHops(blocks: number): fc.Arbitrary<Hop[]> {
  // Shorter than any root lifetime and shrinking with depth, so an expiry never widens by itself.
  const expiry = (hop: number) => sometimes(fc.constant(590 - 60 * hop), 3);
  let arb: fc.Arbitrary<Hop[]> = fc
    .tuple(fc.array(arbCapability(), { minLength: 1, maxLength: 3 }), fc.constantFrom(600, 3600))
    .map(([capabilities, expiresIn]) => [{ capabilities, expiresIn }]);
  for (let i = 1; i < blocks; i++) {
    arb = arb.chain((hops) => {
      const parent = hops[hops.length - 1]?.capabilities ?? [];
      return fc
        .tuple(
          fc.oneof(
            { weight: 12, arbitrary: arbNarrowing(parent) },
            { weight: 12, arbitrary: fc.constant(parent) },
            { weight: 1, arbitrary: arbCapabilities() },
          ),
          expiry(i),
        )
        .map(([capabilities, expiresIn]) => [...hops, { capabilities, expiresIn }]);
    });
  }
  return arb;
}

const arbStructural: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('remove' as const), block: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), block: fc.nat() }),
);

const arbScenario: fc.Arbitrary<Scenario> = fc
  .integer({ min: 1, max: 8 })
  .chain(arbHops)
  .chain((hops) =>
    fc.record({
      hops: fc.constant(hops),
      // Mostly aimed at the last block's grant (where "allowed" is possible), else at any block's.
      action: fc.oneof(
        { weight: 3, arbitrary: arbAction(hops[hops.length - 1]?.capabilities ?? []) },
        { weight: 1, arbitrary: arbAction(hops.flatMap((h) => h.capabilities)) },
      ),
      clock: fc.oneof(
        { weight: 8, arbitrary: fc.constant(NOW) },
        { weight: 1, arbitrary: fc.constantFrom(NOW + 120, NOW + 4000) },
      ),
      revoked: sometimes(fc.nat({ max: hops.length - 1 }), 8),
      mutation: sometimes(arbStructural, 5),
      // Tight enough that generated capabilities often pass them.
      limits: sometimes(
        fc.record(
          {
            maxArrayLength: fc.integer({ min: 1, max: 4 }),
            maxCapabilities: fc.integer({ min: 1, max: 3 }),
            maxConstraintDepth: fc.integer({ min: 1, max: 3 }),
            maxStringLength: fc.integer({ min: 8, max: 40 }),
          },
          { requiredKeys: [] },
        ),
        3,
      ),
      // Requirements over the same alphabets: a covered request is MANDATE_APPROVAL_REQUIRED.
      approvals: sometimes(fc.array(arbApprovalRequirement(), { minLength: 1, maxLength: 2 }), 3),
    }),
  );

let holders: KeyPair[] = [];
let anchor: KeyPair;

beforeAll(async () => {
  anchor = await generateKeyPair();
  holders = await Promise.all(Array.from({ length: 8 }, () => generateKeyPair()));
});

function holder(i: number): KeyPair {
  const pair = holders[i];
  if (pair === undefined) throw new Error(`no holder ${i}`);
  return pair;
}

type Built = { mandate: Mandate } | { refused: { code: string; hop: number | undefined } };

async function build(scenario: Scenario, format: Format, seed: string): Promise<Built> {
  const [root, ...rest] = scenario.hops;
  if (root === undefined) throw new Error('no root');
  let mandate = await mint({
    issuer: anchor,
    issuerId: ISSUER,
    subject: 'differential-user',
    holder: holder(0).publicJwk,
    capabilities: root.capabilities,
    ...(scenario.approvals === undefined ? {} : { approvals: scenario.approvals }),
    expiresIn: root.expiresIn ?? 3600,
    audience: AUDIENCE,
    maxDepth: 7,
    now: NOW,
    id: `${seed}-0`,
    format,
  });
  for (const [i, hop] of rest.entries()) {
    try {
      mandate = await delegate(mandate, {
        signer: holder(i),
        holder: holder(i + 1).publicJwk,
        capabilities: hop.capabilities,
        ...(hop.expiresIn === undefined ? {} : { expiresIn: hop.expiresIn }),
        now: NOW,
        id: `${seed}-${i + 1}`,
      });
    } catch (error) {
      if (!isMandateError(error)) throw error;
      return { refused: { code: error.code, hop: error.hop } };
    }
  }
  return { mandate };
}

async function decide(scenario: Scenario, token: string, blocks: number, revokedId?: string) {
  const revocation = new MemoryRevocationStore();
  if (revokedId !== undefined) await revocation.revoke(revokedId);
  const verifier = createVerifier({
    trustAnchors: [{ id: ISSUER, publicJwk: anchor.publicJwk }],
    audience: AUDIENCE,
    revocation,
    clock: () => scenario.clock,
    ...(scenario.limits === undefined ? {} : { limits: scenario.limits }),
  });
  const signer = holder(blocks - 1);
  let proof: string;
  try {
    proof = await prove(token, { signer, request: REQUEST, now: scenario.clock });
  } catch {
    return verifier.verify(token, { action: scenario.action });
  }
  return verifier.verify(token, { action: scenario.action, proof, request: REQUEST });
}

function summary(decision: Awaited<ReturnType<typeof decide>>) {
  return decision.allowed
    ? {
        allowed: true,
        subject: decision.subject,
        chain: decision.chain,
        capabilities: decision.capabilities,
      }
    : { allowed: false, code: decision.code, hop: decision.hop, check: decision.check };
}

type Summary = ReturnType<typeof summary>;

let counter = 0;

/** The one limit that depends on the encoding: the token's size in bytes. */
const TOKEN_SIZE = /longer than \d+ bytes/;

describe('JWS and Biscuit decide identically', () => {
  it('for generated chains of 1..8 hops, requests and mutations', async () => {
    await fc.assert(
      fc.asyncProperty(arbScenario, async (scenario) => {
        const seed = `d${++counter}`;
        const jws = await build(scenario, 'jws', seed);
        const biscuit = await build(scenario, 'biscuit', seed);
        if ('refused' in jws || 'refused' in biscuit) {
          // Token size is the one limit that depends on the encoding (a Biscuit block is larger:
          // it restates each capability as Datalog checks), so where it bites may differ.
          const sizes = [jws, biscuit].map((x) => ('refused' in x ? x.refused.code : undefined));
          if (sizes.includes('MANDATE_LIMIT_EXCEEDED')) return;
          // `delegate` refuses a widening the same way in both encodings.
          expect(biscuit).toEqual(jws);
          return;
        }
        const blocks = jws.mandate.blocks.length;
        expect(biscuit.mandate.blocks).toEqual(jws.mandate.blocks);
        const revokedId =
          scenario.revoked === undefined ? undefined : jws.mandate.blocks[scenario.revoked]?.id;
        let jwsToken = jws.mandate.token;
        let biscuitToken = biscuit.mandate.token;
        let tail = false;
        let moved = false;
        if (scenario.mutation !== undefined) {
          const m = scenario.mutation;
          tail = m.kind === 'remove' && blocks > 1 && m.block % blocks === blocks - 1;
          moved = m.kind === 'swap' || m.kind === 'duplicate' || m.kind === 'remove';
          const mutatedJws = await applyMutation(jwsToken, m);
          const mutatedBiscuit = await applyMutation(biscuitToken, m);
          expect(mutatedBiscuit === undefined).toBe(mutatedJws === undefined);
          if (mutatedJws === undefined || mutatedBiscuit === undefined) return;
          jwsToken = mutatedJws;
          biscuitToken = mutatedBiscuit;
        }
        const decisions = [
          await decide(scenario, jwsToken, blocks, revokedId),
          await decide(scenario, biscuitToken, blocks, revokedId),
        ];
        const [a, b] = decisions.map(summary) as [Summary, Summary];
        // The size limit again (see above): encodings differ in bytes, not in meaning. Every
        // other limit (the configured capability limits above) must decide identically.
        if (decisions.some((d) => !d.allowed && TOKEN_SIZE.test(d.reason))) return;
        if (tail) {
          expect(a.allowed).toBe(false);
          expect(b.allowed).toBe(false);
          return;
        }
        if (moved && !a.allowed && !b.allowed && b.code === 'MANDATE_MALFORMED') {
          // A Biscuit block's symbol ids count from the blocks before it, so a block moved out
          // of place usually no longer decodes: rule 1 denies it, at the same hop, before rule 3
          // would find the signature that no longer links.
          expect({ hop: b.hop, check: b.check }).toEqual({ hop: a.hop, check: 'limits' });
          return;
        }
        expect(b).toEqual(a);
      }),
      { numRuns: RUNS },
    );
  });
});

/** Constraints that are malformed in every format (AAT section 3.4 and 3.3). */
const arbMalformedConstraint = fc.oneof(
  fc
    .tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 50 }))
    .map(([max, gap]) => ({ constraint_type: 'range', min: max + gap, max })),
  fc.constant({ constraint_type: 'range', max: 5, min_inclusive: false }),
  fc.constant({ min: 9, max: 1 }),
  fc.constant({
    constraint_type: 'any',
    constraints: [{ constraint_type: 'wildcard', optional: true }],
  }),
);

describe('JWS and Biscuit refuse malformed constraints identically', () => {
  it('mint and delegate refuse a range with min > max (and its kin) at the same hop', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }).chain(arbHops),
        arbMalformedConstraint,
        fc.nat(),
        async (hops, bad, at) => {
          const index = at % hops.length;
          const poisoned = hops.map((hop, i) =>
            i !== index
              ? hop
              : {
                  ...hop,
                  capabilities: [
                    ...hop.capabilities,
                    { resource: 'docs:a', actions: ['read'], constraints: { x: bad } },
                  ],
                },
          );
          const seed = `m${++counter}`;
          const outcome = async (format: Format) => {
            try {
              const built = await build({ hops: poisoned } as Scenario, format, seed);
              return 'refused' in built ? built.refused : { built: true };
            } catch (error) {
              if (!isMandateError(error)) throw error;
              return { code: error.code, hop: error.hop };
            }
          };
          const jws = await outcome('jws');
          const biscuit = await outcome('biscuit');
          expect(biscuit).toEqual(jws);
          // An earlier hop may already refuse a widening; otherwise the malformed one is refused.
          expect(jws).not.toHaveProperty('built');
          if ((jws as { code?: string }).code !== 'MANDATE_WIDENED') {
            expect(jws).toMatchObject({ code: 'MANDATE_MALFORMED' });
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
