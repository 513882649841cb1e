/**
 * The tool guards (`mandate/ai`, `mandate/langchain`, `mandate/openai-agents`) snapshot a call's
 * arguments before they prove and verify them: arguments past the request limits of the
 * guard's verifier (`Verifier.limits`) are refused first, by a walk that stops at the limits,
 * and a verifier configured for larger calls lets them through (issue 18, cost bounds).
 */
import { describe, expect, it } from 'vitest';
import { snapshotArgs } from '../../../src/adapters/tool-guard.js';
import { DEFAULT_LIMITS } from '../../../src/core/limits.js';
import { createVerifier, generateKeyPair } from '../../../src/index.js';
import { mandateErrorOf } from '../../helpers/failure.js';

const numbered = (n: number): Record<string, number> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, i]));

describe('snapshotArgs: the request limits before any copy', () => {
  it('at the default maxRequestValues the arguments are snapshotted; one past, refused with the coded error', () => {
    expect(Object.keys(snapshotArgs(numbered(4095)))).toHaveLength(4095);
    expect(mandateErrorOf(() => snapshotArgs(numbered(4096)))).toMatchObject({
      code: 'MANDATE_LIMIT_EXCEEDED',
      check: 'limits',
      hop: 0,
      detail: { path: 'args', reason: 'request-values', limit: 4096 },
    });
  });

  it("takes the verifier's limits: raised, a larger call is snapshotted; lowered, a smaller one is refused", async () => {
    const anchor = await generateKeyPair();
    const verifierWith = (maxRequestValues: number) =>
      createVerifier({
        trustAnchors: [{ id: 'https://as.test', publicJwk: anchor.publicJwk }],
        audience: 'https://tool.test',
        limits: { maxRequestValues },
      });
    const raised = verifierWith(10_000);
    expect(raised.limits).toMatchObject({ ...DEFAULT_LIMITS, maxRequestValues: 10_000 });
    expect(Object.keys(snapshotArgs(numbered(5000), raised.limits))).toHaveLength(5000);
    expect(mandateErrorOf(() => snapshotArgs({ a: [1, 2] }, verifierWith(3).limits))).toMatchObject(
      {
        code: 'MANDATE_LIMIT_EXCEEDED',
        check: 'limits',
        hop: 0,
        detail: { reason: 'request-values', limit: 3 },
      },
    );
  });
});
