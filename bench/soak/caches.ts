/**
 * Observing the verifier's bounded caches during the soak without widening the public API: every
 * cache in Mandate is a `BoundedMap` (src/core/bounded-map.ts), or a `RecurringCache` made of two
 * (src/core/recurring-cache.ts), so this module wraps `BoundedMap`'s `set` in
 * the soak process to note each instance (weakly: a phase's discarded verifier takes its caches
 * with it) and where it was first filled from. The stores the soak hands the verifier report
 * their own `size`.
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BoundedMap } from '../../src/core/bounded-map.js';

/** One cache's reading. */
export interface CacheReading {
  /** What it holds, named by the module that fills it. */
  readonly name: string;
  /** A `BoundedMap` cache (evicts at its bound), or a store (sweeps expired entries when full). */
  readonly kind: 'cache' | 'store';
  readonly size: number;
  readonly capacity: number;
}

/** What each module's cache holds. */
const NAMES: Readonly<Record<string, string>> = {
  'src/identity/jwk.ts': 'imported keys',
  'src/format/jws/chain.ts': 'decoded JWS blocks',
  'src/format/biscuit/chain.ts': 'decoded Biscuit prefixes',
  'src/core/jws/compact.ts': 'JWS headers',
  'src/format/jws/block.ts': 'JWS capabilities by text',
  'src/format/biscuit/block.ts': 'Biscuit capabilities',
  'src/core/glob.ts': 'compiled globs',
  'src/proof/request.ts': 'normalised request URLs',
};

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const seen = new WeakSet<object>();
const observed: { readonly ref: WeakRef<BoundedMap<unknown, unknown>>; readonly name: string }[] =
  [];

/**
 * The module that called `set` first: the frame below the wrapper, or, for a `RecurringCache`'s
 * maps (src/core/recurring-cache.ts), the module below it; its map of fingerprints (written by
 * `metBefore`) is named apart from its values.
 */
function callSite(): string {
  const frames = (new Error().stack ?? '').split('\n').slice(3);
  let fingerprints = false;
  for (const frame of frames) {
    const match = /\(?(file:\/\/[^)]+?|\/[^)]+?):\d+:\d+\)?$/.exec(frame.trim());
    if (match?.[1] === undefined) continue;
    const file = relative(ROOT, match[1].startsWith('file:') ? fileURLToPath(match[1]) : match[1]);
    if (file === 'src/core/recurring-cache.ts') {
      fingerprints ||= frame.includes('metBefore');
      continue;
    }
    const name = NAMES[file] ?? file;
    return fingerprints ? `${name}: keys met once (fingerprints)` : name;
  }
  return 'unknown';
}

let installed = false;

/** Starts noting every BoundedMap that is written to (once per process). */
export function observeCaches(): void {
  if (installed) return;
  installed = true;
  const prototype: BoundedMap<unknown, unknown> = BoundedMap.prototype;
  const set = Reflect.get<BoundedMap<unknown, unknown>, 'set'>(prototype, 'set');
  prototype.set = function (this: BoundedMap<unknown, unknown>, key: unknown, value: unknown) {
    if (!seen.has(this)) {
      seen.add(this);
      observed.push({ ref: new WeakRef(this), name: callSite() });
    }
    set.call(this, key, value);
  };
}

/** The caches alive now, by name, then largest bound first. */
export function readCaches(): CacheReading[] {
  const readings: CacheReading[] = [];
  for (const { ref, name } of observed) {
    const cache = ref.deref();
    if (cache !== undefined)
      readings.push({ name, kind: 'cache', size: cache.size, capacity: cache.capacity });
  }
  return readings.sort((a, b) => a.name.localeCompare(b.name) || b.capacity - a.capacity);
}
