/**
 * Issue 13, "verified and unverified are different types": what `parseMandate` returns is an
 * `UnverifiedMandate`, which no function taking a `Mandate` accepts, and nothing outside
 * `mint`/`delegate` can write a `Mandate`. These are compile-time facts: `npm run typecheck`
 * (tsc over test/) fails if an `@ts-expect-error` below stops being an error or an
 * `expectTypeOf` stops holding. The runtime part shows the values behind the types.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  createDeputy,
  createVerifier,
  delegate,
  mint,
  parseMandate,
  prove,
  type Mandate,
  type MandateLike,
  type UnverifiedMandate,
} from '../../../src/index.js';
import {
  ANCHOR_ID,
  AUDIENCE,
  NOW,
  READ,
  REQUEST,
  chainOf,
  createWorld,
} from '../../helpers/fixture.js';

const world = await createWorld();
const [a0, a1] = world.agents;

describe('Mandate and UnverifiedMandate are different types', () => {
  it('an UnverifiedMandate is not assignable to Mandate (nor to MandateLike)', () => {
    expectTypeOf<UnverifiedMandate>().not.toExtend<Mandate>();
    expectTypeOf<UnverifiedMandate>().not.toExtend<MandateLike>();
    // The fields are the same; only the brand differs.
    expectTypeOf<Omit<Mandate, symbol>>().toEqualTypeOf<Omit<UnverifiedMandate, 'verified'>>();
  });

  it('a plain object with every field of a Mandate is not a Mandate', () => {
    const forged = {
      token: 'x',
      format: 'jws' as const,
      subject: 'alice',
      holder: 'h',
      blocks: [],
    };
    expectTypeOf(forged).not.toExtend<Mandate>();
  });

  it('the functions that take a Mandate refuse an UnverifiedMandate at compile time', async () => {
    const genuine = await chainOf(world, 0);
    const parsed = await parseMandate(genuine);
    expectTypeOf(parsed).toEqualTypeOf<UnverifiedMandate>();
    expect(parsed.verified).toBe(false);

    // @ts-expect-error an UnverifiedMandate is not a Mandate
    const asMandate: Mandate = parsed;
    const options = { signer: a0, holder: a1.publicJwk, capabilities: [] };
    // @ts-expect-error delegate takes a Mandate or a token, not an UnverifiedMandate
    const delegated = () => delegate(parsed, options);
    // @ts-expect-error prove takes a Mandate or a token, not an UnverifiedMandate
    const proved = () => prove(parsed, { signer: a0, request: REQUEST, now: NOW });
    // @ts-expect-error a deputy holds a Mandate or a token, not an UnverifiedMandate
    const deputy = () => createDeputy({ mandate: parsed, signer: a0 });
    expect([asMandate, delegated, proved, deputy]).toHaveLength(4);

    // What mint and delegate return is a Mandate; its token string is accepted everywhere.
    expectTypeOf(mint).returns.resolves.toEqualTypeOf<Mandate>();
    expectTypeOf(delegate).returns.resolves.toEqualTypeOf<Mandate>();
    expectTypeOf(parsed.token).toBeString();
  });

  it('a verifier takes an UnverifiedMandate: verifying is what makes it trustworthy', async () => {
    const genuine = await chainOf(world, 0);
    const parsed = await parseMandate(genuine.token);
    const verifier = createVerifier({
      trustAnchors: [{ id: ANCHOR_ID, publicJwk: world.anchor.publicJwk }],
      audience: AUDIENCE,
      clock: () => NOW,
    });
    const proof = await prove(genuine, { signer: a0, request: REQUEST, now: NOW });
    expect(await verifier.verify(parsed, { action: READ, proof, request: REQUEST })).toMatchObject({
      allowed: true,
      subject: 'alice',
    });
  });
});
