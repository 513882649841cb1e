/**
 * The lifecycle of wasm instances: which instance a call gets, when an instance is retired, and
 * when it is unloaded. Independent of biscuit-wasm (the instance type and its loading are
 * parameters), so its laws are tested against a model as well as against the real module.
 *
 * A call *leases* the live instance and releases the lease when it is done with every object it
 * made there. The laws:
 * - an instance is unloaded only once no lease on it is outstanding, unless it is broken: a
 *   retirement (for its memory size, or asked for) only stops new leases, and the last release
 *   unloads it. So retirement can never break a call in flight, whatever the interleaving;
 * - a broken instance (a wasm fault under one of its leases) is unloaded at once, because nothing may
 *   run on it again; the leases still out see {@link Lease.usable} turn false and must lease again
 *   before touching it (a caller that runs synchronously after leasing never holds one mid-call);
 * - at most one instance is live (takes new leases); every retired instance is unloaded when its
 *   last lease ends, so the instances alive at any time are the live one plus those still leased.
 *
 * @module
 */

/** What the pool needs to know about its instances. */
export interface InstanceHooks<I> {
  /** Makes a fresh instance. Concurrent callers share one load. */
  load(): Promise<I>;
  /** Releases an instance for good: nothing may use it afterwards. Called once per instance. */
  unload(instance: I): void;
  /** Whether the instance must be retired once its current leases end (e.g. its memory is too large). */
  bloated(instance: I): boolean;
}

/** A claim on one instance: it stays loaded (unless broken) until released. */
export interface Lease<I> {
  readonly instance: I;
  /**
   * False once the instance broke under another lease (and was unloaded). Check it right before
   * using the instance; when false, release and lease again.
   */
  readonly usable: boolean;
  /**
   * Ends the lease (idempotent). `'broken'` reports a fault under this lease: the instance is unloaded
   * at once and never leased again.
   */
  release(outcome?: 'broken'): void;
}

/** Counters of the pool, for diagnostics and tests. */
export interface InstancePoolStats<I> {
  /** The instance taking new leases, if one is loaded. */
  readonly live: I | undefined;
  /** Instances loaded so far. */
  readonly loaded: number;
  /** Instances retired (bloated or asked for) so far. */
  readonly retired: number;
  /** Instances discarded because a fault broke them. */
  readonly broken: number;
  /** Instances unloaded so far (retired or broken, their last lease ended). */
  readonly unloaded: number;
  /** Retired instances still loaded because leases on them are outstanding. */
  readonly draining: number;
  /** Leases outstanding on every instance. */
  readonly leases: number;
}

type State = 'live' | 'retiring' | 'broken' | 'unloaded';

interface Slot<I> {
  readonly instance: I;
  state: State;
  leases: number;
}

/** Hands out leases on one live instance at a time and retires and unloads instances safely. */
export class InstancePool<I> {
  readonly #hooks: InstanceHooks<I>;
  #live: Slot<I> | undefined;
  #loading: Promise<Slot<I>> | undefined;
  /** Retired slots with leases outstanding. */
  readonly #draining = new Set<Slot<I>>();
  #loaded = 0;
  #retired = 0;
  #broken = 0;
  #unloaded = 0;
  #leases = 0;

  /** A pool over instances made and unloaded by `hooks`; nothing is loaded before the first lease. */
  constructor(hooks: InstanceHooks<I>) {
    this.#hooks = hooks;
  }

  /** A lease on the live instance, loading one first if none is live. Rejects if loading fails. */
  async lease(): Promise<Lease<I>> {
    for (;;) {
      const slot = this.#live ?? (await this.#load());
      // Retired between its load and this continuation (other waiters ran first): load another.
      if (slot.state === 'live') return this.#take(slot);
    }
  }

  /** A lease on the live instance without waiting, or `undefined` when none is live. */
  tryLease(): Lease<I> | undefined {
    const slot = this.#live;
    return slot?.state === 'live' ? this.#take(slot) : undefined;
  }

  /** Retires the live instance: it takes no new lease and is unloaded when its last lease ends. */
  retire(): void {
    if (this.#live !== undefined) this.#retire(this.#live);
  }

  /** The pool's counters. */
  stats(): InstancePoolStats<I> {
    return {
      live: this.#live?.instance,
      loaded: this.#loaded,
      retired: this.#retired,
      broken: this.#broken,
      unloaded: this.#unloaded,
      draining: this.#draining.size,
      leases: this.#leases,
    };
  }

  #load(): Promise<Slot<I>> {
    this.#loading ??= this.#hooks.load().then(
      (instance) => {
        this.#loading = undefined;
        this.#loaded++;
        const slot: Slot<I> = { instance, state: 'live', leases: 0 };
        this.#live = slot;
        return slot;
      },
      (error: unknown) => {
        this.#loading = undefined; // the next lease retries
        throw error;
      },
    );
    return this.#loading;
  }

  #take(slot: Slot<I>): Lease<I> {
    slot.leases++;
    this.#leases++;
    let released = false;
    return {
      instance: slot.instance,
      get usable() {
        return !released && (slot.state === 'live' || slot.state === 'retiring');
      },
      release: (outcome) => {
        if (released) return;
        released = true;
        slot.leases--;
        this.#leases--;
        this.#settle(slot, outcome);
      },
    };
  }

  #settle(slot: Slot<I>, outcome: 'broken' | undefined): void {
    if (outcome === 'broken' && slot.state !== 'broken' && slot.state !== 'unloaded') {
      // Nothing may run on a broken instance again, leased or not: unload it now.
      if (this.#live === slot) this.#live = undefined;
      this.#broken++;
      this.#unload(slot, 'broken');
      return;
    }
    if (slot.state === 'live' && this.#hooks.bloated(slot.instance)) this.#retire(slot);
    else if (slot.state === 'retiring' && slot.leases === 0) this.#unload(slot, 'unloaded');
  }

  #retire(slot: Slot<I>): void {
    if (slot.state !== 'live') return;
    if (this.#live === slot) this.#live = undefined;
    this.#retired++;
    slot.state = 'retiring';
    if (slot.leases === 0) this.#unload(slot, 'unloaded');
    else this.#draining.add(slot);
  }

  #unload(slot: Slot<I>, state: 'broken' | 'unloaded'): void {
    this.#draining.delete(slot);
    const wasLoaded = slot.state !== 'unloaded' && slot.state !== 'broken';
    slot.state = state;
    if (!wasLoaded) return;
    this.#unloaded++;
    this.#hooks.unload(slot.instance);
  }
}
