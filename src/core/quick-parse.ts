/**
 * The building blocks of the quick parsers that stand in front of zod schemas (`Shape` in
 * `schemas.ts`). Each answers `undefined` ("not plainly valid: ask the schema") at the least
 * doubt, so a quick parser built from them can only accept what its schema accepts; they
 * never reject on their own.
 */

/** A record read from a value, member by member. */
export type Members = Readonly<Record<string, unknown>>;

/**
 * `value` as a plain object (prototype `Object.prototype` or `null`, not an array) whose own
 * enumerable keys are all in `allowed` and none of whose members is `undefined` (an optional
 * member present as `undefined` is left to the schema); else `undefined`.
 */
export function strictMembers(value: unknown, allowed: ReadonlySet<string>): Members | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const members = value as Members;
  for (const key of Object.keys(members)) {
    if (!allowed.has(key) || members[key] === undefined) return undefined;
  }
  return members;
}

/**
 * `value` as a plain object usable as a string-keyed record (no `__proto__` member, which a
 * schema's copy would turn into a prototype); else `undefined`.
 */
export function plainRecord(value: unknown): Members | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return undefined;
  return Object.hasOwn(value, '__proto__') ? undefined : (value as Members);
}

/**
 * A copy of `value` when it is an array of at least `min` (and at most `max`) items, none
 * `undefined` (nor a hole) and each passing `item`; else `undefined`.
 */
export function listOf<T>(
  value: unknown,
  item: (v: unknown) => v is T,
  min = 0,
  max = Number.POSITIVE_INFINITY,
): T[] | undefined {
  if (!Array.isArray(value) || value.length < min || value.length > max) return undefined;
  const out: T[] = [];
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (v === undefined || !item(v)) return undefined;
    out.push(v);
  }
  return out;
}

/** Any value but `undefined` (a JSON value, once `assertJson` has run). */
export function isDefined(value: unknown): value is NonNullable<unknown> | null {
  return value !== undefined;
}

/** A string. */
export function isString(value: unknown): value is string {
  return typeof value === 'string';
}

/** A boolean. */
export function isBoolean(value: unknown): value is boolean {
  return typeof value === 'boolean';
}

/** A finite number (zod 4 numbers reject NaN and ±Infinity). */
export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * Parses each optional member of `m` named in `parsers` that is present, into `out`; false
 * as soon as one does not parse (`undefined`).
 */
export function optionalMembers(
  m: Members,
  out: Record<string, unknown>,
  parsers: Readonly<Record<string, (v: unknown) => unknown>>,
): boolean {
  for (const [name, parse] of Object.entries(parsers)) {
    if (!Object.hasOwn(m, name)) continue;
    const v = parse(m[name]);
    if (v === undefined) return false;
    out[name] = v;
  }
  return true;
}

/**
 * The members of a strict object scoped like a capability: `value`'s members (all in
 * `allowed`), its `resource` (a string) and its `actions` (a non-empty list of strings).
 */
export function scopeMembers(
  value: unknown,
  allowed: ReadonlySet<string>,
): { readonly m: Members; readonly resource: string; readonly actions: string[] } | undefined {
  const m = strictMembers(value, allowed);
  if (m === undefined) return undefined;
  const resource = m['resource'];
  const actions = listOf(m['actions'], isString, 1);
  return typeof resource === 'string' && actions !== undefined
    ? { m, resource, actions }
    : undefined;
}

/** `value` when it passes `test`, else `undefined` (a test as a parser). */
export function when<T>(test: (v: unknown) => v is T): (v: unknown) => T | undefined {
  return (v) => (test(v) ? v : undefined);
}
