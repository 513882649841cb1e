/**
 * Rule 1's character check on a JWS chain: the verifier scans the token's characters only when
 * the chain fails to decode (the decoder reads every character, and admits only base64url, `.`
 * and `~`). Whatever a token carries, the decision is the one of the scan-first order: a token
 * with a character no encoding uses is denied for it (hop 0), whichever block it sits in and
 * whether or not the verifier has decoded the chain's other blocks before.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { checkTokenLimits } from '../../../src/format/token-limits.js';
import { NUM_RUNS } from '../../../src/testing/config.js';
import {
  READ,
  chainOf,
  createWorld,
  verifierFor,
  verifyWith,
  type World,
} from '../../helpers/fixture.js';

let world: World;
let token: string;

beforeAll(async () => {
  world = await createWorld();
  token = (await chainOf(world, 2)).token;
});

/** What the scan-first order answers for `text`: its denial, or undefined when it passes. */
function scanFirst(text: string): { code: string; hop: number; check: string } | undefined {
  try {
    checkTokenLimits(text, DEFAULT_LIMITS);
    return undefined;
  } catch (error) {
    const { code, hop, check } = error as { code: string; hop: number; check: string };
    return { code, hop, check };
  }
}

describe('JWS chains: characters no encoding uses', () => {
  it('are denied for them, wherever they sit (inserted or replacing one), as when scanned first', async () => {
    const verifier = verifierFor(world);
    // The verifier has decoded (and cached) every block of the genuine chain.
    expect((await verifyWith(verifier, token, world.agents[2])).allowed).toBe(true);
    const odd = fc.constantFrom('!', ' ', '\n', '"', 'é', '\u0000', '\u202e', '*', '%', '#');
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        odd,
        fc.boolean(),
        fc.nat({ max: 3 }),
        async (at, char, replace, extra) => {
          const i = at % token.length;
          const text =
            token.slice(0, i) + char.repeat(extra + 1) + token.slice(replace ? i + 1 : i);
          const expected = scanFirst(text);
          expect(expected).toMatchObject({ code: 'MANDATE_MALFORMED', hop: 0, check: 'limits' });
          const decision = await verifier.verify(text, { action: READ });
          expect(decision).toMatchObject({ allowed: false, ...expected });
          expect(decision.allowed === false && decision.reason).toBe(
            'the mandate contains characters no encoding uses',
          );
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('that some other encoding uses (`=`, `+`, `/`) are the JWS decoder’s to refuse, as before', async () => {
    const verifier = verifierFor(world);
    const pieces = token.split('~');
    const text = [pieces[0], `${pieces[1]!.slice(0, 40)}+${pieces[1]!.slice(41)}`, pieces[2]].join(
      '~',
    );
    expect(scanFirst(text)).toBeUndefined();
    expect(await verifier.verify(text, { action: READ })).toMatchObject({
      allowed: false,
      code: 'MANDATE_MALFORMED',
      hop: 1,
      check: 'limits',
    });
  });
});
