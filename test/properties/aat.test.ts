/**
 * The AAT draft's subsumption rules (profile 'aat'), per core constraint type, with
 * all / any nesting, and over whole argument maps with optional arguments and "*": the
 * derivations the draft allows are recognised, and what is recognised is sound against
 * `check` (and closed-world authorization) on generated values.
 */
import { describe, it } from 'vitest';
import {
  AAT_CORE_TYPES,
  checkAatArgMapNarrowingComplete,
  checkAatArgMapNarrowingSound,
  checkAatNarrowingComplete,
  checkAatNarrowingSound,
} from '../../src/testing/aat-laws.js';

describe.each(AAT_CORE_TYPES.map((type) => [type]))('aat profile, parent type %s', (type) => {
  it('derivations the draft allows are recognised', () => checkAatNarrowingComplete(type));
  it('recognised narrowings are sound against check', () => checkAatNarrowingSound(type));
});

describe('argument maps with optional arguments and "*" (section 3.3, steps 4p2-4p4)', () => {
  it('derived maps the key rules allow are recognised (both profiles)', () =>
    checkAatArgMapNarrowingComplete());
  it('what the aat profile accepts never allows an invocation the parent refuses', () =>
    checkAatArgMapNarrowingSound('aat'));
  it('what the mandate profile accepts never allows an invocation the parent refuses', () =>
    checkAatArgMapNarrowingSound('mandate'));
});
