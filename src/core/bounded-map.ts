/**
 * A Map with a size cap; past the cap the oldest insertion goes. Every cache in Mandate
 * is one of these, so no cache grows without bound. A cap of 0 disables caching.
 */
export class BoundedMap<K, V> {
  readonly #map = new Map<K, V>();
  readonly #max: number;

  constructor(max: number) {
    if (!Number.isSafeInteger(max) || max < 0) throw new RangeError('cache size must be >= 0');
    this.#max = max;
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
    if (!this.#map.has(key) && this.#map.size >= this.#max) {
      const oldest = this.#map.keys().next();
      if (oldest.done !== true) this.#map.delete(oldest.value);
    }
    this.#map.set(key, value);
  }
}
