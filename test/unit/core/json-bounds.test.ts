/**
 * `assertJson` writes a value's path only when it reports it (issue 18: building one per value
 * was most of the cost of a tool call at the request-size limit). Every outcome, and every
 * error's code, message and detail, must be the former eager version's.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertJson, type JsonBounds } from '../../../src/core/json.js';
import { MAX_JSON_NODES } from '../../../src/core/limits.js';
import { NUM_RUNS } from '../../../src/testing/index.js';
import { referenceAssertJson } from '../../helpers/assert-json-reference.js';

function outcome(check: (v: unknown) => void, value: unknown): unknown {
  try {
    check(value);
    return 'ok';
  } catch (error) {
    const e = error as { code?: string; message?: string; detail?: unknown; check?: string };
    return { code: e.code, message: e.message, detail: e.detail, check: e.check };
  }
}

const BOUNDS: JsonBounds = { maxArrayLength: 4, maxStringLength: 6, wellFormedStrings: true };

// Leaves that pass and leaves that fail, under keys that need quoting and keys that do not.
const leaf = fc.oneof(
  fc.constantFrom(null, true, 1.5, 'ok', '\uD800', 'far too long', Number.NaN, Infinity),
  fc.constantFrom(new Map(), () => 1, undefined, 10n),
);
const key = fc.constantFrom('a', 'b c', '0', '$x', '__proto__', 'é');
const tree = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('node'), { maxLength: 6 }),
  object: fc.dictionary(key, tie('node'), { maxKeys: 6 }),
})).node;

describe('assertJson', () => {
  it('fails and passes exactly as the eager version did (law)', () => {
    fc.assert(
      fc.property(tree, (value) => {
        const check = (v: unknown) => assertJson(v, 'args', BOUNDS);
        const reference = (v: unknown) => referenceAssertJson(v, 'args', BOUNDS);
        expect(outcome(check, value)).toEqual(outcome(reference, value));
      }),
      { numRuns: NUM_RUNS * 4 },
    );
  });

  it('reports the same paths for hostile shapes: deep, sparse, accessors, too many values', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 80; i++) deep = i % 2 === 0 ? { 'k e y': deep } : [deep];
    const sparse: unknown[] = [1];
    sparse[2] = 3;
    const accessor = Object.defineProperty({}, 'g', { get: () => 1, enumerable: true });
    const wide = Array.from({ length: MAX_JSON_NODES + 1 }, (_, i) => i);
    const loose: JsonBounds = { maxArrayLength: MAX_JSON_NODES * 2 };
    for (const value of [{ x: deep }, { x: [sparse] }, { o: accessor }, { w: wide }]) {
      const got = outcome((v) => assertJson(v, 'args', loose), value);
      expect(got).toEqual(outcome((v) => referenceAssertJson(v, 'args', loose), value));
      expect(got).toMatchObject({ check: 'limits' });
    }
  });
});
