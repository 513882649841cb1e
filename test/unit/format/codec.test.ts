/**
 * The codec contract (src/format/codec.ts): one `codecFor` finds the encoding a token is
 * written in; every codec's rule order runs every rule once; and `delegate`, which builds its
 * result from the blocks it already decoded, returns exactly what decoding its token anew
 * gives (the law), in every format.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  delegate,
  generateKeyPair,
  isMandateError,
  mint,
  parseMandate,
  toolResource,
  type Format,
  type KeyPair,
  type Mandate,
} from '../../../src/index.js';
import { CODECS, codecFor, codecOf } from '../../../src/format/codec.js';
import { MANDATE_RULE_ORDER, type RuleStep } from '../../../src/format/rule-order.js';
import { CHECKS } from '../../../src/core/errors.js';
import { rulesInOrder } from '../../../src/verify/rules.js';
import { arbCapabilities, arbNarrowing } from '../../../src/testing/arbitraries.js';
import { NUM_RUNS } from '../../../src/testing/config.js';

const NOW = 1_800_000_000;
const ISSUER = 'https://as.example';
let keys: KeyPair[] = [];

beforeAll(async () => {
  keys = await Promise.all(Array.from({ length: 6 }, () => generateKeyPair()));
});

function key(index: number): KeyPair {
  const pair = keys[index];
  if (pair === undefined) throw new Error(`no key ${index}`);
  return pair;
}

async function root(format: Format, id?: string): Promise<Mandate> {
  return mint({
    format,
    issuer: key(0),
    issuerId: ISSUER,
    ...(format === 'aat' ? {} : { subject: 'user:alice' }),
    holder: key(1).publicJwk,
    capabilities: [{ resource: toolResource('search'), actions: ['call'] }],
    expiresIn: 3600,
    maxDepth: 4,
    now: NOW,
    ...(id === undefined ? {} : { id }),
  });
}

/** `mandate` is exactly what decoding its token gives (nothing verified on either side). */
async function expectDecodedAnew(mandate: Mandate): Promise<void> {
  const { verified, ...decoded } = await parseMandate(mandate.token);
  expect(verified).toBe(false);
  expect(mandate).toEqual(decoded);
  expect(Object.keys(mandate)).toEqual(Object.keys(decoded));
}

describe('codecFor', () => {
  it('finds each format from its token, and Biscuit for anything else', async () => {
    for (const format of ['jws', 'aat', 'biscuit'] as const) {
      const mandate = await root(format);
      expect(codecFor(mandate.token).format).toBe(format);
      expect(codecOf(format).format).toBe(format);
    }
    expect(codecFor('not a token').format).toBe('biscuit');
    expect(codecFor('').format).toBe('biscuit');
  });

  it('refuses an unknown format by name (misuse: TypeError)', () => {
    expect(() => codecOf('paseto' as Format)).toThrow(TypeError);
  });
});

describe('rule orders', () => {
  const verifierChecks = [...CHECKS];

  it('every codec runs every rule of section 3 exactly once, limits first', () => {
    expect([...MANDATE_RULE_ORDER]).toEqual(verifierChecks);
    for (const codec of CODECS) {
      const rules = codec.ruleOrder.filter((step) => step !== 'proof-signature');
      expect([...rules].sort()).toEqual([...verifierChecks].sort());
      expect(codec.ruleOrder[0]).toBe('limits');
      expect(rulesInOrder(codec.ruleOrder).length).toBe(codec.ruleOrder.length);
    }
    // AAT: the draft's order (request authorization, step 6, before the proof, step 7).
    expect(codecOf('aat').ruleOrder).toEqual([
      'limits',
      'anchor',
      'linkage',
      'narrowing',
      'window',
      'revocation',
      'proof-signature',
      'authorize',
      'audience',
      'possession',
    ]);
  });

  it('an order that skips, repeats or moves a rule is refused (no codec can skip a rule)', () => {
    const without = (step: RuleStep) => MANDATE_RULE_ORDER.filter((s) => s !== step);
    for (const step of MANDATE_RULE_ORDER) {
      expect(() => rulesInOrder(without(step))).toThrow(TypeError);
    }
    expect(() => rulesInOrder([...MANDATE_RULE_ORDER, 'anchor'])).toThrow(TypeError);
    expect(() => rulesInOrder([...without('limits'), 'limits'])).toThrow(TypeError);
    expect(() => rulesInOrder([])).toThrow(TypeError);
  });
});

describe('delegate builds its result from the blocks it decoded', () => {
  it('law (JWS): after every delegation, the mandate equals its token decoded anew', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbCapabilities().chain((caps) =>
          fc.tuple(fc.constant(caps), arbNarrowing(caps), fc.integer({ min: 1, max: 3 })),
        ),
        async ([caps, narrower, hops]) => {
          let mandate = await mint({
            issuer: key(0),
            subject: 'user:alice',
            holder: key(1).publicJwk,
            capabilities: caps,
            expiresIn: 3600,
            maxDepth: 4,
            now: NOW,
          });
          for (let hop = 1; hop <= hops; hop++) {
            mandate = await delegate(mandate, {
              signer: key(hop),
              holder: key(hop + 1).publicJwk,
              ...(hop === 1 ? { capabilities: narrower } : {}),
              expiresIn: 3600 - hop,
              now: NOW,
            });
            await expectDecodedAnew(mandate);
          }
        },
      ),
      { numRuns: Math.min(NUM_RUNS, 40) },
    );
  });

  it('AAT and Biscuit: every delegation equals its token decoded anew', async () => {
    for (const format of ['aat', 'biscuit'] as const) {
      let mandate = await root(format);
      await expectDecodedAnew(mandate);
      for (let hop = 1; hop <= 3; hop++) {
        mandate = await delegate(mandate, {
          signer: key(hop),
          holder: key(hop + 1).publicJwk,
          audience: 'https://tool.example',
          now: NOW,
        });
        expect(mandate.blocks.length).toBe(hop + 1);
        await expectDecodedAnew(mandate);
      }
    }
  });

  it('a delegation that repeats an earlier block id is refused as a decode would refuse it', async () => {
    for (const format of ['jws', 'aat', 'biscuit'] as const) {
      const parent = await root(format, 'block-0');
      const error: unknown = await delegate(parent, {
        signer: key(1),
        holder: key(2).publicJwk,
        id: 'block-0',
      }).catch((e: unknown) => e);
      expect(isMandateError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'MANDATE_MALFORMED', hop: 1, check: 'limits' });
    }
  });
});
