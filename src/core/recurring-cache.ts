/**
 * A cache for what recurs. A verifier meets a stream of things it will never see again (a new
 * user's token, a new agent's proof) among things that come back (a mandate presented with every
 * call): caching the first kind buys nothing and costs the most a garbage-collected heap can be
 * charged, objects that outlive the request, are copied by each young-generation collection, are
 * promoted, and are then evicted from the old generation. So a value is kept only for a key met
 * before: the first time a key is met, only a short fingerprint of it is noted; the second
 * time, the value is kept. A recurring key is cached from its second use on.
 */
import { BoundedMap } from './bounded-map.js';

/**
 * How many characters of a key its fingerprint keeps. A shorter string is its own copy (V8 keeps
 * a longer substring as a view of the whole string it was cut from, so a fingerprint of 13 or more
 * characters would keep the whole token alive).
 */
const FINGERPRINT_LENGTH = 12;

/** Where a key's fingerprint is read from: its start, or its end (for keys that share a prefix). */
export type FingerprintEnd = 'start' | 'end';

/**
 * A {@link BoundedMap} of values whose keys recur. The fingerprint (12 characters of the key)
 * only decides when a value is kept, never what a lookup returns: `get` matches the whole key, so
 * two keys with one fingerprint at worst cache a value one use early.
 */
export class RecurringCache<V> {
  readonly #values: BoundedMap<string, V>;
  /** Fingerprints of keys met once, in a map of the same cap. */
  readonly #met: BoundedMap<string, true>;
  readonly #end: FingerprintEnd;

  /** @param max the most values (and fingerprints) held; 0 disables the cache. */
  constructor(max: number, end: FingerprintEnd = 'start') {
    this.#values = new BoundedMap(max);
    this.#met = new BoundedMap(max);
    this.#end = end;
  }

  /** Values held (for diagnostics: the soak reports each cache's size against its cap). */
  get size(): number {
    return this.#values.size;
  }

  get(key: string): V | undefined {
    return this.#values.get(key);
  }

  /**
   * Whether `key` was met before (asked about since its fingerprint was last evicted); notes its
   * fingerprint when not. A cache of 0 never remembers. The caller keeps a value (`set`) when it
   * was: the first time a key is met only its fingerprint is noted.
   */
  metBefore(key: string): boolean {
    if (this.#values.capacity === 0) return false;
    const fingerprint =
      this.#end === 'start'
        ? key.slice(0, FINGERPRINT_LENGTH)
        : key.slice(Math.max(0, key.length - FINGERPRINT_LENGTH));
    if (this.#met.get(fingerprint) !== undefined) return true;
    this.#met.set(fingerprint, true);
    return false;
  }

  /** Keep `value` for `key` (once {@link metBefore} has said the key recurs, or for a value known to). */
  set(key: string, value: V): void {
    this.#values.set(key, value);
  }
}
