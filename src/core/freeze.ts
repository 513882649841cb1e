/**
 * Deep freezing: what the library hands out or shares between requests (normal forms, parsed
 * headers, rule tables, exported constants and classes) can then not be changed by anyone
 * holding a reference, so nothing that decides is reachable and mutable from outside.
 */

/** A property descriptor read without binding its accessors to anything. */
type Descriptor = { readonly value?: unknown; readonly get?: unknown; readonly set?: unknown };

/** What `v` holds in its own properties: data values, and accessors' getters and setters. */
function members(v: object): unknown[] {
  const out: unknown[] = [];
  for (const key of Reflect.ownKeys(v)) {
    const d = Object.getOwnPropertyDescriptor(v, key) as Descriptor | undefined;
    if (d === undefined) continue;
    if ('value' in d) out.push(d.value);
    else out.push(d.get, d.set);
  }
  return out;
}

const isObject = (v: unknown): v is object =>
  (typeof v === 'object' || typeof v === 'function') && v !== null;

/**
 * Freezes `value` and everything reachable through its own properties (data values, and the
 * getters and setters of accessors), symbols and non-enumerable members included, so a
 * class's `prototype` and its methods are frozen with it. Already-frozen values are not
 * walked again (the walk stops at cycles). Returns `value`.
 */
export function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (!isObject(v) || Object.isFrozen(v)) continue;
    Object.freeze(v);
    stack.push(...members(v));
  }
  return value;
}

/** Whether `value` and everything {@link deepFreeze} would reach from it are frozen. */
export function isDeepFrozen(value: unknown): boolean {
  const seen = new Set<unknown>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (!isObject(v) || seen.has(v)) continue;
    seen.add(v);
    if (!Object.isFrozen(v)) return false;
    stack.push(...members(v));
  }
  return true;
}
