/**
 * The AAT draft's subsumption rules (profile 'aat'), per core constraint type, with
 * all / any nesting: derivations the draft allows are recognised, and what is recognised
 * is sound against `check` on generated values.
 */
import { describe, it } from 'vitest';
import {
  AAT_CORE_TYPES,
  checkAatNarrowingComplete,
  checkAatNarrowingSound,
} from '../../src/testing/aat-laws.js';

describe.each(AAT_CORE_TYPES.map((type) => [type]))('aat profile, parent type %s', (type) => {
  it('derivations the draft allows are recognised', () => checkAatNarrowingComplete(type));
  it('recognised narrowings are sound against check', () => checkAatNarrowingSound(type));
});
