/**
 * Scope-to-capability mapping: configuration that says what each OAuth scope lets its holder
 * do, in Mandate's capability algebra. A user's authority is the union of what their token's
 * scopes map to; a scope the map does not name grants nothing.
 */
import { isSubset, normalizeCapabilities } from '../core/capability.js';
import type { Capability, CapabilityInput } from '../core/types.js';

/** A validated scope map. */
export interface ScopeMap {
  /** The scopes the map names. */
  readonly scopes: readonly string[];
  /** Whether the map names `scope`. */
  has(scope: string): boolean;
  /** The capabilities `scopes` grant together (unknown scopes grant nothing). */
  capabilitiesFor(scopes: Iterable<string>): Capability[];
  /**
   * The scopes whose whole mapping lies within `capabilities` (used to describe a narrowed
   * authority in OAuth terms; a scope only partly covered is left out).
   */
  scopesWithin(capabilities: readonly CapabilityInput[]): string[];
}

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * Build a scope map. Misuse (an invalid scope token per RFC 6749 §3.3, a malformed
 * capability) throws TypeError here, never at exchange time.
 */
export function createScopeMap(
  mapping: Readonly<Record<string, readonly CapabilityInput[]>>,
): ScopeMap {
  if (typeof mapping !== 'object' || mapping === null) {
    throw new TypeError('a scope map is an object from scope to capabilities');
  }
  const table = new Map<string, Capability[]>();
  for (const [scope, capabilities] of Object.entries(mapping)) {
    if (!SCOPE_TOKEN.test(scope))
      throw new TypeError(`scope ${JSON.stringify(scope)} is not a scope token`);
    try {
      table.set(scope, normalizeCapabilities(capabilities));
    } catch (cause) {
      throw new TypeError(`scope ${scope}: invalid capabilities`, { cause });
    }
  }
  const scopes = Object.freeze([...table.keys()].sort());
  return {
    scopes,
    has: (scope) => table.has(scope),
    capabilitiesFor(requested) {
      const all: Capability[] = [];
      for (const scope of new Set(requested)) all.push(...(table.get(scope) ?? []));
      return normalizeCapabilities(all);
    },
    scopesWithin(capabilities) {
      return scopes.filter((scope) => {
        const mapped = table.get(scope) ?? [];
        return mapped.length > 0 && isSubset(mapped, capabilities);
      });
    },
  };
}

/** Whether a value is a `ScopeMap` (as opposed to a plain mapping object). */
export function isScopeMap(value: unknown): value is ScopeMap {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { capabilitiesFor?: unknown }).capabilitiesFor === 'function'
  );
}

/** Split an RFC 6749 `scope` string into its tokens (duplicates dropped, order kept). */
export function splitScope(scope: unknown): string[] {
  if (typeof scope !== 'string') return [];
  return [...new Set(scope.split(' ').filter((token) => token.length > 0))];
}
