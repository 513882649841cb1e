/**
 * Encode/decode round-trips (DESIGN.md section 8): what `mint` and `delegate` encode is
 * exactly what `parseMandate` decodes — per block the normalised capabilities, holder,
 * issuer, subject, audience, expiry and depth — for the JWS, Biscuit and AAT encodings, and
 * the `Mandate` they return is the decoding of their own token.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  delegate,
  mint,
  parseMandate,
  toolResource,
  type Capability,
  type CapabilityInput,
  type Format,
  type Mandate,
} from '../../src/index.js';
import {
  NUM_RUNS,
  arbAatConstraint,
  arbCapabilities,
  arbNarrowing,
  lawWorld,
  type LawWorld,
} from '../../src/testing/index.js';
import { normalizeCapabilities } from '../../src/core/capability.js';
import { ARG_NAMES } from '../../src/testing/arbitraries.js';

const ISSUER = 'https://issuer.laws';
const AUDIENCE = 'https://service.laws';
const NOW = 1_900_000_000;

const sorted = (caps: readonly Capability[]): Capability[] =>
  [...caps].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

async function expectRoundTrip(
  world: LawWorld,
  mandate: Mandate,
  inputs: readonly (readonly CapabilityInput[])[],
  subject: string,
): Promise<void> {
  const { verified, ...parsed } = await parseMandate(mandate.token);
  expect(verified).toBe(false);
  expect(parsed).toEqual(mandate);
  expect(parsed.subject).toBe(subject);
  expect(parsed.blocks).toHaveLength(inputs.length);
  for (const [hop, block] of parsed.blocks.entries()) {
    // A set of capabilities: AAT's tools map is a JSON object, so its order is JCS key order.
    expect(sorted(block.capabilities), `hop ${hop}`).toEqual(
      sorted(normalizeCapabilities(inputs[hop] ?? [])),
    );
    expect(block.holder).toBe(world.holders[hop]?.id);
    expect(block.issuer).toBe(hop === 0 ? ISSUER : world.holders[hop - 1]?.id);
    expect(block.subject).toBe(subject);
    expect(block.audience).toEqual([AUDIENCE]);
    expect(block.expiresAt).toBe(NOW + 3600);
    expect(block.depth).toBe(hop);
  }
  expect(parsed.holder).toBe(world.holders[inputs.length - 1]?.id);
}

async function chain(
  world: LawWorld,
  format: Format,
  inputs: readonly (readonly CapabilityInput[])[],
): Promise<Mandate> {
  const [first, ...rest] = inputs;
  let mandate = await mint({
    issuer: world.anchor,
    issuerId: ISSUER,
    ...(format === 'aat' ? {} : { subject: 'law-user' }),
    holder: world.holders[0]!.publicJwk,
    capabilities: first ?? [],
    expiresIn: 3600,
    audience: AUDIENCE,
    now: NOW,
    format,
  });
  for (const [i, capabilities] of rest.entries()) {
    mandate = await delegate(mandate, {
      signer: world.holders[i]!,
      holder: world.holders[i + 1]!.publicJwk,
      capabilities,
      now: NOW,
    });
  }
  return mandate;
}

/** A root's capabilities and one narrowing of them. */
const arbTwoHops = arbCapabilities().chain((caps) =>
  arbNarrowing(caps).map((narrower) => [caps, narrower] as const),
);

/** AAT tool capabilities: each tool once, core constraint types, optional entries, `"*"`. */
const arbTools: fc.Arbitrary<CapabilityInput[]> = fc
  .uniqueArray(fc.constantFrom('read_file', 'search', 'a tool/with *', 'é'), { maxLength: 3 })
  .chain((tools) =>
    fc.tuple(
      ...tools.map((tool) =>
        fc
          .tuple(
            fc.dictionary(
              fc.constantFrom(...ARG_NAMES),
              fc
                .tuple(arbAatConstraint(1), fc.boolean())
                .map(([c, optional]) => (optional ? { ...c, optional: true } : c)),
              { maxKeys: 2 },
            ),
            fc.boolean(),
          )
          .map(([named, open]) =>
            open ? { ...named, '*': { constraint_type: 'wildcard' as const } } : named,
          )
          .map((constraints): CapabilityInput => ({
            resource: toolResource(tool),
            actions: ['call'],
            ...(Object.keys(constraints).length === 0 ? {} : { constraints }),
          })),
      ),
    ),
  );

describe('parseMandate(mint/delegate(x)) recovers x', () => {
  it.each<[Format, number]>([
    ['jws', Math.max(20, Math.floor(NUM_RUNS / 4))],
    ['biscuit', 15],
  ])('%s: root and one narrowing', async (format, numRuns) => {
    const world = await lawWorld();
    await fc.assert(
      fc.asyncProperty(arbTwoHops, async ([caps, narrower]) => {
        const mandate = await chain(world, format, [caps, narrower]);
        expect(mandate.format).toBe(format);
        await expectRoundTrip(world, mandate, [caps, narrower], 'law-user');
      }),
      { numRuns },
    );
  });

  it('aat: a root of tools and a delegation that keeps them', async () => {
    const world = await lawWorld();
    await fc.assert(
      fc.asyncProperty(arbTools, async (tools) => {
        const mandate = await chain(world, 'aat', [tools, tools]);
        expect(mandate.format).toBe('aat');
        // AAT has no subject: every block's is the root issuer (docs/format.md).
        await expectRoundTrip(world, mandate, [tools, tools], ISSUER);
      }),
      { numRuns: Math.max(20, Math.floor(NUM_RUNS / 4)) },
    );
  });
});
