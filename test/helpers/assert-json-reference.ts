/**
 * `assertJson` as it was before its paths were written lazily (issue 18): a path string built
 * for every value. The reference the new code must equal, error for error
 * (test/unit/core/json-bounds.test.ts).
 */
import { MandateError } from '../../src/core/errors.js';
import { limitExceeded, malformed } from '../../src/core/failure.js';
import { joinPath, type JsonBounds } from '../../src/core/json.js';
import { MAX_JSON_DEPTH, MAX_JSON_NODES } from '../../src/core/limits.js';
import { isInadmissibleNumber } from '../../src/core/numbers.js';
import type { Json } from '../../src/core/types.js';

const LONE_SURROGATE = /\p{Cs}/u;

/** The former `assertJson`. */
export function referenceAssertJson(
  value: unknown,
  path: string,
  bounds: JsonBounds,
): asserts value is Json {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path, depth: 0 }];
  let nodes = 0;
  try {
    while (stack.length > 0) {
      const item = stack.pop();
      if (item === undefined) break;
      const { v, path: p, depth } = item;
      if (++nodes > MAX_JSON_NODES)
        limitExceeded(`${p}: too many JSON values`, {
          path: p,
          reason: 'nodes',
          limit: MAX_JSON_NODES,
        });
      if (depth > MAX_JSON_DEPTH)
        limitExceeded(`${p}: nested too deeply`, {
          path: p,
          reason: 'depth',
          limit: MAX_JSON_DEPTH,
        });
      if (v === null || typeof v === 'boolean') continue;
      if (typeof v === 'number') {
        if (!Number.isFinite(v))
          malformed(`${p}: numbers must be finite`, { path: p, reason: 'non-finite-number' });
        continue;
      }
      if (typeof v === 'string') {
        if (bounds.maxStringLength !== undefined && v.length > bounds.maxStringLength) {
          limitExceeded(`${p}: string longer than ${bounds.maxStringLength}`, {
            path: p,
            reason: 'length',
            limit: bounds.maxStringLength,
          });
        }
        if (bounds.wellFormedStrings === true && LONE_SURROGATE.test(v)) {
          malformed(`${p}: string contains a lone surrogate`, {
            path: p,
            reason: 'lone-surrogate',
          });
        }
        continue;
      }
      if (typeof v !== 'object')
        malformed(`${p}: ${typeof v} is not a JSON value`, { path: p, reason: 'type' });
      if (isInadmissibleNumber(v)) {
        // A lossless parse met a number whose double means something else (AAT 3.4).
        malformed(`${p}: the number ${v.literal} does not survive RFC 8785 canonicalisation`, {
          path: p,
          reason: 'inadmissible-number',
        });
      }
      if (Array.isArray(v)) {
        if (v.length > bounds.maxArrayLength) {
          limitExceeded(`${p}: array longer than ${bounds.maxArrayLength}`, {
            path: p,
            reason: 'array-length',
            limit: bounds.maxArrayLength,
          });
        }
        for (let i = v.length - 1; i >= 0; i--) {
          if (!Object.hasOwn(v, i)) {
            const at = joinPath(p, i);
            malformed(`${at}: sparse array`, { path: at, reason: 'sparse-array' });
          }
          stack.push({ v: v[i] as unknown, path: joinPath(p, i), depth: depth + 1 });
        }
        continue;
      }
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) {
        malformed(`${p}: must be a plain object`, { path: p, reason: 'not-plain-object' });
      }
      const descriptors = Object.getOwnPropertyDescriptors(v);
      const keys = Object.keys(descriptors);
      if (keys.length > bounds.maxArrayLength) {
        limitExceeded(`${p}: object has more than ${bounds.maxArrayLength} members`, {
          path: p,
          reason: 'object-size',
          limit: bounds.maxArrayLength,
        });
      }
      for (const key of keys) {
        const d = descriptors[key];
        if (d === undefined || !('value' in d)) {
          const at = joinPath(p, key);
          malformed(`${at}: accessor properties are not JSON`, { path: at, reason: 'accessor' });
        }
        stack.push({ v: d.value as unknown, path: joinPath(p, key), depth: depth + 1 });
      }
    }
  } catch (err) {
    if (err instanceof MandateError) throw err;
    // A proxy trap or similar threw: the value cannot be read safely.
    malformed(`${path}: could not be read as JSON`, { path, reason: 'unreadable' });
  }
}
