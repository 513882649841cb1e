/**
 * Deep freezing: what the library hands out or shares between requests (normal forms, parsed
 * headers, rule tables, exported constants and classes) can then not be changed by anyone
 * holding a reference, so nothing that decides is reachable and mutable from outside.
 */

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
    if ((typeof v !== 'object' && typeof v !== 'function') || v === null || Object.isFrozen(v))
      continue;
    Object.freeze(v);
    for (const key of Reflect.ownKeys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, key);
      if (d === undefined) continue;
      if ('value' in d) stack.push(d.value);
      else stack.push(d.get, d.set);
    }
  }
  return value;
}

/** Whether `value` and everything {@link deepFreeze} would reach from it are frozen. */
export function isDeepFrozen(value: unknown): boolean {
  const seen = new Set<unknown>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if ((typeof v !== 'object' && typeof v !== 'function') || v === null || seen.has(v)) continue;
    seen.add(v);
    if (!Object.isFrozen(v)) return false;
    for (const key of Reflect.ownKeys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, key);
      if (d === undefined) continue;
      if ('value' in d) stack.push(d.value);
      else stack.push(d.get, d.set);
    }
  }
  return true;
}
