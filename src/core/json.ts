/**
 * JSON values at the trust boundary: a bounded, iterative shape check that runs before any
 * recursive code (zod, matching) touches untrusted input, and the JSON equality every
 * constraint uses.
 */
import canonicalize from 'canonicalize';
import { MandateError } from './errors.js';
import { limitExceeded, malformed } from './failure.js';
import type { Json } from './types.js';
import { MAX_JSON_DEPTH, MAX_JSON_NODES } from './limits.js';
import { isInadmissibleNumber } from './numbers.js';

/** What {@link assertJson} enforces besides plain-JSON shape. */
export interface JsonBounds {
  readonly maxArrayLength: number;
  /** When set, strings longer than this are rejected. */
  readonly maxStringLength?: number | undefined;
  /** When true, strings with lone surrogates are rejected (they have no RFC 8785 form). */
  readonly wellFormedStrings?: boolean | undefined;
}

const LONE_SURROGATE = /\p{Cs}/u;
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Appends an object key to a diagnostic path. */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return IDENT.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * Checks that `value` is plain JSON data (null, booleans, finite numbers, strings, arrays,
 * plain objects with data properties) within the given bounds, without recursion, so a
 * hostile value (deeply nested, cyclic, huge, with getters or exotic prototypes) is
 * rejected with a coded error instead of crashing or hanging the caller. The marker a
 * lossless parse leaves for an inadmissible number (`InadmissibleNumber`) is refused too.
 *
 * @throws MandateError `MANDATE_MALFORMED` or `MANDATE_LIMIT_EXCEEDED` (check `limits`).
 */
export function assertJson(
  value: unknown,
  path: string,
  bounds: JsonBounds,
): asserts value is Json {
  // A value's path is written only when it is reported: building one per value cost more
  // than the check itself on large arguments. Each entry keeps its parent and key instead.
  const stack: JsonEntry[] = [{ v: value, parent: undefined, key: undefined, depth: 0 }];
  const at = (entry: JsonEntry, key?: string | number) => pathOf(path, entry, key);
  let nodes = 0;
  try {
    while (stack.length > 0) {
      const item = stack.pop();
      if (item === undefined) break;
      const { v, depth } = item;
      if (++nodes > MAX_JSON_NODES) {
        const p = at(item);
        limitExceeded(`${p}: too many JSON values`, {
          path: p,
          reason: 'nodes',
          limit: MAX_JSON_NODES,
        });
      }
      if (depth > MAX_JSON_DEPTH) {
        const p = at(item);
        limitExceeded(`${p}: nested too deeply`, {
          path: p,
          reason: 'depth',
          limit: MAX_JSON_DEPTH,
        });
      }
      if (v === null || typeof v === 'boolean') continue;
      if (typeof v === 'number') {
        if (!Number.isFinite(v)) {
          const p = at(item);
          malformed(`${p}: numbers must be finite`, { path: p, reason: 'non-finite-number' });
        }
        continue;
      }
      if (typeof v === 'string') {
        if (bounds.maxStringLength !== undefined && v.length > bounds.maxStringLength) {
          const p = at(item);
          limitExceeded(`${p}: string longer than ${bounds.maxStringLength}`, {
            path: p,
            reason: 'length',
            limit: bounds.maxStringLength,
          });
        }
        if (bounds.wellFormedStrings === true && LONE_SURROGATE.test(v)) {
          const p = at(item);
          malformed(`${p}: string contains a lone surrogate`, {
            path: p,
            reason: 'lone-surrogate',
          });
        }
        continue;
      }
      if (typeof v !== 'object') {
        const p = at(item);
        malformed(`${p}: ${typeof v} is not a JSON value`, { path: p, reason: 'type' });
      }
      if (isInadmissibleNumber(v)) {
        // A lossless parse met a number whose double means something else (AAT 3.4).
        const p = at(item);
        malformed(`${p}: the number ${v.literal} does not survive RFC 8785 canonicalisation`, {
          path: p,
          reason: 'inadmissible-number',
        });
      }
      if (Array.isArray(v)) {
        if (v.length > bounds.maxArrayLength) {
          const p = at(item);
          limitExceeded(`${p}: array longer than ${bounds.maxArrayLength}`, {
            path: p,
            reason: 'array-length',
            limit: bounds.maxArrayLength,
          });
        }
        for (let i = v.length - 1; i >= 0; i--) {
          if (!Object.hasOwn(v, i)) {
            const p = at(item, i);
            malformed(`${p}: sparse array`, { path: p, reason: 'sparse-array' });
          }
          stack.push({ v: v[i] as unknown, parent: item, key: i, depth: depth + 1 });
        }
        continue;
      }
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) {
        const p = at(item);
        malformed(`${p}: must be a plain object`, { path: p, reason: 'not-plain-object' });
      }
      // Names, then one descriptor per name: what getOwnPropertyDescriptors reads, without
      // building its result object (most of the cost on an object of many members).
      const keys = Object.getOwnPropertyNames(v);
      if (keys.length > bounds.maxArrayLength) {
        const p = at(item);
        limitExceeded(`${p}: object has more than ${bounds.maxArrayLength} members`, {
          path: p,
          reason: 'object-size',
          limit: bounds.maxArrayLength,
        });
      }
      for (const key of keys) {
        const d = Object.getOwnPropertyDescriptor(v, key);
        if (d === undefined || !('value' in d)) {
          const p = at(item, key);
          malformed(`${p}: accessor properties are not JSON`, { path: p, reason: 'accessor' });
        }
        stack.push({ v: d.value as unknown, parent: item, key, depth: depth + 1 });
      }
    }
  } catch (err) {
    if (err instanceof MandateError) throw err;
    // A proxy trap or similar threw: the value cannot be read safely.
    malformed(`${path}: could not be read as JSON`, { path, reason: 'unreadable' });
  }
}

/** A value {@link assertJson} has still to check, and where it sits (its path, unwritten). */
interface JsonEntry {
  readonly v: unknown;
  readonly parent: JsonEntry | undefined;
  readonly key: string | number | undefined;
  readonly depth: number;
}

/** The path of `entry` under `root` (then `key` under it, when given), as {@link joinPath} writes it. */
function pathOf(root: string, entry: JsonEntry, key?: string | number): string {
  const keys: (string | number)[] = key === undefined ? [] : [key];
  for (let e: JsonEntry | undefined = entry; e?.key !== undefined; e = e.parent) keys.push(e.key);
  let path = root;
  for (let i = keys.length - 1; i >= 0; i--) path = joinPath(path, keys[i] ?? '');
  return path;
}

/**
 * JSON equality: the relation RFC 8785 serialisation induces (numbers compare numerically,
 * so `1` equals `1.0` and `-0` equals `0`; object member order is irrelevant).
 * Recursion is bounded by {@link MAX_JSON_DEPTH}, which {@link assertJson} enforced.
 */
export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return false;
    const xs = a as readonly Json[];
    const ys = b as readonly Json[];
    return xs.length === ys.length && xs.every((x, i) => jsonEqual(x, ys[i] as Json));
  }
  const ao = a as { readonly [k: string]: Json };
  const bo = b as { readonly [k: string]: Json };
  const ak = Object.keys(ao);
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every((k) => Object.hasOwn(bo, k) && jsonEqual(ao[k] as Json, bo[k] as Json));
}

/** True when `value` is JSON-equal to some element of `list`. */
export function jsonIncludes(list: readonly Json[], value: Json): boolean {
  return list.some((x) => jsonEqual(x, value));
}

/**
 * The RFC 8785 form of a validated value (strings must be well formed), used as a set key.
 */
export function jsonKey(value: Json): string {
  const s = canonicalize(value);
  if (s === undefined) throw new TypeError('value has no JSON form');
  return s;
}

/** De-duplicates by JSON equality, keeping the first occurrence's position. */
export function uniqueJson(values: readonly Json[]): Json[] {
  const out: Json[] = [];
  for (const v of values) if (!jsonIncludes(out, v)) out.push(v);
  return out;
}

/** True for a JSON array (narrows without widening to `any[]`). */
export function isJsonArray(value: Json): value is readonly Json[] {
  return Array.isArray(value);
}

/**
 * A deep copy of a validated value, so normalised output never aliases caller input.
 * `Object.fromEntries` defines (rather than assigns) members, so a `__proto__` key stays a
 * plain data member.
 */
export function cloneJson(value: Json): Json {
  if (value === null || typeof value !== 'object') return value;
  if (isJsonArray(value)) return value.map(cloneJson);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cloneJson(v)]));
}
