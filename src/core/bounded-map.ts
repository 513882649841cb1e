/**
 * A Map with a size cap; past the cap the oldest insertion goes. Every cache in Mandate
 * is one of these, so no cache grows without bound. A cap of 0 disables caching.
 */
export class BoundedMap<K, V> {
  readonly #map = new Map<K, V>();
  readonly #max: number;
  /**
   * Where eviction goes on: a live iterator over the keys, in insertion order. A Map iterator
   * sees entries added after it was made and skips deleted ones, and the only deletions here are
   * its own, so its next key is always the oldest. A fresh `keys()` per eviction would walk again
   * over every slot deleted since the table was last compacted, hundreds in a full cache of 1024
   * that churns (a verifier meeting a stream of never-seen keys and blocks).
   */
  #oldest: Iterator<K>;

  constructor(max: number) {
    if (!Number.isSafeInteger(max) || max < 0) throw new RangeError('cache size must be >= 0');
    this.#max = max;
    this.#oldest = this.#map.keys();
  }

  get size(): number {
    return this.#map.size;
  }

  /** The cap (for diagnostics: the soak reports each cache's size against it). */
  get capacity(): number {
    return this.#max;
  }

  get(key: K): V | undefined {
    return this.#map.get(key);
  }

  set(key: K, value: V): void {
    if (this.#max === 0) return;
    if (this.#map.size >= this.#max && !this.#map.has(key)) {
      let oldest = this.#oldest.next();
      if (oldest.done === true) {
        // A finished iterator stays finished (it ran past the last entry once): start again.
        this.#oldest = this.#map.keys();
        oldest = this.#oldest.next();
      }
      if (oldest.done !== true) this.#map.delete(oldest.value);
    }
    this.#map.set(key, value);
  }
}
