/**
 * Standard verifiability (issue 15, DESIGN.md section 4): every Biscuit token Mandate writes,
 * sealed by its last holder, opens with biscuit-wasm's own `Biscuit.fromBytes` given the root key,
 * and biscuit-wasm's authorizer — holding the request facts of docs/format.md and running the
 * blocks' checks — reaches Mandate's decision.
 *
 * Where the comparison is meaningful: a standard authorizer sees the operation, the resource, the
 * time and the service; it does not see a proof of possession, argument constraints, depth or
 * revocation. So the scenarios here carry capabilities without argument constraints, and no
 * request proof is required from Mandate (possession is the one thing only Mandate checks).
 * Chains are narrowed hop by hop (sometimes to nothing), expiries shortened, the clock sometimes
 * past an expiry, and the service sometimes another one.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';

import type { Action, CapabilityInput, KeyPair, Mandate } from '../../src/core/types.js';
import { delegate } from '../../src/format/delegate.js';
import { mint } from '../../src/format/mint.js';
import { sealMandate } from '../../src/format/seal.js';
import { DATALOG_LIMITS, requestCode } from '../../src/format/biscuit/request-facts.js';
import { fromTokenText } from '../../src/format/biscuit/token.js';
import { withBiscuit } from '../../src/format/biscuit/wasm.js';
import { generateKeyPair } from '../../src/identity/keys.js';
import { arbAction, arbCapabilities, arbNarrowing } from '../../src/testing/arbitraries.js';
import { NUM_RUNS } from '../../src/testing/config.js';
import { createVerifier } from '../../src/verify/verifier.js';

const ISSUER = 'https://issuer.standard';
const AUDIENCE = 'https://service.standard';
const NOW = 1_900_000_000;
const RUNS = Math.max(20, Math.floor(NUM_RUNS / 5));

let anchor: KeyPair;
let holders: KeyPair[];

beforeAll(async () => {
  anchor = await generateKeyPair();
  holders = await Promise.all(Array.from({ length: 5 }, () => generateKeyPair()));
});

/** Capabilities with their argument constraints dropped (a standard authorizer cannot see them). */
const unconstrained = (caps: readonly CapabilityInput[]): CapabilityInput[] =>
  caps.map(({ resource, actions }) => ({ resource, actions }));

interface Scenario {
  readonly hops: { capabilities: CapabilityInput[]; expiresIn: number | undefined }[];
  readonly action: Action;
  readonly clock: number;
  readonly service: string;
}

type Hop = Scenario['hops'][number];

const arbHops = (depth: number): fc.Arbitrary<Hop[]> =>
  arbCapabilities().chain((root) => {
    let arb: fc.Arbitrary<Hop[]> = fc.constant([
      { capabilities: unconstrained(root), expiresIn: 3600 },
    ]);
    for (let i = 1; i < depth; i++) {
      arb = arb.chain((hops) =>
        fc
          .tuple(
            arbNarrowing(hops[hops.length - 1]!.capabilities),
            fc.option(fc.constantFrom(60, 600, 3000), { nil: undefined }),
          )
          .map(([caps, expiresIn]): Hop[] => [
            ...hops,
            { capabilities: unconstrained(caps), expiresIn },
          ]),
      );
    }
    return arb;
  });

const arbScenario: fc.Arbitrary<Scenario> = fc
  .integer({ min: 1, max: 4 })
  .chain(arbHops)
  .chain((hops) =>
    fc.record({
      hops: fc.constant(hops),
      action: arbAction(hops[hops.length - 1]!.capabilities).map(({ resource, action }) => ({
        resource,
        action,
      })),
      // Expiry boundaries included: a block expires at its `exp` exactly (`$time < exp`).
      clock: fc.constantFrom<number>(NOW, NOW + 60, NOW + 600, NOW + 3000, NOW + 3600, NOW + 4000),
      service: fc.constantFrom<string>(AUDIENCE, AUDIENCE, 'https://other.standard'),
    }),
  );

async function build(scenario: Scenario): Promise<Mandate | undefined> {
  const [root, ...rest] = scenario.hops;
  let mandate = await mint({
    issuer: anchor,
    issuerId: ISSUER,
    subject: 'standard-user',
    holder: holders[0]!.publicJwk,
    capabilities: root!.capabilities,
    expiresIn: root!.expiresIn ?? 3600,
    audience: AUDIENCE,
    now: NOW,
    format: 'biscuit',
  });
  for (const [i, hop] of rest.entries()) {
    try {
      mandate = await delegate(mandate, {
        signer: holders[i]!,
        holder: holders[i + 1]!.publicJwk,
        capabilities: hop.capabilities,
        ...(hop.expiresIn === undefined ? {} : { expiresIn: hop.expiresIn }),
        now: NOW,
      });
    } catch {
      return undefined; // a widening delegate refuses (tested elsewhere)
    }
  }
  return sealMandate(mandate, { signer: holders[scenario.hops.length - 1]! });
}

/** biscuit-wasm on its own: open with the root key, authorize with the request facts. */
function standardVerdict(token: string, scenario: Scenario): Promise<boolean> {
  const root = Buffer.from(String(anchor.publicJwk.x), 'base64url');
  const code = requestCode(
    {
      resource: scenario.action.resource,
      operation: scenario.action.action,
      service: scenario.service,
      times: [scenario.clock],
    },
    8,
  );
  return withBiscuit((api, scope) => {
    const key = scope.own(api.PublicKey.fromBytes(root, 0));
    // Throws (fails the test) if a standard library cannot open what Mandate wrote.
    const biscuit = scope.own(api.Biscuit.fromBytes(fromTokenText(token), key));
    const builder = scope.own(new api.AuthorizerBuilder());
    builder.addCodeWithParameters(code.source, code.parameters, {});
    try {
      scope
        .own(builder.buildAuthenticated(biscuit))
        .authorizeWithLimits({ ...DATALOG_LIMITS, max_time_micro: 5_000_000 });
      return true;
    } catch (error) {
      if (!JSON.stringify(error).includes('FailedLogic')) throw error;
      return false;
    }
  });
}

describe('a standard Biscuit verifier reaches Mandate’s decision', () => {
  it('for generated narrowing chains, requests, clocks and services', async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(arbScenario, async (scenario) => {
        const mandate = await build(scenario);
        if (mandate === undefined) return;
        const verifier = createVerifier({
          trustAnchors: [{ id: ISSUER, publicJwk: anchor.publicJwk }],
          audience: scenario.service,
          requireProof: false,
          clock: () => scenario.clock,
        });
        const decision = await verifier.verify(mandate, { action: scenario.action });
        expect(await standardVerdict(mandate.token, scenario)).toBe(decision.allowed);
        compared++;
      }),
      { numRuns: RUNS },
    );
    expect(compared).toBeGreaterThan(0);
  });
});
